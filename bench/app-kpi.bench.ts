/**
 * KPI aggregation (`GET /api/kpis?groupBy=unit|region|category|channel&from=&to=`, DESIGN §10) at each data set
 * size, as the city leader. It runs on the settled data set, where the app's first start has built the daily
 * rollups (the settle line says how long that first start's work took; the bench still waits until the API
 * answers from them) and, one request at a time, each grouping over the last month and
 * the last year from the rollups beside the direct aggregation (`source=direct`) in the same run, with the
 * ratio (the API refuses the direct path over more than DIRECT_MAX_ISSUES issues, so large periods have none). Then at concurrency 8: each grouping over both periods (each request also computes the period
 * before, for trends) and the monthly report of the last month; baseline `/healthz` at the same concurrency.
 * Periods start at 00:00 China time, as the dashboard's do, and end tomorrow (today is read live).
 * Target (issue 9): under 1 s over 1,000,000 issues.
 */
import { loadavg } from 'node:os';
import { chinaDateKey } from '../shared/calendar.ts';
import { DAY_MS } from '../shared/clock.ts';
import { printFlatness, recordFlat, sizes, withApp } from './lib/app/app-session.ts';
import { httpLoad, type LoadResult } from './lib/app/http-load.ts';
import { reportLoad } from './lib/app/load-report.ts';
import { note, report } from './lib/report.ts';
import { DIRECT_MAX_ISSUES } from '../server/kpi/kpi.query.ts';

const CONNECTIONS = 8;
const GROUP_BYS = ['unit', 'region', 'category', 'channel'] as const;
const TARGET = '< 1,000 ms at 1,000,000';
/** Sequential requests per figure in the rollups-vs-direct comparison (the median is reported). */
const ROLLUP_RUNS = 5;
/** The direct aggregation is slow at 100,000+: fewer runs, and the year only for the first grouping. */
const DIRECT_RUNS = Number(process.env.BENCH_KPI_DIRECT_RUNS ?? 1);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load1 = () => loadavg()[0].toFixed(1);

type Get = (path: string) => Promise<{ ms: number; body: { source?: string } }>;

/** Median latency of `runs` sequential requests, and the source that answered. */
async function timed(get: Get, path: string, runs: number) {
  const ms: number[] = [];
  let source = '';
  for (let k = 0; k < runs; k++) {
    const r = await get(path);
    ms.push(r.ms);
    source = r.body.source ?? '';
  }
  return { ms: median(ms), source };
}

/** Waits for the rollups' first build (the API answers from them); returns the seconds waited. */
async function waitForRollups(get: Get, path: string, limitS = 900): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < limitS * 1000) {
    if ((await get(path)).body.source === 'rollups') return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return null;
}

for (const size of sizes()) {
  await withApp('KPI aggregation', size, async (s) => {
    const token = await s.login('leader');
    const load = (paths: string[]) =>
      httpLoad({
        baseUrl: s.app.baseUrl,
        pid: s.app.pid,
        connections: CONNECTIONS,
        headers: { authorization: `Bearer ${token}` },
        paths,
      });
    const health = await httpLoad({
      baseUrl: s.app.baseUrl,
      pid: s.app.pid,
      connections: CONNECTIONS,
      paths: ['/healthz'],
    });
    report({ name: '/healthz c=8 (baseline)', value: health.rps, unit: 'req/s' });
    const asOf = new Date(s.manifest.asOf);
    const to = chinaDateKey(new Date(asOf.getTime() + DAY_MS));
    const periods = {
      month: chinaDateKey(new Date(asOf.getTime() - 30 * DAY_MS)),
      year: chinaDateKey(new Date(asOf.getTime() - 365 * DAY_MS)),
    };
    const get: Get = async (path) => {
      const started = performance.now();
      const res = await fetch(`${s.app.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { source?: string };
      if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - started, body };
    };
    const kpiPath = (groupBy: string, from: string, extra = '') =>
      `/api/kpis?${new URLSearchParams({ groupBy, from, to })}${extra}`;
    const waited = await waitForRollups(get, kpiPath('unit', periods.month));
    if (waited === null)
      note('the rollups were not built within 900 s: the figures below are the direct path');
    else note(`rollups answering ${waited.toFixed(1)} s after start-up work settled`);
    // What the rollups' size follows: days × (region × group value) pairs, not issues.
    const groups: string[] = [];
    for (const groupBy of GROUP_BYS) {
      const { body } = await get(kpiPath(groupBy, periods.year));
      groups.push(`${groupBy} ${(body as { items?: unknown[] }).items?.length ?? '?'}`);
    }
    note(`group values over the last year: ${groups.join(', ')}`);
    for (const [name, from] of Object.entries(periods)) {
      for (const groupBy of GROUP_BYS) {
        const load = load1();
        const rolled = await timed(get, kpiPath(groupBy, from), ROLLUP_RUNS);
        const label = `kpis ${groupBy} (${name}) sequential`;
        if (name === 'year' && groupBy !== GROUP_BYS[0]) {
          report({ name: `${label}, ${rolled.source}`, value: rolled.ms, unit: 'ms', target: TARGET });
          continue;
        }
        const started = performance.now();
        const direct = await timed(get, kpiPath(groupBy, from, '&source=direct'), DIRECT_RUNS).catch(
          (err: Error) => ({ ms: NaN, source: '', failed: `${err.message.slice(0, 160)}` }),
        );
        report({
          name: `${label}, ${rolled.source}`,
          value: rolled.ms,
          unit: 'ms',
          ...('failed' in direct
            ? {}
            : { baseline: { name: `direct (${DIRECT_RUNS} run)`, value: direct.ms } }),
          target: TARGET,
        });
        if ('failed' in direct && direct.failed.includes('kpi_too_large'))
          note(`direct aggregation refused: the period holds over ${DIRECT_MAX_ISSUES} issues`);
        else if ('failed' in direct)
          note(
            `direct aggregation failed after ${Math.round(performance.now() - started)} ms: ${direct.failed}`,
          );
        note(`load average before: ${load}`);
      }
    }
    const measure = (label: string, r: LoadResult) => {
      reportLoad(label, r, { name: '/healthz', result: health }, { p50: TARGET });
      recordFlat(`${label} p50 ms`, size, r.completed ? r.p50 : NaN);
    };
    for (const [name, from] of Object.entries(periods)) {
      for (const groupBy of GROUP_BYS) {
        measure(`kpis groupBy=${groupBy} (${name}) c=8`, await load([kpiPath(groupBy, from)]));
      }
    }
    const month = chinaDateKey(asOf).slice(0, 7);
    measure('monthly report', await load([`/api/reports/monthly?month=${month}`]));
  });
}
printFlatness();
