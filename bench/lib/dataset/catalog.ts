// The data sets the application benchmarks run on, their names and where their built databases are cached:
//  - `demo`: the real demo seed (server/seed seedDemo) at the time of the build;
//  - `issues-<n>`: n issues of history (generator mode `history`), one enterprise per 10 issues (min 240);
//  - `sweep-<n>`: n OPEN issues, 10,000 of them due at the data set's now (min(10,000, n/2)); the sweep
//    benchmark's set at each size (`demo` → `sweep-20000`).
// A built data set is a DATA_DIR for the app (`<dir>/db` is the embedded server's dbpath) plus
// `manifest.json`: how it was built, the load figures, its state mix, and samples the benchmarks draw
// from (issue ids, QR tokens, credit codes, the busiest unit and enterprise).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenerationSummary } from './generation-summary.ts';

/** Bump whenever generated documents change, so stale caches are rebuilt rather than reused. */
export const GENERATOR_VERSION = 6;
export const DATASET_SEED = 20261130;
export const DATA_ROOT = fileURLToPath(new URL('../../.data/', import.meta.url));
/** The app's embedded database name (server/db/connect.ts). */
export const APP_DB_NAME = 'enterprise-issue-loop';

export type DatasetKind = 'demo' | 'history' | 'sweep';

export interface DatasetRef {
  name: string;
  kind: DatasetKind;
  issues: number;
  enterprises: number;
}

export type Size = 'demo' | number;

export function parseSize(raw: string): Size {
  if (raw === 'demo') return 'demo';
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`BENCH_ISSUES: '${raw}' is neither demo nor a positive integer`);
  return n;
}

export const sizeLabel = (size: Size) => (size === 'demo' ? 'demo' : size.toLocaleString('en-US'));

export function historyDataset(size: Size): DatasetRef {
  if (size === 'demo') return { name: 'demo', kind: 'demo', issues: 320, enterprises: 240 };
  return {
    name: `issues-${size}`,
    kind: 'history',
    issues: size,
    enterprises: Math.max(240, Math.floor(size / 10)),
  };
}

/** The sweep's set: as many open issues as the size (20,000 for the demo), 10,000 due. */
export function sweepDataset(size: Size): DatasetRef {
  const issues = size === 'demo' ? 20_000 : size;
  return {
    name: `sweep-${issues}`,
    kind: 'sweep',
    issues,
    enterprises: Math.max(240, Math.floor(issues / 10)),
  };
}

export function parseDatasetName(name: string): DatasetRef {
  if (name === 'demo') return historyDataset('demo');
  const m = /^(issues|sweep)-(\d+)$/.exec(name);
  if (!m) throw new Error(`unknown data set '${name}' (demo, issues-<n> or sweep-<n>)`);
  return m[1] === 'issues' ? historyDataset(Number(m[2])) : sweepDataset(Number(m[2]));
}

export const datasetDir = (name: string) => path.join(DATA_ROOT, `${name}-v${GENERATOR_VERSION}`);
/** The same data set after the app has run on it once until quiet (bench/lib/app/settle.ts). */
export const settledDir = (name: string) => `${datasetDir(name)}-settled`;
/** Which cached copy of a data set: as built, or settled. */
export type DatasetStage = 'built' | 'settled';
export const stageDir = (name: string, stage: DatasetStage) =>
  stage === 'settled' ? settledDir(name) : datasetDir(name);

export interface DatasetSamples {
  issueIds: string[];
  qrTokens: string[];
  creditCodes: string[];
  busiestUnitId: string | null;
  /** `handler-<code>` of the busiest unit: the handler whose list is benchmarked. */
  handlerUsername: string | null;
  busiestEnterpriseId: string | null;
}

export interface LoadFigures {
  /** Wall time spent generating documents (ms). */
  generateMs: number;
  /** Wall time spent in insertMany (ms), the rest of the load. */
  insertMs: number;
  /** Issues inserted per second of insert time. */
  insertRate: number;
  /** Issues per second end to end (generation + insertion). */
  overallRate: number;
  /** insertMany rate over the last tenth of the load (where a slowing engine shows). */
  finalRate: number;
  /** RSS of the build process (in-process embedded server) after the last insert. */
  rssBytes: number;
  /** Clean shutdown (final checkpoint) of the embedded server. */
  closeMs: number;
  dbBytes: number;
  /** BSON bytes of the issues, as serialised by the driver. */
  issueBsonBytes: number;
}

export interface DatasetManifest {
  name: string;
  kind: DatasetKind;
  version: number;
  asOf: string;
  builtAt: string;
  issues: number;
  enterprises: number;
  load: LoadFigures;
  summary: Omit<GenerationSummary, 'sampleIssueIds'> | null;
  samples: DatasetSamples;
  /** Present on a settled copy: what the app's first run on the data set did before it went quiet. */
  settled?: SettleFigures;
}

/**
 * The app's first start on a data set, run once to settle it: the sweep fires what the history left due at its
 * as-of time, the KPI rollups' first build, the first training and the first clustering. A city's app does this
 * once in its life; the steady-state benchmarks run after it.
 */
export interface SettleFigures {
  at: string;
  /** Spawn → first `/healthz` 200. */
  startMs: number;
  /** First `/healthz` → the process tree quiet, every start-up job done (the KPI API answering from rollups). */
  quietMs: number;
  /** SIGTERM → exit (the final checkpoint). */
  shutdownMs: number;
  rssBytes: number;
  /** The app's clock when it stopped: later runs on the settled data set start their clock here. */
  clockAt: string;
}
