/**
 * Bounded HTTP load with autocannon, run from the benchmark process against a child server on 127.0.0.1:
 * 1 s of warm-up, a wait for the server to go quiet, then `seconds` of load at a fixed concurrency. Besides
 * autocannon's rate and latency percentiles it reports the server's CPU per request: the server's CPU time
 * from the start of the load until it is quiet again (so requests abandoned at the end still count), divided
 * by the requests sent; and, when asked, the database commands per request over the same window.
 */
import autocannon from 'autocannon';
import { benchConfig } from '../bench-config.ts';
import { perRequest, type CommandCounts } from './db-commands.ts';
import { cpuMs, waitForIdle } from './proc-stats.ts';

export interface LoadSpec {
  baseUrl: string;
  /** The server's pid, for its CPU time. */
  pid: number;
  connections: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Paths taken in turn, one per request. */
  paths: readonly string[];
  /** JSON bodies taken in turn (POST). */
  bodies?: readonly unknown[];
  /** Instead of `bodies`: the k-th request's raw body and extra headers (unique ids, signatures). */
  request?: (k: number) => { body: string; headers?: Record<string, string> };
  seconds?: number;
  /** Counts the database's commands before and after the measured load (not the warm-up). */
  commands?: () => Promise<CommandCounts>;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  completed: number;
  sent: number;
  errors: number;
  non2xx: number;
  /** Server CPU per request sent, ms. */
  cpuMsPerRequest: number;
  /** Database commands per request sent, by name (when `commands` was given). */
  commandsPerRequest?: CommandCounts;
}

function run(spec: LoadSpec, seconds: number): Promise<autocannon.Result> {
  let i = 0;
  const bodies = spec.bodies?.map((b) => JSON.stringify(b));
  const json = bodies || spec.request ? { 'content-type': 'application/json' } : {};
  const headers = { ...json, ...spec.headers };
  return autocannon({
    url: spec.baseUrl,
    connections: spec.connections,
    duration: seconds,
    timeout: 60,
    requests: [
      {
        method: spec.method ?? 'GET',
        headers,
        setupRequest: (req) => {
          const k = i++;
          const made = spec.request?.(k);
          return {
            ...req,
            path: spec.paths[k % spec.paths.length],
            ...(bodies ? { body: bodies[k % bodies.length] } : {}),
            ...(made ? { body: made.body, headers: { ...headers, ...made.headers } } : {}),
          };
        },
      },
    ],
  });
}

export async function httpLoad(spec: LoadSpec): Promise<LoadResult> {
  await run(spec, 1);
  await waitForIdle(spec.pid, 120_000);
  // Counting is an extra: if the database cannot be asked, the load's own figures still stand.
  const count = () => spec.commands?.().catch(() => undefined);
  const commandsBefore = await count();
  const cpuBefore = cpuMs(spec.pid);
  const result = await run(spec, spec.seconds ?? benchConfig.seconds);
  await waitForIdle(spec.pid, 120_000);
  const cpuAfter = cpuMs(spec.pid);
  const sent = Math.max(result.requests.sent, result.requests.total, 1);
  const commandsAfter = await count();
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    completed: result.requests.total,
    sent,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuMsPerRequest: (cpuAfter - cpuBefore) / sent,
    commandsPerRequest:
      commandsBefore && commandsAfter ? perRequest(commandsBefore, commandsAfter, sent) : undefined,
  };
}
