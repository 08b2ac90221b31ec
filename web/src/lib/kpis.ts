// The leader dashboard's figures as GET /api/kpis answers them, the seven KPIs of DESIGN §6 with their labels
// (shared/kpi.ts KPI_LABELS) and which direction is good, and the drill-down of any figure to the issue list.
import { KPI_LABELS } from '../../../shared/kpi.ts';
import { CLOCKED_STATES, OPEN_STATES } from '../../../shared/states.ts';
import { PAST_DUE_WARNINGS } from './issue-query.ts';

export type GroupBy = 'unit' | 'region' | 'category' | 'channel';
export type CountKey = 'received' | 'closed' | 'backlog' | 'overdue';
/** What a click opens: a count's issues, or those a timeliness rate missed (signed late, closed late). */
export type DrillKey = CountKey | 'lateSign' | 'lateReply';
export type RateKey =
  | 'satisfactionRate'
  | 'signTimelyRate'
  | 'onTimeRate'
  | 'oneTimeRate'
  | 'repeatRate'
  | 'returnRate'
  | 'rectificationRate';

export interface KpiFigures extends Record<CountKey, number>, Record<RateKey, number | null> {}

export interface KpiRow extends KpiFigures {
  key: string | null;
  name: string;
  /** Query strings of GET /api/issues behind each count, when the server supplies them. */
  drill?: Partial<Record<DrillKey, string>>;
}

export interface KpiAnswer {
  items: KpiRow[];
  totals: KpiFigures & { drill?: Partial<Record<DrillKey, string>> };
  /** What the figures are compared with: the period before, cut at the same point while this one runs. */
  previous?: { items: KpiRow[]; totals: KpiFigures; from?: string; to?: string; periodToDate?: boolean };
  from?: string;
  to?: string;
}

export const COUNT_LABELS: Readonly<Record<CountKey, string>> = {
  received: '受理量',
  closed: '办结量',
  backlog: '积压',
  overdue: '超期',
};

/**
 * What a count tile counts, said under its name: every count is of the issues RECEIVED in the period, so 超期
 * is not the city's overdue stock (an issue received last month and overdue now is not in it). 超期 is past the
 * deadline, red or 已超期, as 当前超期 and the workbench's 已超期 count.
 */
export const COUNT_HINTS: Readonly<Partial<Record<CountKey, string>>> = {
  backlog: '本期受理的事项中仍在办',
  overdue: '本期受理的事项中已过时限（红灯及已超期）',
};

/**
 * The overdue stock: every issue still to be answered that is past its deadline, whenever it was received (the
 * KPI scope's list). A replied issue keeps its light as the record of how late the reply was; it is not overdue
 * now (the supervisor's 全市超期 leaves it out too).
 */
export const CURRENT_OVERDUE_LABEL = '当前超期';
export const CURRENT_OVERDUE_HINT = '尚未答复的事项，不限受理时间';

export interface RateDef {
  key: RateKey;
  label: string;
  /** Higher is better (false for repeat complaints and returns). */
  higherIsBetter: boolean;
  /** Below (or above, when lower is better) this the figure shows red. */
  alarm: number;
  /** What a click opens: the issues the rate is over, or those it missed. */
  drill: DrillKey;
}

export const RATES: readonly RateDef[] = [
  {
    key: 'satisfactionRate',
    label: KPI_LABELS.satisfaction,
    higherIsBetter: true,
    alarm: 0.9,
    drill: 'closed',
  },
  {
    key: 'signTimelyRate',
    label: KPI_LABELS.signTimeliness,
    higherIsBetter: true,
    alarm: 0.9,
    drill: 'lateSign',
  },
  {
    key: 'onTimeRate',
    label: KPI_LABELS.onTimeCompletion,
    higherIsBetter: true,
    alarm: 0.9,
    drill: 'lateReply',
  },
  {
    key: 'oneTimeRate',
    label: KPI_LABELS.oneTimeResolution,
    higherIsBetter: true,
    alarm: 0.8,
    drill: 'closed',
  },
  {
    key: 'repeatRate',
    label: KPI_LABELS.repeatComplaint,
    higherIsBetter: false,
    alarm: 0.1,
    drill: 'received',
  },
  { key: 'returnRate', label: KPI_LABELS.returnRate, higherIsBetter: false, alarm: 0.1, drill: 'received' },
  {
    key: 'rectificationRate',
    label: KPI_LABELS.rectification,
    higherIsBetter: true,
    alarm: 0.9,
    drill: 'closed',
  },
];

export const GROUP_LABELS: Readonly<Record<GroupBy, string>> = {
  unit: '部门',
  region: '区域',
  category: '类别',
  channel: '渠道',
};

export const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;

export function isAlarm(def: RateDef, v: number | null): boolean {
  if (v === null) return false;
  return def.higherIsBetter ? v < def.alarm : v > def.alarm;
}

/** Change against the previous period, with whether it is an improvement. */
export function trendOf(now: number | null, before: number | null | undefined, higherIsBetter = true) {
  if (now === null || before === null || before === undefined) return null;
  const delta = now - before;
  if (Math.abs(delta) < 1e-9) return { delta: 0, better: null as boolean | null };
  return { delta, better: higherIsBetter ? delta > 0 : delta < 0 };
}

