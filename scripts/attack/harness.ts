/**
 * The attack script's harness (scripts/attack.ts and its probe modules): starts the app as `npm start` runs it
 * on a given DATA_DIR, calls it over HTTP on 127.0.0.1 (from any loopback source address, so probes can play
 * many clients without trusting a proxy header), and keeps the tally of findings and requests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---------------------------------------------------------------- the tally
export const findings: string[] = [];
export const tally = { requests: 0 };

export function finding(text: string): void {
  findings.push(text);
  console.log(`  !! ${text}`);
}
export function ok(text: string): void {
  console.log(`  ok ${text}`);
}
/** A figure worth reading that is neither a pass nor a finding. */
export function note(text: string): void {
  console.log(`  .. ${text}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

// ---------------------------------------------------------------- the app under attack
export interface App {
  child: ChildProcess;
  base: string;
  dataDir: string;
  output(): string;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startApp(dataDir: string, extraEnv: Record<string, string> = {}): Promise<App> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      SMTP_PORT: 'off',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + String(d)).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + String(d)).slice(-20_000)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`app exited:\n${out}`);
    if (Date.now() > deadline) throw new Error(`app did not answer within 300 s:\n${out}`);
    const res = await fetch(`${base}/healthz`).catch(() => undefined);
    if (res?.ok) break;
    await sleep(250);
  }
  return { child, base, dataDir, output: () => out };
}

export function stopApp(app: App, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    app.child.once('exit', () => resolve());
    app.child.kill(signal);
  });
}

/** The app process's resident memory in MiB (the embedded database is a thread of it, so it is included). */
export async function rssMb(app: App): Promise<number> {
  const status = await readFile(`/proc/${app.child.pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

// ---------------------------------------------------------------- HTTP
export interface Reply {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

export async function call(
  base: string,
  method: string,
  url: string,
  opts: { token?: string; body?: string | object; headers?: Record<string, string> } = {},
): Promise<Reply> {
  tally.requests++;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + url, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** The `name=value` of the cookie a reply sets, if it sets one. */
export function cookieOf(res: Reply, name: string): string | undefined {
  for (const c of res.headers.getSetCookie()) if (c.startsWith(`${name}=`)) return c.split(';')[0];
  return undefined;
}

export async function login(base: string, username: string): Promise<string> {
  const res = await call(base, 'POST', '/api/auth/login', { body: { username, password: 'demo1234' } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text.slice(0, 200)}`);
  return res.json.token as string;
}

export interface TimedReply {
  /** 0 when the request got no answer (the error is in `text`). */
  status: number;
  text: string;
  ms: number;
}

/**
 * A JSON request over node:http from a chosen loopback source address (`127.x.y.z`): the app sees a different
 * client address per source, exactly as it would see different machines, with no proxy header involved.
 * Keep-alive per agent; never throws (a reset or refusal is status 0).
 */
export function send(
  base: string,
  method: string,
  url: string,
  opts: {
    token?: string;
    body?: object;
    /** false: a fresh connection, closed after the answer. */
    agent?: http.Agent | false;
    localAddress?: string;
    timeoutMs?: number;
  } = {},
): Promise<TimedReply> {
  tally.requests++;
  const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string | number> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': body.length });
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, text: string) => resolve({ status, text, ms: performance.now() - started });
    const req = http.request(base + url, {
      method,
      headers,
      agent: opts.agent,
      localAddress: opts.localAddress,
      timeout: opts.timeoutMs ?? 30_000,
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => done(res.statusCode ?? 0, text));
      res.on('error', (err) => done(0, String(err)));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 30_000} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => done(0, `${err.code ?? ''} ${err.message}`.trim()));
    req.end(body);
  });
}
