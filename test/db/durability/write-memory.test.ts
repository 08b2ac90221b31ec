/**
 * A multi-document write's memory is one chunk, not its matches: the real server, in a child process with a
 * small JavaScript heap, updates documents whose decoded form is several times that heap. A write that held
 * every match until its commit (one decoded document each on this update's path) ran out of heap and died.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { killStartedServers, startServerProcess } from './server-process.ts';

const HEAP_MB = 64;
const DOCS = 10_000;
/** Empty sub-documents: 10 bytes each in BSON, several times that as decoded objects. */
const ITEMS = 400;

describe('durability: a multi-document write in a small heap', function () {
  this.timeout(120_000);
  let dbpath: string;

  beforeEach(async () => {
    dbpath = await mkdtemp(join(tmpdir(), 'write-memory-'));
  });
  afterEach(async () => {
    await killStartedServers();
    await rm(dbpath, { recursive: true, force: true });
  });

  it(`updates ${DOCS} documents in a ${HEAP_MB} MB heap, more than the heap once decoded`, async () => {
    const server = await startServerProcess(dbpath, [], [`--max-old-space-size=${HEAP_MB}`]);
    const client = new MongoClient(server.uri, { directConnection: true, retryWrites: false });
    try {
      const items = client.db('memory').collection<{ _id: number; items: object[] }>('items');
      for (let from = 0; from < DOCS; from += 1_000) {
        const batch = Array.from({ length: 1_000 }, (_, i) => ({
          _id: from + i,
          items: Array.from({ length: ITEMS }, () => ({})),
        }));
        await items.insertMany(batch);
      }
      // A dotted path: every match is decoded whole (engine/update/patch.ts patches top-level fields only).
      const result = await items.updateMany({}, { $set: { 'meta.migrated': true } }).catch((err: Error) => {
        throw new Error(`${err.message}; the server said:\n${server.output().slice(-2_000)}`);
      });
      expect(result).to.include({ matchedCount: DOCS, modifiedCount: DOCS });
      expect(await items.countDocuments({ 'meta.migrated': true })).to.equal(DOCS);
    } finally {
      await client.close(true).catch(() => undefined);
    }
  });
});
