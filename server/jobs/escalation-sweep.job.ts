// The escalation sweep (DESIGN §5, §8): one pass over every issue whose stored `nextCheckAt` has come, firing
// its due follow-ups in order — warning light, 催办 urge at yellow, 督办 supervise at red, escalation to
// consultation at red + 3 working days, 通报 bulletin at red + 5, a callback task when the rating window
// closes — through the same shared state machine as people's actions (applyAction, the system actor).
// Timers are stored deadlines, never in-memory timeouts, so a pass after downtime simply catches up.
//
// Exactly once per (issue, step, deadline), with several processes: CLAIM, THEN APPLY, with the issue
// document as the authority on what fired.
//  1. Claim: insert a FollowUpClaim row (unique on issueId, step, dueAt), in step order. A duplicate key
//     means another sweeper owns that firing, so this one leaves the issue alone (later steps must not
//     overtake an earlier one).
//  2. Apply: the claimed steps, the new light and the new nextCheckAt land in ONE findOneAndUpdate guarded by
//     `version`. The core's flags (urged, supervised, escalated, bulletined, callbackRequested) are only reset
//     when a deadline moves, so the document itself records "fired for this deadline": whoever writes second
//     at the same version matches nothing, reloads and finds the step no longer due. Each event carries its
//     `dueAt`, tying it to its claim.
//  3. Mark the claims applied.
// A crash between 1 and 2 leaves a `claimed` row and an issue still due: the next pass takes the claim over
// once its lease has run out and fires the step (not lost). A crash between 2 and 3 leaves the event and
// flag written, so the step is not due again; the repair pass finds the event and marks the row applied (not
// duplicated). A version conflict with a person's action is retried on the fresh document (the person's
// change stays; steps it made moot are released). Claims alone could not tell "claimed" from "fired" after a
// crash, and the version check alone would let every process race for every firing with no ledger of them.
import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import type { WorkCalendar } from '../../shared/calendar.ts';
import { MINUTE_MS, type Clock } from '../../shared/clock.ts';
import { applyAction, refreshIssue } from '../../shared/lifecycle/apply.ts';
import { isTransitionError } from '../../shared/lifecycle/errors.ts';
import { SYSTEM_ACTOR, type IssueCore } from '../../shared/lifecycle/issue-core.ts';
import { dueFollowUps, type TimeLimitPolicy } from '../../shared/sla.ts';
import type { IssueState } from '../../shared/states.ts';
import {
  databaseSettings,
  notifyChange,
  type DomainSettings,
  type IssueChangeListener,
} from '../commands/issue-deps.ts';
import { coreToSet, toCore, withActorName } from '../commands/issue-store.ts';
import type { Logger } from '../logger.ts';
import type { ClaimedStep } from '../models/follow-up-claim.model.ts';
import type { IssueDoc, Models, StoredTimelineEvent } from '../models/index.ts';
import {
  claimStep,
  markApplied,
  releaseClaims,
  repairStaleClaims,
  type ClaimLease,
} from './follow-up-claims.ts';

export interface EscalationSweepOptions {
  models: Models;
  clock: Clock;
  /** Calendar and policy in force; by default read from the database (admin calendar overrides). */
  calendar?: WorkCalendar;
  policy?: TimeLimitPolicy;
  settings?: () => Promise<DomainSettings>;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** At most this many issues per pass (the next pass continues). */
  limit?: number;
  /** Hears about every fired step after its write committed (realtime, notifications). */
  onChange?: IssueChangeListener;
  /** Only this issue (the demo seed walks each issue through its own simulated time). */
  issueId?: Types.ObjectId;
  /** Names this sweeper in its claims; a fresh one per pass by default. */
  owner?: string;
  leaseMs?: number;
}

export interface SweepFiring {
  issueId: string;
  number: string;
  step: ClaimedStep;
  dueAt: Date;
}

export interface SweepReport {
  now: Date;
  examined: number;
  fired: SweepFiring[];
  /** Issues written without a fired step (a light changed, a stale next check corrected). */
  refreshed: number;
  /** Writes that lost to a concurrent one and were retried on the fresh document. */
  conflicts: number;
  /** Issues left for a later pass (another sweeper holds a step, or conflicts kept coming). */
  deferred: number;
  /** Stale claims settled by the repair pass. */
  repaired: number;
  /** Issues whose follow-ups threw (logged; the next pass tries again). */
  failed: number;
}

export const SYSTEM_NAME = '系统';
// Generous: a day of downtime at provincial scale (~600 new issues a working day) fits in one pass.
export const DEFAULT_SWEEP_LIMIT = 10_000;
export const DEFAULT_LEASE_MS = 5 * MINUTE_MS;
const BATCH = 200;
const MAX_ATTEMPTS = 5;
const OPEN_STATES: IssueState[] = [
  'received',
  'dispatched',
  'in_progress',
  'suspended',
  'consulting',
  'replied',
  'awaiting_rating',
];
/** Only what a follow-up needs: the timeline can be long and is appended to, never read here. */
const NO_TIMELINE = { timeline: 0 } as const;

