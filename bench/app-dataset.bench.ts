/**
 * Builds (or reuses) the application benchmarks' data sets at each size, before the other app-*.bench.ts
 * files need them, and prints how they were made: the load rate through the driver (target ≥ 10,000
 * issues/s), the rate over the last tenth of the load (where a slowing engine shows), the build process's RSS
 * with the in-process embedded server holding every issue (target < 5 GB at 1,000,000, against about 2× the
 * issues' BSON), the issues' BSON and the files on disk, and the state mix. A cached data set prints the
 * figures of the run that built it.
 */
import { benchConfig } from './lib/bench-config.ts';
import {
  historyDataset,
  sizeLabel,
  sweepDataset,
  type DatasetManifest,
  type Size,
} from './lib/dataset/catalog.ts';
import { ensureDataset, readManifest } from './lib/dataset/dataset-cache.ts';
import { sizes } from './lib/app/app-session.ts';
import { heading, note, report } from './lib/report.ts';

const GB = 2 ** 30;
const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(1)} %`;

function describe(m: DatasetManifest, cached: boolean): void {
  const l = m.load;
  note(
    `${m.name}: ${m.issues.toLocaleString('en-US')} issues, ${m.enterprises.toLocaleString('en-US')} enterprises, as of ${m.asOf}${cached ? ` (cached; built ${m.builtAt})` : ''}`,
  );
  if (m.kind === 'demo') {
    report({ name: 'demo seed through the real commands', value: l.overallRate, unit: 'issues/s' });
  } else {
    report({
      name: 'load: insertMany issues/s',
      value: l.insertRate,
      unit: 'issues/s',
      target: '≥ 10,000 issues/s',
    });
    report({
      name: 'load: issues/s over the last tenth',
      value: l.finalRate,
      unit: 'issues/s',
      baseline: { name: 'whole load', value: l.insertRate },
    });
    report({
      name: 'generation issues/s (in the loading process)',
      value: (m.issues / l.generateMs) * 1000,
      unit: 'issues/s',
    });
    report({
      name: 'build process RSS after the load',
      value: l.rssBytes / GB,
      unit: 'GB',
      baseline: { name: 'issues BSON', value: l.issueBsonBytes / GB },
      target: '< 5 GB at 1,000,000',
    });
  }
  report({ name: 'clean shutdown (final checkpoint)', value: l.closeMs / 1000, unit: 's' });
  report({ name: 'files on disk', value: l.dbBytes / GB, unit: 'GB' });
  const s = m.summary;
  if (s) {
    const states = Object.entries(s.states)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${pct(v, s.issues)}`);
    note(`states: ${states.join(', ')}`);
    const lights = Object.entries(s.warnings).map(([k, v]) => `${k} ${pct(v, s.issues)}`);
    note(
      `lights: ${lights.join(', ')}; due at asOf: ${s.dueAtAsOf.toLocaleString('en-US')}; timeline events ${s.timeline.min}–${s.timeline.max} (mean ${s.timeline.mean.toFixed(1)}); busiest enterprise ${s.maxIssuesPerEnterprise} issues`,
    );
  }
}

async function show(size: Size, kind: 'history' | 'sweep'): Promise<void> {
  const ref = kind === 'history' ? historyDataset(size) : sweepDataset(size);
  heading(`data set ${ref.name} (${kind === 'history' ? sizeLabel(size) : `sweep for ${sizeLabel(size)}`})`);
  const cached = (await readManifest(ref.name)) !== null;
  const manifest = await ensureDataset(ref);
  if (manifest) describe(manifest, cached);
}

note(
  `data set sizes: ${benchConfig.issues.join(', ')} (BENCH_ISSUES); build limit ${benchConfig.loadTimeoutS} s, heap ${benchConfig.loadHeapMB} MiB`,
);
for (const size of sizes()) {
  await show(size, 'history');
  await show(size, 'sweep');
}
