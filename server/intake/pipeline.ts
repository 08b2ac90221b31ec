// The one intake pipeline every way in ends in (DESIGN §2, §8; issue 6):
//
//   adapter (verify, parse) → raw inbox (durable) → normalise → match enterprise → de-duplicate → classify
//   → route → deadlines → issue → acknowledge
//
// Channel edges call acceptInbound (the IntakeSink); staff entry and the QR page call runIntake with the
// enterprise they already resolved. Redelivery of (channel, externalId) is decided by the inbox's unique index
// and answered only to the source that delivered it first; a repeat from the same enterprise (any channel)
// joins the open issue as another source. Round trips of a new message with a known credit code: the
// enterprise, the inbox insert beside the repeat candidates, the number, the issue insert; the inbox's
// "processed" is batched after the answer (inbox-store.ts).
import { CHANNEL_LABELS, type ChannelId } from '../../shared/states.ts';
import { SYSTEM_ACTOR, enterpriseActor, type DomainActor } from '../../shared/lifecycle/issue-core.ts';
import type { Actor } from '../../shared/roles.ts';
import type { InboundMessage, IntakeAck } from '../channels/types.ts';
import { AppError, conflict, isAppError } from '../errors.ts';
import type { IssueCreateDeps, IntakeEnterprise } from '../commands/issue-create.command.ts';
import type { InboxEntryDoc, InboxOrigin, RawPayload } from '../models/inbox.model.ts';
import type { IssueDoc, Models } from '../models/index.ts';
import { loadIntakeConfig, type IntakeConfig } from './intake-config.ts';
import {
  findInboxEntry,
  insertInboxEntry,
  markInboxFailed,
  newInboxEntry,
  reopenFailedEntry,
  sameMessage,
  storedMessage,
  type InboxRecorder,
} from './inbox-store.ts';
import { enterpriseOfEntry, matchOf, provisionalOf, type Matched } from './intake-enterprise.ts';
import {
  createIssueFromMessage,
  mergeAsSource,
  possibleRepeatOf,
  type PossibleRepeat,
} from './issue-from-message.ts';
import { repeatCandidates } from './repeat-candidates.ts';
import { findRepeat, type RepeatCandidate, type RepeatCheck } from './repeat.ts';
import { describedPicture, pictureFollowUp, threadIssue } from './thread.ts';
import { noComplaint } from '../channels/sms/sms.adapter.ts';
import { describePicture } from './picture-words.ts';
import { issueText } from '../text/issue-text.ts';

export type IntakeSink = (msg: InboundMessage, credentialId?: string) => Promise<IntakeAck>;

export interface PipelineDeps extends IssueCreateDeps {
  inbox: InboxRecorder;
  /** How long a redelivery waits for the first delivery, still in flight, to finish (default 5 s). */
  redeliveryWaitMs?: number;
  /** Parses a dead letter's raw body again (retry after an adapter fix); throws when it still cannot. */
  reparse?: (channel: ChannelId, raw: RawPayload) => InboundMessage;
  /** The text core's duplicate check (server/text); without it only a near-identical text merges. */
  checkRepeat?: RepeatCheck;
}

/** Who is delivering: decides the timeline actor, who may hear about a redelivery, and whether repeats merge. */
export interface IntakeBy {
  origin: InboxOrigin;
  /** Redeliveries are answered only to the same source. */
  source: string;
  actor: DomainActor;
  actorName: string;
  /**
   * A near-identical repeat of one of the enterprise's open issues: merged into it as a source (channels),
   * flagged 可能重复 for the clerk (the owner's own form: the owner sees its open issues, so a repeat may be
   * meant), or not looked for (staff decide themselves).
   */
  repeats: 'merge' | 'flag' | 'off';
  /** Already resolved by the caller (staff entry, the QR page); otherwise matched from the message. */
  enterprise?: IntakeEnterprise;
}

export interface IntakeOutcome {
  ack: IntakeAck;
  /** The issue created, or found again for a redelivery (staff answers present it). */
  issue?: IssueDoc;
}