interface Pass {
  models: Models;
  now: Date;
  settings: DomainSettings;
  lease: ClaimLease;
  logger: EscalationSweepOptions['logger'];
  onChange?: IssueChangeListener;
  report: SweepReport;
}

interface PlannedStep {
  step: ClaimedStep;
  dueAt: Date;
}

/** The stored deadline each follow-up hangs off: the due instant in its claim key. */
function stepDueAt(core: IssueCore, step: ClaimedStep): Date | null {
  const d = core.deadlines;
  switch (step) {
    case 'urge':
      return d?.yellowAt ?? null;
    case 'supervise':
      return d?.redAt ?? null;
    case 'escalate':
      return d?.escalateAt ?? null;
    case 'bulletin':
      return d?.bulletinAt ?? null;
    case 'request_callback':
      return core.rateBy;
  }
}

function planSteps(core: IssueCore, now: Date): PlannedStep[] {
  const steps: PlannedStep[] = [];
  for (const step of dueFollowUps(core, now)) {
    if (step === 'warning') continue;
    const dueAt = stepDueAt(core, step);
    if (dueAt) steps.push({ step, dueAt });
  }
  return steps;
}

const keyOf = (s: PlannedStep) => `${s.step}@${s.dueAt.getTime()}`;

/** Claims the due steps in order and stops at the first one another sweeper holds. */
async function claimInOrder(
  pass: Pass,
  issueId: Types.ObjectId,
  steps: PlannedStep[],
  held: Map<string, Types.ObjectId>,
): Promise<PlannedStep[]> {
  const mine: PlannedStep[] = [];
  for (const s of steps) {
    const id = held.get(keyOf(s)) ?? (await claimStep(pass.models, { issueId, ...s }, pass.lease));
    if (!id) break;
    held.set(keyOf(s), id);
    mine.push(s);
  }
  return mine;
}

/** The claimed steps applied in order as the system, each event tagged with its due instant. */
function applySteps(pass: Pass, doc: IssueDoc, steps: PlannedStep[]) {
  let core = refreshIssue(toCore(doc), pass.now);
  const events: StoredTimelineEvent[] = [];
  const applied: PlannedStep[] = [];
  const ctx = { now: pass.now, actor: SYSTEM_ACTOR, ...pass.settings, issueId: String(doc._id) };
  for (const s of steps) {
    try {
      const r = applyAction(core, s.step, {}, ctx);
      core = r.issue;
      events.push({ ...withActorName(r.event, SYSTEM_NAME), data: { ...r.event.data, dueAt: s.dueAt } });
      applied.push(s);
    } catch (err) {
      if (!isTransitionError(err)) throw err;
      pass.logger.warn({ issueId: String(doc._id), step: s.step, code: err.code }, 'follow-up refused');
    }
  }
  return { core, events, applied };
}

/** Only the fields the follow-ups changed; updatedAt moves only with an event. */
function changedFields(before: IssueCore, after: IssueCore, now: Date, withEvents: boolean) {
  const next = coreToSet(after, now);
  const old = coreToSet(before, now);
  const set = Object.fromEntries(
    Object.entries(next).filter(([k, v]) => k !== 'updatedAt' && !isDeepStrictEqual(v, old[k])),
  );
  return withEvents ? { ...set, updatedAt: now } : set;
}

async function writeIssue(
  pass: Pass,
  doc: IssueDoc,
  set: Record<string, unknown>,
  events: StoredTimelineEvent[],
): Promise<IssueDoc | null> {
  const update: Record<string, unknown> = { $set: set, $inc: { version: 1 } };
  if (events.length) update.$push = { timeline: { $each: events } };
  return pass.models.Issue.findOneAndUpdate({ _id: doc._id, version: doc.version }, update, {
    returnDocument: 'after',
    projection: NO_TIMELINE,
    lean: true,
  }) as Promise<IssueDoc | null>;
}

function emit(pass: Pass, after: IssueDoc, events: StoredTimelineEvent[]): void {
  const deps = { models: pass.models, clock: { now: () => pass.now }, onChange: pass.onChange };
  for (const event of events) {
    notifyChange(
      { ...deps, settings: async () => pass.settings },
      {
        issueId: String(after._id),
        number: after.number,
        action: event.action,
        fromState: event.fromState,
        state: event.toState,
        unitId: after.unitId ? String(after.unitId) : null,
        coUnitIds: after.coUnitIds.map(String),
        enterpriseId: String(after.enterpriseId),
        actorId: SYSTEM_ACTOR.id,
        at: pass.now,
      },
    );
  }
}

