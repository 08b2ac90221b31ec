// 操作日志 for admins: GET /api/audit?actorId=&limit=&cursor= (newest first, `{items, next?}`, the keyset
// cursor of the other lists), the rows server/audit/audit-trail.ts writes.
import { Router } from 'express';
import { z } from 'zod';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { objectIdSchema } from '../../http/validate.ts';
import type { AuditDoc } from '../../models/index.ts';
import { canViewAudit } from '../../policies/index.ts';
import { decodeCursor, encodeCursor, ORDERS } from '../issues/issue-list.order.ts';

const auditQuery = z.object({
  actorId: objectIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const ORDER = ORDERS.createdAt;

function presentAudit(a: AuditDoc) {
  return {
    id: String(a._id),
    at: a.createdAt.toISOString(),
    actor: a.actor,
    action: a.action,
    method: a.method,
    path: a.path,
    target: a.target ?? {},
    details: a.details ?? '',
  };
}

export function createAuditRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canViewAudit));

  router.get('/', async (req, res) => {
    const q = auditQuery.parse(req.query);
    const conditions = [
      ...(q.actorId ? [{ 'actor.id': q.actorId }] : []),
      ...(q.cursor ? ORDER.after(decodeCursor(q.cursor, ORDER)) : []),
    ];
    const filter = conditions.length > 1 ? { $and: conditions } : (conditions[0] ?? {});
    const rows = await ctx.models.Audit.find(filter)
      .sort(ORDER.sort)
      .limit(q.limit + 1)
      .lean<AuditDoc[]>();
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const next =
      rows.length > q.limit && last
        ? encodeCursor({ v: last.createdAt.getTime(), id: String(last._id) })
        : undefined;
    res.json({ items: page.map(presentAudit), ...(next ? { next } : {}) });
  });
  return router;
}