export function channelBy(channel: ChannelId, credentialId?: string): IntakeBy {
  const name = CHANNEL_LABELS[channel];
  return {
    origin: { kind: 'channel', id: credentialId ?? null, role: 'system', name },
    source: `channel:${channel}`,
    actor: SYSTEM_ACTOR,
    actorName: name,
    repeats: 'merge',
  };
}

export function staffBy(actor: Actor, enterprise: IntakeEnterprise): IntakeBy {
  const name = actor.name ?? actor.username;
  return {
    origin: { kind: 'staff', id: actor.id, role: actor.role, name },
    source: `user:${actor.id}`,
    actor,
    actorName: name,
    repeats: 'off',
    enterprise,
  };
}

export function enterpriseBy(enterprise: IntakeEnterprise): IntakeBy {
  const id = String(enterprise._id);
  return {
    origin: { kind: 'enterprise', id, role: 'enterprise', name: enterprise.name },
    source: `enterprise:${id}`,
    actor: enterpriseActor(id),
    actorName: enterprise.name,
    repeats: 'flag',
    enterprise,
  };
}

/** The channel sink: one message from an adapter, stored, processed and acknowledged. */
export async function acceptInbound(
  deps: PipelineDeps,
  msg: InboundMessage,
  credentialId?: string,
  admission?: Promise<void>,
): Promise<IntakeAck> {
  return (await runIntake(deps, msg, channelBy(msg.channel, credentialId), admission)).ack;
}

export function configOf(deps: PipelineDeps): Promise<IntakeConfig> {
  return deps.intakeConfig ? deps.intakeConfig() : loadIntakeConfig(deps.models);
}

/** The inbox entry a message is stored as, before any processing. */
export function inboxEntryOf(msg: InboundMessage, by: IntakeBy, now: Date) {
  return newInboxEntry({
    msg,
    channel: msg.channel,
    externalId: msg.externalId || undefined,
    source: by.source,
    origin: by.origin,
    credentialId: by.origin.kind === 'channel' ? by.origin.id : null,
    now,
  });
}

/** Marks the entry failed with the reason its error gives (the dead-letter list), and returns that reason. */
export async function deadLetter(models: Models, entry: InboxEntryDoc, err: unknown, now: Date) {
  const reason = isAppError(err) ? `${err.code}: ${err.message}` : `处理失败：${(err as Error).message}`;
  await markInboxFailed(models, entry._id, reason, now).catch(() => undefined);
  return reason;
}

/**
 * Stores the message in the inbox and processes it. A message already in the inbox (same channel and
 * external id) is a redelivery: answered with the first delivery's issue, to its own source only.
 * `admission` is a check the edge runs meanwhile (a webhook's replay claim): nothing is stored unless it
 * passes, and its refusal is the answer.
 */
export async function runIntake(
  deps: PipelineDeps,
  msg: InboundMessage,
  by: IntakeBy,
  admission?: Promise<void>,
): Promise<IntakeOutcome> {
  const { models } = deps;
  const now = deps.clock.now();
  const entry = inboxEntryOf(msg, by, now);
  // Reading who the message is about changes nothing, so it runs before acceptance, beside the edge's
  // admission; the insert then runs beside the remaining reads.
  const [matched] = await Promise.all([matchOf(models, msg, by), admission]);
  const known = matched.enterprise;
  const [accepted, config, candidates] = await Promise.all([
    insertInboxEntry(models, entry),
    configOf(deps),
    by.repeats !== 'off' && known ? repeatCandidates(models, String(known._id), now) : undefined,
  ]);
  if (!accepted) return redelivery(deps, entry, msg, by);
  return processEntry(deps, entry, msg, by, { matched, config, candidates });
}

interface Prepared {
  matched: Matched;
  config: IntakeConfig;
  candidates?: RepeatCandidate[];
}