const settledAt = (doc: Pick<IssueDoc, 'nextCheckAt'>, now: Date) =>
  !doc.nextCheckAt || doc.nextCheckAt.getTime() > now.getTime();

/**
 * One issue: claim, apply, write; on a version conflict reload and go again. True when the issue no longer
 * waits for the sweep at this instant (false defers it to a later pass).
 */
async function sweepIssue(pass: Pass, first: IssueDoc): Promise<boolean> {
  const held = new Map<string, Types.ObjectId>();
  const used = new Set<string>();
  let doc: IssueDoc | null = first;
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS && doc; attempt++) {
      const planned = planSteps(toCore(doc), pass.now);
      const mine = await claimInOrder(pass, doc._id, planned, held);
      // Another sweeper holds the first due step and is writing this issue: leave it to that one.
      if (planned.length && !mine.length) return false;
      const { core, events, applied } = applySteps(pass, doc, mine);
      const set = changedFields(toCore(doc), core, pass.now, events.length > 0);
      if (!events.length && !Object.keys(set).length) return settledAt(doc, pass.now);
      const after = await writeIssue(pass, doc, set, events);
      if (after) {
        applied.forEach((s) => used.add(keyOf(s)));
        await markApplied(
          pass.models,
          applied.map((s) => held.get(keyOf(s))!),
          pass.now,
          after.version,
        );
        record(pass, after, applied, events.length);
        emit(pass, after, events);
        return mine.length === planned.length && settledAt(after, pass.now);
      }
      pass.report.conflicts += 1;
      doc = await pass.models.Issue.findById(first._id, NO_TIMELINE).lean<IssueDoc>();
    }
    return !doc;
  } finally {
    const unused = [...held].filter(([k]) => !used.has(k)).map(([, id]) => id);
    await releaseClaims(pass.models, unused, pass.lease.owner);
  }
}

/** One issue that fails (a bug, a lost connection) must not hold up every other issue's escalations. */
async function sweepIssueSafely(pass: Pass, doc: IssueDoc): Promise<boolean> {
  try {
    return await sweepIssue(pass, doc);
  } catch (err) {
    pass.report.failed += 1;
    pass.logger.error({ err, issueId: String(doc._id) }, 'escalation sweep: issue failed; retried next pass');
    return false;
  }
}

function record(pass: Pass, after: IssueDoc, applied: PlannedStep[], eventCount: number): void {
  if (!eventCount) pass.report.refreshed += 1;
  for (const s of applied) {
    pass.report.fired.push({ issueId: String(after._id), number: after.number, ...s });
  }
}

async function resolveSettings(opts: EscalationSweepOptions): Promise<DomainSettings> {
  const loaded =
    opts.calendar && opts.policy ? undefined : await (opts.settings ?? databaseSettings(opts.models))();
  return { calendar: opts.calendar ?? loaded!.calendar, policy: opts.policy ?? loaded!.policy };
}

/** One sweep pass at the clock's now. Safe to run concurrently with itself and with people's actions. */
export async function runEscalationSweep(opts: EscalationSweepOptions): Promise<SweepReport> {
  const now = opts.clock.now();
  const report: SweepReport = {
    now,
    examined: 0,
    fired: [],
    refreshed: 0,
    conflicts: 0,
    deferred: 0,
    repaired: 0,
    failed: 0,
  };
  const lease = {
    owner: opts.owner ?? `sweep:${randomUUID()}`,
    now,
    leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
  };
  const pass: Pass = {
    models: opts.models,
    now,
    settings: await resolveSettings(opts),
    lease,
    logger: opts.logger,
    onChange: opts.onChange,
    report,
  };
  const limit = opts.limit ?? DEFAULT_SWEEP_LIMIT;
  const only = opts.issueId ? { issueId: opts.issueId } : {};
  report.repaired = await repairStaleClaims(opts.models, lease, limit, only);
  const deferred: Types.ObjectId[] = [];
  while (report.examined < limit) {
    const ids = {
      ...(opts.issueId ? { $eq: opts.issueId } : {}),
      ...(deferred.length ? { $nin: deferred } : {}),
    };
    const batch = await opts.models.Issue.find(
      {
        nextCheckAt: { $lte: now },
        state: { $in: OPEN_STATES },
        ...(Object.keys(ids).length ? { _id: ids } : {}),
      },
      NO_TIMELINE,
    )
      .sort({ nextCheckAt: 1 })
      .limit(Math.min(BATCH, limit - report.examined))
      .lean<IssueDoc[]>();
    if (!batch.length) break;
    for (const doc of batch) {
      report.examined += 1;
      if (!(await sweepIssueSafely(pass, doc))) deferred.push(doc._id);
    }
  }
  report.deferred = deferred.length;
  return report;
}
