// 拆分为新工单 (POST /api/issues/:id/sources/:inboxId/split): intake's duplicate check, or staff merging by
// hand, sometimes joins a DIFFERENT problem of the same enterprise to an open issue as one of its sources,
// where it would never be handled on its own. Centre staff take such a source out into its own issue:
// classified, routed and timed as intake would have (createIssueFromMessage), the source removed from the
// master, a 拆分 note on both timelines, and the message's inbox entry pointed at the new issue, so a
// redelivery answers its number.
//
// The inbox entry is claimed first (only while it still names the master), naming the new issue's id: a split
// cut short (the process died between the writes) is finished by asking again, creating nothing twice.
import { Types } from 'mongoose';
import type { Actor } from '../../shared/roles.ts';
import { sourceSplitSchema } from '../../shared/schemas.ts';
import { countField, type AttachmentStore } from '../attachments/attachment.store.ts';
import { AppError, conflict, forbidden, notFound } from '../errors.ts';
import { loadIntakeConfig } from '../intake/intake-config.ts';
import { createIssueFromMessage } from '../intake/issue-from-message.ts';
import { staffBy } from '../intake/pipeline.ts';
import { INTAKE_ENTERPRISE_FIELDS } from '../intake/intake-enterprise.ts';
import type { Models } from '../models/index.ts';
import type { InboxEntryDoc } from '../models/inbox.model.ts';
import type { IssueDoc, IssueSource } from '../models/issue.model.ts';
import { canReadIssue } from '../policies/screens.policy.ts';
import { mayEverSplitSource } from '../policies/issue.policy.ts';
import type { IntakeEnterprise, IssueCreateDeps } from './issue-create.command.ts';
import { changeOf, notifyChange } from './issue-deps.ts';
import { loadIssue, noteEvent, scopeOf } from './issue-store.ts';

export const SOURCE_SPLIT = 'source_split';
/** The new issue's note: which master it was split from. */
const SPLIT_FROM = 'split_from';
/** The new issue's note: the files that came over with the message. */
const SOURCE_FILES = 'source_files';

/** The attachment store: the files the message brought go with it. */
export type SourceSplitDeps = IssueCreateDeps & { attachments?: Pick<AttachmentStore, 'moveMessageFiles'> };

export interface SourceSplitRequest {
  issueId: string;
  /** The inbox entry of the merged source (its id on the issue page). */
  inboxId: string;
  input: unknown;
}

/** The merged source the request names, refused with a stable code when it cannot be split. */
function sourceToSplit(master: IssueDoc, inboxId: string): IssueSource {
  if (master.inboxId && String(master.inboxId) === inboxId)
    throw conflict('问题自身的首条来信不能拆分', 'source_is_original');
  const split = master.timeline.find((e) => e.data?.kind === SOURCE_SPLIT && e.data.inboxId === inboxId);
  if (split) throw conflict(`该来源已拆分为新工单 ${String(split.data!.number)}`, 'source_already_split');
  const source = master.sources?.find((s) => String(s.inboxId) === inboxId);
  if (!source) throw notFound('该问题没有这条合并的来源', 'source_not_found');
  // A merged issue's sources went on to its master with it: split them there.
  if (master.state === 'merged') throw conflict(`该问题已合并，请在主件上拆分`, 'issue_merged');
  return source;
}

/** The source as the message intake read (the contact's unusable number back where intake found it). */
function messageOf(source: IssueSource, enterprise: IntakeEnterprise) {
  const { phoneText, ...contact } = source.contact ?? {};
  return {
    channel: source.channel,
    externalId: source.externalId ?? '',
    raisedAt: source.receivedAt,
    title: source.title,
    content: source.content,
    enterprise: { id: String(enterprise._id), name: enterprise.name },
    contact: { ...contact, ...(phoneText && !contact.phone ? { phone: phoneText } : {}) },
  };
}

/**
 * The source's inbox entry, pointed at the new issue's id while it still names the master (`claimed`); or a
 * split begun before and cut short (the process died, a second request meanwhile): the entry names an issue
 * not yet numbered (its number is still the master's) or one split from this master, which is finished.
 */
async function claimEntry(models: Models, master: IssueDoc, source: IssueSource, now: Date) {
  // A message of an issue merged by hand into this one names the master since the merge recorded it as intake
  // does; one merged before that still names the merged issue, which the master lists (no migration needed).
  const claimed = (await models.InboxEntry.collection.findOneAndUpdate(
    {
      _id: source.inboxId,
      issueId: { $in: [master._id, ...(master.mergedFrom ?? [])] },
      status: 'processed',
    },
    { $set: { issueId: new Types.ObjectId(), number: master.number, outcome: 'created', updatedAt: now } },
    { returnDocument: 'after' },
  )) as InboxEntryDoc | null;
  if (claimed) return { entry: claimed, claimed: true };
  const entry = await models.InboxEntry.collection.findOne<InboxEntryDoc>({ _id: source.inboxId });
  const begun =
    !!entry &&
    entry.status === 'processed' &&
    (entry.number === master.number ||
      !!(await models.Issue.collection.findOne(
        {
          _id: entry.issueId,
          timeline: { $elemMatch: { 'data.kind': SPLIT_FROM, 'data.issueId': String(master._id) } },
        },
        { projection: { _id: 1 } },
      )));
  // Its entry names another issue (taken over by merges by hand two deep, before merges recorded it).
  if (!entry || !begun) throw conflict('该来源的来信已属于其他问题，不能在此拆分', 'source_not_splittable');
  return { entry, claimed: false };
}

