// With a dbpath, everything acknowledged before a clean close is there after a restart: documents with their
// exact types, collections, and indexes that still enforce uniqueness.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Decimal128, Double, Long, MongoClient, MongoServerError } from 'mongodb';
import pino from 'pino';
import { startEmbeddedServer } from '../../../server/db/embedded/server.ts';
import { startCli } from './cli-process.ts';

describe('integration: persistence across restarts', function () {
  this.timeout(30000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'embedded-it-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const start = () =>
    startEmbeddedServer({ dbpath: dir, logger: pino({ level: 'silent' }), maintenanceIntervalMs: 0 });

  it('keeps documents, types and unique indexes after close and restart', async () => {
    let server = await start();
    let client = await new MongoClient(server.uri).connect();
    const c = () => client.db('app').collection('things');
    await c().createIndex({ code: 1 }, { unique: true });
    await c().insertMany(Array.from({ length: 50 }, (_, i) => ({ code: `c${i}`, n: i })));
    await c().insertOne({
      code: 'typed',
      d: new Double(5),
      l: Long.fromNumber(3),
      dec: Decimal128.fromString('0.10'),
    });
    await c().updateOne({ code: 'c1' }, { $set: { n: 100 } });
    await c().deleteOne({ code: 'c2' });
    await client.close();
    await server.close();

    server = await start();
    client = await new MongoClient(server.uri).connect();
    expect(await c().countDocuments()).to.equal(50);
    expect((await c().findOne({ code: 'c1' }))?.n).to.equal(100);
    expect(await c().findOne({ code: 'c2' })).to.equal(null);
    const typed = await c().findOne({ code: 'typed' }, { promoteValues: false, promoteLongs: false });
    expect(typed?.d).to.be.instanceOf(Double);
    expect(typed?.l).to.be.instanceOf(Long);
    expect(typed?.dec.toString()).to.equal('0.10');
    expect((await c().indexes()).map((i) => i.name)).to.include('code_1');
    const dup = await c()
      .insertOne({ code: 'c3' })
      .catch((e: unknown) => e);
    expect(dup).to.be.instanceOf(MongoServerError);
    expect(dup).to.include({ code: 11000 });
    await client.close();
    await server.close();
  });

  it('checkpoints while running once the journal passes checkpointBytes, and recovers from it', async () => {
    const server = await startEmbeddedServer({
      dbpath: dir,
      checkpointBytes: 64 * 1024,
      logger: pino({ level: 'silent' }),
      maintenanceIntervalMs: 0,
    });
    const client = await new MongoClient(server.uri).connect();
    const c = client.db('app').collection('bulk');
    for (let i = 0; i < 20; i++) {
      await c.insertMany(Array.from({ length: 50 }, (_, k) => ({ i, k, pad: 'p'.repeat(100) })));
    }
    const deadline = Date.now() + 5000;
    while (!existsSync(path.join(dir, 'snapshot.bson')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(existsSync(path.join(dir, 'snapshot.bson')), 'no checkpoint while running').to.equal(true);
    await client.close();
    await server.close();
    const again = await start();
    const reader = await new MongoClient(again.uri).connect();
    expect(await reader.db('app').collection('bulk').countDocuments()).to.equal(1000);
    await reader.close();
    await again.close();
  });

  it('refuses a second server on the same dbpath while the first runs', async () => {
    const server = await start();
    const err = await start().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/is in use by process/);
    await server.close();
    const again = await start();
    await again.close();
  });

  it('the CLI with --dbpath serves the same data after SIGTERM and restart', async () => {
    let cli = await startCli(['--port', '0', '--dbpath', dir]);
    expect(cli.lines.some((l) => String(l.msg).includes('memory only'))).to.equal(false);
    let client = await new MongoClient(cli.uri).connect();
    await client
      .db('app')
      .collection('notes')
      .insertMany([{ n: 1 }, { n: 2 }]);
    await client.close();
    cli.child.kill('SIGTERM');
    expect(await cli.exited).to.equal(0);

    cli = await startCli(['--port', '0', '--dbpath', dir]);
    client = await new MongoClient(cli.uri).connect();
    const notes = await client
      .db('app')
      .collection('notes')
      .find({}, { projection: { _id: 0 } })
      .toArray();
    expect(notes).to.deep.equal([{ n: 1 }, { n: 2 }]);
    await client.close();
    cli.child.kill('SIGTERM');
    expect(await cli.exited).to.equal(0);
  });
});
