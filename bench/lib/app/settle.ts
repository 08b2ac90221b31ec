/**
 * A data set as a running city's app sees it: the built data set after the app's first start on it has done its
 * one-time work. That first start fires what the generated history left due at its as-of time (24,000 issues at
 * 1,000,000), builds the KPI rollups over three years, trains the first text model and clusters the open issues;
 * at 1,000,000 issues that takes minutes on two cores, and a load measured meanwhile measures that work, not the
 * path under test. So each history data set is settled once, on its own copy (`<name>-v<n>-settled/`, cached like
 * the data set): the app is started on it at the data set's as-of time (its clock runs from there, as it would
 * live), left until the process tree is quiet and the KPI API answers from its rollups, and stopped cleanly.
 * What that took is kept in the settled manifest and printed, with where the app's clock stopped; the benchmarks
 * then run on copies of the settled data set with their clock starting there (plus the rollups' slack, clockStart).
 */
import { cp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { settledDir, datasetDir, type DatasetManifest, type SettleFigures } from '../dataset/catalog.ts';
import { note } from '../report.ts';
import { chinaDateKey } from '../../../shared/calendar.ts';
import { DAY_MS } from '../../../shared/clock.ts';
import { WATERMARK_SLACK_MS } from '../../../server/kpi/kpi-rollup.store.ts';
import { readManifest } from '../dataset/dataset-cache.ts';
import { loginAs, startApp } from './app-process.ts';
import { rssBytes, waitForIdle } from './proc-stats.ts';

/** How long the first start's work may take before the settle is abandoned (the data set is then unusable). */
const SETTLE_LIMIT_MS = 3_600_000;
/** Quiet this long in a row counts as settled (the minute jobs tick in between). */
const QUIET_MS = 10_000;

async function rollupsAnswer(baseUrl: string, token: string, asOf: string): Promise<boolean> {
  const at = new Date(asOf).getTime();
  const query = new URLSearchParams({
    groupBy: 'unit',
    from: chinaDateKey(new Date(at - 30 * DAY_MS)),
    to: chinaDateKey(new Date(at)),
  });
  const res = await fetch(`${baseUrl}/api/kpis?${query}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`/api/kpis: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { source?: string }).source === 'rollups';
}

/** The settled copy's manifest, settling the built data set first when needed; null (reported) on failure. */
export async function ensureSettled(built: DatasetManifest): Promise<DatasetManifest | null> {
  const cached = await readManifest(built.name, 'settled');
  if (cached) return cached;
  const dir = settledDir(built.name);
  const tmp = `${dir}.settling-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await cp(datasetDir(built.name), tmp, { recursive: true, dereference: true }); // a linked set: its files
  note(`settling ${built.name}: the app's first start on it, until its start-up work is done`);
  const spawned = Date.now();
  const app = await startApp(tmp, built.asOf);
  let figures: Omit<SettleFigures, 'shutdownMs' | 'clockAt'> | null = null;
  try {
    const healthy = performance.now();
    const token = await loginAs(app, 'leader');
    // Quiet first, then one look at the KPI API: a poll while the rollups are being built would be answered by
    // the direct aggregation, which at 1,000,000 issues holds the database for tens of seconds each time.
    let quiet = 0;
    do {
      const left = SETTLE_LIMIT_MS - (performance.now() - healthy);
      if (left <= 0 || (await waitForIdle(app.pid, left, QUIET_MS)) >= left)
        throw new Error('the start-up work did not end in time');
      quiet = performance.now() - healthy - QUIET_MS;
    } while (!(await rollupsAnswer(app.baseUrl, token, built.asOf)));
    figures = {
      at: new Date().toISOString(),
      startMs: app.startMs,
      quietMs: quiet,
      rssBytes: rssBytes(app.pid),
    };
  } catch (err) {
    note(
      `!! settling ${built.name} FAILED: ${(err as Error).message}; app output: ${app.output().slice(-600)}`,
    );
  }
  const shutdownMs = await app.stop();
  if (!figures) {
    await rm(tmp, { recursive: true, force: true });
    return null;
  }
  // The app's clock ran from the as-of time while it worked; later runs start where it stopped (an upper bound:
  // the clock starts a moment after the spawn), so nothing it stored lies in their future.
  const clockAt = new Date(new Date(built.asOf).getTime() + (Date.now() - spawned)).toISOString();
  const settled: DatasetManifest = { ...built, settled: { ...figures, shutdownMs, clockAt } };
  await writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(settled, null, 1));
  await rename(tmp, dir);
  return settled;
}

/**
 * Where a run's clock starts: the settled clock plus the KPI rollups' watermark slack. The settle's own writes
 * (its catch-up sweep: 2,974 issues at 100,000) are stamped up to `clockAt`, after the watermark its rollup
 * build stored; a run whose clock started at `clockAt` found them changed in each minute pass until its clock
 * was past them by the slack, so the first three passes each rebuilt the same 663 days (19-40 s of the main
 * thread at 100,000, in the middle of the loads). From here the start-up pass rebuilds them once and moves
 * the watermark past them.
 */
export function clockStart(m: DatasetManifest): string {
  if (!m.settled) return m.asOf;
  return new Date(new Date(m.settled.clockAt).getTime() + WATERMARK_SLACK_MS).toISOString();
}

/** One line on what the settled data set's first start did (printed by every app benchmark). */
export function describeSettle(m: DatasetManifest): string {
  const f = m.settled;
  if (!f) return 'not settled';
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `settled ${f.at}: the first start answered /healthz in ${s(f.startMs)}, its start-up work ` +
    `(sweep, KPI rollups, training, clustering) was done ${s(f.quietMs)} later (RSS ${(f.rssBytes / 2 ** 30).toFixed(2)} GB), shutdown ${s(f.shutdownMs)}`
  );
}
