/**
 * What a child process costs, read from /proc (Linux): resident memory (VmRSS) and CPU time (utime + stime),
 * each summed over the process and its descendants, or CPU time per thread of one process; and a wait for the
 * process to go quiet (start-up work, a checkpoint, requests abandoned when a load stopped) so one measurement
 * does not bleed into the next.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function descendants(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const children = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim();
      if (children) out.push(...children.split(/\s+/).map(Number));
    } catch {
      // The process ended between two reads.
    }
  }
  return out;
}

/** Sums `read(pid)` over the process tree; a process that ended between two reads counts 0. */
function sumOverTree(pid: number, read: (p: number) => number): number {
  let total = 0;
  for (const p of descendants(pid)) {
    try {
      total += read(p);
    } catch {
      // gone
    }
  }
  return total;
}

/** Resident set size in bytes of the process tree (0 when it is gone). */
export function rssBytes(pid: number): number {
  return sumOverTree(pid, (p) => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  });
}

/** utime + stime in ticks from a /proc `stat` file (a process's or a thread's). */
function statTicks(file: string): number {
  const stat = readFileSync(file, 'utf8');
  // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU time (user + system) in ms consumed so far by the process tree. */
export function cpuMs(pid: number): number {
  const ticks = sumOverTree(pid, (p) => statTicks(`/proc/${p}/stat`));
  return (ticks / TICKS_PER_SECOND) * 1000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the process tree uses under `threshold` of one core for `quietMs` in a row, at most `maxMs`.
 * Returns the wait in ms (maxMs when it never went quiet).
 */
export async function waitForIdle(
  pid: number,
  maxMs = 60_000,
  quietMs = 1500,
  threshold = 0.05,
): Promise<number> {
  const start = Date.now();
  let quietSince = Date.now();
  let last = cpuMs(pid);
  while (Date.now() - start < maxMs) {
    await sleep(250);
    const now = cpuMs(pid);
    if (now - last > 250 * threshold) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return Date.now() - start;
    last = now;
  }
  return maxMs;
}

/** CPU time (user + system) in ms of each thread of a process, by thread id (empty where /proc is missing). */
export function threadCpuMs(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        out.set(Number(tid), (statTicks(`/proc/${pid}/task/${tid}/stat`) / TICKS_PER_SECOND) * 1000);
      } catch {
        // The thread ended between two reads.
      }
    }
  } catch {
    // No /proc here.
  }
  return out;
}

/**
 * Where a process's CPU went between two `threadCpuMs` readings: its main thread, its busiest other thread
 * (in the app and the sweep runner, the embedded database's), and the rest (V8's workers: collector,
 * compiler; libuv).
 */
export function threadSplit(
  pid: number,
  before: Map<number, number>,
  after: Map<number, number>,
): { mainMs: number; busiestMs: number; restMs: number } {
  const spent = [...after].map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)] as const);
  const mainMs = spent.find(([tid]) => tid === pid)?.[1] ?? 0;
  const others = spent
    .filter(([tid]) => tid !== pid)
    .map(([, ms]) => ms)
    .sort((a, b) => b - a);
  const busiestMs = others[0] ?? 0;
  return { mainMs, busiestMs, restMs: others.slice(1).reduce((a, b) => a + b, 0) };
}
