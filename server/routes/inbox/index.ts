// /api/inbox: the raw inbox for the service centre (DESIGN §2, §10). The dead-letter list (`?status=failed`,
// newest first, keyset-paged), one entry, retry of a failed entry through the pipeline, discard with a reason,
// and 人工登记: the draft a dead letter gives the staff form, and its registration by hand as an issue
// (commands/inbox-register.command.ts). Centre intake desks and admins only.
import { Router, type Request } from 'express';
import { Types } from 'mongoose';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { inboxRegisterCommand, registrationInProgress } from '../../commands/inbox-register.command.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { pathId } from '../../http/validate.ts';
import { createPipelineDeps } from '../../intake/intake-sink.ts';
import { isBeingRegistered, notBeingRegistered, notRetryable } from '../../intake/inbox-store.ts';
import type { InboxEntryDoc } from '../../models/inbox.model.ts';
import { retryEntry } from '../../intake/pipeline.ts';
import { canManageInbox, canReadProcessedInbox } from '../../policies/intake.policy.ts';
import { presentInboxEntry } from '../../presenters/inbox.presenter.ts';
import { presentIssueCreated } from '../../presenters/issue.presenter.ts';
import { draftOf } from './inbox-draft.query.ts';
import { discardBody, listQuery, registerBody } from './inbox.schema.ts';

export function createInboxRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canManageInbox));
  const deps = createPipelineDeps(ctx);
  const entries = ctx.models.InboxEntry.collection;

  const idOf = (id: unknown) => new Types.ObjectId(pathId(id, '收件记录不存在'));
  const load = async (id: unknown) => {
    const entry = await entries.findOne<InboxEntryDoc>({ _id: idOf(id) });
    if (!entry) throw notFound('收件记录不存在');
    return entry;
  };
  /** An entry the actor may read: an admin, who reads no issue, none that became one. */
  const readable = async (req: Request, id: unknown) => {
    const entry = await load(id);
    if (entry.status === 'processed' && !canReadProcessedInbox(actorOf(req)))
      throw notFound('收件记录不存在');
    return entry;
  };
  const beingRegistered = (e: InboxEntryDoc) => isBeingRegistered(e, ctx.clock.now());

  router.get('/', async (req, res) => {
    const q = listQuery.parse(req.query);
    if (q.status === 'processed' && !canReadProcessedInbox(actorOf(req)))
      throw forbidden('已处理的收件属于工单内容，仅服务中心可查看');
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
    res.json(presentInboxEntry(await readable(req, req.params.id)));
  });

  router.get('/:id/draft', async (req, res) => {
    res.json(await draftOf(ctx.models, await readable(req, req.params.id)));
  });

  router.post('/:id/retry', async (req, res) => {
    const entry = await load(req.params.id);
    if (entry.status !== 'failed') throw new AppError('not_failed', 409, '只有处理失败的收件才能重试');
    if (beingRegistered(entry)) throw registrationInProgress();
    // Refused before anything changes, so the entry keeps the reason it failed with.
    const why = notRetryable(entry);
    if (why) throw new AppError('not_reparsable', 409, why);
    const { ack } = await retryEntry(deps, entry);
    await deps.inbox.flush();
    res.json({ ack, entry: presentInboxEntry(await load(req.params.id)) });
  });

  router.post('/:id/register', async (req, res) => {
    const id = idOf(req.params.id);
    const input = registerBody.parse(req.body ?? {});
    const { issue, created, entry } = await inboxRegisterCommand(deps, actorOf(req), id, input);
    res
      .status(created ? 201 : 200)
      .json({ issue: presentIssueCreated(issue, !created), entry: presentInboxEntry(entry) });
  });

  router.post('/:id/discard', async (req, res) => {
    const { reason } = discardBody.parse(req.body ?? {});
    const entry = await load(req.params.id);
    const now = ctx.clock.now();
    const updated = await entries.findOneAndUpdate(
      { _id: entry._id, status: 'failed', ...notBeingRegistered(now) },
      { $set: { status: 'discarded', discardReason: reason, updatedAt: now } },
      { returnDocument: 'after' },
    );
    if (!updated && entry.status === 'failed' && beingRegistered(entry)) throw registrationInProgress();
    if (!updated) throw new AppError('not_failed', 409, '只有处理失败的收件才能作废');
    res.json(presentInboxEntry(updated as InboxEntryDoc));
  });

  return router;
}
