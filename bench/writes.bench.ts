/**
 * Journaled write throughput: insertOne at concurrency 1 and 16 (group commit must make 16 writers faster than
 * one), insertMany of small documents (target ≥ 50,000 docs/s) against the same load on an in-memory server,
 * and $inc updates at concurrency 1 and 16.
 */
import { benchConfig } from './lib/bench-config.ts';
import { smallDoc, startBenchServer, type BenchServer } from './lib/bench-server.ts';
import { throughput } from './lib/measure.ts';
import { heading, report } from './lib/report.ts';

const OPS = benchConfig.ops;
const MANY_DOCS = Math.min(benchConfig.docs, 200_000);
const BATCH = 1_000;

async function insertOnes(bench: BenchServer, concurrency: number): Promise<number> {
  const coll = bench.client.db('bench').collection(`insert_c${concurrency}`);
  return throughput(concurrency, OPS, (i) => coll.insertOne(smallDoc(i)));
}

async function insertMany(bench: BenchServer): Promise<number> {
  const coll = bench.client.db('bench').collection('insert_many');
  const batches = Math.ceil(MANY_DOCS / BATCH);
  const perSecond = await throughput(1, batches, (b) => {
    const docs = Array.from({ length: BATCH }, (_, i) => smallDoc(b * BATCH + i));
    return coll.insertMany(docs);
  });
  return perSecond * BATCH;
}

async function increments(bench: BenchServer, concurrency: number): Promise<number> {
  const coll = bench.client.db('bench').collection('counters');
  await coll.insertMany(Array.from({ length: 1_000 }, (_, i) => ({ _id: i as never, n: 0 })));
  const rate = await throughput(concurrency, OPS, (i) =>
    coll.updateOne({ _id: (i % 1_000) as never }, { $inc: { n: 1 } }),
  );
  await coll.drop();
  return rate;
}

const journaled = await startBenchServer({ journaled: true });
const memory = await startBenchServer({ journaled: false });
try {
  heading("insertOne, journaled (every acknowledged write fsync'd), ops/s");
  const c1 = await insertOnes(journaled, 1);
  const c16 = await insertOnes(journaled, 16);
  report({ name: 'insertOne concurrency 1', value: c1, unit: 'ops/s' });
  report({
    name: 'insertOne concurrency 16',
    value: c16,
    unit: 'ops/s',
    baseline: { name: 'concurrency 1', value: c1 },
    target: 'ratio > 1 (group commit)',
  });
  const memC1 = await insertOnes(memory, 1);
  report({
    name: 'insertOne concurrency 1, journaled',
    value: c1,
    unit: 'ops/s',
    baseline: { name: 'in-memory server', value: memC1 },
  });

  heading(`insertMany, ${MANY_DOCS.toLocaleString('en-US')} small docs in batches of ${BATCH}, docs/s`);
  const many = await insertMany(journaled);
  const manyMemory = await insertMany(memory);
  report({
    name: 'insertMany journaled',
    value: many,
    unit: 'docs/s',
    baseline: { name: 'in-memory server', value: manyMemory },
    target: '≥ 50,000 docs/s',
  });

  heading('$inc updateOne by _id, journaled, ops/s');
  const inc1 = await increments(journaled, 1);
  const inc16 = await increments(journaled, 16);
  report({ name: '$inc concurrency 1', value: inc1, unit: 'ops/s' });
  report({
    name: '$inc concurrency 16',
    value: inc16,
    unit: 'ops/s',
    baseline: { name: 'concurrency 1', value: inc1 },
  });
} finally {
  await journaled.close();
  await memory.close();
}
