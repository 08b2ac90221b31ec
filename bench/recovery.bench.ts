/**
 * Recovery time after a crash: the CLI server is loaded with BENCH_DOCS (1,000,000) small indexed documents and
 * killed with SIGKILL, then an in-process server is started on the same dbpath and timed until it serves (the
 * snapshot load, journal replay and index rebuild). Baseline: starting a server on an empty dbpath.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { createDiskPersistence } from '../server/db/embedded/storage/index.ts';
import { startServerProcess } from '../test/db/durability/server-process.ts';
import { benchConfig } from './lib/bench-config.ts';
import { bulkLoad, startBenchServer, type BenchServer } from './lib/bench-server.ts';
import { elapsed } from './lib/measure.ts';
import { heading, note, report } from './lib/report.ts';

const DOCS = benchConfig.docs;

async function describeDir(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const size = (await stat(join(dir, name))).size;
    parts.push(`${name} ${(size / 1024 / 1024).toFixed(1)} MiB`);
  }
  return parts.join(', ');
}

const dbpath = await mkdtemp(join(tmpdir(), 'bench-recovery-'));
const emptyPath = await mkdtemp(join(tmpdir(), 'bench-empty-'));
try {
  heading(`recovery after kill -9 with ${DOCS.toLocaleString('en-US')} docs`);
  const crashing = await startServerProcess(dbpath);
  const client = new MongoClient(crashing.uri, { directConnection: true });
  await client.db('bench').collection('recovery').createIndex({ score: 1 });
  const loadMs = await elapsed(() => bulkLoad(client, { db: 'bench', coll: 'recovery' }, DOCS));
  await client.close();
  await crashing.kill9();
  note(`loaded through the CLI server in ${(loadMs / 1000).toFixed(1)} s, then SIGKILL`);
  note(`on disk: ${await describeDir(dbpath)}`);

  // Warm up once (the first start also loads the engine's modules), then time a start on an empty dbpath.
  await (await startBenchServer({ journaled: true })).close();
  let recovered: BenchServer | undefined = await startBenchServer({ journaled: true, dbpath: emptyPath });
  await recovered.close();
  await rm(emptyPath, { recursive: true, force: true });
  const startEmpty = await elapsed(async () => {
    recovered = await startBenchServer({ journaled: true, dbpath: emptyPath });
  });
  await recovered.close();

  // Storage alone first (read, verify, decode; no engine), to show how recovery time splits.
  let replayed = 0;
  const storageMs = await elapsed(async () => {
    const storage = await createDiskPersistence(dbpath);
    await storage.recover(() => void replayed++);
    await storage.close();
  });
  report({
    name: 'storage replay alone (no engine)',
    value: replayed / (storageMs / 1000),
    unit: 'changes/s',
  });
  note(`storage replay: ${replayed.toLocaleString('en-US')} changes in ${(storageMs / 1000).toFixed(1)} s`);

  const recoveryMs = await elapsed(async () => {
    recovered = await startBenchServer({ journaled: true, dbpath });
  });
  const count = await recovered!.client.db('bench').collection('recovery').countDocuments();
  report({
    name: 'start-up after crash (recover + serve)',
    value: recoveryMs,
    unit: 'ms',
    baseline: { name: 'start-up on empty dbpath', value: startEmpty },
  });
  report({ name: 'recovery rate (storage + engine)', value: DOCS / (recoveryMs / 1000), unit: 'docs/s' });
  note(`documents after recovery: ${count.toLocaleString('en-US')} of ${DOCS.toLocaleString('en-US')}`);
  const closeMs = await elapsed(() => recovered!.close());
  // A closed server still holds its engine: drop it, or the next start runs with a second copy of every
  // document on the heap and spends its time in GC (this made the clean start slower than the crash start).
  recovered = undefined;
  note(`clean shutdown (final checkpoint of everything) took ${(closeMs / 1000).toFixed(1)} s`);

  const fromSnapshotMs = await elapsed(async () => {
    recovered = await startBenchServer({ journaled: true, dbpath });
  });
  report({ name: 'start-up from a clean snapshot', value: fromSnapshotMs, unit: 'ms' });
  await recovered!.close();
} finally {
  await rm(dbpath, { recursive: true, force: true });
  await rm(emptyPath, { recursive: true, force: true });
}
