// Keeps the daily KPI rollups stored (server/kpi/kpi-rollup.store.ts): at start-up (the first build, from the
// first issue, resumed where a stopped one got to) and every minute after (the days changed since the last
// pass and the day just completed). Reads are exact without it (they build changed days and today live); it
// keeps that live part small. One process at a time: a pass runs only under a lease in the state collection,
// so two servers do not build the same days at once; a lease left by a crashed process expires.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';
import { createMinuteJob, type MinuteJob } from './minute-job.ts';
import { refreshRollups, rollupState, type RefreshReport } from '../kpi/kpi-rollup.store.ts';

/** Long enough for the first build of a million issues; renewed by every pass. */
export const LEASE_MS = 10 * 60_000;

/** Takes (or renews) the lease; false when another process holds it. */
export async function claimLease(models: Models, owner: string, now: Date): Promise<boolean> {
  try {
    const r = await rollupState(models).updateOne(
      { _id: 'lease' as never, $or: [{ leaseUntil: { $lt: now } }, { owner }] },
      { $set: { owner, leaseUntil: new Date(now.getTime() + LEASE_MS) } },
      { upsert: true },
    );
    return r.matchedCount + r.upsertedCount > 0;
  } catch (err) {
    if (isDuplicateKey(err)) return false; // the lease exists and is someone else's
    throw err;
  }
}

export async function releaseLease(models: Models, owner: string): Promise<void> {
  await rollupState(models).updateOne(
    { _id: 'lease' as never, owner },
    { $set: { leaseUntil: new Date(0) } },
  );
}

/**
 * One pass under the lease; null when another process holds it. The lease is renewed between chunks of days
 * (a first build at a million issues outlasts one lease), and `signal` stops the pass between them.
 */
export async function runKpiRollup(
  models: Models,
  clock: Clock,
  owner: string,
  signal?: AbortSignal,
): Promise<RefreshReport | null> {
  if (!(await claimLease(models, owner, clock.now()))) return null;
  try {
    return await refreshRollups(models, clock.now(), {
      signal,
      renew: () => claimLease(models, owner, clock.now()),
    });
  } finally {
    await releaseLease(models, owner);
  }
}

export type KpiRollupScheduler = MinuteJob<RefreshReport | null>;

/**
 * A completed pass that took longer than the tick is followed at once: the issues that changed while it ran (a
 * first build at 1,000,000 issues takes 5 minutes, beside the start's catch-up sweep of 24,000 issues) wait for
 * the next pass, and until it has stored their days every KPI read builds them live.
 */
export const followAtOnce = (report: RefreshReport | null): boolean =>
  report !== null && !report.stopped && report.ms >= 60_000;

export function createKpiRollupScheduler(deps: {
  models: Models;
  clock: Clock;
  logger: Logger;
}): KpiRollupScheduler {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  return createMinuteJob({
    name: 'kpi rollups',
    logger: deps.logger,
    run: (signal) => runKpiRollup(deps.models, deps.clock, owner, signal),
    onReport: (report) => {
      if (report && (report.built || report.rebuilt)) deps.logger.info(report, 'kpi rollups');
    },
    again: followAtOnce,
  });
}
