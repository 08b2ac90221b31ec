/**
 * The app's transport to the embedded database: a find by `_id` through the official driver over the owner-only
 * Unix socket (the default since issue 10 finding 12) against the same server's loopback TCP port, in the same
 * run, with the server in its own thread as `npm start` runs it. Sequential latency and throughput at
 * concurrency 8; a few seconds in all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedThread } from '../server/db/embedded/thread.ts';
import { benchConfig } from './lib/bench-config.ts';
import { latency, throughput, type LatencyStats } from './lib/measure.ts';
import { heading, note, report } from './lib/report.ts';

const DOCS = 1000;
const OPS = Math.min(benchConfig.ops, 1500);

const dir = await mkdtemp(path.join(os.tmpdir(), 'eil-bench-sock-'));
const server = await startEmbeddedThread(
  { socketPath: path.join(dir, 'db.sock'), port: 0, host: '127.0.0.1', logLevel: 'error' },
  () => undefined,
);
const socketClient = await new MongoClient(server.uri).connect();
const tcpClient = await new MongoClient(server.tcpUri!).connect();
try {
  heading(
    `find by _id through the driver: Unix socket vs loopback TCP (${OPS} ops each, server in its thread)`,
  );
  await socketClient
    .db('bench')
    .collection<{ _id: number; name: string }>('reads')
    .insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: i, name: `企业 ${i}` })));
  const reader = (client: MongoClient) => {
    const coll = client.db('bench').collection<{ _id: number; name: string }>('reads');
    return (i: number) => coll.findOne({ _id: (i * 7919) % DOCS });
  };
  // Alternate the two so that neither gets the quieter moment of a shared machine.
  const runs: Record<'socket' | 'tcp', { lat: LatencyStats[]; rate: number[] }> = {
    socket: { lat: [], rate: [] },
    tcp: { lat: [], rate: [] },
  };
  for (let round = 0; round < 2; round++) {
    for (const [name, client] of [
      ['tcp', tcpClient],
      ['socket', socketClient],
    ] as const) {
      runs[name].lat.push(await latency(OPS / 3, reader(client)));
      runs[name].rate.push(await throughput(8, OPS, reader(client)));
    }
  }
  const p50 = (name: 'socket' | 'tcp') => Math.min(...runs[name].lat.map((l) => l.p50));
  const mean = (name: 'socket' | 'tcp') => Math.min(...runs[name].lat.map((l) => l.mean));
  const rate = (name: 'socket' | 'tcp') => Math.max(...runs[name].rate);
  report({
    name: 'socket findOne p50',
    value: p50('socket'),
    unit: 'ms',
    baseline: { name: 'TCP p50', value: p50('tcp') },
  });
  report({
    name: 'socket findOne mean',
    value: mean('socket'),
    unit: 'ms',
    baseline: { name: 'TCP mean', value: mean('tcp') },
  });
  report({
    name: 'socket findOne at concurrency 8',
    value: rate('socket'),
    unit: 'ops/s',
    baseline: { name: 'TCP', value: rate('tcp') },
  });
  note(
    'best of two alternating rounds each; a ratio below 1 for latency (above 1 for ops/s) favours the socket',
  );
} finally {
  await socketClient.close();
  await tcpClient.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
