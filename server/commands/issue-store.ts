// The bridge between the stored issue and the shared core: ObjectIds become the plain string ids IssueCore
// works with (and back), the access scope policies need, the per-year number sequence, and the one atomic,
// version-checked write every lifecycle action goes through.
import { isDeepStrictEqual } from 'node:util';
import type { Collection } from 'mongodb';
import { Types } from 'mongoose';
import { chinaDateKey } from '../../shared/calendar.ts';
import type { IssueState } from '../../shared/states.ts';
import type { ActionId } from '../../shared/lifecycle/actions.ts';
import { applyAction, assertApplicable } from '../../shared/lifecycle/apply.ts';
import { isTransitionError } from '../../shared/lifecycle/errors.ts';
import type {
  ActionContext,
  DomainActor,
  IssueCore,
  TimelineEvent,
} from '../../shared/lifecycle/issue-core.ts';
import { batchedFindByUnique } from '../db/batched-ops.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { nextSequence } from '../models/counter.model.ts';
import type { Models } from '../models/index.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/issue.model.ts';
import { unansweredSendBacks } from '../models/issue-upgrades.ts';
import type { IssueScope } from '../policies/issue.policy.ts';

const str = (id: Types.ObjectId | string | null | undefined): string | null => (id ? String(id) : null);
const strs = (ids: readonly (Types.ObjectId | string)[] | undefined): string[] => (ids ?? []).map(String);

/** The lifecycle fields, exactly as the shared state machine sees them. */
export function toCore(doc: IssueDoc): IssueCore {
  return {
    state: doc.state,
    urgency: doc.urgency,
    category: doc.category,
    unitId: str(doc.unitId),
    assigneeId: doc.assigneeId ?? null,
    coUnitIds: strs(doc.coUnitIds),
    level: doc.level ?? null,
    tier: doc.tier,
    deadlines: doc.deadlines ?? null,
    triage: doc.triage ?? null,
    warning: doc.warning,
    urged: doc.urged,
    supervised: doc.supervised,
    bulletined: doc.bulletined,
    escalated: doc.escalated,
    returnCount: doc.returnCount,
    // Written by a version before the count (models/issue-upgrades.ts): its send-backs are on the timeline.
    sendBackCount: doc.sendBackCount ?? unansweredSendBacks(doc.timeline),
    redoCount: doc.redoCount,
    extensionCount: doc.extensionCount,
    reopenCount: doc.reopenCount,
    callbackAttempts: doc.callbackAttempts,
    callbackRequested: doc.callbackRequested,
    returnedFrom: strs(doc.returnedFrom),
    pendingApproval: doc.pendingApproval ?? null,
    rating: doc.rating ?? null,
    ratingHistory: doc.ratingHistory ?? [],
    rateBy: doc.rateBy ?? null,
    mergedInto: str(doc.mergedInto),
    reply: doc.reply ?? null,
    consultation: doc.consultation ?? null,
    signedAt: doc.signedAt ?? null,
    signedLate: doc.signedLate ?? null,
    repliedAt: doc.repliedAt ?? null,
    repliedLate: doc.repliedLate ?? null,
    closedAt: doc.closedAt ?? null,
    rejectReason: doc.rejectReason ?? null,
    nextCheckAt: doc.nextCheckAt ?? null,
  };
}

/** The lifecycle fields plus the denormalised ones the indexes need (ids still strings). */
export type CoreFields = IssueCore & { consultUnitIds: string[]; dueAt: Date | null; updatedAt: Date };

// Object.assign rather than spread: V8 copies a ~35-field object with spread several times slower, and every
// command write (and each issue the sweep writes) builds these.
export function coreFields(core: IssueCore, now: Date): CoreFields {
  return Object.assign({}, core, {
    consultUnitIds: core.state === 'consulting' && core.consultation ? core.consultation.unitIds : [],
    dueAt: core.deadlines?.resolveBy ?? null,
    updatedAt: now,
  });
}

/** The `$set` of a transition: every lifecycle field plus the denormalised ones the indexes need. */
export function coreToSet(core: IssueCore, now: Date): Record<string, unknown> {
  return coreFields(core, now) as unknown as Record<string, unknown>;
}

/**
 * Only what the transition changed (plus updatedAt): a smaller write, and the embedded engine re-indexes less.
 * The version check makes a partial `$set` as safe as a full one.
 */
