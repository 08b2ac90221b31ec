/**
 * KPI aggregation (`GET /api/kpis?groupBy=unit|region|category|channel&from=&to=`, DESIGN §10) at each data set
 * size, as the city leader, at concurrency 8: each grouping over the data set's last month and over its last
 * year (each request also computes the period before, for trends), plus the monthly report of the last month;
 * baseline `/healthz` at the same concurrency, measured in the same run. Target (issue 9): under 1 s over
 * 1,000,000 issues.
 */
import { DAY_MS } from '../shared/clock.ts';
import { printFlatness, recordFlat, sizes, withApp } from './lib/app/app-session.ts';
import { httpLoad, type LoadResult } from './lib/app/http-load.ts';
import { reportLoad } from './lib/app/load-report.ts';
import { report } from './lib/report.ts';

const CONNECTIONS = 8;
const GROUP_BYS = ['unit', 'region', 'category', 'channel'] as const;
const TARGET = '< 1,000 ms at 1,000,000';

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
    const to = new Date(s.manifest.asOf);
    const periods = {
      month: new Date(to.getTime() - 30 * DAY_MS),
      year: new Date(to.getTime() - 365 * DAY_MS),
    };
    const measure = (label: string, r: LoadResult) => {
      reportLoad(label, r, { name: '/healthz', result: health }, { p50: TARGET });
      recordFlat(`${label} p50 ms`, size, r.completed ? r.p50 : NaN);
    };
    for (const [name, from] of Object.entries(periods)) {
      for (const groupBy of GROUP_BYS) {
        const qs = new URLSearchParams({ groupBy, from: from.toISOString(), to: to.toISOString() });
        measure(`kpis groupBy=${groupBy} (${name})`, await load([`/api/kpis?${qs}`]));
      }
    }
    const month = new Date(to.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
    measure('monthly report', await load([`/api/reports/monthly?month=${month}`]));
  });
}
printFlatness();
