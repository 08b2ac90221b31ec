/**
 * The real app as a child process, started the way `npm start` runs it (`node --import tsx server/main.ts`)
 * on a given DATA_DIR, in demo mode (the data set's users exist, so it does not reseed), logging warnings only;
 * and the bare Express echo app used as the intake baseline. Start-up time is spawn → first `/healthz` 200 (or
 * the echo's first answer).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { benchConfig } from '../bench-config.ts';
import { DEMO_PASSWORD } from '../../../server/seed/users.seed.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ECHO_SERVER = fileURLToPath(new URL('./echo-server.ts', import.meta.url));

export interface ChildServer {
  pid: number;
  baseUrl: string;
  /** Spawn → first healthy answer, ms. */
  startMs: number;
  /** The last few KB of its stdout and stderr (for failure reports). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the shutdown time in ms. */
  stop(graceMs?: number): Promise<number>;
}

async function tryPort(wanted: number): Promise<number | null> {
  const server = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(wanted, '127.0.0.1', () => resolve(true));
  });
  if (!ok) return null;
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// BENCH_PORTS ("4461-4469") keeps the apps on ports a shared machine set aside; otherwise any free port.
export async function freePort(): Promise<number> {
  const range = /^(\d+)-(\d+)$/.exec(process.env.BENCH_PORTS ?? '');
  if (!range) return (await tryPort(0))!;
  for (let p = Number(range[1]); p <= Number(range[2]); p++) {
    const port = await tryPort(p);
    if (port !== null) return port;
  }
  throw new Error(`no free port in BENCH_PORTS ${process.env.BENCH_PORTS}`);
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function launch(
  args: string[],
  env: NodeJS.ProcessEnv,
  probe: string,
  port: number,
): Promise<ChildServer> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async (graceMs = 300_000) => {
    const t = performance.now();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    }
    return performance.now() - t;
  };
  const deadline = started + benchConfig.startTimeoutS * 1000;
  while (!(await answers(baseUrl + probe))) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before answering: ${tail.slice(-600)}`);
    if (performance.now() > deadline) {
      await stop(5000);
      throw new Error(`no answer on ${probe} within ${benchConfig.startTimeoutS} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { pid: child.pid!, baseUrl, startMs: performance.now() - started, output: () => tail, stop };
}

/**
 * The app on `dataDir` (a copy of a data set) with its clock running from `asOf` (DEMO_CLOCK_AT): a data set
 * built hours ago would otherwise start with a catch-up sweep of every step that fell due since, and the
 * figures would measure that instead of the paths under test.
 */
export async function startApp(dataDir: string, asOf?: string): Promise<ChildServer> {
  const port = await freePort();
  const { MONGODB_URI: _ignored, ...inherited } = process.env;
  const env = {
    ...inherited,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    // BENCH_APP_LOG_LEVEL=info keeps the start-up lines (its phases, the one-time upgrades) in `output()`.
    LOG_LEVEL: inherited.BENCH_APP_LOG_LEVEL ?? 'warn',
    DEMO: '1',
    // Demo mode would take SMTP port 2525, which a developer's running app may hold; no bench sends mail.
    SMTP_PORT: 'off',
    ...(asOf ? { DEMO_CLOCK_AT: asOf } : {}),
    // As `npm start` sets it (README «Deploy»): huge pages for the database's document slabs.
    GLIBC_TUNABLES: inherited.GLIBC_TUNABLES ?? 'glibc.malloc.hugetlb=1',
  };
  // BENCH_APP_NODE_ARGS: extra node flags for the app only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
  // (node refuses --cpu-prof in NODE_OPTIONS).
  const extra = (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  return launch([...extra, '--import', 'tsx', 'server/main.ts'], env, '/healthz', port);
}

/** A staff JWT for a demo user of the app's data set (every demo account's password is demo1234). */
export async function loginAs(app: ChildServer, username: string): Promise<string> {
  const res = await fetch(`${app.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A bare Express 5 app answering POST /echo with its JSON body (201), like intake answers. */
export async function startEcho(): Promise<ChildServer> {
  const port = await freePort();
  return launch(['--import', 'tsx', ECHO_SERVER], { ...process.env, PORT: String(port) }, '/ready', port);
}
