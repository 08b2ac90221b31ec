/**
 * The escalation sweep in-process against a copy of a sweep data set, in its own process (own heap, killable):
 * `node --import tsx bench/lib/app/sweep-runner.ts <dataDir> <asOf> [cold|warm]`. Starts the embedded server
 * on `<dataDir>/db` as the app does (in its own worker thread, reached through its Unix socket), times the bare
 * indexed count of the due set (the baseline), one `runEscalationSweep` at the data set's now (the due issues
 * fire), then idle sweeps (nothing due any more) beside idle counts. Prints one JSON line with the timings (ms,
 * medians where repeated) and where the pass's CPU went: this process's main thread, the database thread and
 * the rest (V8's workers: collector, compiler; libuv), from /proc.
 *
 * `cold` (the default) times the first pass of a fresh process, as after a restart: its JavaScript is compiled
 * while it runs (about 2 s of CPU of V8's optimising compiler on background threads at 10,000 due, on the same
 * two cores; bench/LOG.md "The sweep cold and warm").
 * `warm` first sweeps copies of WARM_ISSUES of the due issues in a database of their own on the same server,
 * so the code of both threads is compiled, as in an app that has run for a while; the measured pass still does
 * all of its own work (its collections, indexes and plan caches have not been touched).
 */
import path from 'node:path';
import mongoose from 'mongoose';
import { OPEN_STATES } from '../../../shared/states.ts';
import { startEmbeddedThread } from '../../../server/db/embedded/thread.ts';
import { databaseSettings } from '../../../server/commands/issue-deps.ts';
import { dueFilter, runEscalationSweep } from '../../../server/jobs/escalation-sweep.job.ts';
import { createModels, ensureIndexes } from '../../../server/models/index.ts';
import { APP_DB_NAME } from '../dataset/catalog.ts';
import { threadCpuMs, threadSplit, waitForIdle } from './proc-stats.ts';

const REPEATS = 5;
/** Due issues copied for the warm-up pass: a quarter of a pass (its slices after the first ran warm). */
const WARM_ISSUES = 2500;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
/** Waits until this process (its database thread above all) has been nearly idle for half a second. */
const settled = () => waitForIdle(process.pid, 60_000, 500);

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await run();
  return [performance.now() - t, value];
}

const middle = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) times.push((await timed(run))[0]);
  return middle(times);
}

const [dataDir, asOfRaw, mode = 'cold'] = process.argv.slice(2);
if (mode !== 'cold' && mode !== 'warm') throw new Error(`mode must be cold or warm, not ${mode}`);
const asOf = new Date(asOfRaw);
const [startMs, server] = await timed(() =>
  startEmbeddedThread(
    { dbpath: path.join(dataDir, 'db'), socketPath: path.join(dataDir, 'db.sock'), logLevel: 'warn' },
    (code) => {
      throw new Error(`the embedded database thread stopped (${code})`);
    },
  ),
);
const conn = await mongoose.createConnection(server.uri, { dbName: APP_DB_NAME }).asPromise();
const clock = { now: () => new Date(asOf) };
const models = createModels(conn, clock);
await ensureIndexes(models);
const due = dueFilter(asOf);
const [countMs, dueCount] = await timed(() => models.Issue.countDocuments(due));
const countMedianMs = await median(() => models.Issue.countDocuments(due));
const open = await models.Issue.countDocuments({ state: { $in: OPEN_STATES } });
const warmUp = mode === 'warm' ? await warmUpPass() : undefined;
const threadsBefore = threadCpuMs(process.pid);
const [sweepMs, swept] = await timed(() => runEscalationSweep({ models, clock, logger: quiet }));
const threads = threadSplit(process.pid, threadsBefore, threadCpuMs(process.pid));
// The pass leaves the database thread busy for a while (its journal's checkpoint); an idle pass measured
// then measures that. Both idle figures wait for it, and alternate so they see the same moments.
const quietAfterMs = await settled();
const idleSweeps: number[] = [];
const idleCounts: number[] = [];
for (let i = 0; i < REPEATS; i++) {
  idleSweeps.push((await timed(() => runEscalationSweep({ models, clock, logger: quiet })))[0]);
  idleCounts.push((await timed(() => models.Issue.countDocuments(due)))[0]);
}
const idleSweepMs = middle(idleSweeps);
const idleCountMs = middle(idleCounts);
const [, dueAfter] = await timed(() => models.Issue.countDocuments(due));
await conn.close();
await server.close();
process.stdout.write(
  JSON.stringify({
    startMs,
    open,
    due: dueCount,
    countMs,
    countMedianMs,
    sweepMs,
    sweepMainCpuMs: threads.mainMs,
    sweepDbCpuMs: threads.busiestMs,
    sweepOtherCpuMs: threads.restMs,
    examined: swept.examined,
    fired: swept.fired.length,
    failed: swept.failed,
    deferred: swept.deferred,
    mode,
    warmUp,
    quietAfterMs,
    idleSweepMs,
    idleCountMs,
    dueAfter,
  }) + '\n',
);

/**
 * Sweeps copies of the first WARM_ISSUES due issues in a database of their own on the same server (same
 * threads, same code), with the data set's settings, so that the measured pass runs compiled code.
 */
async function warmUpPass(): Promise<{ issues: number; ms: number }> {
  const warmDb = conn.useDb(`${APP_DB_NAME}-warmup`);
  const warmModels = createModels(warmDb, clock);
  await ensureIndexes(warmModels);
  const sample = await models.Issue.collection
    .find(due)
    .sort({ nextCheckAt: 1 })
    .limit(WARM_ISSUES)
    .toArray();
  await warmModels.Issue.collection.insertMany(sample);
  const { calendar, policy } = await databaseSettings(models)();
  const [ms] = await timed(() =>
    runEscalationSweep({ models: warmModels, clock, logger: quiet, calendar, policy }),
  );
  await settled();
  return { issues: sample.length, ms };
}
