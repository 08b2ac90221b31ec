// One batch of due issues through the claim-then-apply protocol (see escalation-sweep.job.ts), with a
// constant number of durable round trips however many issues the batch holds: claim every due step of every
// issue in one unordered insert, write every issue in one bulk of version-guarded updates, then mark the
// applied claims and give back the unused ones in one ledger write. Issues whose write lost to a person's
// action are re-read together and go round again, a bounded number of times.
import type { Types } from 'mongoose';
import { toCore } from '../commands/issue-store.ts';
import { notifyChange, type DomainSettings, type IssueChangeListener } from '../commands/issue-deps.ts';
import type { Logger } from '../logger.ts';
import type { ClaimedStep } from '../models/follow-up-claim.model.ts';
import type { Models } from '../models/index.ts';
import { claimSteps, settleClaims, type AppliedClaim, type ClaimLease } from './follow-up-claims.ts';
import {
  changesOf,
  draftSteps,
  hasWrite,
  keyOf,
  lightChangesOf,
  planSteps,
  settledAt,
  SWEEP_PROJECTION,
  type Draft,
  type PlannedStep,
  type SweepIssue,
} from './sweep-plan.ts';
import { writeDrafts } from './sweep-write.ts';

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

export interface Pass {
  models: Models;
  now: Date;
  settings: DomainSettings;
  lease: ClaimLease;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  onChange?: IssueChangeListener;
  report: SweepReport;
}

/** One issue of the batch across its attempts. */
interface Work {
  doc: SweepIssue;
  /** Claims this pass holds for the issue, by step key (kept across attempts). */
  held: Map<string, Types.ObjectId>;
  /** Step keys whose events committed: never released. */
  used: Set<string>;
  /** The write's outcome could not be learned: its claims stay for the repair pass and lease takeover. */
  unknown?: boolean;
  /** Written in some attempt (its firings are in the report). */
  written?: boolean;
}

interface Attempt {
  work: Work;
  planned: PlannedStep[];
  mine: PlannedStep[];
}

interface RoundResult {
  retry: Work[];
  deferred: Work[];
}

const MAX_ATTEMPTS = 5;

/**
 * Claims the planned steps of every issue in one insert and keeps, per issue, the steps up to the first one
 * another sweeper holds: a later step must not overtake an earlier one. Later steps it did get stay unused
 * and are released with the batch.
 */
async function claimAll(pass: Pass, works: readonly Work[], plans: PlannedStep[][]): Promise<Attempt[]> {
  const wanted = works.flatMap((work, i) =>
    plans[i].filter((s) => !work.held.has(keyOf(s))).map((s) => ({ work, s })),
  );
  const ids = await claimSteps(
    pass.models,
    wanted.map(({ work, s }) => ({ issueId: work.doc._id, ...s })),
    pass.lease,
  );
  wanted.forEach(({ work, s }, i) => {
    if (ids[i]) work.held.set(keyOf(s), ids[i]);
  });
  return works.map((work, i) => {
    const planned = plans[i];
    const gap = planned.findIndex((s) => !work.held.has(keyOf(s)));
    return { work, planned, mine: gap < 0 ? planned : planned.slice(0, gap) };
  });
}

/** The pure core for one issue; a bug in it fails that issue only. */
function draftSafely(pass: Pass, a: Attempt): Draft | null {
  try {
    const draft = draftSteps(a.work.doc, a.mine, pass.now, pass.settings);
    for (const r of draft.refused) {
      pass.logger.warn({ issueId: String(a.work.doc._id), ...r }, 'follow-up refused');
    }
    return draft;
  } catch (err) {
    failed(pass, a.work, err);
    return null;
  }
}

function failed(pass: Pass, work: Work, err: unknown): void {
  pass.report.failed += 1;
  pass.logger.error(
    { err, issueId: String(work.doc._id) },
    'escalation sweep: issue failed; retried next pass',
  );
}

function recordWritten(pass: Pass, a: Attempt, d: Draft, applied: AppliedClaim[]): void {
  a.work.written = true;
  if (!d.events.length) pass.report.refreshed += 1;
  for (const s of d.applied) {
    a.work.used.add(keyOf(s));
    applied.push({ id: a.work.held.get(keyOf(s))!, issueVersion: d.doc.version + 1 });
    pass.report.fired.push({ issueId: String(d.doc._id), number: d.doc.number, ...s });
  }
}

