// /api/kpis (the leader dashboard's figures, DESIGN §10), its Excel export and its category × region heat map
// over the same period; /api/reports/monthly (营商环境月度分析). Thin: parse the period, run the query, present.
import { Router } from 'express';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { writeKpiWorkbook } from '../../kpi/kpi-export.ts';
import { KPI_GROUP_BYS } from '../../kpi/kpi.pipeline.ts';
import { computeKpiResult } from '../../kpi/kpi.query.ts';
import { monthPeriod } from '../../kpi/kpi-period.ts';
import { categoryRegionHeatMap, monthlyReport } from '../../kpi/monthly-report.query.ts';
import { canViewKpis, kpiScopeOf, readsKpiIssues } from '../../policies/index.ts';
import { chinaDateKey as dayOf } from '../../../shared/calendar.ts';
import { kpiExportQuery, kpiPeriodQuery, kpiQuery, monthlyReportQuery } from './kpis.schema.ts';

export function createKpisRouter(ctx: AppContext): Router {
  const router = Router();
  const now = () => ctx.clock.now();
  router.use(ctx.requireStaff, requirePolicy(canViewKpis));

  router.get('/', async (req, res) => {
    const q = kpiQuery(now).parse(req.query);
    const result = await computeKpiResult(ctx, q.groupBy, q, {
      scope: kpiScopeOf(actorOf(req)),
      source: q.source,
      now: now(),
    });
    res.json(result);
  });

  // The dashboard's heat map covers the period its figures do (a quarter, a year), not only its first month.
  router.get('/heat-map', async (req, res) => {
    const period = kpiPeriodQuery(now).parse(req.query);
    const heatMap = await categoryRegionHeatMap(ctx, period, kpiScopeOf(actorOf(req)));
    res.json({ from: period.from, to: period.to, ...heatMap });
  });

  router.get('/export.xlsx', async (req, res) => {
    const period = kpiExportQuery(now).parse(req.query);
    const scope = kpiScopeOf(actorOf(req));
    const results = [];
    for (const groupBy of KPI_GROUP_BYS) {
      results.push(await computeKpiResult(ctx, groupBy, period, { scope }));
    }
    const last = dayOf(new Date(period.to.getTime() - 1));
    // A period still running counts up to now, as the dashboard's 至今 says, not to its last day.
    const running = period.to.getTime() > now().getTime();
    const label = `${dayOf(period.from)} 至${running ? `今（${dayOf(now())} 导出）` : ` ${last}`}`;
    const file = `kpi-${dayOf(period.from)}-${last}.xlsx`;
    res.attachment(file);
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    await writeKpiWorkbook(results, { label }, res);
    res.end();
  });

  return router;
}

/** GET /api/reports/monthly?month=YYYY-MM: the 营商环境月度分析 page's data. */
export function createReportsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canViewKpis));
  router.get('/monthly', async (req, res) => {
    const month = monthlyReportQuery(() => ctx.clock.now()).parse(req.query);
    const actor = actorOf(req);
    const options = { scope: kpiScopeOf(actor), now: ctx.clock.now(), listsIssues: readsKpiIssues(actor) };
    res.json(await monthlyReport(ctx, month, monthPeriod(month), options));
  });
  return router;
}
