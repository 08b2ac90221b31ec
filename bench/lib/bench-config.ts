/**
 * The benchmarks' knobs, read from the environment once. BENCH_DOCS shrinks the large data sets (1,000,000 by
 * default) so the whole suite can be smoke-run in seconds: `BENCH_DOCS=20000 npm run bench`. The application
 * benchmarks (bench/app-*.bench.ts) take BENCH_ISSUES, BENCH_SECONDS and the data set build limits.
 */
function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

function list(name: string, fallback: string): string[] {
  return (process.env[name] || fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const benchConfig = Object.freeze({
  /** Documents for the range query and recovery benchmarks. */
  docs: positiveInt('BENCH_DOCS', 1_000_000),
  /** Operations per latency / throughput measurement. */
  ops: positiveInt('BENCH_OPS', 4_000),
  /** Application benchmarks: the data set sizes, `demo` or a number of issues. */
  issues: list('BENCH_ISSUES', 'demo,100000,1000000'),
  /** Application benchmarks: seconds of load per measurement (after a 1 s warm-up). */
  seconds: positiveInt('BENCH_SECONDS', 5),
  /** Longest a data set build may take before it is stopped and reported (seconds). */
  loadTimeoutS: positiveInt('BENCH_LOAD_TIMEOUT', 1200),
  /** Heap limit of the data set build process (MiB): the in-process embedded server holds every issue. */
  loadHeapMB: positiveInt('BENCH_LOAD_HEAP_MB', 16_384),
  /** Longest the app may take to answer /healthz after spawn (seconds). */
  startTimeoutS: positiveInt('BENCH_START_TIMEOUT', 900),
  /** Worker threads generating issues (0: on the loading thread); the output is the same either way. */
  genWorkers: Number(process.env.BENCH_GEN_WORKERS ?? 2),
  /** The generated data sets' "now" (ISO instant); default: the build time. */
  asOf: process.env.BENCH_AS_OF || undefined,
});
