/**
 * Start-up of the embedded engine on a real data set, with the snapshot's saved index entries against the
 * same files with every index rebuilt from the documents (the path every start took before the index file),
 * or, with BENCH_STARTUP_BASELINE=<another checkout>, against that checkout's engine on the same files (e.g.
 * `git archive main | tar -x -C /tmp/base` with node_modules linked: the same-run baseline for an engine
 * change). Each start runs in a fresh process (`lib/startup-child.ts`), alternating the two, and the medians
 * are printed with their ratio, together with the memory after start-up over the documents' BSON bytes and
 * the CPU split (user / kernel; on this VM kernel time is mostly first-touch page faults).
 *
 * The data set is a copy of BENCH_STARTUP_DB (default: the app benchmarks' `issues-100000` data set, built by
 * `npm run bench -- app-dataset` or copied into bench/.data), converted once to the current snapshot format
 * (one write and a checkpoint); the copy is deleted at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetDir } from './lib/dataset/catalog.ts';
import { heading, note, report } from './lib/report.ts';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const source = process.env.BENCH_STARTUP_DB ?? join(datasetDir('issues-100000'), 'db');
const runs = Math.max(1, Number(process.env.BENCH_STARTUP_RUNS ?? 3));
const baselineCheckout = process.env.BENCH_STARTUP_BASELINE;

interface Start {
  mode: string;
  recoverMs: number;
  indexMs: number;
  indexFileMs: number;
  totalMs: number;
  checkpointMs?: number;
  userMs: number;
  systemMs: number;
  minorFaults: number;
  rssGB: number;
  rssAfterGcGB: number;
  heapUsedGB: number;
  externalGB: number;
  bsonGB: number;
  /** The documents as stored (packed); absent for engines that store BSON as it is. */
  storedGB?: number;
  slabGB?: number;
  documents: number;
  indexEntries: number;
  indexes: { loaded: number; rebuilt: number };
  warnings: string[];
}

