// The leader dashboard's figures: runs the KPI pipelines (kpi.pipeline.ts) for a period and for the one it is
// compared with (the one before it, cut at the same point while the period runs: kpi-period.ts), names the
// groups, and turns the counts into the rows of GET /api/kpis. Each row also carries the issue-list filters
// behind its numbers (`drill`), so the dashboard opens exactly the issues a figure counts.
import { Types } from 'mongoose';
import { CATEGORY_LABELS } from '../../config/categories.ts';
import { REGION_LABELS, type RegionCode } from '../../config/units.ts';
import {
  addKpiCounts,
  countRepeats,
  emptyKpiCounts,
  kpiReportOf,
  KPI_COUNT_FIELDS,
  type KpiCounts,
} from '../../shared/kpi.ts';
import {
  CHANNEL_LABELS,
  OPEN_STATES,
  PAST_DUE_WARNINGS,
  type CategoryId,
  type ChannelId,
} from '../../shared/states.ts';
import type { Models } from '../models/index.ts';
import { chinaDateKey } from '../../shared/calendar.ts';
import { AppError, badRequest } from '../errors.ts';
import { comparisonPeriod } from './kpi-period.ts';
import { countFromRollups, type PeriodCounts } from './kpi-rollup.query.ts';
import { dayStart } from './kpi-rollup.ts';
import { buildProgress } from './kpi-rollup.store.ts';
import { countsPipeline, repeatsPipeline, type KpiGroupBy, type KpiPeriod } from './kpi.pipeline.ts';

/** Counts plus the volume figures that are not rates. */
export interface GroupCounts extends KpiCounts {
  open: number;
  overdue: number;
}

export interface KpiFigures {
  received: number;
  closed: number;
  backlog: number;
  overdue: number;
  signTimelyRate: number | null;
  onTimeRate: number | null;
  satisfactionRate: number | null;
  oneTimeRate: number | null;
  repeatRate: number | null;
  returnRate: number | null;
  rectificationRate: number | null;
}

export interface KpiRow extends KpiFigures {
  key: string | null;
  name: string;
  /** Query strings for GET /api/issues listing the issues behind received, closed, backlog and overdue. */
  /** Also the issues behind a timeliness rate's misses: signed late, closed late. */
  drill: Record<'received' | 'closed' | 'backlog' | 'overdue' | 'lateSign' | 'lateReply', string>;
}

export interface KpiSet {
  items: KpiRow[];
  totals: KpiFigures & { drill: KpiRow['drill'] };
}

export interface KpiResult extends KpiSet {
  groupBy: KpiGroupBy;
  /** Whether the daily rollups or the direct aggregation answered (the current period). */
  source: 'rollups' | 'direct';
  from: string;
  to: string;
  /** What the figures are compared with; `periodToDate` when cut at the same point as the running period. */
  previous: KpiSet & { from: string; to: string; periodToDate: boolean };
}

export function figuresOf(c: GroupCounts): KpiFigures {
  const r = kpiReportOf(c);
  return {
    // Merged duplicates are one problem reported twice: not counted as received.
    received: c.counted,
    closed: c.closed,
    backlog: c.open,
    overdue: c.overdue,
    signTimelyRate: r.signTimeliness.rate,
    onTimeRate: r.onTimeCompletion.rate,
    satisfactionRate: r.satisfaction.rate,
    oneTimeRate: r.oneTimeResolution.rate,
    repeatRate: r.repeatComplaint.rate,
    returnRate: r.returnRate.rate,
    rectificationRate: r.rectification.rate,
  };
}

const GROUP_QUERY_PARAM: Readonly<Record<KpiGroupBy, string>> = Object.freeze({
  unit: 'unitId',
  region: 'region',
  category: 'category',
  channel: 'channel',
});

/**
 * The list filters behind a row: created in the period (the list's `to` is inclusive, so the last
 * millisecond), the group's value (`unitId=none` for the issues no unit was given, the 未分派 row), and the
 * state or light each figure counts (a timeliness rate: the issues it missed).
 */
