/**
 * KPI aggregation over every issue (`GET /api/kpis?groupBy=unit|region|category|channel`, DESIGN §10).
 *
 * PLACEHOLDER: issue 9 (the leader dashboard) has not added the endpoint yet. When it exists, measure it here
 * with withApp() at each size, as a leader, at concurrency 8 for each groupBy, with `/healthz` as baseline (see
 * app-list.bench.ts), and print the target beside it.
 */
import { heading, note } from './lib/report.ts';

heading('KPI aggregation GET /api/kpis');
note('NOT MEASURED — the KPI endpoint of issue 9 does not exist yet (placeholder in bench/app-kpi.bench.ts)');
