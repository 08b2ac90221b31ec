/**
 * Built data sets, cached under bench/.data/<name>-v<GENERATOR_VERSION>/ (gitignored) and reused by every
 * later run. A missing one is built by build-dataset.ts in a child process with its own heap and a time limit;
 * a build that fails or runs out of time is reported with how far it got, and the caller moves on. Benchmarks
 * run on a throw-away copy, so writes (intake, the sweep, logins, the app's own sweep) never drift the cache.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfig } from '../bench-config.ts';
import { note } from '../report.ts';
import {
  DATA_ROOT,
  datasetDir,
  stageDir,
  type DatasetManifest,
  type DatasetRef,
  type DatasetStage,
} from './catalog.ts';

const BUILDER = fileURLToPath(new URL('./build-dataset.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The cached data set's manifest (as built, or its settled copy's); null when it is not cached. */
export async function readManifest(
  name: string,
  stage: DatasetStage = 'built',
): Promise<DatasetManifest | null> {
  const file = path.join(stageDir(name, stage), 'manifest.json');
  if (!existsSync(file)) return null;
  return JSON.parse(await readFile(file, 'utf8')) as DatasetManifest;
}

export interface BuildFailure {
  error: string;
  /** The last progress line the build printed. */
  lastProgress: Record<string, unknown> | null;
}

/** Runs the builder into `dir`; resolves with the failure, or null on success. */
function runBuilder(ref: DatasetRef, dir: string): Promise<BuildFailure | null> {
  const args = [`--max-old-space-size=${benchConfig.loadHeapMB}`, '--import', 'tsx', BUILDER, ref.name, dir];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let lastProgress: Record<string, unknown> | null = null;
  let stderr = '';
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.progress) {
        lastProgress = msg;
        note(`loading ${ref.name}: ${JSON.stringify(msg)}`);
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), benchConfig.loadTimeoutS * 1000);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(null);
      const why =
        signal === 'SIGKILL'
          ? `stopped after the ${benchConfig.loadTimeoutS} s limit`
          : `exit ${code ?? signal}`;
      resolve({ error: `${why}; ${stderr.trim().split('\n').slice(-3).join(' | ')}`, lastProgress });
    });
  });
}

/** The data set's manifest, building it first when it is not cached; null (reported) when the build failed. */
export async function ensureDataset(ref: DatasetRef): Promise<DatasetManifest | null> {
  const cached = await readManifest(ref.name);
  if (cached) return cached;
  const dir = datasetDir(ref.name);
  const tmp = `${dir}.building-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  note(
    `building data set ${ref.name} (${ref.issues.toLocaleString('en-US')} issues) into ${path.relative(REPO_ROOT, dir)}`,
  );
  const failure = await runBuilder(ref, tmp);
  if (failure) {
    await rm(tmp, { recursive: true, force: true });
    note(`!! data set ${ref.name} FAILED: ${failure.error}`);
    if (failure.lastProgress) note(`!! it got as far as ${JSON.stringify(failure.lastProgress)}`);
    return null;
  }
  await rename(tmp, dir);
  return readManifest(ref.name);
}

/** A throw-away copy of a built data set, or of its settled copy (a DATA_DIR for the app); remove it with `dispose`. */
export async function copyDataset(
  name: string,
  stage: DatasetStage = 'built',
): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = path.join(DATA_ROOT, `run-${name}-${process.pid}-${Date.now()}`);
  // Dereferenced: a data set linked in from a cache another clone shares must be copied, not run in place
  // (fs.cp copies a link as a link).
  await cp(stageDir(name, stage), dir, { recursive: true, dereference: true });
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}
