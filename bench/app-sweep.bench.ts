/**
 * The escalation sweep (server/jobs/escalation-sweep.job.ts) in-process, on a copy of the sweep data set of
 * each size (`sweep-<n>`: n open issues, 10,000 of them due at the data set's now; 20,000 open for `demo`):
 * one pass that fires the 10,000 due issues, and an idle pass with nothing due; baseline: the bare indexed
 * count of the due set. Each size runs in its own process (bench/lib/app/sweep-runner.ts) with its own heap
 * and a time limit, twice on fresh copies: `cold`, the first pass of a fresh process (as after a restart,
 * its code compiled while it runs), and `warm`, after a warm-up pass over copies of some of the due issues in
 * another database of the same server (as in an app that has been running). Targets at 1,000,000: 10,000 due
 * swept in < 5 s; an idle sweep < 5 ms.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './lib/app/app-process.ts';
import { printFlatness, recordFlat, sizes } from './lib/app/app-session.ts';
import { benchConfig } from './lib/bench-config.ts';
import { sizeLabel, sweepDataset, type Size } from './lib/dataset/catalog.ts';
import { copyDataset, ensureDataset } from './lib/dataset/dataset-cache.ts';
import { heading, note, report } from './lib/report.ts';

const RUNNER = fileURLToPath(new URL('./lib/app/sweep-runner.ts', import.meta.url));
const MODES = ['cold', 'warm'] as const;
type Mode = (typeof MODES)[number];
const LABEL: Record<Mode, string> = { cold: 'first pass of a fresh process', warm: 'warm process' };

interface SweepFigures {
  startMs: number;
  open: number;
  due: number;
  countMs: number;
  countMedianMs: number;
  sweepMs: number;
  sweepMainCpuMs: number;
  sweepDbCpuMs: number;
  sweepOtherCpuMs: number;
  mode: Mode;
  warmUp?: { issues: number; ms: number };
  quietAfterMs: number;
  examined: number;
  fired: number;
  failed: number;
  deferred: number;
  idleSweepMs: number;
  idleCountMs: number;
  dueAfter: number;
}

function runSweep(dataDir: string, asOf: string, mode: Mode): Promise<SweepFigures> {
  const args = [
    `--max-old-space-size=${benchConfig.loadHeapMB}`,
    '--import',
    'tsx',
    RUNNER,
    dataDir,
    asOf,
    mode,
  ];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), benchConfig.loadTimeoutS * 1000);
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as SweepFigures);
      else
        reject(
          new Error(
            `sweep runner ${signal ?? `exit ${code}`}: ${err.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
}

for (const size of sizes()) {
  const ref = sweepDataset(size);
  heading(`escalation sweep — ${sizeLabel(size)} (data set ${ref.name})`);
  const manifest = await ensureDataset(ref);
  if (!manifest) continue;
  for (const mode of MODES) {
    const copy = await copyDataset(manifest.name);
    try {
      reportSweep(size, mode, manifest.asOf, await runSweep(copy.dir, manifest.asOf, mode));
    } catch (err) {
      note(`!! sweep (${mode}) at ${sizeLabel(size)} FAILED: ${(err as Error).message}`);
    } finally {
      await copy.dispose();
    }
  }
}
printFlatness();

function reportSweep(size: Size, mode: Mode, asOf: string, f: SweepFigures): void {
  note(
    `${mode}: embedded server start on the copy: ${(f.startMs / 1000).toFixed(1)} s; ${f.open.toLocaleString('en-US')} open issues, ${f.due.toLocaleString('en-US')} due at ${asOf}`,
  );
  if (f.warmUp)
    note(
      `warm-up: ${f.warmUp.issues.toLocaleString('en-US')} copied due issues swept in another database in ${Math.round(f.warmUp.ms)} ms`,
    );
  report({
    name: `sweep firing ${f.due.toLocaleString('en-US')} due, ${LABEL[mode]}`,
    value: f.sweepMs,
    unit: 'ms',
    baseline: { name: 'count of the due set', value: f.countMs },
    target: '< 5,000 ms for 10,000 due',
  });
  note(
    `CPU during the pass: database thread ${Math.round(f.sweepDbCpuMs)} ms, main thread ${Math.round(f.sweepMainCpuMs)} ms, other threads (V8's workers: collector, compiler; libuv) ${Math.round(f.sweepOtherCpuMs)} ms`,
  );
  report({
    name: `sweep decisions per second, ${mode}`,
    value: (f.examined / f.sweepMs) * 1000,
    unit: 'issues/s',
  });
  note(
    `examined ${f.examined}, fired ${f.fired} steps, failed ${f.failed}, deferred ${f.deferred}; due after the pass: ${f.dueAfter}`,
  );
  report({
    name: `idle sweep (nothing due), median, ${mode}`,
    value: f.idleSweepMs,
    unit: 'ms',
    baseline: { name: 'idle count', value: f.idleCountMs },
    target: '< 5 ms',
  });
  note(
    `the idle passes began once the process was quiet, ${(f.quietAfterMs / 1000).toFixed(1)} s after the pass`,
  );
  report({ name: 'count of the due set, median of 5', value: f.countMedianMs, unit: 'ms' });
  recordFlat(`sweep of the due set ms, ${mode}`, size, f.sweepMs);
  recordFlat(`idle sweep ms, ${mode}`, size, f.idleSweepMs);
}
