// Issue 10 finding 12: the embedded server has no authentication, so it listens on an owner-only Unix socket and
// opens a TCP port (loopback) only when asked. Stale socket files from a crash do not block a start; the socket
// of a live server is never taken.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { startEmbeddedServer, type EmbeddedServer } from '../../../server/db/embedded/server.ts';
import { listeningTcpPorts } from '../listening-ports.ts';

const silent = pino({ level: 'silent' });

/** Leaves a socket file behind the way a crashed server does: a process binds it and is killed with -9. */
async function staleSocket(file: string): Promise<void> {
  const script =
    "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))";
  await promisify(execFile)(process.execPath, ['-e', script, file]).catch(() => undefined);
  expect((await lstat(file)).isSocket()).to.equal(true);
}

/** Resolves with the connection error code, or 'connected'. */
function tcpAttempt(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 }, () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

async function roundTrip(uri: string): Promise<unknown> {
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 5000 }).connect();
  try {
    const coll = client.db('sock').collection<{ _id: number; v: string }>('t');
    await coll.insertOne({ _id: Date.now(), v: 'ok' });
    return (await coll.find({ v: 'ok' }).toArray()).length;
  } finally {
    await client.close();
  }
}

describe('integration: the embedded server on a Unix socket', function () {
  this.timeout(30_000);
  let dir = '';
  const servers: EmbeddedServer[] = [];
  const start = async (opts: Parameters<typeof startEmbeddedServer>[0]) => {
    const server = await startEmbeddedServer({ logger: silent, maintenanceIntervalMs: 0, ...opts });
    servers.push(server);
    return server;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'eil-sock-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('opens no TCP port with a socket, makes the socket 0600, and serves the driver through it', async () => {
    const before = await listeningTcpPorts(process.pid);
    const socketPath = path.join(dir, 'db.sock');
    const server = await start({ socketPath });
    expect(server.port).to.equal(undefined);
    expect(server.tcpUri).to.equal(undefined);
    expect(await listeningTcpPorts(process.pid)).to.deep.equal(before);
    const info = await lstat(socketPath);
    expect(info.isSocket()).to.equal(true);
    expect(info.mode & 0o777).to.equal(0o600);
    expect(server.uri).to.equal(`mongodb://${encodeURIComponent(socketPath)}/`);
    expect(await roundTrip(server.uri)).to.equal(1);
    // No private bind directory is left beside it.
    expect((await import('node:fs/promises').then((fs) => fs.readdir(dir))).sort()).to.deep.equal([
      'db.sock',
    ]);
  });

  it('creates a missing socket directory with mode 0700, and removes its socket file on close', async () => {
    const socketPath = path.join(dir, 'run', 'nested', 'db.sock');
    const server = await start({ socketPath });
    expect((await stat(path.dirname(socketPath))).mode & 0o777).to.equal(0o700);
    expect((await stat(path.join(dir, 'run'))).mode & 0o777).to.equal(0o700);
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    expect(await lstat(socketPath).catch((err: NodeJS.ErrnoException) => err.code)).to.equal('ENOENT');
  });

  it('replaces the stale socket file of a crashed server', async () => {
    const socketPath = path.join(dir, 'db.sock');
    await staleSocket(socketPath);
    const server = await start({ socketPath });
    expect(await roundTrip(server.uri)).to.equal(1);
  });

  it("never takes a live server's socket: the second start fails, naming it, and the first keeps serving", async () => {
    const socketPath = path.join(dir, 'db.sock');
    const first = await start({ socketPath });
    const { ino } = await stat(socketPath);
    const err = await startEmbeddedServer({ socketPath, logger: silent, maintenanceIntervalMs: 0 }).catch(
      (e: Error) => e,
    );
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.contain(`another server is listening on ${socketPath}`);
    expect((await stat(socketPath)).ino).to.equal(ino);
    expect(await roundTrip(first.uri)).to.equal(1);
  });

  it('refuses to replace a file that is not a socket, and a path the driver would not read as a socket', async () => {
    const notSocket = path.join(dir, 'data.sock');
    await writeFile(notSocket, 'keep me');
    const err = await start({ socketPath: notSocket }).catch((e: Error) => e);
    expect((err as Error).message).to.match(/exists and is not a socket/);
    expect(await readFile(notSocket, 'utf8')).to.equal('keep me');

    const badName = await start({ socketPath: path.join(dir, 'db.socket') }).catch((e: Error) => e);
    expect((badName as Error).message).to.match(/must end in \.sock/);
    const tooLong = await start({ socketPath: path.join(dir, 'x'.repeat(120) + '.sock') }).catch(
      (e: Error) => e,
    );
    expect((tooLong as Error).message).to.match(/too long for a Unix socket/);
  });

  it('opens an opt-in TCP port on loopback only: another interface of this machine refuses it', async () => {
    const socketPath = path.join(dir, 'db.sock');
    const server = await start({ socketPath, port: 0, host: '127.0.0.1' });
    expect(server.port).to.be.a('number');
    expect(server.tcpUri).to.equal(`mongodb://127.0.0.1:${server.port}/`);
    expect(server.uri).to.equal(`mongodb://${encodeURIComponent(socketPath)}/`);
    expect(await roundTrip(server.tcpUri!)).to.equal(1);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    expect(external, 'a non-loopback IPv4 address on this machine').to.not.equal(undefined);
    expect(await tcpAttempt(external!.address, server.port!)).to.equal('ECONNREFUSED');
  });
});