export function drillOf(
  groupBy: KpiGroupBy | undefined,
  key: string | null,
  period: KpiPeriod,
): KpiRow['drill'] {
  const base = new URLSearchParams({
    from: period.from.toISOString(),
    to: new Date(period.to.getTime() - 1).toISOString(),
    // The list then covers the KPI's scope (a leader's list is otherwise narrower than their figures).
    scope: 'kpi',
  });
  if (groupBy === 'unit' && key === null) base.set('unitId', 'none');
  else if (groupBy && key !== null) base.set(GROUP_QUERY_PARAM[groupBy], key);
  const withState = (state: string, extra: Record<string, string> = {}) => {
    const p = new URLSearchParams(base);
    p.set('state', state);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return p.toString();
  };
  const notMerged = [...OPEN_STATES, 'closed', 'rejected'].join(',');
  return {
    received: withState(notMerged),
    closed: withState('closed'),
    backlog: withState(OPEN_STATES.join(',')),
    overdue: withState(OPEN_STATES.join(','), { warning: PAST_DUE_WARNINGS.join(',') }),
    lateSign: withState(notMerged, { late: 'sign' }),
    lateReply: withState('closed', { late: 'reply' }),
  };
}

type Row = Record<string, unknown> & { _id: unknown };

function countsOf(row: Row | undefined): GroupCounts {
  const c = { ...emptyKpiCounts(), open: 0, overdue: 0 } as GroupCounts;
  if (!row) return c;
  for (const f of [...KPI_COUNT_FIELDS, 'open', 'overdue'] as const) {
    if (f !== 'repeats') c[f] = Number(row[f] ?? 0);
  }
  return c;
}

const keyOf = (value: unknown): string | null => (value == null ? null : String(value));

export interface KpiDeps {
  models: Models;
}

/**
 * Where the counts come from: the daily rollups when they can answer (kpi-rollup.query.ts), else the direct
 * aggregation; `direct` forces the latter (the bench and the equality test compare the two).
 */
export type KpiSource = 'auto' | 'direct';

/**
 * The most issues of one period the direct aggregation may read. Each of its pipelines runs to the end in one
 * command on the database thread (about 0.3 ms per issue at 1,000,000 stored): a month there held the thread
 * for 20 s and a year for over 40 s, long enough for the driver to give the server up and fail every other
 * request. This many cost about 1.5 s per pipeline; a larger period waits for the rollups.
 */
export const DIRECT_MAX_ISSUES = 5_000;

/** Refuses a direct aggregation over more than DIRECT_MAX_ISSUES issues, before it starts (one bounded count). */
export async function assertDirectAffordable(
  deps: KpiDeps,
  period: KpiPeriod,
  scope: Record<string, unknown>,
): Promise<void> {
  const match = { createdAt: { $gte: period.from, $lt: period.to }, ...scope };
  const n = await deps.models.Issue.collection.countDocuments(match, { limit: DIRECT_MAX_ISSUES + 1 });
  if (n <= DIRECT_MAX_ISSUES) return;
  const building = await buildProgress(deps.models);
  if (building !== undefined) {
    const through = building === null ? '' : `（${chinaDateKey(dayStart(building))} 之前的已完成）`;
    throw new AppError('kpi_building', 503, `统计数据正在首次生成${through}，请几分钟后再试`);
  }
  throw badRequest(
    `该统计需直接汇总超过 ${DIRECT_MAX_ISSUES} 件问题：请按整日选择统计区间，直接汇总只用于核对小区间`,
    'kpi_too_large',
  );
}

/** Counts per group for one period, repeats included, and which source gave them. */
export async function countPeriod(
  deps: KpiDeps,
  groupBy: KpiGroupBy,
  period: KpiPeriod,
  scope: Record<string, unknown>,
  source: KpiSource = 'auto',
): Promise<PeriodCounts & { source: 'rollups' | 'direct' }> {
  const rolled = source === 'auto' ? await countFromRollups(deps.models, groupBy, period, scope) : null;
  if (rolled) return { ...rolled, source: 'rollups' };
  await assertDirectAffordable(deps, period, scope);
  return { ...(await countDirect(deps, groupBy, period, scope)), source: 'direct' };
}

