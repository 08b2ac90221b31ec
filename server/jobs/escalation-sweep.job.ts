// The escalation sweep (DESIGN §5, §8): one pass over every issue whose stored `nextCheckAt` has come, firing
// its due follow-ups in order — warning light, 催办 urge at yellow, 督办 supervise at red, escalation to
// consultation at red + 3 working days, 通报 bulletin at red + 5, a callback task when the rating window
// closes — through the same shared state machine as people's actions (applyAction, the system actor).
// Timers are stored deadlines, never in-memory timeouts, so a pass after downtime simply catches up.
//
// Exactly once per (issue, step, deadline), with several processes: CLAIM, THEN APPLY, with the issue
// document as the authority on what fired. Issues go through it in batches (sweep-batch.ts), each phase one
// round trip for the whole batch, because at scale the cost is durable round trips, not decisions.
//  1. Claim: insert a FollowUpClaim row per due step (unique on issueId, step, dueAt). A duplicate key
//     means another sweeper owns that firing, so this one fires that issue's steps only up to it (later
//     steps must not overtake an earlier one), or leaves the issue alone if it holds the first.
//  2. Apply: each issue's claimed steps, new light and new nextCheckAt land in ONE update guarded by
//     `version` (all issues in one bulk). The core's flags (urged, supervised, escalated, bulletined,
//     callbackRequested) are only reset when a deadline moves, so the document itself records "fired for
//     this deadline": whoever writes second at the same version matches nothing, re-reads and finds the
//     step no longer due. Each event carries its `dueAt`, tying it to its claim.
//  3. Mark the claims applied; release those not used.
// A crash between 1 and 2 leaves `claimed` rows and issues still due: a later pass takes the claims over
// once their lease has run out and fires the steps (not lost). A crash between 2 and 3 leaves the events and
// flags written, so the steps are not due again; the repair pass finds the events and marks the rows applied
// (not duplicated). A version conflict with a person's action is retried on the fresh document (the
// person's change stays; steps it made moot are released). Claims alone could not tell "claimed" from
// "fired" after a crash, and the version check alone would let every process race for every firing with no
// ledger of them.
import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import type { WorkCalendar } from '../../shared/calendar.ts';
import { MINUTE_MS, type Clock } from '../../shared/clock.ts';
import type { TimeLimitPolicy } from '../../shared/sla.ts';
import { OPEN_STATES, type IssueState } from '../../shared/states.ts';
import { databaseSettings, type DomainSettings, type IssueChangeListener } from '../commands/issue-deps.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { repairStaleClaims, type ClaimLease } from './follow-up-claims.ts';
import { sweepBatch, type Pass, type SweepReport } from './sweep-batch.ts';
import { SWEEP_PROJECTION, type SweepIssue } from './sweep-plan.ts';

export type { SweepFiring, SweepReport } from './sweep-batch.ts';
export { SYSTEM_NAME } from './sweep-plan.ts';

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
  /** Issues per batch (SWEEP_BATCH by default; tests make it small to cross batch boundaries). */
  batchSize?: number;
  /** Hears about every fired step after its write committed (realtime, notifications). */
  onChange?: IssueChangeListener;
  /** Only this issue (the demo seed walks each issue through its own simulated time). */
  issueId?: Types.ObjectId;
  /** Names this sweeper in its claims; a fresh one per pass by default. */
  owner?: string;
  leaseMs?: number;
  /**
   * The time claims are stamped and judged stale by. By default the DATABASE's clock (read once per pass), so
   * processes whose own clocks disagree still agree on whose lease has run out: with process clocks, one ten
   * minutes ahead took over claims another had just made and was still applying.
   */
  leaseClock?: () => Promise<Date>;
  /** Ends the pass early (shutdown): no batch is started after it aborts; the next pass has the rest. */
  signal?: AbortSignal;
}

/** The database server's current time (`hello.localTime`, which MongoDB and the embedded server report). */
export function databaseTime(models: Models): () => Promise<Date> {
  return async () => {
    const db = models.Issue.db.db;
    if (!db) throw new Error('database not connected');
    const reply = await db.admin().command({ hello: 1 });
    const time = reply.localTime as unknown;
    if (!(time instanceof Date)) throw new Error('the database did not report its time');
    return time;
  };
}

// Generous: a day of downtime at provincial scale (~600 new issues a working day) fits in one pass.
export const DEFAULT_SWEEP_LIMIT = 10_000;
export const DEFAULT_LEASE_MS = 5 * MINUTE_MS;
/** Issues per batch: each phase is one round trip per batch, and a batch's claims fit one insert. */
export const SWEEP_BATCH = 250;
/**
 * Batches in flight at once, each in a different phase, so the application plans one while the database
 * writes another and the database thread never waits for the next command (four of 250 swept 10,000 due
 * issues about a tenth faster than two of 500; bench/LOG.md "The sweep's last round trips"). The batches
 * hold different issues, so they never contend for a claim or a version.
 */
