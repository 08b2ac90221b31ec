// The issue end of the pipeline: triage (classify, route, tier), the opening core with its deadlines when
// dispatched at once, a number, and one insert of the whole document with its opening timeline; or, for a
// repeat, one update adding the message as another source of the open issue it repeats. Both are idempotent
// for the same inbox entry, so recovery after a crash and two processes racing on one entry create nothing
// twice: the issue's id was allocated when the entry was accepted, and a source is added only if absent.
import type { Collection } from 'mongodb';
import { Types } from 'mongoose';
import { batchedInsertOne } from '../db/batched-ops.ts';
import { applyAction, refreshIssue } from '../../shared/lifecycle/apply.ts';
import { computeTriage } from '../../shared/sla.ts';
import {
  createIssueCore,
  creationEvent,
  SYSTEM_ACTOR,
  type IssueCore,
} from '../../shared/lifecycle/issue-core.ts';
import { CHANNEL_LABELS, type ChannelId, type IssueState } from '../../shared/states.ts';
import { isContactPhone } from '../../shared/schemas.ts';
import { AppError } from '../errors.ts';
import { changeOf, notifyChange, type EnterpriseContact } from '../commands/issue-deps.ts';
import type { IssueCreateDeps, IntakeEnterprise } from '../commands/issue-create.command.ts';
import { storedIntakeIssue } from '../commands/issue-intake.doc.ts';
import { nextIssueNumber, withActorName } from '../commands/issue-store.ts';
import { isCourtesy, isDissatisfied, isSatisfied } from '../channels/courtesy.ts';
import type { InboundContact, InboundMessage } from '../channels/types.ts';
import type { InboxEntryDoc } from '../models/inbox.model.ts';
import type { IssueContact, IssueDoc, IssueSource, PossibleRepeat } from '../models/issue.model.ts';
import type { StoredTimelineEvent } from '../models/index.ts';
import type { IntakeConfig } from './intake-config.ts';
import { normaliseMobile } from './match-enterprise.ts';
import type { RepeatCandidate } from './repeat.ts';
import { OPEN_STATES } from './repeat-candidates.ts';
import { titleFromContent } from './title-from-content.ts';
import { triage, type Triage } from './triage.ts';
import type { IntakeBy } from './pipeline.ts';
import { isDuplicateKey } from './inbox-store.ts';

/**
 * The contact without empty fields; null when nothing is known. A mainland mobile is kept as its 11 digits
 * (as the enterprise was matched): a gateway's `+86 139-…` is the number SMS answers go to and the outbox masks.
 * A channel's number that is not a contact number (shared/schemas isContactPhone: 12345, 请回电) is kept as
 * `phoneText`, for staff to read, and never as the number to call: the issue is filed all the same.
 */
export function contactOf(c: InboundContact | undefined): IssueContact | null {
  if (!c) return null;
  const out: IssueContact = {};
  for (const k of ['name', 'email', 'openid'] as const) {
    const v = c[k]?.trim();
    if (v) out[k] = v;
  }
  const phone = c.phone?.trim();
  if (phone && isContactPhone(phone)) out.phone = normaliseMobile(phone) ?? phone;
  else if (phone) out.phoneText = phone;
  return Object.keys(out).length ? out : null;
}

function sourceOf(entry: InboxEntryDoc, msg: InboundMessage, title: string): IssueSource {
  return {
    inboxId: entry._id,
    channel: msg.channel,
    externalId: msg.externalId || null,
    receivedAt: entry.receivedAt,
    title,
    content: msg.content,
    contact: contactOf(msg.contact),
  };
}

/** A message quoted in a timeline note: its first words. */
const clip = (text: string, max = 60) => {
  const chars = [...text.replace(/\s+/gu, ' ').trim()];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
};

/** An open issue of the repeat window with the enterprise it belongs to (reads that name several). */

export type { PossibleRepeat };

/** The 可能重复 note an issue carries about a borderline candidate. */
export function possibleRepeatOf(c: RepeatCandidate, score: number): PossibleRepeat {
  return { issueId: c._id as Types.ObjectId, number: c.number, title: c.title, score };
}

