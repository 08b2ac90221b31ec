// The real entry point as `npm start` runs it, for tests: a child process on a data directory (demo mode,
// ephemeral HTTP and SMTP ports, extra environment if given), its output, a clean SIGTERM stop, a login.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

export function start(dataDir: string, env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      PORT: '0',
      SMTP_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /"url":"(http:\/\/[^"]+)".*"msg":"server listening"/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1], output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited early (${code}):\n${out}`)));
  });
}

export async function waitFor(r: Running, text: string): Promise<void> {
  for (let i = 0; i < 100 && !r.output().includes(text); i++) await new Promise((ok) => setTimeout(ok, 100));
  expect(r.output()).to.contain(text);
}

export function stop(r: Running): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.removeAllListeners('exit');
    r.child.on('exit', (code) => resolve(code));
    r.child.kill('SIGTERM');
  });
}

export async function login(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo1234' }),
  });
  expect(res.status).to.equal(200);
  return ((await res.json()) as { token: string }).token;
}
