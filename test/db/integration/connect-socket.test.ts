// The app's own start of the embedded database (connectDatabase, as `npm start` runs it): through an owner-only
// socket in DATA_DIR, no TCP port unless EMBEDDED_DB_PORT asks for one (issue 10 finding 12).
import { expect } from 'chai';
import { lstat, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { connectDatabase, EMBEDDED_SOCKET_FILE } from '../../../server/db/connect.ts';
import { listeningTcpPorts } from '../listening-ports.ts';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('integration: connectDatabase on the embedded server', function () {
  this.timeout(90_000);
  let root = '';
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'eil-conn-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates DATA_DIR 0700, talks over DATA_DIR/db.sock (0600), and opens no TCP port', async () => {
    const dataDir = path.join(root, 'fresh', 'data');
    const { logger, lines } = capturingLogger();
    const before = await listeningTcpPorts(process.pid);
    const db = await connectDatabase(
      {
        mongodbUri: undefined,
        dataDir,
        logLevel: 'silent',
        embeddedDbHeapMb: undefined,
        embeddedDbYoungMb: undefined,
        embeddedDbPort: undefined,
      },
      logger,
    );
    try {
      expect(await listeningTcpPorts(process.pid)).to.deep.equal(before);
      expect((await stat(dataDir)).mode & 0o777).to.equal(0o700);
      const socket = await lstat(path.join(dataDir, EMBEDDED_SOCKET_FILE));
      expect(socket.isSocket()).to.equal(true);
      expect(socket.mode & 0o777).to.equal(0o600);
      const hosts = db.conn.getClient().options.hosts.map((h) => h.socketPath ?? `${h.host}:${h.port}`);
      expect(hosts).to.deep.equal([path.join(dataDir, EMBEDDED_SOCKET_FILE)]);
      await db.conn.collection('probe').insertOne({ n: 1 });
      expect(await db.conn.collection('probe').countDocuments({ n: 1 })).to.equal(1);
      const started = lines.find((l) => l.msg === 'embedded database started in its own thread');
      expect(started?.tcpUri).to.equal(undefined);
    } finally {
      await db.close();
    }
    expect(
      await lstat(path.join(dataDir, EMBEDDED_SOCKET_FILE)).catch((e: NodeJS.ErrnoException) => e.code),
    ).to.equal('ENOENT');
  });

  it('opens a loopback TCP port as well when EMBEDDED_DB_PORT asks for one, and says so', async () => {
    const dataDir = path.join(root, 'with-port');
    const { logger, lines } = capturingLogger();
    const before = await listeningTcpPorts(process.pid);
    const db = await connectDatabase(
      {
        mongodbUri: undefined,
        dataDir,
        logLevel: 'silent',
        embeddedDbHeapMb: undefined,
        embeddedDbYoungMb: undefined,
        embeddedDbPort: 0,
      },
      logger,
    );
    try {
      const opened = (await listeningTcpPorts(process.pid)).filter((p) => !before.includes(p));
      expect(opened).to.have.length(1);
      const started = lines.find((l) => l.msg === 'embedded database started in its own thread');
      expect(started?.tcpUri).to.equal(`mongodb://127.0.0.1:${opened[0]}/`);
      // The app itself still goes through the socket.
      expect(db.conn.getClient().options.hosts[0].socketPath).to.equal(
        path.join(dataDir, EMBEDDED_SOCKET_FILE),
      );
    } finally {
      await db.close();
    }
  });
});