/**
 * What a merged message says on the master's timeline (the note, its data, and whether it is kept from the
 * enterprise as a bare courtesy), from the message and where it came: a repeat, a picture, or a reply in the
 * issue's own thread, where 满意 or 不满意 is a rating given in the wrong place.
 */
function mergeNoteOf(master: RepeatCandidate, entry: InboxEntryDoc, msg: InboundMessage, inThread: boolean) {
  const label = CHANNEL_LABELS[msg.channel];
  // A picture that follows its sender's complaint (thread.ts) adds to it; it is not the problem raised again.
  const said = msg.filesOnly
    ? `收到企业通过「${label}」补充的图片，已附在本件`
    : inThread
      ? `收到企业在「${label}」原会话中的回复，已记入本件`
      : `收到企业通过「${label}」的再次反映，已并入本件办理`;
  // 不满意 in the thread is never a bare courtesy: staff read it. In reply to the centre's answer (待评价) it is
  // a rating given in the wrong place: the sender is told where the owner rates, the centre hears it
  // (intents.ts), and the timeline says it in so many words. So is 满意 there (the owner believes they rated):
  // its sender is told where to rate, and nothing is recorded as a rating (DESIGN §6).
  const unhappy = inThread && isDissatisfied(msg.content);
  const answered = inThread && master.state === 'awaiting_rating';
  const dissatisfied = answered && unhappy;
  const satisfied = answered && !unhappy && isSatisfied(msg.content);
  // A bare 谢谢 in the thread is kept with the issue for staff, not shown back to the enterprise as news.
  const courtesy = inThread && !unhappy && !satisfied && isCourtesy(msg.content);
  const note = dissatisfied
    ? `企业在「${label}」原会话中回复对办理结果不满意：「${clip(msg.content)}」。评价须由企业在企业码页面提交，已告知其评价方式，请服务中心回访了解原因`
    : satisfied
      ? `企业在「${label}」原会话中回复对办理结果满意：「${clip(msg.content)}」。回复不计为评价，评价须由企业在企业码页面提交，已告知其评价方式`
      : said;
  const data = {
    kind: 'source_merged',
    channel: msg.channel,
    inboxId: String(entry._id),
    ...(msg.filesOnly ? { filesOnly: true } : {}),
    ...(inThread ? { thread: true, ...(courtesy ? { courtesy: true } : {}) } : {}),
    ...(dissatisfied ? { dissatisfied: true } : {}),
    ...(satisfied ? { satisfied: true } : {}),
  };
  return { note, data, courtesy };
}

/**
 * Adds the message to the master's sources with a public timeline note, in the master's current state (tried
 * once more if the state moved since the candidates were read); null if the master closed meanwhile, or the
 * source is already there (recovery).
 */
export async function mergeAsSource(
  deps: IssueCreateDeps,
  master: RepeatCandidate,
  entry: InboxEntryDoc,
  msg: InboundMessage,
  by: IntakeBy,
  now: Date,
  /** A reply in the issue's own thread (thread.ts): it adds to the issue, it does not raise it again. */
  inThread = false,
): Promise<Pick<IssueDoc, '_id' | 'number'> | null> {
  const title = msg.title ?? titleFromContent(msg.content);
  const { note, data, courtesy } = mergeNoteOf(master, entry, msg, inThread);
  const issues = deps.models.Issue.collection;
  const masterId = master._id as Types.ObjectId;
  const attempt = (state: IssueState) =>
    issues.findOneAndUpdate(
      { _id: masterId, state, 'sources.inboxId': { $ne: entry._id } },
      {
        $push: {
          sources: sourceOf(entry, msg, title),
          timeline: {
            at: now,
            actorId: by.actor.id,
            actorRole: by.actor.role,
            actorName: by.actorName,
            action: 'note',
            fromState: state,
            toState: state,
            note,
            public: !courtesy,
            data,
          },
        },
        $inc: { version: 1 },
        $set: { updatedAt: now },
      } as never,
      { returnDocument: 'after', projection: { timeline: 0, sources: 0, content: 0 } },
    ) as Promise<IssueDoc | null>;
  let updated = await attempt(master.state);
  if (!updated) {
    const now2 = await issues.findOne<Pick<IssueDoc, 'state'>>(
      { _id: masterId, state: OPEN_STATES, 'sources.inboxId': { $ne: entry._id } },
      { projection: { state: 1 } },
    );
    if (now2) updated = await attempt(now2.state);
  }
  if (updated) {
    // The projection left the timeline out: the change names the merged message itself (intents.ts).
    notifyChange(deps, { ...changeOf(updated, 'note', updated.state, by.actor.id, now), data, public: true });
  }
  return updated;
}

