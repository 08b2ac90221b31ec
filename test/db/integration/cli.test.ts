// `npm run db`: the stand-alone server logs where it listens, serves the driver, and stops cleanly on signals.
import { expect } from 'chai';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { listeningTcpPorts } from '../listening-ports.ts';
import { startCli } from './cli-process.ts';

describe('integration: stand-alone CLI', function () {
  this.timeout(30000);

  it('logs its URI, says data is memory-only without --dbpath, and exits 0 on SIGTERM', async () => {
    const cli = await startCli(['--port', '0']);
    expect(cli.uri).to.match(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    expect(cli.lines.some((l) => String(l.msg).includes('memory only'))).to.equal(true);
    const client = await new MongoClient(cli.uri).connect();
    expect((await client.db('admin').command({ ping: 1 })).ok).to.equal(1);
    await client.close();
    cli.child.kill('SIGTERM');
    expect(await cli.exited).to.equal(0);
    expect(cli.lines.some((l) => String(l.msg).includes('closed'))).to.equal(true);
  });

  it('with --socket listens on that owner-only socket and opens no TCP port', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eil-cli-'));
    try {
      const socketPath = path.join(dir, 'db.sock');
      const cli = await startCli(['--socket', socketPath]);
      expect(cli.uri).to.equal(`mongodb://${encodeURIComponent(socketPath)}/`);
      expect(await listeningTcpPorts(cli.child.pid!)).to.deep.equal([]);
      expect((await lstat(socketPath)).mode & 0o777).to.equal(0o600);
      const client = await new MongoClient(cli.uri).connect();
      expect((await client.db('admin').command({ ping: 1 })).ok).to.equal(1);
      await client.close();
      cli.child.kill('SIGTERM');
      expect(await cli.exited).to.equal(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 0 on SIGINT too', async () => {
    const cli = await startCli(['--port', '0']);
    cli.child.kill('SIGINT');
    expect(await cli.exited).to.equal(0);
  });

  it('refuses a bad --port with a usage message and a failing exit code', async () => {
    const err = await startCli(['--port', 'abc']).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/invalid --port 'abc'[\s\S]*usage/);
  });

  it('refuses an unknown --log-level with the usage text', async () => {
    const err = await startCli(['--port', '0', '--log-level', 'loud']).catch((e: Error) => e);
    expect((err as Error).message).to.match(/invalid --log-level 'loud'[\s\S]*usage/);
  });

  it('exits 1 with a fatal log line, not the usage text, when the port is taken', async () => {
    const first = await startCli(['--port', '0']);
    const port = new URL(first.uri).port;
    const err = await startCli(['--port', port]).catch((e: Error) => e);
    expect((err as Error).message).to.match(/exited with 1/);
    expect((err as Error).message).to.match(/\[60\] could not start: .*EADDRINUSE/);
    expect((err as Error).message).not.to.match(/usage/);
    first.child.kill('SIGTERM');
    expect(await first.exited).to.equal(0);
  });
});