export function changedSet(before: IssueCore, after: IssueCore, now: Date): Record<string, unknown> {
  const full = coreFields(after, now) as unknown as Record<string, unknown>;
  const old = coreFields(before, now) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(full)) {
    const v = full[k];
    if (k === 'updatedAt' || (v !== old[k] && !isDeepStrictEqual(v, old[k]))) out[k] = v;
  }
  return out;
}

/** What the access policies look at (ids as strings). */
export function scopeOf(
  doc: Pick<IssueDoc, 'unitId' | 'coUnitIds' | 'consultUnitIds' | 'tier' | 'warning' | 'region'>,
): IssueScope {
  return {
    unitId: str(doc.unitId),
    coUnitIds: strs(doc.coUnitIds),
    consultUnitIds: strs(doc.consultUnitIds),
    tier: doc.tier,
    warning: doc.warning,
    region: doc.region,
  };
}

export function withActorName(event: TimelineEvent, actorName: string): StoredTimelineEvent {
  return { ...event, actorName };
}

/**
 * A timeline note beside the lifecycle (no state change: a class link, an upload), kind and details in `data`;
 * `public` when the enterprise may read it on the QR page.
 */
export function noteEvent(
  actor: DomainActor & { name?: string },
  state: IssueState,
  at: Date,
  note: string,
  { public: isPublic, data }: { public: boolean; data: Record<string, unknown> },
): StoredTimelineEvent {
  return {
    at,
    actorId: actor.id,
    actorRole: actor.role,
    actorName: actor.name ?? actor.username,
    action: 'note',
    fromState: state,
    toState: state,
    public: isPublic,
    note,
    data,
  };
}

/** The shared state machine, its typed refusals turned into API errors (same code, status and message). */
/** Runs a lifecycle step, its TransitionError as the API's AppError. */
function orFail<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (isTransitionError(err)) throw new AppError(err.code, err.status, err.message);
    throw err;
  }
}

export const applyOrFail = (core: IssueCore, action: ActionId, input: unknown, ctx: ActionContext) =>
  orFail(() => applyAction(core, action, input, ctx));

/** 409 illegal_transition when the issue's state does not allow the action (checked before its body). */
export const applicableOrFail = (state: IssueCore['state'], action: ActionId) =>
  orFail(() => assertApplicable(state, action));

/** `HZ-<year>-<6 digits>`, numbered per China calendar year from one atomic counter. */
export async function nextIssueNumber(models: Models, now: Date): Promise<string> {
  const year = chinaDateKey(now).slice(0, 4);
  const seq = await nextSequence(models.Counter, `issue:${year}`);
  return `HZ-${year}-${String(seq).padStart(6, '0')}`;
}

/**
 * One point read by _id, through the driver's collection (the detail and every action start here), shared
 * with the reads of the same moment (server/db/batched-ops.ts).
 */
export async function loadIssue(models: Models, id: string): Promise<IssueDoc> {
  const issues = models.Issue.collection as unknown as Collection;
  const doc = Types.ObjectId.isValid(id)
    ? ((await batchedFindByUnique(issues, '_id', new Types.ObjectId(id), {})) as IssueDoc | null)
    : null;
  if (!doc) throw notFound('问题不存在');
  return doc;
}

/**
 * The single write of an action: state and timeline event(s) together, only if nobody else wrote in between.
 * A moved version answers 409 `conflict`; the caller reloads and decides again.
 */
export async function saveTransition(
  models: Models,
  doc: Pick<IssueDoc, '_id' | 'version'>,
  set: Record<string, unknown>,
  events: StoredTimelineEvent | StoredTimelineEvent[],
): Promise<IssueDoc> {
  const updated = await trySaveTransition(models, doc, set, events);
  if (updated) return updated;
  const exists = await models.Issue.exists({ _id: doc._id });
  if (!exists) throw notFound('问题不存在');
  throw conflict('该问题刚被他人处理过，请刷新后重试', 'conflict');
}

/** As saveTransition, but null when the version moved (callers that simply try again later). */
export async function trySaveTransition(
  models: Models,
  doc: Pick<IssueDoc, '_id' | 'version'>,
  set: Record<string, unknown>,
  events: StoredTimelineEvent | StoredTimelineEvent[],
): Promise<IssueDoc | null> {
  const push = Array.isArray(events) ? { timeline: { $each: events } } : { timeline: events };
  const update =
    Array.isArray(events) && events.length === 0
      ? { $set: set, $inc: { version: 1 } }
      : { $set: set, $push: push, $inc: { version: 1 } };
  return models.Issue.findOneAndUpdate({ _id: doc._id, version: doc.version }, update, {
    returnDocument: 'after',
    lean: true,
  }) as Promise<IssueDoc | null>;
}
