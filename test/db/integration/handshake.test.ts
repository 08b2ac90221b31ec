// The official driver (v7) and mongoose (v9) connect to the embedded server unchanged over TCP, and the
// server-level commands answer the way the driver expects.
import { expect } from 'chai';
import { MongoClient, MongoServerError } from 'mongodb';
import mongoose from 'mongoose';
import { startHarness, type Harness } from './harness.ts';

describe('integration: handshake and server commands', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('connects the driver and answers ping, buildInfo and hello', async () => {
    const admin = h.client.db('admin');
    expect(await admin.command({ ping: 1 })).to.deep.equal({ ok: 1 });
    const info = await admin.command({ buildInfo: 1 });
    expect(info.version).to.equal('7.0.0-embedded');
    const hello = await admin.command({ hello: 1 });
    expect(hello.isWritablePrimary).to.equal(true);
    expect(hello).not.to.have.property('topologyVersion');
  });

  it('is seen by the driver as a standalone server with session support', async () => {
    const client = new MongoClient(h.server.uri);
    const seen: Array<{ type: string; sessionMinutes: number | null }> = [];
    client.on('topologyDescriptionChanged', (e) => {
      for (const s of e.newDescription.servers.values()) {
        seen.push({ type: s.type, sessionMinutes: e.newDescription.logicalSessionTimeoutMinutes });
      }
    });
    await client.connect();
    const session = client.startSession();
    await client.db('admin').command({ ping: 1 }, { session });
    await session.endSession();
    const last = seen.at(-1);
    await client.close();
    expect(last).to.deep.equal({ type: 'Standalone', sessionMinutes: 30 });
  });

  it('answers an unknown command with code 59 CommandNotFound', async () => {
    const err = await h.client
      .db('test')
      .command({ frobnicate: 1 })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MongoServerError);
    expect(err).to.include({ code: 59, codeName: 'CommandNotFound' });
    expect((err as Error).message).to.equal("no such command: 'frobnicate'");
  });

  it('lets several clients connect at once and each ping', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => new MongoClient(h.server.uri).connect()));
    const replies = await Promise.all(clients.map((c) => c.db('admin').command({ ping: 1 })));
    await Promise.all(clients.map((c) => c.close()));
    expect(replies.map((r) => r.ok)).to.deep.equal([1, 1, 1]);
  });

  it('fails a client with credentials clearly: authentication is not supported', async () => {
    const withAuth = new MongoClient(h.server.uri.replace('mongodb://', 'mongodb://user:pw@'), {
      serverSelectionTimeoutMS: 2000,
    });
    const err = await withAuth.connect().catch((e: unknown) => e);
    await withAuth.close();
    expect(String((err as Error).message)).to.match(
      /Authentication .*is not supported by the embedded server/,
    );
  });

  it('connects mongoose 9', async () => {
    const conn = await mongoose
      .createConnection(h.server.uri + 'handshake', { autoIndex: false })
      .asPromise();
    try {
      expect(conn.readyState).to.equal(1);
      const ping = await conn.db!.admin().command({ ping: 1 });
      expect(ping.ok).to.equal(1);
    } finally {
      await conn.close();
    }
  });
});
