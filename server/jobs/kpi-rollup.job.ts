// Keeps the daily KPI rollups stored (server/kpi/kpi-rollup.store.ts): at start-up (the first build, from the
// first issue) and every minute after (the days changed since the last pass and the day just completed). Reads
// are exact without it (they build changed days and today live); it keeps that live part small. One process
// at a time: a pass runs only under a lease in the state collection, so two servers do not build the same
// days at once; a lease left by a crashed process expires.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../../shared/clock.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';
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

/** One pass under the lease; null when another process holds it. */
export async function runKpiRollup(
  models: Models,
  clock: Clock,
  owner: string,
): Promise<RefreshReport | null> {
  if (!(await claimLease(models, owner, clock.now()))) return null;
  try {
    return await refreshRollups(models, clock.now());
  } finally {
    await releaseLease(models, owner);
  }
}

export interface KpiRollupScheduler {
  start(): void;
  stop(): Promise<void>;
  runNow(): Promise<RefreshReport | null>;
}

export function createKpiRollupScheduler(
  deps: { models: Models; clock: Clock; logger: Logger },
  expression = '* * * * *',
): KpiRollupScheduler {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let task: ScheduledTask | undefined;
  let running: Promise<RefreshReport | null> | null = null;
  let stopped = false;

  const runNow = () => {
    if (stopped) return Promise.resolve(null);
    running ??= runKpiRollup(deps.models, deps.clock, owner)
      .then((report) => {
        if (report && (report.built || report.rebuilt)) deps.logger.info(report, 'kpi rollups');
        return report;
      })
      .catch((err: unknown) => {
        deps.logger.error({ err }, 'kpi rollups failed; the next pass retries');
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  return {
    start() {
      if (task || stopped) return;
      task = cron.schedule(expression, () => void runNow(), { name: 'kpi-rollup', noOverlap: true });
    },
    async stop() {
      stopped = true;
      await task?.stop();
      await task?.destroy();
      task = undefined;
      await running;
    },
    runNow,
  };
}
