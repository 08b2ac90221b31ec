/**
 * The escalation sweep in-process against a copy of a sweep data set, in its own process (own heap, killable):
 * `node --import tsx bench/lib/app/sweep-runner.ts <dataDir> <asOf>`. Starts the embedded server on
 * `<dataDir>/db` as the app does (in its own worker thread, reached through its Unix socket), times the bare
 * indexed count of the due set (the baseline), one `runEscalationSweep` at the data set's now (the due issues
 * fire), then idle sweeps (nothing due any more) and the idle count. Prints one JSON line with the timings (ms,
 * medians where repeated) and where the pass's CPU went: this process's main thread, the database thread and
 * the rest (V8's workers: collector, compiler; libuv), from /proc.
 */
import path from 'node:path';
import mongoose from 'mongoose';
import { OPEN_STATES } from '../../../shared/states.ts';
import { startEmbeddedThread } from '../../../server/db/embedded/thread.ts';
import { dueFilter, runEscalationSweep } from '../../../server/jobs/escalation-sweep.job.ts';
import { createModels, ensureIndexes } from '../../../server/models/index.ts';
import { APP_DB_NAME } from '../dataset/catalog.ts';
import { threadCpuMs, threadSplit } from './proc-stats.ts';

const REPEATS = 5;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await run();
  return [performance.now() - t, value];
}

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) times.push((await timed(run))[0]);
  return times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
}

const [dataDir, asOfRaw] = process.argv.slice(2);
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
const threadsBefore = threadCpuMs(process.pid);
const [sweepMs, swept] = await timed(() => runEscalationSweep({ models, clock, logger: quiet }));
const threads = threadSplit(process.pid, threadsBefore, threadCpuMs(process.pid));
const idleSweepMs = await median(() => runEscalationSweep({ models, clock, logger: quiet }));
const idleCountMs = await median(() => models.Issue.countDocuments(due));
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
    idleSweepMs,
    idleCountMs,
    dueAfter,
  }) + '\n',
);
