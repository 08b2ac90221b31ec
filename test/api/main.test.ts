// The real entry point, as `npm start` runs it on a fresh clone: embedded database under DATA_DIR (reached
// through its owner-only socket, no TCP port of its own), demo seed, demo banner, a JWT secret that survives
// restarts, and a clean exit on SIGTERM with the data kept.
import { expect } from 'chai';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listeningTcpPorts } from '../db/listening-ports.ts';
import { login, start, stop, waitFor } from './main.harness.ts';

describe('server/main.ts (npm start)', function () {
  this.timeout(180_000);
  let dataDir = '';
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'eil-main-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on a fresh data directory, seeds, serves, and stops cleanly; a restart keeps data and sessions', async () => {
    const first = await start(dataDir);
    expect(first.output()).to.contain('empty database: seeding demo data');
    await waitFor(first, '演示账号（密码均为 demo1234）');
    await waitFor(first, 'handler-deqing-xinshi');
    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({ status: 'ok' });
    const token = await login(first.url, 'dispatcher');
    // The database answers on DATA_DIR/db.sock (0600) only: the process listens on HTTP and SMTP, nothing else.
    const smtpPort = Number(/"port":(\d+)[^\n]*"msg":"smtp intake listening"/.exec(first.output())?.[1]);
    expect(await listeningTcpPorts(first.child.pid!)).to.deep.equal(
      [Number(new URL(first.url).port), smtpPort].sort((a, b) => a - b),
    );
    const socket = await lstat(path.join(dataDir, 'db.sock'));
    expect(socket.isSocket() && (socket.mode & 0o777).toString(8)).to.equal('600');
    expect(await stop(first)).to.equal(0);
    expect(first.output()).to.contain('"msg":"stopped"');

    const second = await start(dataDir);
    try {
      expect(second.output()).to.not.contain('seeding demo data');
      const me = await fetch(`${second.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).to.equal(200);
      await login(second.url, 'handler-anji-dipu');
    } finally {
      expect(await stop(second)).to.equal(0);
    }
  });

  it('DEMO_CLOCK_AT: the clock starts at that instant and runs (a benchmark runs the app as if live then)', async () => {
    const at = Date.parse('2026-01-05T02:00:00.000Z');
    const running = await start(dataDir, { DEMO_CLOCK_AT: new Date(at).toISOString() });
    try {
      const token = await login(running.url, 'admin');
      const now = async () => {
        const res = await fetch(`${running.url}/api/dev/clock`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return Date.parse(((await res.json()) as { now: string }).now);
      };
      const first = await now();
      expect(first - at).to.be.within(0, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await now()) - first).to.be.at.least(1_000);
    } finally {
      expect(await stop(running)).to.equal(0);
    }
  });
});