/** Everything after acceptance; failures leave the entry in the dead-letter list with the reason. */
export async function processEntry(
  deps: PipelineDeps,
  entry: InboxEntryDoc,
  msg: InboundMessage,
  by: IntakeBy,
  prepared: Prepared,
): Promise<IntakeOutcome> {
  const { models } = deps;
  const now = deps.clock.now();
  try {
    if (msg.unreadable) throw new AppError('unreadable', 422, msg.unreadable);
    // Adapters refuse a message without words; one that slips through is a coded dead letter, not a crash.
    if (!msg.content.trim())
      throw new AppError('missing_field', 422, '缺少必填字段 content（消息没有文字内容）');
    const m = prepared.matched;
    /** The message became another source of an open issue. */
    const mergedInto = (master: Pick<IssueDoc, '_id' | 'number'>): IntakeOutcome => {
      deps.inbox.processed(entry._id, { issueId: master._id, number: master.number, outcome: 'merged' }, now);
      return { ack: { inboxId: String(entry._id), number: master.number, status: 'merged' } };
    };
    // A reply in an open issue's thread joins it, before anything is made of an unknown sender.
    const thread = by.repeats === 'merge' ? await threadIssue(models, msg) : null;
    const joined = thread && (await mergeAsSource(deps, thread, entry, msg, by, now, true));
    if (joined) return mergedInto(joined);
    // A bare rating whose issue was rated or moved meanwhile: nothing to file.
    if (msg.ratingReply) throw noComplaint();
    const enterprise = m.enterprise ?? (await provisionalOf(models, m.provisional));
    let possibleRepeat: PossibleRepeat | undefined;
    if (by.repeats !== 'off') {
      const candidates = prepared.candidates ?? (await repeatCandidates(models, String(enterprise._id), now));
      // Read as the stored issues are (issueText), so a copy of an issue is the same text on both sides.
      const text = issueText({ title: msg.title, content: msg.content });
      const flagOnly = by.repeats === 'flag';
      const repeat = findRepeat({ text, now, flagOnly }, candidates, deps.checkRepeat);
      possibleRepeat = repeat.flag ? possibleRepeatOf(repeat.flag.candidate, repeat.flag.score) : undefined;
      // Words just after the same follower's picture describe the issue it opened (picture-words.ts); words
      // that repeat another open issue flag the picture's 可能重复 with it, for the dispatcher to merge.
      const picture = flagOnly ? undefined : describedPicture(msg, candidates, now);
      const elsewhere =
        picture &&
        findRepeat(
          { text, now, flagOnly: true },
          candidates.filter((c) => c !== picture),
          deps.checkRepeat,
        ).flag;
      const described =
        picture &&
        (await describePicture(deps, prepared.config, picture, {
          entry,
          msg,
          by,
          enterprise,
          now,
          possibleRepeat: elsewhere ? possibleRepeatOf(elsewhere.candidate, elsewhere.score) : undefined,
        }));
      if (described) return { ack: { ...mergedInto(described).ack, describes: true } };
      const master = (flagOnly ? null : pictureFollowUp(msg, candidates, now)) ?? repeat.merge;
      const merged = master && (await mergeAsSource(deps, master, entry, msg, by, now));
      if (merged) return mergedInto(merged);
    }
    const { issue, created } = await createIssueFromMessage(deps, prepared.config, {
      entry,
      msg,
      by,
      enterprise,
      now,
      possibleRepeat,
    });
    const outcome = created ? 'created' : 'duplicate';
    deps.inbox.processed(entry._id, { issueId: issue._id, number: issue.number, outcome }, now);
    return { ack: { inboxId: String(entry._id), number: issue.number, status: outcome }, issue };
  } catch (err) {
    const reason = await deadLetter(models, entry, err, now);
    // Staff see their own error at once; a channel's message is safe in the dead-letter list.
    if (by.origin.kind !== 'channel') throw err;
    return { ack: { inboxId: String(entry._id), status: 'failed', reason } };
  }
}

const POLL_MS = 20;

