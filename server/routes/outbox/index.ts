// Delivery status for admins: GET /api/outbox?status=&channel=&event=&issueId=&issueNumber=&recipient=&limit=
// &cursor= (latest first, `{items, next?}` paged like GET /api/issues: outbox-list.query.ts) and
// POST /api/outbox/:id/retry, which puts a dead or stuck entry back in the queue now with a fresh try count.
// In demo mode with DEMO_CLOCK=1, GET /api/dev/outbox (dev router) shows the latest rows unmasked.
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
import { listOutbox } from './outbox-list.query.ts';

const ISSUE_NUMBER = /^(?:HZ-?)?(\d{4})-(\d{1,12})$/i;

export const outboxQuery = z.object({
  status: z.enum(OUTBOX_STATUSES, { error: `status 只能是 ${OUTBOX_STATUSES.join('、')}` }).optional(),
  channel: z.enum(OUTBOX_CHANNELS, { error: `channel 只能是 ${OUTBOX_CHANNELS.join('、')}` }).optional(),
  event: z
    .string()
    .regex(/^[a-z_]{1,40}$/, { error: 'event 格式无效' })
    .optional(),
  issueId: objectIdSchema.optional(),
  /** HZ-2026-000123; "2026-123" or lower case is read as that number. */
  issueNumber: z
    .string()
    .trim()
    .transform((s, ctx) => {
      const m = ISSUE_NUMBER.exec(s);
      if (m) return `HZ-${m[1]}-${m[2]!.padStart(6, '0')}`;
      ctx.addIssue({ code: 'custom', message: '工单编号格式应为 HZ-2026-000123' });
      return z.NEVER;
    })
    .optional(),
  /** A recipient's whole name as the list shows it (a staff member, an enterprise): an exact match. */
  recipient: z
    .string()
    .trim()
    .min(1, { error: '请输入接收方名称' })
    .max(100, { error: '接收方名称过长' })
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

export function outboxFilter(q: z.infer<typeof outboxQuery>): Record<string, unknown> {
  return {
    ...(q.status ? { status: q.status } : {}),
    ...(q.channel ? { channel: q.channel } : {}),
    ...(q.event ? { event: q.event } : {}),
    ...(q.issueId ? { issueId: new Types.ObjectId(q.issueId) } : {}),
    ...(q.recipient ? { 'recipient.name': q.recipient } : {}),
  };
}

export function createOutboxRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canManageSettings));

  router.get('/', async (req, res) => {
    const q = outboxQuery.parse(req.query);
    const { rows, next } = await listOutbox(ctx.models, outboxFilter(q), q);
    res.json({ items: rows.map((r) => presentOutboxEntry(r)), ...(next ? { next } : {}) });
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