/** Best first (名次 1 = best), or the laggards first; the 名次 stays the same either way. */
export type RankOrder = 'best' | 'worst';

export interface RankedRow {
  row: KpiRow;
  /** 1 = best by the KPI; equal figures share a place (1, 2, 2, 4); null when the group has no figure. */
  rank: number | null;
}

/**
 * The groups ranked by one KPI: 名次 1 is the best (highest, or lowest for a rate where lower is better), as a
 * leader reads a 排名. `order` only changes which end is shown first; the groups without a figure go last and
 * have no place. Among equal figures, the busier group is listed first.
 */
export function rankRows(rows: readonly KpiRow[], def: RateDef, order: RankOrder = 'best'): RankedRow[] {
  const better = def.higherIsBetter ? -1 : 1;
  // The row of issues without the grouping (未分派: no unit yet, or returned) is no department: never ranked.
  const ranks = (r: KpiRow) => r[def.key] !== null && r.key !== null;
  const valued = rows.filter(ranks);
  const empty = rows.filter((r) => !ranks(r)).sort((a, b) => b.received - a.received);
  const best = [...valued].sort(
    (a, b) => better * ((a[def.key] as number) - (b[def.key] as number)) || b.received - a.received,
  );
  const ranked: RankedRow[] = [];
  best.forEach((row, i) => {
    const prev = ranked[i - 1];
    const tied = prev && Math.abs((prev.row[def.key] as number) - (row[def.key] as number)) < 1e-9;
    ranked.push({ row, rank: tied ? prev.rank : i + 1 });
  });
  if (order === 'worst') ranked.sort((a, b) => b.rank! - a.rank! || b.row.received - a.row.received);
  return [...ranked, ...empty.map((row) => ({ row, rank: null }))];
}

const OPEN = OPEN_STATES.join(',');
/** Open and not yet answered: waiting for the centre (待受理) or with a unit, its clock running or paused. */
const UNANSWERED = CLOCKED_STATES.join(',');
const GROUP_FILTER: Readonly<Record<GroupBy, string>> = {
  unit: 'unitId',
  region: 'region',
  category: 'category',
  channel: 'channel',
};

/**
 * The issue list behind 当前超期: every issue not yet answered and past its deadline in the KPI scope (red, which
 * comes at the due time, and 已超期, a working day later; as the workbench's 已超期 counts), due soonest first.
 */
export function currentOverdueQuery(): Record<string, string> {
  return { scope: 'kpi', state: UNANSWERED, warning: PAST_DUE_WARNINGS, sort: 'dueAt' };
}

/**
 * The issue-list query behind a figure: the server's own drill string when given, else built from the period.
 * The list's `to` is inclusive and a period's is not: the list ends 1 ms before it, as the server's drills do.
 */
export function drillQuery(
  row: { key?: string | null; drill?: Partial<Record<DrillKey, string>> },
  count: DrillKey,
  groupBy: GroupBy | null,
  period: { from: string; to: string },
): Record<string, string> {
  const given = row.drill?.[count];
  if (given) return Object.fromEntries(new URLSearchParams(given));
  const q: Record<string, string> = {
    from: period.from,
    to: new Date(Date.parse(period.to) - 1).toISOString(),
  };
  if (groupBy && row.key) q[GROUP_FILTER[groupBy]] = row.key;
  if (count === 'closed' || count === 'lateReply') q.state = 'closed';
  if (count === 'lateReply') q.late = 'reply';
  if (count === 'lateSign') q.late = 'sign';
  if (count === 'backlog') q.state = OPEN;
  if (count === 'overdue') {
    q.state = OPEN;
    q.warning = PAST_DUE_WARNINGS;
  }
  return q;
}

/**
 * The monthly report's departments to watch: the lowest 按期办结率 below 100 % (with its overdue count), else the
 * most overdue; none when every department closed on time and nothing is overdue (a sole department at 100 %
 * was once named 最低 and 需重点督办). Departments tied there are all named: naming the first alone let the
 * other off (吴兴区 and 南浔区 both at 50.0 %, November 2026's demo).
 */
export function departmentToWatch(ranking: readonly KpiRow[]): string {
  const late = ranking.filter((r) => r.onTimeRate !== null && r.onTimeRate < 1);
  const lowest = Math.min(...late.map((r) => r.onTimeRate!));
  const worst = late.filter((r) => r.onTimeRate === lowest);
  if (worst.length) {
    const named = worst.map((r) => `${r.name}（${pct(r.onTimeRate)}，超期 ${r.overdue} 件）`).join('、');
    return `按期办结率最低的部门是${named}，需重点督办。`;
  }
  const most = Math.max(0, ...ranking.map((r) => r.overdue));
  const overdue = ranking.filter((r) => most > 0 && r.overdue === most);
  if (!overdue.length) return '';
  const named = overdue.map((r) => `${r.name}（${r.overdue} 件）`).join('、');
  return `本月办结的问题均按期办结；在办超期最多的是${named}，需重点督办。`;
}