/**
 * The core after intake: already dispatched to the routed unit, or received with a triage clock (the calendar
 * and policy come from the configuration snapshot intake already holds: no extra round trip).
 */
async function openingCore(
  deps: IssueCreateDeps,
  by: IntakeBy,
  t: Triage,
  now: Date,
  opening: { config: IntakeConfig; channel: ChannelId },
) {
  const core: IssueCore = createIssueCore({ urgency: t.urgency, category: t.category, tier: t.tier });
  const events: StoredTimelineEvent[] = [
    withActorName(creationEvent(now, by.actor, { classification: t.classification.source }), by.actorName),
  ];
  if (!t.autoDispatch || !t.route) {
    const { calendar, policy } = opening.config;
    core.triage = computeTriage({
      policy,
      urgency: t.urgency,
      channel: opening.channel,
      startAt: now,
      calendar,
    });
    return { core: refreshIssue(core, now), events };
  }
  const { calendar, policy } = await deps.settings();
  const input = { unitId: t.route.unitId, coUnitIds: t.route.coUnitIds, level: t.route.level };
  const result = applyAction(core, 'dispatch', input, { now, actor: SYSTEM_ACTOR, calendar, policy });
  events.push(withActorName({ ...result.event, note: '系统按分类与属地自动分办' }, '系统'));
  return { core: result.issue, events };
}

/** The kind of the note below (the QR page tells the owner which of its issues it may repeat). */
export const POSSIBLE_REPEAT = 'possible_repeat';

/** The internal timeline note beside the creation: which issue this one may repeat. */
export function possibleRepeatEvent(created: StoredTimelineEvent, p: PossibleRepeat): StoredTimelineEvent {
  return {
    at: created.at,
    actorId: SYSTEM_ACTOR.id,
    actorRole: SYSTEM_ACTOR.role,
    actorName: '系统',
    action: 'note',
    fromState: created.toState,
    toState: created.toState,
    // The score is the duplicate check's estimate that both say the same (a low one still flags: a missed
    // repeat costs more than a look), not a text similarity: said as what it is.
    note: `可能重复：与 ${p.number}「${p.title}」可能是同一问题（估计概率 ${Math.round(p.score * 100)}%），请分办员核实后合并或分办`,
    public: false,
    data: { kind: POSSIBLE_REPEAT, issueId: String(p.issueId), number: p.number, score: p.score },
  };
}

export interface NewIssueInput {
  entry: InboxEntryDoc;
  msg: InboundMessage;
  by: IntakeBy;
  enterprise: IntakeEnterprise;
  now: Date;
  /** A borderline repeat: the issue waits in 待分办 for the dispatcher, flagged 可能重复 with the candidate. */
  possibleRepeat?: PossibleRepeat;
  /** An internal note stored with the opening events (how the issue came in, e.g. 人工登记), in the same insert. */
  intakeNote?: Omit<StoredTimelineEvent, 'fromState' | 'toState'>;
}

/**
 * The enterprise's contact as intake read it: every intake read projects INTAKE_ENTERPRISE_FIELDS, and a
 * stored enterprise always has a QR token, so without one the fields were not read (a provisional enterprise
 * just created) and the notifier reads them itself.
 */
