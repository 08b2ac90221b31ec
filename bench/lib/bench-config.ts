/**
 * The benchmarks' knobs, read from the environment once. BENCH_DOCS shrinks the large data sets (1,000,000 by
 * default) so the whole suite can be smoke-run in seconds: `BENCH_DOCS=20000 npm run bench`.
 */
function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

export const benchConfig = Object.freeze({
  /** Documents for the range query and recovery benchmarks. */
  docs: positiveInt('BENCH_DOCS', 1_000_000),
  /** Operations per latency / throughput measurement. */
  ops: positiveInt('BENCH_OPS', 4_000),
});
