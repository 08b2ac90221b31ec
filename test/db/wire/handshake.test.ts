// The server on a real socket: handshake over OP_QUERY and OP_MSG, checksums, moreToCome, and the messages it
// must refuse loudly (OP_COMPRESSED, unknown opcodes, oversize or corrupt frames).
import { expect } from 'chai';
import pino from 'pino';
import { startServerWith, type EmbeddedServer } from '../../../server/db/embedded/server.ts';
import { MsgFlags, OpCode } from '../../../server/db/embedded/wire/constants.ts';
import { fakeParts, type FakeParts } from './fake-parts.ts';
import { RawClient, buildOpMsg, buildOpQuery, parseReply } from './raw-client.ts';

const NOW = new Date('2026-03-01T08:00:00Z');

describe('wire server over TCP', () => {
  let parts: FakeParts;
  let server: EmbeddedServer;
  let client: RawClient;

  beforeEach(async () => {
    parts = fakeParts();
    server = await startServerWith(parts, {
      logger: pino({ level: 'silent' }),
      now: () => NOW,
      maintenanceIntervalMs: 0,
    });
    client = await RawClient.connect(server);
  });
  afterEach(async () => {
    client.end();
    await server.close();
  });

  async function command(body: Record<string, unknown>, requestId = 1) {
    client.send(buildOpMsg(requestId, body));
    const message = await client.next();
    if (!message) throw new Error('no reply');
    return parseReply(message);
  }

  it('answers a legacy OP_QUERY isMaster with an OP_REPLY carrying the handshake fields', async () => {
    client.send(
      buildOpQuery(11, 'admin.$cmd', { isMaster: 1, helloOk: true, client: { driver: { name: 'x' } } }),
    );
    const reply = parseReply((await client.next())!);
    expect(reply.opCode).to.equal(OpCode.REPLY);
    expect(reply.responseTo).to.equal(11);
    expect(reply.body).to.include({
      ok: 1,
      ismaster: true,
      helloOk: true,
      maxBsonObjectSize: 16777216,
      maxMessageSizeBytes: 48000000,
      maxWriteBatchSize: 100000,
      logicalSessionTimeoutMinutes: 30,
      minWireVersion: 0,
      readOnly: false,
    });
    expect(reply.body.maxWireVersion).to.be.at.least(17);
    expect(reply.body.localTime).to.deep.equal(NOW);
    expect(reply.body.connectionId).to.be.a('number');
    for (const absent of ['topologyVersion', 'compression', 'saslSupportedMechs', 'setName', 'msg']) {
      expect(reply.body).not.to.have.property(absent);
    }
  });

  it('refuses any other command over OP_QUERY', async () => {
    client.send(buildOpQuery(12, 'test.$cmd', { find: 'c' }));
    const reply = parseReply((await client.next())!);
    expect(reply.body).to.include({ ok: 0, code: 352 });
  });

  it('answers OP_MSG hello with isWritablePrimary, and only the first hello may carry client metadata', async () => {
    const first = await command({ hello: 1, client: { application: { name: 'a' } }, $db: 'admin' }, 21);
    expect(first.opCode).to.equal(OpCode.MSG);
    expect(first.responseTo).to.equal(21);
    expect(first.body).to.include({ ok: 1, isWritablePrimary: true });
    expect(first.body).not.to.have.property('ismaster');
    expect(first.body).not.to.have.property('helloOk');
    const again = await command({ hello: 1, client: { application: { name: 'b' } }, $db: 'admin' });
    expect(again.body).to.include({ ok: 0, code: 186 });
    expect((await command({ hello: 1, $db: 'admin' })).body.ok).to.equal(1);
  });

  it('gives each connection its own connectionId', async () => {
    const other = await RawClient.connect(server);
    other.send(buildOpMsg(1, { hello: 1, $db: 'admin' }));
    const theirs = parseReply((await other.next())!).body.connectionId;
    const mine = (await command({ hello: 1, $db: 'admin' })).body.connectionId;
    other.end();
    expect(theirs).to.not.equal(mine);
  });

  it('accepts a checksummed request and rejects a corrupted one, then closes', async () => {
    client.send(buildOpMsg(31, { ping: 1, $db: 'admin' }, { checksum: true }));
    expect(parseReply((await client.next())!).body).to.deep.equal({ ok: 1 });
    const bad = buildOpMsg(32, { ping: 1, $db: 'admin' }, { checksum: true });
    bad[bad.length - 1] ^= 0x01;
    client.send(bad);
    const reply = parseReply((await client.next())!);
    expect(reply.responseTo).to.equal(32);
    expect(reply.body.ok).to.equal(0);
    expect(reply.body.errmsg).to.match(/checksum mismatch/);
    expect(await client.waitClosed()).to.equal(true);
  });

  it('executes a moreToCome (w:0) command without replying, in order with later commands', async () => {
    client.send(buildOpMsg(41, { record: 'c', value: 1, $db: 'test' }, { flags: MsgFlags.moreToCome }));
    client.send(buildOpMsg(42, { record: 'c', value: 2, $db: 'test' }, { flags: MsgFlags.moreToCome }));
    client.send(buildOpMsg(43, { ping: 1, $db: 'admin' }));
    const reply = parseReply((await client.next())!);
    expect(reply.responseTo).to.equal(43);
    expect(parts.recorded.map((d) => d.value)).to.deep.equal([1, 2]);
    expect(await client.next(200)).to.equal(undefined);
  });

  it('keeps every message of a long w:0 burst, in order, while throttling the socket', async () => {
    const burst = Array.from({ length: 300 }, (_, i) =>
      buildOpMsg(100 + i, { record: 'c', value: i, $db: 'test' }, { flags: MsgFlags.moreToCome }),
    );
    client.send(Buffer.concat([...burst, buildOpMsg(999, { ping: 1, $db: 'admin' })]));
    const reply = parseReply((await client.next(5000))!);
    expect(reply.responseTo).to.equal(999);
    expect(parts.recorded.map((d) => d.value)).to.deep.equal([...Array(300).keys()]);
  });

  it('answers a malformed OP_QUERY with an OP_REPLY error, then closes', async () => {
    const msg = buildOpQuery(71, 'admin.$cmd', { isMaster: 1 });
    msg.writeInt32LE(1000, msg.length - 19); // the 19-byte query document now claims 1000 bytes
    client.send(msg);
    const reply = parseReply((await client.next())!);
    expect(reply.opCode).to.equal(OpCode.REPLY);
    expect(reply.body).to.include({ ok: 0, code: 9 });
    expect(await client.waitClosed()).to.equal(true);
  });

  it('folds a document sequence into the command a handler sees', async () => {
    client.send(
      buildOpMsg(51, { record: 'c', $db: 'test' }, { sequences: { documents: [{ a: 1 }, { a: 2 }] } }),
    );
    expect(parseReply((await client.next())!).body).to.deep.equal({ n: 1, ok: 1 });
    expect(parts.recorded[0].documents).to.deep.equal([{ a: 1 }, { a: 2 }]);
  });

  it('requires $db on OP_MSG', async () => {
    expect((await command({ ping: 1 })).body).to.include({ ok: 0, code: 40571 });
  });

  it('rejects OP_COMPRESSED with an error reply and closes the connection', async () => {
    const msg = buildOpMsg(61, { ping: 1, $db: 'admin' });
    msg.writeInt32LE(OpCode.COMPRESSED, 12);
    client.send(msg);
    const reply = parseReply((await client.next())!);
    expect(reply.responseTo).to.equal(61);
    expect(reply.body.errmsg).to.match(/OP_COMPRESSED is not supported/);
    expect(await client.waitClosed()).to.equal(true);
  });

  it('rejects an unknown or removed opcode (legacy OP_INSERT) and closes the connection', async () => {
    const msg = buildOpMsg(62, { ping: 1, $db: 'admin' });
    msg.writeInt32LE(OpCode.INSERT, 12);
    client.send(msg);
    expect(parseReply((await client.next())!).body.errmsg).to.match(/unsupported opcode 2002/);
    expect(await client.waitClosed()).to.equal(true);
  });

  it('closes a connection that announces a message above maxMessageSizeBytes', async () => {
    const header = Buffer.alloc(16);
    header.writeInt32LE(48_000_001, 0);
    header.writeInt32LE(OpCode.MSG, 12);
    client.send(header);
    expect(await client.waitClosed()).to.equal(true);
    const fresh = await RawClient.connect(server);
    fresh.send(buildOpMsg(1, { ping: 1, $db: 'admin' }));
    expect(parseReply((await fresh.next())!).body).to.deep.equal({ ok: 1 });
    fresh.end();
  });

  it('survives corrupted OP_MSG frames: each is refused, and the server keeps serving', async () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const valid = buildOpMsg(1, { insert: 'c', documents: [{ a: 1, b: 'x' }], $db: 'test' });
    for (let round = 0; round < 100; round++) {
      const msg = Buffer.from(valid);
      for (let k = 0; k < 4; k++)
        msg[16 + Math.floor(random() * (msg.length - 16))] = Math.floor(random() * 256);
      const fuzz = await RawClient.connect(server);
      fuzz.send(msg);
      await fuzz.next(200);
      fuzz.end();
    }
    expect((await command({ ping: 1, $db: 'admin' })).body).to.deep.equal({ ok: 1 });
  });

  it('serves getMore and killCursors for cursors opened by a data command', async () => {
    const opened = (await command({ numbers: 250, $db: 'test' })).body;
    expect(opened.cursor.firstBatch).to.have.length(101);
    const id = opened.cursor.id;
    const more = (await command({ getMore: id, collection: 'numbers', batchSize: 100, $db: 'test' })).body;
    expect(more.cursor.nextBatch.map((d: { i: number }) => d.i)[0]).to.equal(101);
    expect(more.cursor.ns).to.equal('test.numbers');
    const killed = (await command({ killCursors: 'numbers', cursors: [id], $db: 'test' })).body;
    expect(killed.cursorsKilled).to.have.length(1);
    const gone = (await command({ getMore: id, collection: 'numbers', $db: 'test' })).body;
    expect(gone).to.include({ ok: 0, code: 43, codeName: 'CursorNotFound' });
  });

  it('answers the introspection commands drivers and shells send on connect', async () => {
    expect((await command({ buildInfo: 1, $db: 'admin' })).body.version).to.equal('7.0.0-embedded');
    const param = (await command({ getParameter: 1, featureCompatibilityVersion: 1, $db: 'admin' })).body;
    expect(param.featureCompatibilityVersion).to.deep.equal({ version: '7.0' });
    expect((await command({ whatsmyuri: 1, $db: 'admin' })).body.you).to.match(/^127\.0\.0\.1:\d+$/);
    expect((await command({ getLog: 'startupWarnings', $db: 'admin' })).body.log).to.deep.equal([]);
    expect((await command({ hostInfo: 1, $db: 'admin' })).body.system.currentTime).to.deep.equal(NOW);
    const status = (await command({ serverStatus: 1, $db: 'admin' })).body;
    expect(status.connections.current).to.equal(1);
    expect(status.metrics.commands.buildinfo).to.deep.equal({ total: 1, failed: 0 });
    expect(status.metrics.commands.getparameter.total).to.be.at.least(1);
    const commands = (await command({ listCommands: 1, $db: 'admin' })).body.commands;
    expect(commands).to.include.keys('hello', 'getmore', 'record');
    expect((await command({ endSessions: [], $db: 'admin' })).body).to.deep.equal({ ok: 1 });
    expect(
      (await command({ connectionStatus: 1, $db: 'admin' })).body.authInfo.authenticatedUsers,
    ).to.deep.equal([]);
  });
});
