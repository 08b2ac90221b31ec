/**
 * THE crash test. The real server runs as a child process under a concurrent write load (16 writers: inserts,
 * $inc of two fields together, upserted counters) and is killed with SIGKILL mid-load; after a restart on the
 * same dbpath every acknowledged write must be there and no write may be half-applied. Variants crash twice in
 * a row (writing on top of a recovered, tail-truncated journal), crash after a clean-shutdown snapshot, and
 * crash while the server checkpoints continuously, so kills land before, during and after snapshots. One more
 * kills an updateMany between the chunks it commits (commands/data/shared.ts `writeInChunks`), and one kills
 * a server whose journal holds packed copies and the dictionary they need.
 */
import { expect } from 'chai';
import { access, mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { killStartedServers, startServerProcess, type ServerProcess } from './server-process.ts';
import { startWriteLoad, verifyAgainstLedger, type LoadHandle, type LoadTarget } from './write-load.ts';
import { WRITE_CHUNK } from '../../../server/db/embedded/commands/data/shared.ts';
import { TRAIN_AT } from '../../../server/db/embedded/engine/doc-pack.ts';

const WRITERS = 16;
const clientOptions = { retryWrites: false, serverSelectionTimeoutMS: 3000, directConnection: true } as const;

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Runs the load until `killWhen` says so, kills the server with SIGKILL, and returns what was acknowledged. */
async function loadThenKill(
  server: ServerProcess,
  prefix: string,
  killWhen: (load: LoadHandle) => Promise<void>,
): Promise<LoadHandle> {
  const client = new MongoClient(server.uri, clientOptions);
  await client.connect();
  const load = startWriteLoad(target(client), WRITERS, prefix);
  try {
    const writersDied = load.stopped.then(() => {
      throw new Error(`the writers stopped before the kill:\n${load.ledger.errors.join('\n')}`);
    });
    await Promise.race([killWhen(load), writersDied]);
    // A writer that failed while the server was healthy hides a bug behind the crash.
    expect(load.ledger.errors, 'writes failed before the kill').to.deep.equal([]);
    await server.kill9();
    load.stop();
    await load.stopped;
  } finally {
    await client.close(true).catch(() => undefined);
  }
  return load;
}

const target = (client: MongoClient): LoadTarget => ({
  items: client.db('crash').collection('items'),
  counters: client.db('crash').collection('counters'),
});

async function withRestartedClient<T>(dbpath: string, run: (client: MongoClient) => Promise<T>): Promise<T> {
  const server = await startServerProcess(dbpath);
  const client = new MongoClient(server.uri, clientOptions);
  try {
    await client.connect();
    return await run(client);
  } finally {
    await client.close(true).catch(() => undefined);
    await server.kill9();
  }
}

describe('durability: kill -9 under concurrent writes', function () {
  this.timeout(180_000);
  let dbpath: string;

  beforeEach(async () => {
    dbpath = await mkdtemp(join(tmpdir(), 'kill9-'));
  });
  afterEach(async () => {
    await killStartedServers();
    await rm(dbpath, { recursive: true, force: true });
  });

  it('keeps every acknowledged write and never half-applies one, across two crashes', async () => {
    const first = await startServerProcess(dbpath);
    const setup = new MongoClient(first.uri, clientOptions);
    await setup.db('crash').collection('items').createIndex({ writer: 1, seq: 1 }, { unique: true });
    await setup.close();
    const load1 = await loadThenKill(first, 'one:', (load) => until(() => load.ledger.acknowledged >= 2000));

    // Recover, check, and crash again while writing on top of the recovered (and tail-truncated) journal.
    const second = await startServerProcess(dbpath);
    const verifyClient = new MongoClient(second.uri, clientOptions);
    await verifyAgainstLedger(target(verifyClient), load1.ledger);
    await verifyClient.close();
    const load2 = await loadThenKill(second, 'two:', (load) => until(() => load.ledger.acknowledged >= 1000));

    await withRestartedClient(dbpath, async (client) => {
      await verifyAgainstLedger(target(client), load1.ledger);
      await verifyAgainstLedger(target(client), load2.ledger);
      const indexes = await target(client).items.listIndexes().toArray();
      expect(indexes.map((index) => index.name)).to.include('writer_1_seq_1');
    });
  });

  it('keeps documents packed against a dictionary made just before a kill, across two crashes', async () => {
    // Issues' repetitive shape: the collection packs them, against its dictionary from TRAIN_AT documents on.
    const docs = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        _id: `issue:${from + i}`,
        state: ['received', 'in_progress', 'closed'][(from + i) % 3],
        timeline: Array.from({ length: 6 }, (_, j) => ({
          action: 'note',
          note: `已电话联系企业 ${from + i}-${j}`,
        })),
      }));
    const inserted = async (uri: string, from: number, count: number) => {
      const client = new MongoClient(uri, clientOptions);
      try {
        for (let at = from; at < from + count; at += 100) {
          await client.db('crash').collection<{ _id: string }>('issues').insertMany(docs(at, 100));
        }
      } finally {
        await client.close(true);
      }
    };
    const first = await startServerProcess(dbpath);
    await inserted(first.uri, 0, TRAIN_AT + 200);
    await first.kill9();
    const second = await startServerProcess(dbpath);
    await inserted(second.uri, TRAIN_AT + 200, 300);
    await second.kill9();

    await withRestartedClient(dbpath, async (client) => {
      const found = await client.db('crash').collection('issues').find({}).sort({ _id: 1 }).toArray();
      const all = docs(0, TRAIN_AT + 500).sort((a, b) => (a._id < b._id ? -1 : 1));
      expect(found).to.deep.equal(all);
    });
  });

  it('recovers a snapshot from a clean shutdown plus the journal written after it', async () => {
    const first = await startServerProcess(dbpath);
    await seed(first.uri);
    await first.stop(); // a clean shutdown checkpoints
    expect(await exists(join(dbpath, 'snapshot.bson')), 'clean shutdown wrote no snapshot').to.equal(true);

    const second = await startServerProcess(dbpath);
    const load = await loadThenKill(second, 'after:', (running) =>
      until(() => running.ledger.acknowledged >= 2000),
    );
    await withRestartedClient(dbpath, async (client) => {
      const items = client.db('crash').collection('items');
      await verifyAgainstLedger(target(client), load.ledger);
      expect(await items.countDocuments({ kind: 'seed' })).to.equal(SEED_DOCS);
    });
  });

  it('loads the saved index entries after a crash, and rebuilds when the index file is torn', async function () {
    this.timeout(360_000); // three starts and a clean stop: 158 s at load average 20 on two cores
    const first = await startServerProcess(dbpath);
    const setup = new MongoClient(first.uri, clientOptions);
    // Not unique: the seed documents have neither field.
    await setup.db('crash').collection('items').createIndex({ writer: 1, seq: 1 });
    await setup.close();
    await seed(first.uri);
    await first.stop(); // a clean shutdown checkpoints: snapshot plus index file
    const indexFile = join(dbpath, 'snapshot.indexes.bson');
    expect(await exists(indexFile), 'clean shutdown wrote no index file').to.equal(true);

    const second = await startServerProcess(dbpath);
    const load = await loadThenKill(second, 'idx:', (running) =>
      until(() => running.ledger.acknowledged >= 1000),
    );
    const check = (client: MongoClient) =>
      withIndexCheck(client, async () => {
        await verifyAgainstLedger(target(client), load.ledger);
      });
    await withRestartedClient(dbpath, check);
    // Tear the index file (the restart above may have checkpointed; tear whatever is there now).
    const { size } = await stat(indexFile);
    await truncate(indexFile, Math.floor(size / 2));
    await withRestartedClient(dbpath, check);
  });

  it('survives a kill while the server checkpoints during the load', async () => {
    const server = await startServerProcess(dbpath, ['--checkpoint-mb', '0.05']);
    await seed(server.uri);
    let sawSnapshot = false;
    const load = await loadThenKill(server, 'ckpt:', async (running) => {
      await until(async () => {
        const names = await readdir(dbpath);
        sawSnapshot ||= names.includes('snapshot.bson');
        const writing = names.includes('snapshot.bson.tmp');
        // Die in the middle of writing a snapshot, on top of earlier checkpoints and a good amount of load; the
        // acknowledgement cap only guards against never catching a snapshot in progress.
        return (
          sawSnapshot &&
          running.ledger.acknowledged >= 500 &&
          (writing || running.ledger.acknowledged >= 8000)
        );
      });
    });
    expect(sawSnapshot, 'no checkpoint happened during the load').to.equal(true);

    await withRestartedClient(dbpath, async (client) => {
      const items = client.db('crash').collection('items');
      await verifyAgainstLedger(target(client), load.ledger);
      expect(await items.countDocuments({ kind: 'seed' })).to.equal(SEED_DOCS);
    });
  });

  it('keeps a prefix of a chunked updateMany, each document whole, when killed between its chunks', async () => {
    const server = await startServerProcess(dbpath);
    const writer = new MongoClient(server.uri, clientOptions);
    const watcher = new MongoClient(server.uri, clientOptions);
    const items = writer.db('crash').collection<ChunkedDoc>('chunked');
    await items.createIndex({ v: 1 });
    await items.createIndex({ w: 1, i: 1 });
    for (let from = 0; from < CHUNKED_DOCS; from += 10_000) {
      const batch = Array.from({ length: 10_000 }, (_, k) => ({
        _id: from + k,
        i: from + k,
        pad: 'z'.repeat(200),
      }));
      await items.insertMany(batch);
    }
    let finished = false;
    // In insertion order (a collection scan), so what a crash keeps is a prefix of `i`.
    const update = items.updateMany({}, { $set: { v: 1, w: 'new' } }).then(
      () => (finished = true),
      () => undefined,
    );
    // Two chunks applied means the first was committed: the write waits for a chunk's commit before going on.
    const watched = watcher.db('crash').collection<ChunkedDoc>('chunked');
    await until(async () => (await watched.countDocuments({ v: 1 })) >= 2 * WRITE_CHUNK.changes);
    expect(finished, 'the updateMany ended before the kill').to.equal(false);
    await server.kill9();
    await update;
    await writer.close(true).catch(() => undefined);
    await watcher.close(true).catch(() => undefined);

    await withRestartedClient(dbpath, async (client) => {
      const coll = client.db('crash').collection<ChunkedDoc>('chunked');
      const docs = await coll
        .find({}, { projection: { i: 1, v: 1, w: 1 } })
        .sort({ i: 1 })
        .toArray();
      expect(docs).to.have.length(CHUNKED_DOCS);
      for (const d of docs) expect(d.v === 1, `document ${d.i} half-updated`).to.equal(d.w === 'new');
      const kept = docs.filter((d) => d.v === 1).length;
      expect(kept).to.be.at.least(WRITE_CHUNK.changes).and.below(CHUNKED_DOCS);
      expect(
        docs.findIndex((d) => d.v !== 1),
        'the updated documents are not a prefix',
      ).to.equal(kept);
      // Every index agrees with the documents.
      expect(await coll.countDocuments({ v: 1 }, { hint: 'v_1' })).to.equal(kept);
      expect(await coll.countDocuments({ v: { $exists: false } }, { hint: 'v_1' })).to.equal(
        CHUNKED_DOCS - kept,
      );
      expect(await coll.countDocuments({ w: 'new' }, { hint: 'w_1_i_1' })).to.equal(kept);
      expect(await coll.countDocuments({ v: 1 }, { hint: { $natural: 1 } })).to.equal(kept);
    });
  });
});

