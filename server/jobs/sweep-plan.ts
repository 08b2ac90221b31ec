// The escalation sweep's pure core for one issue at one instant: which claimed follow-ups are due (each with
// the stored deadline that keys its claim), what applying the claimed ones as the system yields, and the
// version-guarded update that writes exactly that. No I/O and no clock: the batch around it does the
// claiming and writing, so the same decisions hold whichever order the database answers in.
import { followUpAction } from '../../shared/lifecycle/actions.ts';
import { applyAction, refreshIssue } from '../../shared/lifecycle/apply.ts';
import { isTransitionError } from '../../shared/lifecycle/errors.ts';
import { SYSTEM_ACTOR, type IssueCore } from '../../shared/lifecycle/issue-core.ts';
import { dueFollowUps } from '../../shared/sla-steps.ts';
import { isPastDue } from '../../shared/states.ts';
import type { DomainSettings, IssueChange } from '../commands/issue-deps.ts';
import { changedSet, toCore, withActorName } from '../commands/issue-store.ts';
import type { ClaimedStep } from '../models/follow-up-claim.model.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/index.ts';

export const SYSTEM_NAME = '系统';

/**
 * What the sweep reads of an issue: every field the shared core works on (taken from `toCore` itself, so a
 * new core field is read without anyone remembering to list it here) plus what the write and the change
 * events need. The timeline and the intake text stay in the database: they are long and never read here.
 */
export const SWEEP_PROJECTION: Readonly<Record<string, 1>> = Object.freeze(
  Object.fromEntries(
    [...Object.keys(toCore({} as IssueDoc)), '_id', 'number', 'enterpriseId', 'version'].map((k) => [
      k,
      1 as const,
    ]),
  ),
);

/** The projected issue: typed as the stored one, read with SWEEP_PROJECTION (no timeline, no text). */
export type SweepIssue = IssueDoc;

export interface PlannedStep {
  step: ClaimedStep;
  dueAt: Date;
}

/** The stored deadline each follow-up hangs off: the due instant in its claim key. */
export function stepDueAt(core: IssueCore, step: ClaimedStep): Date | null {
  const d = core.deadlines;
  const triage = core.state === 'received' ? core.triage : null;
  const consulting = core.state === 'consulting' ? core.consultation : null;
  switch (step) {
    case 'remind_sign':
      return core.state === 'dispatched' ? (d?.signBy ?? null) : null;
    case 'remind_rating_check':
      return core.state === 'awaiting_rating' ? (core.rating?.verifyBy ?? null) : null;
    case 'urge':
      return triage ? triage.yellowAt : (d?.yellowAt ?? null);
    case 'supervise':
      return triage ? triage.dueAt : (d?.redAt ?? null);
    case 'remind_input':
      return consulting?.dueAt ?? null;
    case 'escalate':
      return consulting ? (consulting.escalateAt ?? null) : (d?.escalateAt ?? null);
    case 'bulletin':
      return d?.bulletinAt ?? null;
    case 'request_callback':
      return core.rateBy;
  }
}

/** The claimed follow-ups due at `now`, in firing order (a light change alone needs no claim). */
export function planSteps(core: IssueCore, now: Date): PlannedStep[] {
  const steps: PlannedStep[] = [];
  for (const step of dueFollowUps(core, now)) {
    if (step === 'warning') continue;
    const dueAt = stepDueAt(core, step);
    if (dueAt) steps.push({ step, dueAt });
  }
  return steps;
}

export const keyOf = (s: PlannedStep) => `${s.step}@${s.dueAt.getTime()}`;

export interface Draft {
  doc: SweepIssue;
  /** The issue after the applied steps and the refresh. */
  core: IssueCore;
  set: Record<string, unknown>;
  events: StoredTimelineEvent[];
  /** The claimed steps the state machine accepted, in order (each has one event). */
  applied: PlannedStep[];
  /** Claimed steps the state machine refused (a person's action made them moot); logged, not fired. */
  refused: Array<{ step: ClaimedStep; code: string }>;
}