function start(dir: string, mode: 'saved' | 'rebuild' | 'convert', checkout = join(benchDir, '..')): Start {
  const result = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--max-old-space-size=16384',
      '--import',
      'tsx',
      join(checkout, 'bench', 'lib', 'startup-child.ts'),
      dir,
      mode,
    ],
    { cwd: join(checkout, 'bench'), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const line = result.stdout.split('\n').find((l) => l.startsWith('{'));
  if (result.status !== 0 || !line) throw new Error(`startup-child ${mode} failed:\n${result.stderr}`);
  return JSON.parse(line) as Start;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

if (!existsSync(join(source, 'snapshot.bson'))) {
  console.log(`startup: no data set at ${source} (set BENCH_STARTUP_DB or build it with the app benchmarks)`);
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
try {
  heading(`embedded engine start-up on ${source}`);
  note(`load average at the start: ${load()} (2 cores)`);
  const own = join(work, 'own');
  cpSync(source, own, { recursive: true });
  const converted = start(own, 'convert');
  const indexFile = join(own, 'snapshot.indexes.bson');
  note(
    `converted: ${converted.documents.toLocaleString('en-US')} documents, ` +
      `${converted.indexEntries.toLocaleString('en-US')} index entries; checkpoint ${converted.checkpointMs} ms; ` +
      `snapshot ${(statSync(join(own, 'snapshot.bson')).size / 2 ** 20).toFixed(0)} MiB, ` +
      `index file ${(statSync(indexFile).size / 2 ** 20).toFixed(0)} MiB`,
  );
  // The baseline engine may not read this engine's format: it starts on a copy converted by itself, which
  // this engine also reads (so the format and the code can be told apart).
  const theirs = join(work, 'baseline');
  if (baselineCheckout) {
    cpSync(source, theirs, { recursive: true });
    start(theirs, 'convert', baselineCheckout);
  }
  const saved: Start[] = [];
  const baseline: Start[] = [];
  const onTheirs: Start[] = [];
  const baseName = baselineCheckout ? `engine of ${baselineCheckout}` : 'indexes rebuilt';
  const cpu = (s: Start) => `CPU ${s.userMs} ms user + ${s.systemMs} ms kernel, ${s.minorFaults} page faults`;
  for (let i = 0; i < runs; i++) {
    saved.push(start(own, 'saved'));
    baseline.push(baselineCheckout ? start(theirs, 'saved', baselineCheckout) : start(own, 'rebuild'));
    if (baselineCheckout) {
      onTheirs.push(start(theirs, 'saved'));
      note(
        `run ${i + 1}: this engine on the baseline's files ${onTheirs[i].totalMs} ms (${cpu(onTheirs[i])})`,
      );
    }
    note(
      `run ${i + 1}: saved ${saved[i].totalMs} ms (unpacking the index file ${saved[i].indexFileMs} ms, ` +
        `indexes ${saved[i].indexMs} ms; ${cpu(saved[i])}), ` +
        `${baseName} ${baseline[i].totalMs} ms (indexes ${baseline[i].indexMs} ms; ${cpu(baseline[i])}); load ${load()}`,
    );
  }
  if (saved.some((s) => s.indexes.rebuilt > 1 || s.warnings.length > 0)) {
    note(`!! the saved start rebuilt indexes: ${JSON.stringify(saved.map((s) => [s.indexes, s.warnings]))}`);
  }
  const m = (xs: Start[], f: (s: Start) => number) => median(xs.map(f));
  report({
    name: 'start-up (recover + indexes)',
    value: m(saved, (s) => s.totalMs),
    unit: 'ms',
    baseline: { name: baseName, value: m(baseline, (s) => s.totalMs) },
  });
  if (baselineCheckout) {
    report({
      name: "start-up on the baseline's files",
      value: m(onTheirs, (s) => s.totalMs),
      unit: 'ms',
      baseline: { name: baseName, value: m(baseline, (s) => s.totalMs) },
    });
  }
  report({
    name: 'indexes after replay',
    value: m(saved, (s) => s.indexMs),
    unit: 'ms',
    baseline: { name: baseName, value: m(baseline, (s) => s.indexMs) },
  });
  note(`of which unpacking the index file's entries during replay: ${m(saved, (s) => s.indexFileMs)} ms`);
  report({
    name: 'snapshot + journal replay',
    value: m(saved, (s) => s.recoverMs),
    unit: 'ms',
    baseline: { name: baseName, value: m(baseline, (s) => s.recoverMs) },
  });
  report({
    name: 'kernel CPU (page faults) during start-up',
    value: m(saved, (s) => s.systemMs),
    unit: 'ms',
    baseline: { name: baseName, value: m(baseline, (s) => s.systemMs) },
  });
  const bson = saved[0].bsonGB;
  report({
    name: 'RSS after start-up / BSON',
    value: m(saved, (s) => s.rssGB) / bson,
    unit: `× (${m(saved, (s) => s.rssGB).toFixed(2)} GB for ${bson.toFixed(3)} GB)`,
    baseline: { name: baseName, value: m(baseline, (s) => s.rssGB) / bson },
  });
  note(
    `documents stored in ${m(saved, (s) => s.storedGB ?? s.bsonGB).toFixed(3)} GB ` +
      `(slabs ${m(saved, (s) => s.slabGB ?? 0).toFixed(3)} GB) for ${bson.toFixed(3)} GB of BSON; ` +
      `${baseName}: slabs ${m(baseline, (s) => s.slabGB ?? 0).toFixed(3)} GB`,
  );
  note(
    `after a full GC: RSS ${m(saved, (s) => s.rssAfterGcGB).toFixed(3)} GB, ` +
      `JS heap ${m(saved, (s) => s.heapUsedGB).toFixed(3)} GB, outside the heap ${m(saved, (s) => s.externalGB).toFixed(3)} GB`,
  );
  note(`load average at the end: ${load()}; ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
