/**
 * Indexed range + sort + limit 20 over BENCH_DOCS (1,000,000) documents, server-side, against the same query on
 * a field no index covers. Target: under 2 ms server-side. Server-side time is the command's round trip minus a
 * ping round trip measured alongside it (both in this process), with explain's executionStats shown too.
 */
import type { Document } from 'mongodb';
import { benchConfig } from './lib/bench-config.ts';
import { bulkLoad, settleCheckpoints, startBenchServer } from './lib/bench-server.ts';
import { elapsed, latency } from './lib/measure.ts';
import { heading, note, report } from './lib/report.ts';

const DOCS = benchConfig.docs;
const QUERIES = Math.min(benchConfig.ops, 2_000);

const bench = await startBenchServer({ journaled: true });
try {
  heading(`range + sort + limit 20 over ${DOCS.toLocaleString('en-US')} docs (journaled server)`);
  const coll = bench.client.db('bench').collection('range');
  await coll.createIndex({ score: 1 });
  const loadMs = await elapsed(() => bulkLoad(bench.client, { db: 'bench', coll: 'range' }, DOCS));
  note(
    `loaded in ${(loadMs / 1000).toFixed(1)} s (${Math.round(DOCS / (loadMs / 1000)).toLocaleString('en-US')} docs/s)`,
  );

  const settledMs = await settleCheckpoints(bench.dbpath!);
  note(
    `waited ${(settledMs / 1000).toFixed(1)} s for the background checkpoint of the loaded data to finish`,
  );

  const query = (field: string, i: number): Promise<Document[]> => {
    const lo = (i * 104_729) % 900_000;
    return coll
      .find({ [field]: { $gte: lo, $lt: lo + 100_000 } })
      .sort({ [field]: 1 })
      .limit(20)
      .toArray();
  };
  const admin = bench.client.db('admin');
  const ping = await latency(QUERIES, () => admin.command({ ping: 1 }));
  const indexed = await latency(QUERIES, (i) => query('score', i));
  const serverSide = Math.max(0, indexed.p50 - ping.p50);
  report({
    name: 'indexed range+sort+limit RTT p50',
    value: indexed.p50,
    unit: 'ms',
    baseline: { name: 'ping p50', value: ping.p50 },
  });
  report({ name: 'indexed, server-side (RTT - ping) p50', value: serverSide, unit: 'ms', target: '< 2 ms' });

  const scanRuns = DOCS > 100_000 ? 3 : 10;
  const unindexed = await latency(scanRuns, (i) => query('unindexedScore', i));
  report({
    name: 'indexed server-side p50',
    value: serverSide,
    unit: 'ms',
    baseline: { name: 'unindexed (collection scan) p50', value: unindexed.p50 - ping.p50 },
  });

  const explain = await coll
    .find({ score: { $gte: 500_000, $lt: 600_000 } })
    .sort({ score: 1 })
    .limit(20)
    .explain('executionStats');
  const stats = (explain.executionStats ?? {}) as Document;
  note(
    `explain: executionTimeMillis=${stats.executionTimeMillis} keysExamined=${stats.totalKeysExamined} docsExamined=${stats.totalDocsExamined} nReturned=${stats.nReturned}`,
  );
} finally {
  await bench.close();
}
