// The app runs the embedded server in a thread of its own: it must serve the official driver from there,
// keep what it acknowledged across a close and a restart, and hand its port back when closed.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { DEFAULT_DB_YOUNG_GENERATION_MB, startEmbeddedThread } from '../../../server/db/embedded/thread.ts';

describe('integration: the embedded server in its own thread', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eil-thread-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function withThread<T>(run: (client: MongoClient) => Promise<T>): Promise<T> {
    const exits: number[] = [];
    const thread = await startEmbeddedThread({ dbpath: dir, logLevel: 'silent' }, (code) => exits.push(code));
    const client = new MongoClient(thread.uri, { directConnection: true });
    try {
      await client.connect();
      return await run(client);
    } finally {
      await client.close();
      await thread.close();
      expect(exits, 'a requested close is not an unexpected exit').to.deep.equal([]);
    }
  }

  it('serves the driver, and keeps acknowledged writes across a restart', async () => {
    await withThread(async (client) => {
      const items = client.db('t').collection<{ _id: number; k: string; touched?: boolean }>('items');
      await items.createIndex({ k: 1 }, { unique: true });
      await items.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: i, k: `key-${i}` })));
      await items.updateOne({ _id: 7 }, { $set: { touched: true } });
    });
    await withThread(async (client) => {
      const items = client.db('t').collection<{ _id: number; k: string; touched?: boolean }>('items');
      expect(await items.countDocuments({})).to.equal(500);
      expect(await items.findOne({ k: 'key-7' })).to.deep.equal({ _id: 7, k: 'key-7', touched: true });
      const err = await items.insertOne({ _id: 1000, k: 'key-1' }).catch((e: { code?: number }) => e);
      expect((err as { code?: number }).code).to.equal(11000);
    });
  });

  it('runs with its own young generation (the default, or the one configured) and the heap limit given', async () => {
    const other = await mkdtemp(join(tmpdir(), 'eil-thread-limits-'));
    try {
      const plain = await startEmbeddedThread({ dbpath: other, logLevel: 'silent' }, () => undefined);
      await plain.close();
      expect(plain.heapLimits.youngMb).to.equal(DEFAULT_DB_YOUNG_GENERATION_MB);
      const sized = await startEmbeddedThread(
        { dbpath: other, logLevel: 'silent', youngMb: 32, heapMb: 1024 },
        () => undefined,
      );
      await sized.close();
      expect(sized.heapLimits).to.deep.equal({ youngMb: 32, oldMb: 1024 });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('refuses to start on a dbpath another server holds, and says why', async () => {
    const first = await startEmbeddedThread({ dbpath: dir, logLevel: 'silent' }, () => undefined);
    try {
      const second = await startEmbeddedThread({ dbpath: dir, logLevel: 'silent' }, () => undefined).catch(
        (e: Error) => e,
      );
      expect(String(second)).to.match(/in use/);
    } finally {
      await first.close();
    }
  });
});