/** The new issue: created as intake would create it, or found again when an earlier split created it. */
async function splitIssue(
  deps: IssueCreateDeps,
  actor: Actor,
  { master, source, reason, now }: { master: IssueDoc; source: IssueSource; reason: string; now: Date },
  { entry, claimed }: { entry: InboxEntryDoc; claimed: boolean },
): Promise<IssueDoc> {
  const { models } = deps;
  const enterprise = await models.Enterprise.collection.findOne<IntakeEnterprise>(
    { _id: master.enterpriseId },
    { projection: INTAKE_ENTERPRISE_FIELDS },
  );
  if (!enterprise) throw new AppError('enterprise_not_found', 404, '该问题的企业不存在');
  const config = deps.intakeConfig ? await deps.intakeConfig() : await loadIntakeConfig(models);
  const name = actor.name ?? actor.username;
  const from = noteEvent(actor, 'received', now, `由 ${master.number} 拆分为新工单：${reason}`, {
    public: false,
    data: { kind: SPLIT_FROM, issueId: String(master._id), number: master.number, reason },
  });
  const begun = claimed ? null : await models.Issue.collection.findOne<IssueDoc>({ _id: entry.issueId });
  if (begun) return begun;
  // The first message of an issue merged by hand into the master: that issue keeps its number and history,
  // the new one takes the external id (one issue per work order), and replies about it go from there.
  if (source.externalId && master.mergedFrom?.length)
    await models.Issue.collection.updateOne(
      { _id: { $in: master.mergedFrom }, inboxId: source.inboxId, state: 'merged' },
      { $unset: { externalId: '' } },
    );
  const { issue } = await createIssueFromMessage(deps, config, {
    entry,
    msg: messageOf(source, enterprise),
    by: staffBy(actor, enterprise),
    enterprise,
    now,
    intakeNote: { ...from, actorName: name },
  }).catch(async (err: unknown) => {
    // Refused (its external id is another issue's): the entry names the master again, which still holds the
    // source, so nothing is lost and the split may be asked again.
    if (claimed)
      await models.InboxEntry.collection.updateOne(
        { _id: entry._id, issueId: entry.issueId },
        { $set: { issueId: master._id, outcome: 'merged', updatedAt: now } },
      );
    throw err;
  });
  return issue;
}

/**
 * The files the message brought to the master (those stored with its inbox entry) go with it to the new issue,
 * and the slots of the issue's limit they took with them; the new issue's timeline names them, once (a split
 * asked again after a cut moves what is left and finds the note there). Answers them and the counts they
 * took, for the master's update.
 */
async function moveSourceFiles(
  deps: SourceSplitDeps,
  actor: Actor,
  { master, source, issue, now }: { master: IssueDoc; source: IssueSource; issue: IssueDoc; now: Date },
) {
  const files = (await deps.attachments?.moveMessageFiles(source.inboxId, master._id, issue._id)) ?? [];
  const counts: Record<string, number> = {};
  for (const f of files) counts[countField(f.source)] = (counts[countField(f.source)] ?? 0) + 1;
  if (!files.length) return { files, counts };
  const names = files.map((f) => f.filename).join('、');
  const note = noteEvent(actor, issue.state, now, `随来源自 ${master.number} 移来附件：${names}`, {
    public: false,
    data: {
      kind: SOURCE_FILES,
      number: master.number,
      attachments: files.map((f) => ({ id: f.id, filename: f.filename })),
    },
  });
  await deps.models.Issue.collection.updateOne(
    { _id: issue._id, 'timeline.data.kind': { $ne: SOURCE_FILES } },
    { $inc: { ...counts, version: 1 }, $push: { timeline: note }, $set: { updatedAt: now } } as never,
  );
  return { files, counts };
}

export async function issueSourceSplitCommand(
  deps: SourceSplitDeps,
  actor: Actor,
  req: SourceSplitRequest,
): Promise<{ master: IssueDoc; issue: IssueDoc }> {
  const { models } = deps;
  if (!mayEverSplitSource(actor.role)) throw forbidden('您的角色无权拆分合并的来源');
  const master = await loadIssue(models, req.issueId);
  if (!canReadIssue(actor, scopeOf(master))) throw notFound('问题不存在');
  const source = sourceToSplit(master, req.inboxId);
  const { reason } = sourceSplitSchema.parse(req.input ?? {});
  const now = deps.clock.now();
  const claim = await claimEntry(models, master, source, now);
  const { entry } = claim;
  const issue = await splitIssue(deps, actor, { master, source, reason, now }, claim);
  await models.InboxEntry.collection.updateOne({ _id: entry._id }, { $set: { number: issue.number } });
  const { files, counts } = await moveSourceFiles(deps, actor, { master, source, issue, now });
  const moved = files.length ? `，随来信的附件 ${files.length} 个一并移至新工单` : '';
  const note = noteEvent(
    actor,
    master.state,
    now,
    `拆分：该来源已拆分为新工单 ${issue.number}（${reason}）${moved}`,
    {
      public: false,
      data: {
        kind: SOURCE_SPLIT,
        inboxId: req.inboxId,
        issueId: String(issue._id),
        number: issue.number,
        reason,
      },
    },
  );
  // Only while the master still holds it: two splits finishing together note it once.
  const updated =
    ((await models.Issue.collection.findOneAndUpdate(
      { _id: master._id, 'sources.inboxId': source.inboxId },
      {
        $pull: { sources: { inboxId: source.inboxId } },
        $push: { timeline: note },
        $inc: { version: 1, ...Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, -n])) },
        $set: { updatedAt: now },
      } as never,
      { returnDocument: 'after' },
    )) as IssueDoc | null) ?? (await loadIssue(models, req.issueId));
  notifyChange(deps, { ...changeOf(updated, 'note', updated.state, actor.id, now), public: false });
  return { master: updated, issue };
}
