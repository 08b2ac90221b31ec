// Delivery status for admins: GET /api/outbox?status=&channel=&event=&issueId=&limit= (latest first) and
// POST /api/outbox/:id/retry, which puts a dead or stuck entry back in the queue now with a fresh try count.
// In demo mode with DEMO_CLOCK=1, GET /api/dev/outbox (dev router) shows the same rows unmasked.
import { Router } from 'express';
import { Types } from 'mongoose';
import { z } from 'zod';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { conflict, notFound } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { objectIdSchema, pathId } from '../../http/validate.ts';
import { OUTBOX_CHANNELS, OUTBOX_STATUSES } from '../../models/outbox.model.ts';
import { canManageSettings } from '../../policies/index.ts';
import { presentOutboxEntry } from '../../presenters/outbox.presenter.ts';

export const outboxQuery = z.object({
  status: z.enum(OUTBOX_STATUSES, { error: `status 只能是 ${OUTBOX_STATUSES.join('、')}` }).optional(),
  channel: z.enum(OUTBOX_CHANNELS, { error: `channel 只能是 ${OUTBOX_CHANNELS.join('、')}` }).optional(),
  event: z
    .string()
    .regex(/^[a-z_]{1,40}$/, { error: 'event 格式无效' })
    .optional(),
  issueId: objectIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function outboxFilter(q: z.infer<typeof outboxQuery>): Record<string, unknown> {
  return {
    ...(q.status ? { status: q.status } : {}),
    ...(q.channel ? { channel: q.channel } : {}),
    ...(q.event ? { event: q.event } : {}),
    ...(q.issueId ? { issueId: new Types.ObjectId(q.issueId) } : {}),
  };
}

export function createOutboxRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canManageSettings));

  router.get('/', async (req, res) => {
    const q = outboxQuery.parse(req.query);
    const rows = await ctx.models.Outbox.find(outboxFilter(q))
      .sort({ createdAt: -1, _id: -1 })
      .limit(q.limit)
      .lean();
    res.json({ items: rows.map((r) => presentOutboxEntry(r)) });
  });

  router.post('/:id/retry', async (req, res) => {
    const id = pathId(req.params.id, '投递记录不存在');
    const now = ctx.clock.now();
    const row = await ctx.models.Outbox.findOneAndUpdate(
      {
        _id: id,
        $or: [{ status: { $in: ['dead', 'pending'] } }, { status: 'sending', lockedUntil: { $lte: now } }],
      },
      { $set: { status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null } },
      { returnDocument: 'after' },
    ).lean();
    if (!row) {
      if (!(await ctx.models.Outbox.exists({ _id: id }))) throw notFound('投递记录不存在');
      throw conflict('该记录已发送或正在发送，无需重试', 'not_retryable');
    }
    ctx.notify?.worker.kick();
    res.json(presentOutboxEntry(row));
  });

  return router;
}