export const BATCHES_IN_FLIGHT = 4;
async function resolveSettings(opts: EscalationSweepOptions): Promise<DomainSettings> {
  const loaded =
    opts.calendar && opts.policy ? undefined : await (opts.settings ?? databaseSettings(opts.models))();
  return { calendar: opts.calendar ?? loaded!.calendar, policy: opts.policy ?? loaded!.policy };
}

/**
 * The issues waiting for the sweep at `now`: a range over the `nextCheckAt` index (sorted on it), which
 * examines nothing when nothing is due.
 */
export function dueFilter(now: Date): { nextCheckAt: { $lte: Date }; state: { $in: IssueState[] } } {
  return { nextCheckAt: { $lte: now }, state: { $in: [...OPEN_STATES] } };
}

/**
 * The due issues in batches, soonest first, from ONE cursor over the `nextCheckAt` range: each issue the
 * sweep settles moves past `now` and out of the range, and the cursor resumes after the last key it read,
 * so issues left for a later pass are not met again. An issue whose key moved forward within the range (a
 * step fired, the next one also due) can come round a second time: it is skipped, a later pass has it.
 */
async function* dueBatches(
  opts: EscalationSweepOptions,
  now: Date,
  limit: number,
  size: number,
): AsyncGenerator<SweepIssue[]> {
  const cursor = opts.models.Issue.find(
    { ...dueFilter(now), ...(opts.issueId ? { _id: opts.issueId } : {}) },
    SWEEP_PROJECTION,
  )
    .sort({ nextCheckAt: 1 })
    .limit(limit)
    .batchSize(size)
    .lean<SweepIssue[]>()
    .cursor();
  const seen = new Set<string>();
  const batch: SweepIssue[] = [];
  try {
    for (let doc = await cursor.next(); doc; doc = await cursor.next()) {
      if (seen.has(String(doc._id))) continue;
      seen.add(String(doc._id));
      batch.push(doc);
      if (batch.length === size) yield batch.splice(0);
    }
    if (batch.length) yield batch;
  } finally {
    await cursor.close();
  }
}

function emptyReport(now: Date): SweepReport {
  return { now, examined: 0, fired: [], refreshed: 0, conflicts: 0, deferred: 0, repaired: 0, failed: 0 };
}

/** A batch the database failed on is left for the next pass; the others go on. Resolves to how many are left. */
async function sweepBatchSafely(pass: Pass, batch: SweepIssue[]): Promise<number> {
  try {
    return (await sweepBatch(pass, batch)).length;
  } catch (err) {
    pass.logger.error({ err, issues: batch.length }, 'escalation sweep: batch failed; retried next pass');
    return batch.length;
  }
}

/** One sweep pass at the clock's now. Safe to run concurrently with itself and with people's actions. */
export async function runEscalationSweep(opts: EscalationSweepOptions): Promise<SweepReport> {
  const now = opts.clock.now();
  const report = emptyReport(now);
  const lease: ClaimLease = {
    owner: opts.owner ?? `sweep:${randomUUID()}`,
    now: await (opts.leaseClock ?? databaseTime(opts.models))(),
    leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
  };
  const limit = opts.limit ?? DEFAULT_SWEEP_LIMIT;
  const batches = dueBatches(opts, now, limit, opts.batchSize ?? SWEEP_BATCH);
  const running = new Set<Promise<void>>();
  try {
    // An idle pass is these two indexed reads finding nothing, side by side.
    const [repaired, first] = await Promise.all([
      repairStaleClaims(opts.models, lease, limit, opts.issueId ? { issueId: opts.issueId } : {}, now),
      batches.next(),
    ]);
    report.repaired = repaired;
    let pass: Pass | undefined;
    for (let next = first; !next.done && !opts.signal?.aborted; next = await batches.next()) {
      pass ??= { ...opts, now, lease, report, settings: await resolveSettings(opts) };
      report.examined += next.value.length;
      // The next batch is read (and the one after planned) while this one's writes are in flight.
      const run: Promise<void> = sweepBatchSafely(pass, next.value).then((left) => {
        report.deferred += left;
        running.delete(run);
      });
      running.add(run);
      if (running.size >= BATCHES_IN_FLIGHT) await Promise.race(running);
    }
  } finally {
    await Promise.all(running);
    await batches.return(undefined);
  }
  return report;
}
