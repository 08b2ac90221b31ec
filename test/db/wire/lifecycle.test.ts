// The server process around the engine: recovery before serving, the maintenance tick (TTL sweep, idle
// cursors, checkpoints), clean close, and stopping when the journal fails.
import { expect } from 'chai';
import pino from 'pino';
import { startServerWith } from '../../../server/db/embedded/server.ts';
import { fakeParts } from './fake-parts.ts';
import { RawClient, buildOpMsg, parseReply } from './raw-client.ts';

const silent = pino({ level: 'silent' });

describe('server lifecycle', () => {
  it('recovers and finishes recovery before it accepts connections', async () => {
    const parts = fakeParts();
    const server = await startServerWith(parts, { logger: silent, maintenanceIntervalMs: 0 });
    expect(parts.events).to.deep.equal(['recover', 'apply:createCollection', 'finishRecovery']);
    expect(server.uri).to.equal(`mongodb://127.0.0.1:${server.port}/`);
    await server.close();
  });

  it('commits the TTL sweep at the injected time and times out idle cursors on the maintenance tick', async () => {
    const parts = fakeParts();
    let now = new Date('2026-05-01T00:00:00Z');
    const server = await startServerWith(parts, { logger: silent, now: () => now, maintenanceIntervalMs: 0 });
    const client = await RawClient.connect(server);
    client.send(buildOpMsg(1, { numbers: 300, $db: 'test' }));
    const id = parseReply((await client.next())!).body.cursor.id;

    parts.expiring = [{ op: 'delete', ns: 'test.sessions', id: 1 }];
    now = new Date('2026-05-01T00:11:00Z');
    await server.runMaintenance();
    expect(parts.events).to.include('sweep:2026-05-01T00:11:00.000Z');
    expect(parts.committed).to.deep.equal([[{ op: 'delete', ns: 'test.sessions', id: 1 }]]);

    client.send(buildOpMsg(2, { getMore: id, collection: 'numbers', $db: 'test' }));
    expect(parseReply((await client.next())!).body).to.include({ ok: 0, code: 43 });
    client.end();
    await server.close();
  });

  it('runs the tick on its own at the configured interval', async () => {
    const parts = fakeParts();
    const server = await startServerWith(parts, { logger: silent, maintenanceIntervalMs: 20 });
    await new Promise((r) => setTimeout(r, 90));
    await server.close();
    expect(parts.events.filter((e) => e.startsWith('sweep:')).length).to.be.at.least(2);
  });

  it('checkpoints when persistence asks after a commit, and again on close before closing persistence', async () => {
    const parts = fakeParts();
    const server = await startServerWith(parts, { logger: silent, maintenanceIntervalMs: 0 });
    const client = await RawClient.connect(server);
    parts.wantCheckpoint = true;
    client.send(buildOpMsg(1, { record: 'c', $db: 'test' }));
    await client.next();
    await new Promise((r) => setTimeout(r, 20));
    expect(parts.events.filter((e) => e === 'checkpoint')).to.have.length(1);
    expect(parts.events).to.include('dump');
    client.end();
    await server.close();
    expect(parts.events.slice(-4)).to.deep.equal(['checkpoint', 'dump', 'dumped:0', 'close']);
  });

  it('does not hold a reply back while the checkpoint it triggered runs', async () => {
    const parts = fakeParts();
    let release = () => {};
    parts.checkpointGate = new Promise<void>((resolve) => (release = resolve));
    const server = await startServerWith(parts, { logger: silent, maintenanceIntervalMs: 0 });
    const client = await RawClient.connect(server);
    parts.wantCheckpoint = true;
    client.send(buildOpMsg(1, { record: 'c', $db: 'test' }));
    const reply = await client.next(500);
    expect(reply, 'the reply waited for the checkpoint').to.not.equal(undefined);
    expect(parts.events).to.include('checkpoint');
    release();
    client.end();
    await server.close();
  });

  it('close() stops accepting and ends open connections', async () => {
    const parts = fakeParts();
    const server = await startServerWith(parts, { logger: silent, maintenanceIntervalMs: 0 });
    const client = await RawClient.connect(server);
    await server.close();
    expect(await client.waitClosed()).to.equal(true);
    let refused = false;
    await RawClient.connect(server).catch(() => (refused = true));
    expect(refused).to.equal(true);
    await server.close(); // idempotent
  });

  it('close() cuts a connection after the drain timeout but waits for its running commit before closing persistence', async () => {
    const parts = fakeParts();
    let release = () => {};
    parts.commitGate = new Promise<void>((resolve) => (release = resolve));
    const fatal: unknown[] = [];
    const server = await startServerWith(parts, {
      logger: silent,
      maintenanceIntervalMs: 0,
      drainTimeoutMs: 30,
      onFatal: (err) => fatal.push(err),
    });
    const client = await RawClient.connect(server);
    client.send(buildOpMsg(1, { record: 'c', $db: 'test' }));
    while (!parts.events.includes('commit:start')) await new Promise((r) => setTimeout(r, 5));
    const closed = server.close();
    expect(await client.waitClosed(1000), 'connection cut after the drain timeout').to.equal(true);
    expect(parts.events).not.to.include('close');
    release();
    await closed;
    const events = parts.events;
    expect(events.indexOf('commit:done')).to.be.below(events.indexOf('close'));
    expect(fatal).to.deep.equal([]);
  });

  it('treats a failed journal commit as fatal and acknowledges no later write', async () => {
    const parts = fakeParts();
    const fatal: unknown[] = [];
    const server = await startServerWith(parts, {
      logger: silent,
      maintenanceIntervalMs: 0,
      onFatal: (err) => fatal.push(err),
    });
    const client = await RawClient.connect(server);
    parts.failNextCommit = new Error('EIO: disk gone');
    client.send(buildOpMsg(1, { record: 'c', $db: 'test' }));
    expect(parseReply((await client.next())!).body.ok).to.equal(0);
    expect(fatal).to.have.length(1);
    client.send(buildOpMsg(2, { record: 'c', $db: 'test' }));
    expect(parseReply((await client.next())!).body.ok).to.equal(0);
    expect(parts.committed).to.deep.equal([]);
    client.end();
    await server.close();
  });
});
