/**
 * What the database thread spends to store one issue with the issues' indexes: generated open issues (the data
 * set generator's, timelines included) inserted in batches of BENCH_INSERT_BATCH (100) through the driver into
 * the embedded server in its own thread (journaled, as the app runs it), into a collection with every index the
 * app declares. Baseline in the same run: the same issues into a collection with only its `_id` index, so the
 * ratio is what the secondary indexes cost. Each collection first takes BENCH_INSERT_WARM issues of its own (the
 * code compiled, the packing dictionary made), then BENCH_INSERT_ISSUES (20,000) are measured; the two
 * alternate in BENCH_INSERT_ROUNDS (3) rounds and the medians are printed. BENCH_INSERT_MODE=history takes the
 * data sets' issues (whole histories, most of them closed) instead of the sweep's open ones. Figures:
 * microseconds of the database thread's CPU per issue (its busiest thread besides the main one) and issues/s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IndexDescription } from 'mongodb';
import mongoose from 'mongoose';
import { startEmbeddedThread } from '../server/db/embedded/thread.ts';
import { createModels, ensureIndexes } from '../server/models/index.ts';
import { DAY_MS } from '../shared/clock.ts';
import { threadCpuMs, threadSplit } from './lib/app/proc-stats.ts';
import { DATASET_SEED } from './lib/dataset/catalog.ts';
import { IssueStream } from './lib/dataset/issue-stream.ts';
import { heading, note, report } from './lib/report.ts';

const MEASURED = Number(process.env.BENCH_INSERT_ISSUES ?? 20_000);
const WARM = Number(process.env.BENCH_INSERT_WARM ?? 5_000);
const BATCH = Number(process.env.BENCH_INSERT_BATCH ?? 100);
const ROUNDS = Number(process.env.BENCH_INSERT_ROUNDS ?? 3);
const MODE = process.env.BENCH_INSERT_MODE === 'history' ? 'history' : 'sweep';
const ASOF = new Date('2026-12-02T20:00:00Z');

type Raw = Record<string, unknown>;

async function generate(count: number): Promise<Raw[]> {
  const world = {
    seed: DATASET_SEED,
    enterpriseCount: 10_000,
    createdAt: new Date(ASOF.getTime() - 3 * 365 * DAY_MS),
  };
  const stream = new IssueStream({ mode: MODE, issues: count, seed: DATASET_SEED, asOf: ASOF }, world, {
    workers: 1,
  });
  const out: Raw[] = [];
  for (let b = await stream.batch(); b.length; b = await stream.batch()) out.push(...b);
  await stream.close();
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Every collection takes the same issues (each collection is new, so their _ids are too).
const issues = await generate(WARM + MEASURED);
const dir = await mkdtemp(path.join(tmpdir(), 'issue-inserts-'));
const server = await startEmbeddedThread(
  { dbpath: path.join(dir, 'db'), socketPath: path.join(dir, 'db.sock'), logLevel: 'warn' },
  () => undefined,
);
const conn = await mongoose.createConnection(server.uri, { dbName: 'bench' }).asPromise();
try {
  // The app's indexes on `issues`; the baseline is a plain collection that gets only `_id`.
  await ensureIndexes(createModels(conn));
  const indexed = conn.db!.collection('issues');
  const indexCount = (await indexed.indexes()).length;

  /** Inserts WARM issues, then MEASURED more: the database thread's µs per issue and the rate. */
  async function run(name: string): Promise<{ us: number; rate: number }> {
    const coll = conn.db!.collection(name);
    const warm = issues.slice(0, WARM);
    for (let i = 0; i < warm.length; i += BATCH) await coll.insertMany(warm.slice(i, i + BATCH));
    const docs = issues.slice(WARM);
    const before = threadCpuMs(process.pid);
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += BATCH) await coll.insertMany(docs.slice(i, i + BATCH));
    const ms = performance.now() - t0;
    const { busiestMs } = threadSplit(process.pid, before, threadCpuMs(process.pid));
    return { us: (busiestMs * 1000) / docs.length, rate: (docs.length / ms) * 1000 };
  }

  const withIndexes: { us: number; rate: number }[] = [];
  const idOnly: { us: number; rate: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each round a fresh pair of collections, the indexed one first in odd rounds.
    const plain = `plain_${round}`;
    const full = round === 0 ? 'issues' : `issues_${round}`;
    if (round > 0) {
      const specs = (await indexed.indexes()).filter((s) => s.name !== '_id_');
      await conn
        .db!.collection(full)
        .createIndexes(specs.map(({ v: _v, ns: _ns, ...s }) => s) as IndexDescription[]);
    }
    if (round % 2) {
      withIndexes.push(await run(full));
      idOnly.push(await run(plain));
    } else {
      idOnly.push(await run(plain));
      withIndexes.push(await run(full));
    }
  }
  heading(
    `insertMany of generated issues (${MODE}), batches of ${BATCH}: ${MEASURED.toLocaleString('en-US')} measured after ` +
      `${WARM.toLocaleString('en-US')} of warm-up, ${ROUNDS} rounds, medians`,
  );
  note(`the issues' indexes: ${indexCount} (the app's declared set, partial ones included)`);
  report({
    name: 'database thread CPU per issue, all indexes',
    value: median(withIndexes.map((r) => r.us)),
    unit: 'µs',
    baseline: { name: '_id only', value: median(idOnly.map((r) => r.us)) },
  });
  report({
    name: 'issues/s, all indexes',
    value: median(withIndexes.map((r) => r.rate)),
    unit: 'issues/s',
    baseline: { name: '_id only', value: median(idOnly.map((r) => r.rate)) },
  });
  note(
    `rounds (all indexes / _id only, µs): ${withIndexes.map((r, i) => `${r.us.toFixed(0)} / ${idOnly[i].us.toFixed(0)}`).join(', ')}`,
  );
} finally {
  await conn.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