const CHUNKED_DOCS = 50_000;

interface ChunkedDoc {
  _id: number;
  i: number;
  pad: string;
  v?: number;
  w?: string;
}

const SEED_DOCS = 20_000;

/** Enough data that a snapshot takes a while to write, so a kill can land in the middle of one. */
async function seed(uri: string): Promise<void> {
  const client = new MongoClient(uri, clientOptions);
  try {
    const docs = Array.from({ length: SEED_DOCS }, (_, i) => ({
      _id: `seed:${i}` as never,
      kind: 'seed',
      i,
      pad: 'y'.repeat(100),
    }));
    await client.db('crash').collection('items').insertMany(docs);
  } finally {
    await client.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Runs `verify`, then checks that each index holds exactly the documents a collection scan finds. */
async function withIndexCheck(client: MongoClient, verify: () => Promise<void>): Promise<void> {
  await verify();
  const items = client.db('crash').collection('items');
  for (const writer of ['idx:0', 'idx:5', 'idx:15']) {
    const viaIndex = await items.countDocuments({ writer }, { hint: 'writer_1_seq_1' });
    const viaScan = await items.countDocuments({ writer }, { hint: { $natural: 1 } });
    expect(viaIndex, `writer ${writer}: index against scan`).to.equal(viaScan);
    expect(viaScan).to.be.greaterThan(0);
  }
  const seeds = await items.countDocuments({ _id: { $gte: 'seed:', $lt: 'seed;' } as never });
  expect(seeds).to.equal(SEED_DOCS);
}
