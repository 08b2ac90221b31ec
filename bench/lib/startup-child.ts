/**
 * One start-up of the embedded engine on a dbpath, in a process of its own (fresh heap, honest RSS), for
 * `startup.bench.ts`: recover the snapshot and journal, restore the indexes, and print the timings and memory
 * as one JSON line. Modes:
 *   saved    the normal start-up (indexes loaded from the snapshot's index file when it is there);
 *   rebuild  the same files, but the index file's entries are withheld, so every index is built from the
 *            documents as before the index file existed (the baseline);
 *   convert  start up, then write one document and checkpoint, so the dbpath gets the current snapshot format.
 */
import { performance } from 'node:perf_hooks';
import { ObjectId, serialize } from 'bson';
import { createEngine } from '../../server/db/embedded/engine/index.ts';
import { createDiskPersistence } from '../../server/db/embedded/storage/index.ts';
import type { Change } from '../../server/db/embedded/contract.ts';

const [dir, mode] = process.argv.slice(2);
if (!dir || !['saved', 'rebuild', 'convert'].includes(mode)) {
  throw new Error('usage: startup-child.ts <dbpath> saved|rebuild|convert');
}
const gb = (n: number) => Math.round((n / 1e9) * 1000) / 1000;
const warnings: string[] = [];
const engine = createEngine();
const storage = await createDiskPersistence(dir, {
  logger: { info: () => undefined, warn: (m) => warnings.push(m) },
});
const usage0 = process.resourceUsage();
const t0 = performance.now();
let indexFileMs = 0;
await storage.recover((entry) => {
  if (entry.op !== 'indexKeys') return engine.applyRecovered(entry);
  if (mode === 'rebuild') return;
  const s = performance.now();
  engine.applyRecovered(entry);
  indexFileMs += performance.now() - s;
});
const t1 = performance.now();
engine.finishRecovery();
const t2 = performance.now();
const rss = process.memoryUsage().rss;
const usage = process.resourceUsage();
// Page faults are most of the kernel time here: a first touch of a 4 KiB page costs about 20 µs on this VM.
const cpu = {
  userMs: Math.round((usage.userCPUTime - usage0.userCPUTime) / 1000),
  systemMs: Math.round((usage.systemCPUTime - usage0.systemCPUTime) / 1000),
  minorFaults: usage.minorPageFault - usage0.minorPageFault,
};
let checkpointMs: number | undefined;
let checkpointCpuMs: number | undefined;
if (mode === 'convert') {
  const doc = serialize({ _id: new ObjectId(), at: new Date() });
  const changes: Change[] = [
    { op: 'createCollection', ns: 'bench.startup', options: {} },
    { op: 'insert', ns: 'bench.startup', doc },
  ];
  for (const c of changes) engine.applyRecovered(c);
  engine.finishRecovery();
  await storage.commit(changes);
  const c0 = performance.now();
  const u0 = process.resourceUsage();
  await storage.checkpoint(() => engine.snapshot());
  checkpointMs = performance.now() - c0;
  const u1 = process.resourceUsage();
  checkpointCpuMs = Math.round(
    (u1.userCPUTime + u1.systemCPUTime - u0.userCPUTime - u0.systemCPUTime) / 1000,
  );
}
globalThis.gc?.();
const memory = process.memoryUsage();
let liveBytes = 0;
let bsonBytes = 0;
let reservedBytes = 0;
let documents = 0;
let entries = 0;
for (const coll of engine.catalog.all()) {
  const s = coll.docs.stats();
  liveBytes += s.liveBytes;
  bsonBytes += s.bsonBytes;
  reservedBytes += s.reservedBytes;
  documents += s.documents;
  for (const ix of coll.indexes.values()) entries += ix.entries.size;
}
const recovery = storage.stats().recovery;
await storage.close();
console.log(
  JSON.stringify({
    mode,
    recoverMs: Math.round(t1 - t0),
    indexMs: Math.round(t2 - t1),
    indexFileMs: Math.round(indexFileMs),
    totalMs: Math.round(t2 - t0),
    checkpointMs: checkpointMs && Math.round(checkpointMs),
    checkpointCpuMs,
    ...cpu,
    rssGB: gb(rss),
    rssAfterGcGB: gb(memory.rss),
    heapUsedGB: gb(memory.heapUsed),
    externalGB: gb(memory.external),
    bsonGB: gb(bsonBytes),
    storedGB: gb(liveBytes),
    slabGB: gb(reservedBytes),
    documents,
    indexEntries: entries,
    indexes: engine.indexRestore,
    snapshotChanges: recovery?.snapshotChanges,
    indexSlices: recovery?.snapshotIndexSlices,
    warnings,
  }),
);
