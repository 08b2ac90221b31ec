/**
 * Timing primitives shared by the benchmarks: sequential latencies (with percentiles) and throughput at a
 * given concurrency. Each measurement warms up first so JIT and connection set-up do not count.
 */
import { performance } from 'node:perf_hooks';

export interface LatencyStats {
  p50: number;
  p99: number;
  mean: number;
}

/** Runs `op` `count` times one after another; milliseconds per call. */
export async function latency(count: number, op: (i: number) => Promise<unknown>): Promise<LatencyStats> {
  for (let i = 0; i < Math.min(200, count); i++) await op(i);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await op(i);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), mean };
}

/** Runs `total` calls (i = 0 … total-1) spread over `concurrency` loops; calls per second. */
export async function throughput(
  concurrency: number,
  total: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await op(next++);
  };
  // Warm-up calls get indexes past `total`, so they never collide with measured ones.
  await Promise.all(Array.from({ length: concurrency }, (_, w) => op(total + w)));
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total / ((performance.now() - start) / 1000);
}

/** Milliseconds taken by `run`. */
export async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
