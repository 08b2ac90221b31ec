/**
 * A real embedded server for a benchmark: journaled on a temp dbpath (or in memory, for baselines), reached
 * through the official driver exactly as the application reaches it.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { startEmbeddedServer, type EmbeddedServer } from '../../server/db/embedded/server.ts';

export interface BenchServer {
  server: EmbeddedServer;
  client: MongoClient;
  dbpath?: string;
  close(): Promise<void>;
}

export async function startBenchServer(options: {
  journaled: boolean;
  dbpath?: string;
}): Promise<BenchServer> {
  const dbpath = options.journaled
    ? (options.dbpath ?? (await mkdtemp(join(tmpdir(), 'bench-'))))
    : undefined;
  const server = await startEmbeddedServer({ port: 0, dbpath, logger: pino({ level: 'silent' }) });
  const client = new MongoClient(server.uri, { directConnection: true, maxPoolSize: 32 });
  await client.connect();
  return {
    server,
    client,
    dbpath,
    close: async () => {
      await client.close();
      await server.close();
      if (dbpath && !options.dbpath) await rm(dbpath, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until no checkpoint is being written (no snapshot temp file for a few polls in a row), so a query
 * benchmark measures queries rather than queries competing with a background snapshot. Returns the wait in ms.
 */
export async function settleCheckpoints(dbpath: string): Promise<number> {
  const start = Date.now();
  for (let quiet = 0; quiet < 5;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    quiet = (await readdir(dbpath)).includes('snapshot.bson.tmp') ? 0 : quiet + 1;
  }
  return Date.now() - start - 1000;
}

/**
 * Small documents (about 90 bytes of BSON) of the shape the benchmarks share: a unique key, a score that the
 * range benchmark indexes, the same score under a name no index covers (the unindexed baseline), some text.
 */
export function smallDoc(i: number) {
  const score = (i * 7919) % 1_000_003;
  return { k: i, score, unindexedScore: score, category: `c${i % 50}`, name: `item ${i}` };
}

/** Inserts `count` small documents in batches; returns the elapsed milliseconds. */
export async function bulkLoad(
  client: MongoClient,
  ns: { db: string; coll: string },
  count: number,
  from = 0,
) {
  const collection = client.db(ns.db).collection(ns.coll);
  const batch = 10_000;
  for (let start = from; start < from + count; start += batch) {
    const docs = [];
    for (let i = start; i < Math.min(from + count, start + batch); i++) docs.push(smallDoc(i));
    await collection.insertMany(docs, { ordered: false });
  }
}
