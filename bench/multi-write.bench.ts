/**
 * The memory of one multi-document write: `updateMany({}, {$unset: {searchTerms: 1}})` over every issue of a
 * settled data set (default `issues-100000`; BENCH_MULTI_WRITE_DB for another dbpath), in the bare embedded
 * server (the CLI, `npm run db`) started on a fresh copy, with its RSS (VmRSS) sampled every 100 ms: after
 * start-up, at its peak during the write, and at the reply; plus the write's time and the server's CPU.
 *
 * The baseline is BENCH_MULTI_WRITE_BASELINE=<another checkout> (e.g. a `git worktree` of the commit before a
 * change, node_modules linked): the same write on the same files by that checkout's server, alternating with
 * this one, BENCH_MULTI_WRITE_RUNS (3) of each, medians. Without it the baseline is the RSS after start-up.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { APP_DB_NAME, datasetDir, settledDir } from './lib/dataset/catalog.ts';
import { cpuMs, rssBytes } from './lib/app/proc-stats.ts';
import { freePort } from './lib/app/app-process.ts';
import { heading, note, report } from './lib/report.ts';

const ownCheckout = fileURLToPath(new URL('..', import.meta.url));
const source =
  process.env.BENCH_MULTI_WRITE_DB ??
  [join(settledDir('issues-100000'), 'db'), join(datasetDir('issues-100000'), 'db')].find((d) =>
    existsSync(join(d, 'snapshot.bson')),
  );
const baselineCheckout = process.env.BENCH_MULTI_WRITE_BASELINE;
const runs = Math.max(1, Number(process.env.BENCH_MULTI_WRITE_RUNS ?? 3));
const UPDATE = { $unset: { searchTerms: 1 } };

interface Run {
  startedGB: number;
  peakGB: number;
  replyGB: number;
  ms: number;
  cpuMs: number;
  modified: number;
}

const gb = (bytes: number) => bytes / 1e9;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(checkout: string, work: string): Promise<Run> {
  const dbpath = join(work, 'db');
  rmSync(dbpath, { recursive: true, force: true });
  cpSync(source!, dbpath, { recursive: true });
  const port = await freePort();
  const cli = join(checkout, 'server', 'db', 'embedded', 'cli.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--port', String(port), '--dbpath', dbpath, '--log-level', 'warn'],
    { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A server that dies fails the run at once instead of leaving the driver waiting for it.
  const died = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`the server exited (${code ?? signal}):\n${output.slice(-2_000)}`)),
    ),
  );
  died.catch(() => undefined);
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, {
    directConnection: true,
    serverSelectionTimeoutMS: 600_000,
    // A write that holds the server's thread for minutes (the baseline's) must not look like a dead server.
    connectTimeoutMS: 900_000,
    heartbeatFrequencyMS: 600_000,
  });
  try {
    await Promise.race([client.connect(), died]);
    await sleep(2_000); // the start-up's last allocations settle
    const pid = child.pid!;
    const startedGB = gb(rssBytes(pid));
    let peak = startedGB;
    const sampler = setInterval(() => (peak = Math.max(peak, gb(rssBytes(pid)))), 100);
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    const result = await Promise.race([
      client.db(APP_DB_NAME).collection('issues').updateMany({}, UPDATE),
      died,
    ]);
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const replyGB = gb(rssBytes(pid));
    return {
      startedGB,
      peakGB: Math.max(peak, replyGB),
      replyGB,
      ms,
      cpuMs: cpuMs(pid) - cpu0,
      modified: result.modifiedCount,
    };
  } finally {
    await client.close(true).catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL'); // the copy is thrown away: no checkpoint needed
      await died.catch(() => undefined);
    }
  }
}

if (!source || !existsSync(join(source, 'snapshot.bson'))) {
  console.log(
    'multi-write: no data set (build issues-100000 with the app benchmarks, or set BENCH_MULTI_WRITE_DB)',
  );
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'bench-multi-write-'));
try {
  heading(`one updateMany ${JSON.stringify(UPDATE)} over every issue of ${source}`);
  note(`load average at the start: ${load()} (2 cores)`);
  const own: Run[] = [];
  const theirs: Run[] = [];
  const line = (r: Run) =>
    `RSS ${r.startedGB.toFixed(2)} → peak ${r.peakGB.toFixed(2)} GB (${r.replyGB.toFixed(2)} at the reply), ` +
    `${(r.ms / 1000).toFixed(1)} s, server CPU ${(r.cpuMs / 1000).toFixed(1)} s, ${r.modified} modified`;
  for (let i = 0; i < runs; i++) {
    own.push(await measure(ownCheckout, work));
    note(`run ${i + 1}, this checkout: ${line(own[i])}; load ${load()}`);
    if (!baselineCheckout) continue;
    theirs.push(await measure(baselineCheckout, work));
    note(`run ${i + 1}, ${baselineCheckout}: ${line(theirs[i])}; load ${load()}`);
  }
  const m = (xs: Run[], f: (r: Run) => number) => median(xs.map(f));
  const growth = (r: Run) => r.peakGB - r.startedGB;
  report({
    name: 'RSS growth during the write (peak - start)',
    value: m(own, growth),
    unit: 'GB',
    baseline: baselineCheckout
      ? { name: baselineCheckout, value: m(theirs, growth) }
      : { name: 'RSS after start-up', value: m(own, (r) => r.startedGB) },
  });
  if (baselineCheckout) {
    report({
      name: 'peak RSS during the write',
      value: m(own, (r) => r.peakGB),
      unit: 'GB',
      baseline: { name: baselineCheckout, value: m(theirs, (r) => r.peakGB) },
    });
    report({
      name: 'the write (until its reply)',
      value: m(own, (r) => r.ms),
      unit: 'ms',
      baseline: { name: baselineCheckout, value: m(theirs, (r) => r.ms) },
    });
    report({
      name: "the server's CPU during the write",
      value: m(own, (r) => r.cpuMs),
      unit: 'ms',
      baseline: { name: baselineCheckout, value: m(theirs, (r) => r.cpuMs) },
    });
  }
  note(`load average at the end: ${load()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