/** Waits (briefly) while the first delivery is still being processed, then answers what it became. */
export async function redelivery(
  deps: PipelineDeps,
  entry: InboxEntryDoc,
  msg: InboundMessage,
  by: IntakeBy,
): Promise<IntakeOutcome> {
  const { models } = deps;
  const deadline = Date.now() + (deps.redeliveryWaitMs ?? 5_000);
  for (;;) {
    const first = await findInboxEntry(models, entry.channel, entry.externalId ?? '');
    if (!first) throw conflict('该外部编号正在处理中，请稍后重试', 'redelivery_in_flight');
    // Never tell one source about what another delivered (issue 6: the staff externalId leak).
    if (first.source !== by.source)
      throw new AppError('external_id_conflict', 409, '该外部编号已被其他来源使用，请核对后重新填写');
    // A dead letter may be resent corrected (retried below); any other entry is answered only for its own message.
    if (first.status !== 'failed' && first.message && !sameMessage(first.message, msg))
      throw new AppError(
        'external_id_conflict',
        409,
        '该外部编号已用于另一条内容不同的消息，请核对编号后重新发送',
      );
    const inboxId = String(first._id);
    if (first.status === 'processed') {
      const issue =
        by.origin.kind === 'channel'
          ? undefined
          : ((await models.Issue.collection.findOne<IssueDoc>({ _id: first.issueId })) ?? undefined);
      return { ack: { inboxId, number: first.number ?? undefined, status: 'duplicate' }, issue };
    }
    if (first.status === 'discarded')
      return { ack: { inboxId, status: 'failed', reason: first.discardReason ?? '已作废' } };
    if (first.status === 'failed') return retryEntry(deps, first, msg);
    if (Date.now() >= deadline) return { ack: { inboxId, status: 'queued' } };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The IntakeBy an entry was accepted with (recovery and retry run it again as its first deliverer). */
export function byOfEntry(entry: InboxEntryDoc): IntakeBy {
  const o = entry.origin;
  const base = { origin: o, source: entry.source, actorName: o.name };
  if (o.kind === 'channel') return { ...channelBy(entry.channel, o.id ?? undefined), ...base };
  if (o.kind === 'enterprise') return { ...base, actor: enterpriseActor(o.id ?? ''), repeats: 'flag' };
  const actor = { id: o.id ?? '', username: o.name, name: o.name, role: o.role } as Actor;
  return { ...base, actor, repeats: 'off' };
}

/** Processes an accepted entry again from what the inbox holds (retry, redelivery of a failed one, recovery). */
export async function reprocessEntry(deps: PipelineDeps, entry: InboxEntryDoc): Promise<IntakeOutcome> {
  let msg = entry.message as InboundMessage | null;
  if (!msg) {
    try {
      if (!entry.raw || !deps.reparse) throw new Error(entry.reason ?? '原始报文无法解析');
      msg = deps.reparse(entry.channel, entry.raw);
    } catch (err) {
      const refusal = err as { code?: string; message: string };
      const reason = refusal.code ? `${refusal.code}: ${refusal.message}` : refusal.message;
      await markInboxFailed(deps.models, entry._id, reason, deps.clock.now());
      return { ack: { inboxId: String(entry._id), status: 'failed', reason } };
    }
  }
  // Filed after the fact (a retry, a redelivery of a failed message, a restart's recovery): the issue says when
  // the message came in (来件时间), unless its channel said when it was raised; time limits still start now.
  if (!msg.raisedAt) msg = { ...msg, raisedAt: entry.receivedAt };
  const existing = await deps.models.Issue.collection.findOne<IssueDoc>({ _id: entry.issueId });
  if (existing) {
    deps.inbox.processed(
      entry._id,
      { issueId: existing._id, number: existing.number, outcome: 'created' },
      deps.clock.now(),
    );
    return {
      ack: { inboxId: String(entry._id), number: existing.number, status: 'created' },
      issue: existing,
    };
  }
  const by = byOfEntry(entry);
  const enterprise = await enterpriseOfEntry(deps.models, entry);
  const [matched, config] = await Promise.all([
    enterprise ? ({ enterprise } as Matched) : matchOf(deps.models, msg, by),
    configOf(deps),
  ]);
  return processEntry(deps, entry, msg, by, { matched, config });
}

/** A failed entry, accepted again (with the message delivered now, when there is one). */
export async function retryEntry(
  deps: PipelineDeps,
  entry: InboxEntryDoc,
  msg?: InboundMessage,
): Promise<IntakeOutcome> {
  const reopened = await reopenFailedEntry(
    deps.models,
    entry._id,
    deps.clock.now(),
    msg ? storedMessage(msg) : undefined,
  );
  if (!reopened) return { ack: { inboxId: String(entry._id), status: 'queued' } };
  return reprocessEntry(deps, reopened);
}
