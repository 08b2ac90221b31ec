/**
 * The journal alone, without the protocol: commits per second at concurrency 1 and 16 and how many commits
 * share each fsync. Isolates what group commit buys from everything else the server does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId, serialize } from 'bson';
import { createDiskPersistence } from '../server/db/embedded/storage/index.ts';
import type { Change } from '../server/db/embedded/contract.ts';
import { benchConfig } from './lib/bench-config.ts';
import { smallDoc } from './lib/bench-server.ts';
import { throughput } from './lib/measure.ts';
import { heading, note, report } from './lib/report.ts';

const change = (i: number): Change => ({
  op: 'insert',
  ns: 'bench.journal',
  doc: serialize({ _id: new ObjectId(), ...smallDoc(i) }),
});

const dir = await mkdtemp(join(tmpdir(), 'bench-journal-'));
const storage = await createDiskPersistence(dir);
try {
  await storage.recover(() => undefined);
  heading('journal commit (write + fdatasync per group), commits/s');
  const rates: Record<number, number> = {};
  for (const concurrency of [1, 16]) {
    const before = storage.stats();
    rates[concurrency] = await throughput(concurrency, benchConfig.ops, (i) => storage.commit([change(i)]));
    const after = storage.stats();
    const perSync = (after.records - before.records) / (after.fsyncs - before.fsyncs);
    note(`concurrency ${concurrency}: ${perSync.toFixed(1)} commits per fsync`);
  }
  report({ name: 'journal commits, concurrency 1', value: rates[1], unit: 'commits/s' });
  report({
    name: 'journal commits, concurrency 16',
    value: rates[16],
    unit: 'commits/s',
    baseline: { name: 'concurrency 1', value: rates[1] },
  });
} finally {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
}