function enterpriseContactOf(e: IntakeEnterprise): EnterpriseContact | undefined {
  if (typeof e.qrToken !== 'string') return undefined;
  const { _id, qrToken, mobile, email, emails, wechatOpenids, notify, provisional } = e;
  return { _id, qrToken, mobile, email, emails, wechatOpenids, notify, provisional };
}

/**
 * What the message opens as: classified and routed (triage), the lifecycle core with its opening events (the
 * creation, and the dispatch when routing is confident), and the route taken. Also what a picture's issue is
 * opened again as once its sender's words come (picture-words.ts).
 */
export async function openingOf(
  deps: IssueCreateDeps,
  config: IntakeConfig,
  { msg, by, enterprise, now, possibleRepeat }: Omit<NewIssueInput, 'entry' | 'intakeNote'>,
) {
  const triageDeps = { config, classify: deps.classify, defaultRouting: deps.defaultRouting };
  const classified = triage(triageDeps, { ...msg, region: enterprise.region, township: enterprise.township });
  // A possible repeat is the dispatcher's call (merge or keep), so it is not dispatched on its own.
  const triaged = possibleRepeat ? { ...classified, autoDispatch: false } : classified;
  const { core, events } = await openingCore(deps, by, triaged, now, { config, channel: msg.channel });
  const routed = triaged.autoDispatch && triaged.route ? triaged.route : null;
  return { triaged, core, events, routed };
}

/** Triage, number and insert; `created` is false when this entry's issue (or its external id) already exists. */
export async function createIssueFromMessage(
  deps: IssueCreateDeps,
  config: IntakeConfig,
  { entry, msg, by, enterprise, now, possibleRepeat, intakeNote }: NewIssueInput,
): Promise<{ issue: IssueDoc; created: boolean }> {
  const { models } = deps;
  const { triaged, core, events, routed } = await openingOf(deps, config, {
    msg,
    by,
    enterprise,
    now,
    possibleRepeat,
  });
  if (possibleRepeat) events.push(possibleRepeatEvent(events[0], possibleRepeat));
  if (intakeNote) events.push({ ...intakeNote, fromState: core.state, toState: core.state });
  const number = await nextIssueNumber(models, now);
  const title = msg.title ?? titleFromContent(msg.content);
  const issue = storedIntakeIssue({
    _id: entry.issueId,
    core,
    now,
    number,
    enterprise: { ...enterprise, creditCode: enterprise.creditCode ?? '' },
    channel: msg.channel,
    externalId: msg.externalId || undefined,
    title,
    content: msg.content,
    contact: contactOf(msg.contact),
    // The first message is the issue itself (channel, externalId, text, contact, inbox entry); sources hold
    // the repeats.
    inboxId: entry._id,
    raisedAt: msg.raisedAt ?? null,
    sources: [],
    classification: triaged.classification,
    routing: { source: routed ? routed.source : 'none' },
    unitName: routed ? routed.unitName : null,
    timeline: events,
    createdBy: by.actor.id,
    possibleRepeat,
  });
  try {
    // Shared with the intakes of the same moment: one insertMany, each its own duplicate-key error.
    await batchedInsertOne(models.Issue.collection as unknown as Collection, issue);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // This entry's issue exists already (recovery racing another process), or an issue taken in before the
    // inbox existed holds this external id: only its own source hears about it.
    const existing =
      (await models.Issue.collection.findOne<IssueDoc>({ _id: entry.issueId })) ??
      (msg.externalId
        ? await models.Issue.collection.findOne<IssueDoc>({
            channel: msg.channel,
            externalId: msg.externalId,
          })
        : null);
    if (!existing) throw err;
    const same = String(existing._id) === String(entry.issueId) || existing.createdBy === by.actor.id;
    if (!same)
      throw new AppError('external_id_conflict', 409, '该外部编号已被其他来源使用，请核对后重新填写');
    return { issue: existing, created: false };
  }
  // The listeners get the issue as inserted and the enterprise's contact as read, so they read neither back.
  const change = changeOf(issue, 'create', null, by.actor.id, now);
  notifyChange(deps, { ...change, issue, enterprise: enterpriseContactOf(enterprise) });
  return { issue, created: true };
}
