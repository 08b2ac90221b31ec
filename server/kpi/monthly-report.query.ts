// The data of the printable monthly report (营商环境月度分析): the month's KPIs against the month before (up to
// the same day while the month runs), the categories raised most, a category × region heat map of volumes, the
// departments ranked by on-time completion, and the escalated and leader-tier issues still awaiting
// coordination. The figures come from the same source as the dashboard and the Excel export (the daily
// rollups, kpi-rollup.query.ts).
import { CATEGORY_LABELS } from '../../config/categories.ts';
import { REGION_CODES, REGION_LABELS, type RegionCode } from '../../config/units.ts';
import { CATEGORY_IDS, type CategoryId, type IssueState } from '../../shared/states.ts';
import type { IssueDoc } from '../models/index.ts';
import {
  assertDirectAffordable,
  computeKpiResult,
  type KpiDeps,
  type KpiResultOptions,
  type KpiRow,
} from './kpi.query.ts';
import type { KpiPeriod } from './kpi.pipeline.ts';
import { receivedByCategoryRegion } from './kpi-rollup.query.ts';

export const TOP_CATEGORIES = 5;
export const AWAITING_LIMIT = 50;

/** Worst first: the lowest on-time rate leads; groups with nothing closed (null) go last. */
export function rankByOnTime(rows: KpiRow[]): KpiRow[] {
  const rate = (r: KpiRow) => r.onTimeRate ?? Number.POSITIVE_INFINITY;
  return [...rows].sort((a, b) => rate(a) - rate(b) || b.received - a.received);
}

/** Issues received per category and region: from the daily rollups when they can answer, else aggregated. */
async function receivedCells(deps: KpiDeps, period: KpiPeriod, scope: Record<string, unknown>) {
  const rolled = await receivedByCategoryRegion(deps.models, period, scope);
  if (rolled) return rolled;
  await assertDirectAffordable(deps, period, scope);
  const rows = await deps.models.Issue.collection
    .aggregate<{ _id: { c: CategoryId; r: string }; n: number }>([
      { $match: { createdAt: { $gte: period.from, $lt: period.to }, ...scope, state: { $ne: 'merged' } } },
      { $group: { _id: { c: '$category', r: '$region' }, n: { $sum: 1 } } },
    ])
    .toArray();
  return rows.map((r) => ({ c: r._id.c as string, r: r._id.r, n: Number(r.n) }));
}

/**
 * The regions in the city's own order (湖州市, then 吴兴区, 南浔区, 德清县, 长兴县, 安吉县, as every filter lists
 * them), any other code after them: sorted by code, the heat map read 安吉县, 长兴县, 湖州市, 德清县, ….
 */
function byRegionOrder(a: string, b: string): number {
  const rank = (r: string) => {
    const i = (REGION_CODES as readonly string[]).indexOf(r);
    return i < 0 ? REGION_CODES.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** Issues received per category and region over a period: the monthly report's month, the dashboard's period. */
export async function categoryRegionHeatMap(
  deps: KpiDeps,
  period: KpiPeriod,
  scope: Record<string, unknown>,
) {
  const rows = await receivedCells(deps, period, scope);
  const regions = [...new Set(rows.map((r) => r.r))].sort(byRegionOrder);
  const index = new Map(rows.map((r) => [`${r.c}|${r.r}`, r.n]));
  return {
    categories: CATEGORY_IDS.map((id) => ({ id, name: CATEGORY_LABELS[id] })),
    regions: regions.map((id) => ({ id, name: REGION_LABELS[id as RegionCode] ?? id })),
    /** cells[category][region]: issues received. */
    cells: CATEGORY_IDS.map((c) => regions.map((r) => index.get(`${c}|${r}`) ?? 0)),
  };
}

/**
 * Still to coordinate: issues at the leader tier not yet answered (an answered one waits for the centre's check
 * or the enterprise's rating, not for a leader), and issues in consultation. Due soonest first (the ones a leader
 * must see are the oldest, not the newest), at most AWAITING_LIMIT, with how many there are in all; each branch
 * on an index of its own.
 */
export const AWAITING_STATES: readonly IssueState[] = Object.freeze([
  'received',
  'dispatched',
  'in_progress',
  'suspended',
  'consulting',
]);

async function awaitingCoordination(deps: KpiDeps, scope: Record<string, unknown>, listed: boolean) {
  const open = { $in: [...AWAITING_STATES] };
  const filter: Record<string, unknown> = {
    $or: [{ tier: 'leader', state: open }, { state: 'consulting' }],
    ...scope,
  };
  const [docs, total] = await Promise.all([
    listed ? awaitingRows(deps, filter) : [],
    deps.models.Issue.collection.countDocuments(filter),
  ]);
  return { total, items: docs };
}

async function awaitingRows(deps: KpiDeps, filter: Record<string, unknown>) {
  const docs = await deps.models.Issue.find(filter, {
    number: 1,
    title: 1,
    enterpriseName: 1,
    unitName: 1,
    tier: 1,
    state: 1,
    warning: 1,
    dueAt: 1,
    createdAt: 1,
  })
    .sort({ dueAt: 1, _id: 1 })
    .limit(AWAITING_LIMIT)
    .lean<IssueDoc[]>();
  return docs.map((d) => ({
    id: String(d._id),
    number: d.number,
    title: d.title,
    enterpriseName: d.enterpriseName,
    unitName: d.unitName,
    tier: d.tier,
    state: d.state,
    warning: d.warning,
    dueAt: d.dueAt ? d.dueAt.toISOString() : null,
  }));
}

export interface MonthlyReportOptions extends Pick<KpiResultOptions, 'scope' | 'now'> {
  /** False for a reader of figures only (screens.policy readsKpiIssues): the 待协调 list is counted, not listed. */
  listsIssues?: boolean;
}

export async function monthlyReport(
  deps: KpiDeps,
  month: string,
  period: KpiPeriod,
  { scope = {}, now, listsIssues = true }: MonthlyReportOptions = {},
) {
  const byUnit = await computeKpiResult(deps, 'unit', period, { scope, now });
  const byCategory = await computeKpiResult(deps, 'category', period, { scope, now });
  const topCategories = [...byCategory.items]
    .sort((a, b) => b.received - a.received)
    .slice(0, TOP_CATEGORIES);
  return {
    month,
    from: byUnit.from,
    to: byUnit.to,
    totals: byUnit.totals,
    previous: {
      from: byUnit.previous.from,
      to: byUnit.previous.to,
      periodToDate: byUnit.previous.periodToDate,
      totals: byUnit.previous.totals,
    },
    topCategories,
    heatMap: await categoryRegionHeatMap(deps, period, scope),
    ranking: rankByOnTime(byUnit.items.filter((r) => r.key !== null)),
    ...(await awaitingCoordination(deps, scope, listsIssues).then((a) => ({
      awaitingCoordination: a.items,
      awaitingTotal: a.total,
    }))),
  };
}
