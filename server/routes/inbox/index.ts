// /api/inbox: the raw inbox for the service centre (DESIGN §2, §10). The dead-letter list (`?status=failed`,
// newest first, keyset-paged), one entry, retry of a failed entry through the pipeline, and discard with a
// reason. Centre intake desks and admins only.
import { Router } from 'express';
import { Types } from 'mongoose';
import { z } from 'zod';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { AppError, notFound } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { pathId } from '../../http/validate.ts';
import { createPipelineDeps } from '../../intake/intake-sink.ts';
import { retryEntry } from '../../intake/pipeline.ts';
import { INBOX_STATUSES, type InboxEntryDoc } from '../../models/inbox.model.ts';
import { canManageInbox } from '../../policies/intake.policy.ts';
import { presentInboxEntry } from '../../presenters/inbox.presenter.ts';
import { CHANNEL_IDS } from '../../../shared/states.ts';
import { reasonSchema } from '../../../shared/schemas.ts';

const INBOX_MAX_LIMIT = 100;

const listQuery = z.object({
  status: z.enum(INBOX_STATUSES, { error: '状态无效' }).default('failed'),
  channel: z.enum(CHANNEL_IDS, { error: '渠道无效' }).optional(),
  // Worded as GET /api/issues words its limit (routes/issues/issues.schema.ts).
  limit: z.coerce
    .number({ error: '条数必须是数字' })
    .int({ error: '条数必须是整数' })
    .min(1, { error: '条数至少为1' })
    .max(INBOX_MAX_LIMIT, { error: `条数不能超过${INBOX_MAX_LIMIT}` })
    .default(50),
  /** The id of the last entry of the previous page. */
  before: z
    .string({ error: '分页游标无效' })
    .regex(/^[0-9a-f]{24}$/i, { error: '分页游标无效' })
    .optional(),
});
const discardBody = z.object({ reason: reasonSchema });

export function createInboxRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canManageInbox));
  const deps = createPipelineDeps(ctx);
  const entries = ctx.models.InboxEntry.collection;

  const load = async (id: unknown) => {
    const entry = await entries.findOne<InboxEntryDoc>({
      _id: new Types.ObjectId(pathId(id, '收件记录不存在')),
    });
    if (!entry) throw notFound('收件记录不存在');
    return entry;
  };

  router.get('/', async (req, res) => {
    const q = listQuery.parse(req.query);
    const filter: Record<string, unknown> = { status: q.status };
    if (q.channel) filter.channel = q.channel;
    if (q.before) filter._id = { $lt: new Types.ObjectId(q.before) };
    const rows = await entries
      .find<InboxEntryDoc>(filter, { sort: { _id: -1 }, limit: q.limit + 1 })
      .toArray();
    const items = rows.slice(0, q.limit);
    const next = rows.length > q.limit ? String(items[items.length - 1]._id) : undefined;
    res.json({ items: items.map(presentInboxEntry), ...(next ? { next } : {}) });
  });

  router.get('/:id', async (req, res) => {
    res.json(presentInboxEntry(await load(req.params.id)));
  });

  router.post('/:id/retry', async (req, res) => {
    const entry = await load(req.params.id);
    if (entry.status !== 'failed') throw new AppError('not_failed', 409, '只有处理失败的收件才能重试');
    const { ack } = await retryEntry(deps, entry);
    await deps.inbox.flush();
    res.json({ ack, entry: presentInboxEntry(await load(req.params.id)) });
  });

  router.post('/:id/discard', async (req, res) => {
    const { reason } = discardBody.parse(req.body ?? {});
    const entry = await load(req.params.id);
    const now = ctx.clock.now();
    const updated = await entries.findOneAndUpdate(
      { _id: entry._id, status: 'failed' },
      { $set: { status: 'discarded', discardReason: reason, updatedAt: now } },
      { returnDocument: 'after' },
    );
    if (!updated) throw new AppError('not_failed', 409, '只有处理失败的收件才能作废');
    res.json(presentInboxEntry(updated as InboxEntryDoc));
  });

  return router;
}