/** The claimed steps applied in order as the system, each event tagged with its due instant. */
export function draftSteps(
  doc: SweepIssue,
  steps: readonly PlannedStep[],
  now: Date,
  settings: DomainSettings,
): Draft {
  const before = toCore(doc);
  let core = refreshIssue(before, now);
  const draft: Draft = { doc, core, set: {}, events: [], applied: [], refused: [] };
  const ctx = { now, actor: SYSTEM_ACTOR, ...settings, issueId: String(doc._id) };
  for (const s of steps) {
    try {
      const { action, input } = followUpAction(s.step);
      const r = applyAction(core, action, input, ctx);
      core = r.issue;
      draft.events.push({
        ...withActorName(r.event, SYSTEM_NAME),
        data: { ...r.event.data, dueAt: s.dueAt },
      });
      draft.applied.push(s);
    } catch (err) {
      if (!isTransitionError(err)) throw err;
      draft.refused.push({ step: s.step, code: err.code });
    }
  }
  draft.core = core;
  draft.set = changedFields(before, core, now, draft.events.length > 0);
  return draft;
}

/**
 * Only the fields the follow-ups changed. updatedAt moves with an event, and when the issue passes its deadline
 * (the light turns red, or 已超期 straight from an earlier light) or stops being past it: the KPIs count issues
 * past their deadline in their daily rollups and rebuild the days of issues whose updatedAt moved. A yellow
 * light alone is no news, nor is red turning 已超期 (the issue was counted already).
 */
function changedFields(before: IssueCore, after: IssueCore, now: Date, withEvents: boolean) {
  const { updatedAt, ...set } = changedSet(before, after, now);
  const pastDueChanged = isPastDue(before.warning) !== isPastDue(after.warning);
  return withEvents || pastDueChanged ? { ...set, updatedAt } : set;
}

export const hasWrite = (d: Draft) => d.events.length > 0 || Object.keys(d.set).length > 0;

/** The version-guarded update: it lands only on the version the draft was made from. */
export function updateOf(d: Draft) {
  const update: Record<string, unknown> = { $set: d.set, $inc: { version: 1 } };
  if (d.events.length) update.$push = { timeline: { $each: d.events } };
  return { filter: { _id: d.doc._id, version: d.doc.version }, update };
}

/** True when the issue no longer waits for the sweep at `now`. */
export const settledAt = (nextCheckAt: Date | null | undefined, now: Date) =>
  !nextCheckAt || nextCheckAt.getTime() > now.getTime();

/** What every change of a committed draft shares: the issue, its units, the system actor, the new version. */
function systemChange(d: Draft, now: Date) {
  return {
    issueId: String(d.doc._id),
    number: d.doc.number,
    unitId: d.core.unitId,
    coUnitIds: [...d.core.coUnitIds],
    enterpriseId: String(d.doc.enterpriseId),
    actorId: SYSTEM_ACTOR.id,
    at: now,
    version: d.doc.version + 1,
    warning: d.core.warning,
  };
}

/** The change records of a committed draft, built from what was written (no re-read). */
export function changesOf(d: Draft, now: Date): IssueChange[] {
  return d.events.map((event) => ({
    ...systemChange(d, now),
    action: event.action,
    fromState: event.fromState,
    state: event.toState,
    data: event.data,
    public: event.public,
    dueAt: event.data?.dueAt as Date | undefined,
  }));
}

/**
 * A light turning to overdue is news for the oversight even without a step: a `light` change keyed by the
 * overdue deadline (notifications only; the timeline records no event for a light).
 */
export function lightChangesOf(d: Draft, now: Date): IssueChange[] {
  const changes: IssueChange[] = [];
  if (d.core.warning === 'overdue' && d.doc.warning !== 'overdue') {
    const overdueAt = d.core.state === 'received' ? d.core.triage?.overdueAt : d.core.deadlines?.overdueAt;
    changes.push({
      ...systemChange(d, now),
      action: 'light',
      fromState: d.core.state,
      state: d.core.state,
      dueAt: overdueAt ?? undefined,
    });
  }
  return changes;
}
