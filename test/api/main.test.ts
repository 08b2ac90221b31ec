// The real entry point, as `npm start` runs it on a fresh clone: embedded database under DATA_DIR (reached
// through its owner-only socket, no TCP port of its own), demo seed, demo banner, a JWT secret that survives
// restarts, and a clean exit on SIGTERM with the data kept.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listeningTcpPorts } from '../db/listening-ports.ts';

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function start(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      PORT: '0',
      SMTP_PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /"url":"(http:\/\/[^"]+)".*"msg":"server listening"/.exec(out);
      if (m) resolve({ child, url: m[1], output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited early (${code}):\n${out}`)));
  });
}

async function waitFor(r: Running, text: string): Promise<void> {
  for (let i = 0; i < 100 && !r.output().includes(text); i++) await new Promise((ok) => setTimeout(ok, 100));
  expect(r.output()).to.contain(text);
}

function stop(r: Running): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.removeAllListeners('exit');
    r.child.on('exit', (code) => resolve(code));
    r.child.kill('SIGTERM');
  });
}

async function login(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo1234' }),
  });
  expect(res.status).to.equal(200);
  return ((await res.json()) as { token: string }).token;
}

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
});
