/**
 * Indexed findOne latency against the protocol floor: a driver `ping` round trip on the same connection pool.
 * Target: the indexed lookup within 1.5× of a ping.
 */
import { benchConfig } from './lib/bench-config.ts';
import { bulkLoad, settleCheckpoints, startBenchServer } from './lib/bench-server.ts';
import { latency } from './lib/measure.ts';
import { heading, report } from './lib/report.ts';

const DOCS = Math.min(benchConfig.docs, 100_000);

const bench = await startBenchServer({ journaled: true });
try {
  heading(`indexed findOne over ${DOCS.toLocaleString('en-US')} docs (journaled server, driver, sequential)`);
  const reads = bench.client.db('bench').collection('reads');
  await reads.createIndex({ k: 1 }, { unique: true });
  await bulkLoad(bench.client, { db: 'bench', coll: 'reads' }, DOCS);
  const admin = bench.client.db('admin');
  // The load triggers a background checkpoint; timing the baseline while it runs would flatter the ratio.
  await settleCheckpoints(bench.dbpath!);
  // Warm both paths (JIT, connection pool) before either is timed.
  await latency(Math.min(500, benchConfig.ops), () => admin.command({ ping: 1 }));
  await latency(Math.min(500, benchConfig.ops), (i) => reads.findOne({ k: (i * 7919) % DOCS }));

  const ping = await latency(benchConfig.ops, () => admin.command({ ping: 1 }));
  const find = await latency(benchConfig.ops, (i) => reads.findOne({ k: (i * 7919) % DOCS }));
  const ratioTarget = '≤ 1.5×';
  report({
    name: 'findOne({k}) p50',
    value: find.p50,
    unit: 'ms',
    baseline: { name: 'ping p50', value: ping.p50 },
    target: ratioTarget,
  });
  report({
    name: 'findOne({k}) mean',
    value: find.mean,
    unit: 'ms',
    baseline: { name: 'ping mean', value: ping.mean },
  });
  report({
    name: 'findOne({k}) p99',
    value: find.p99,
    unit: 'ms',
    baseline: { name: 'ping p99', value: ping.p99 },
  });
} finally {
  await bench.close();
}