function emit(pass: Pass, drafts: readonly Draft[]): void {
  if (!pass.onChange) return; // nobody listens: build no change records
  for (const d of drafts) {
    for (const change of [...changesOf(d, pass.now), ...lightChangesOf(d, pass.now)]) {
      notifyChange(pass, change);
    }
  }
}

/**
 * One attempt for every issue still pending: plan, claim, draft, write. The claims of committed steps are
 * added to `applied`, for the batch to mark once its rounds are over.
 */
async function sweepRound(pass: Pass, works: readonly Work[], applied: AppliedClaim[]): Promise<RoundResult> {
  const result: RoundResult = { retry: [], deferred: [] };
  const attempts = await claimAll(
    pass,
    works,
    works.map((w) => planSteps(toCore(w.doc), pass.now)),
  );
  const writes: Array<{ a: Attempt; d: Draft }> = [];
  for (const a of attempts) {
    // Another sweeper holds the first due step and is writing this issue: leave it to that one.
    if (a.planned.length && !a.mine.length) result.deferred.push(a.work);
    else {
      const d = draftSafely(pass, a);
      if (d && hasWrite(d)) writes.push({ a, d });
      else if (!d || !settledAt(a.work.doc.nextCheckAt, pass.now)) result.deferred.push(a.work);
    }
  }
  const outcomes = await writeDrafts(
    pass,
    writes.map((w) => w.d),
  );
  const written: Draft[] = [];
  writes.forEach(({ a, d }, i) => {
    const outcome = outcomes[i];
    if (outcome.kind === 'lost') return void result.retry.push(a.work);
    if (outcome.kind === 'written') {
      recordWritten(pass, a, d, applied);
      written.push(d);
      if (a.mine.length === a.planned.length && settledAt(d.core.nextCheckAt, pass.now)) return;
    } else {
      a.work.unknown = outcome.kind === 'unknown';
      failed(pass, a.work, outcome.err);
    }
    result.deferred.push(a.work);
  });
  // The issues are committed: listeners hear of it now, whatever happens to the bookkeeping.
  emit(pass, written);
  return result;
}

/** The issues whose write lost, read afresh in one query (an issue deleted meanwhile drops out). */
async function reload(pass: Pass, works: readonly Work[]): Promise<Work[]> {
  if (!works.length) return [];
  const fresh = await pass.models.Issue.find(
    { _id: { $in: works.map((w) => w.doc._id) } },
    SWEEP_PROJECTION,
  ).lean<SweepIssue[]>();
  const byId = new Map(fresh.map((doc) => [String(doc._id), doc]));
  return works.filter((w) => {
    const doc = byId.get(String(w.doc._id));
    if (doc) w.doc = doc;
    return Boolean(doc);
  });
}

/** Claims taken and not used, except where the write's outcome is unknown (those stay for the repair pass). */
function unusedClaims(works: readonly Work[]): Types.ObjectId[] {
  return works
    .filter((w) => !w.unknown)
    .flatMap((w) => [...w.held].filter(([k]) => !w.used.has(k)).map(([, id]) => id));
}

/**
 * Sweeps one batch of due issues read with SWEEP_PROJECTION. Returns the ids to leave for a later pass:
 * another sweeper holds a step, conflicts kept coming, or the issue failed (logged; retried next pass).
 * Throws when the database fails outside the issue write (the batch is then left for the next pass).
 */
export async function sweepBatch(pass: Pass, docs: readonly SweepIssue[]): Promise<Types.ObjectId[]> {
  const works: Work[] = docs.map((doc) => ({ doc, held: new Map(), used: new Set() }));
  const applied: AppliedClaim[] = [];
  const deferred: Types.ObjectId[] = [];
  let pending: Work[] = works;
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length; attempt++) {
      const round = await sweepRound(pass, pending, applied);
      deferred.push(...round.deferred.map((w) => w.doc._id));
      pending = await reload(pass, round.retry);
    }
  } catch (err) {
    for (const w of pending) if (!w.written) failed(pass, w, err);
    throw err;
  } finally {
    // A crash before this leaves the rows `claimed`: the repair pass settles them from the issues.
    await settleClaims(pass.models, { applied, unused: unusedClaims(works) }, pass.lease);
  }
  return [...deferred, ...pending.map((w) => w.doc._id)];
}