/** Counts per group for one period through the aggregation pipelines (kpi.pipeline.ts). */
export async function countDirect(
  deps: KpiDeps,
  groupBy: KpiGroupBy,
  period: KpiPeriod,
  scope: Record<string, unknown>,
): Promise<PeriodCounts> {
  const issues = deps.models.Issue.collection;
  const [rows, repeatRows] = await Promise.all([
    issues.aggregate<Row>(countsPipeline(groupBy, period, scope)).toArray(),
    issues.aggregate<Row>(repeatsPipeline(groupBy, period, scope)).toArray(),
  ]);
  const groups = new Map<string | null, GroupCounts>();
  for (const row of rows) groups.set(keyOf(row._id), countsOf(row));
  let totalRepeats = 0;
  for (const row of repeatRows) {
    const items = row.items as { t: Date; g: unknown }[];
    totalRepeats += countRepeats(items.map((i) => new Date(i.t).getTime()));
    // Within a group, as kpisBy counts them: only earlier issues of the same group make a repeat.
    const byGroup = new Map<string | null, number[]>();
    for (const i of items) {
      const k = keyOf(i.g);
      const list = byGroup.get(k) ?? byGroup.set(k, []).get(k)!;
      list.push(new Date(i.t).getTime());
    }
    for (const [k, times] of byGroup) {
      const g = groups.get(k);
      if (g && times.length > 1) g.repeats += countRepeats(times);
    }
  }
  let totals = { ...emptyKpiCounts(), open: 0, overdue: 0 } as GroupCounts;
  for (const g of groups.values()) {
    totals = { ...addKpiCounts(totals, g), open: totals.open + g.open, overdue: totals.overdue + g.overdue };
  }
  totals.repeats = totalRepeats;
  return { groups, totals };
}

/** Display names of a grouping's keys. */
async function namesOf(deps: KpiDeps, groupBy: KpiGroupBy, keys: (string | null)[]) {
  const names = new Map<string | null, string>();
  if (groupBy === 'unit') {
    const ids = keys.filter((k): k is string => k !== null).map((k) => new Types.ObjectId(k));
    const units = await deps.models.Unit.find({ _id: { $in: ids } }, { name: 1 }).lean();
    for (const u of units) names.set(String(u._id), u.name);
    names.set(null, '未分派');
  }
  for (const k of keys) {
    if (names.has(k)) continue;
    const label =
      k === null
        ? '未知'
        : groupBy === 'region'
          ? REGION_LABELS[k as RegionCode]
          : groupBy === 'category'
            ? CATEGORY_LABELS[k as CategoryId]
            : groupBy === 'channel'
              ? CHANNEL_LABELS[k as ChannelId]
              : undefined;
    names.set(k, label ?? k ?? '未知');
  }
  return names;
}

async function kpiSet(
  deps: KpiDeps,
  groupBy: KpiGroupBy,
  period: KpiPeriod,
  scope: Record<string, unknown>,
  source: KpiSource,
): Promise<KpiSet & { source: 'rollups' | 'direct' }> {
  const { groups, totals, source: used } = await countPeriod(deps, groupBy, period, scope, source);
  const names = await namesOf(deps, groupBy, [...groups.keys()]);
  // A group whose only issues were merged into others received nothing: its rates would stand beside 受理量 0.
  const items = [...groups]
    .filter(([, c]) => c.counted > 0)
    .map(([key, c]) => ({
      key,
      name: names.get(key) ?? String(key),
      ...figuresOf(c),
      drill: drillOf(groupBy, key, period),
    }))
    .sort((a, b) => b.received - a.received || a.name.localeCompare(b.name, 'zh-CN'));
  return { items, totals: { ...figuresOf(totals), drill: drillOf(undefined, null, period) }, source: used };
}

export interface KpiResultOptions {
  /**
   * Narrows the issues (a county leader's region): an equality on a field the issue has, so the createdAt index
   * still bounds the scan.
   */
  scope?: Record<string, unknown>;
  source?: KpiSource;
  /** The request's time: a period still running is compared with the same stretch of the one before. */
  now?: Date;
}

/** KPIs per group for a period and for the period it is compared with (kpi-period.ts comparisonPeriod). */
export async function computeKpiResult(
  deps: KpiDeps,
  groupBy: KpiGroupBy,
  period: KpiPeriod,
  { scope = {}, source = 'auto', now }: KpiResultOptions = {},
): Promise<KpiResult> {
  // Without a time the period is taken as over: compared with the whole period before it.
  const { periodToDate, ...prev } = comparisonPeriod(period, now ?? period.to);
  const [{ source: used, ...current }, { source: _prevUsed, ...previous }] = await Promise.all([
    kpiSet(deps, groupBy, period, scope, source),
    kpiSet(deps, groupBy, prev, scope, source),
  ]);
  return {
    groupBy,
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    ...current,
    previous: { from: prev.from.toISOString(), to: prev.to.toISOString(), periodToDate, ...previous },
    source: used,
  };
}
