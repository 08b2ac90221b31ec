// Daily KPI rollups, the pure part: what one issue adds to the rollup row of its creation day, and how the rows
// of a period add up to the same GroupCounts the direct aggregation (kpi.pipeline.ts) gives. The KPIs are a
// cohort by creation time with each issue's current state, so every count an issue adds belongs to its
// creation day and changes only when that issue changes. Repeats are the exception: an issue is a repeat
// within a period when its predecessor (same enterprise and category, not merged, within 90 days) also lies in
// the period, so a row keeps a histogram of "days back to the predecessor" and a period starting on day F
// counts, for an issue of day D, the predecessors at most D − F days back. The predecessor depends on the
// grouping (kpisBy counts repeats within a group) and on a county scope (only the region's issues count), so
// each row keeps four histograms: per group and in total, unscoped and within the row's region.
import { CHINA_OFFSET_MS } from '../../shared/calendar.ts';
import { DAY_MS } from '../../shared/clock.ts';
import {
  emptyKpiCounts,
  KPI_COUNT_FIELDS,
  oneTimeResolutionRate,
  onTimeCompletionRate,
  rectificationRate,
  REPEAT_WINDOW_DAYS,
  returnRate,
  satisfactionRate,
  signTimelinessRate,
  type KpiIssue,
} from '../../shared/kpi.ts';
import { isPastDue, TERMINAL_STATES } from '../../shared/states.ts';
import { GROUP_FIELD, KPI_GROUP_BYS, type KpiGroupBy } from './kpi.pipeline.ts';

/** The fields of an issue the rollups read (a projection of the issue document). */
export interface RollupIssue extends KpiIssue {
  _id: unknown;
  unitId?: unknown;
  region?: unknown;
  channel?: unknown;
  /** The light; an open issue past its deadline (red or 已超期) counts as overdue. */
  warning?: unknown;
}

export const ROLLUP_PROJECTION = Object.freeze(
  Object.fromEntries(
    [
      'enterpriseId',
      'category',
      'createdAt',
      'state',
      'signedAt',
      'signedLate',
      'repliedLate',
      'returnCount',
      'redoCount',
      'extensionCount',
      'rating',
      'ratingHistory',
      'deadlines',
      'unitId',
      'region',
      'channel',
      'warning',
    ].map((f) => [f, 1]),
  ),
);

/** What a repeat predecessor needs: its keys and time (merged issues are left out by the query). */
export const LOOKBACK_PROJECTION = Object.freeze(
  Object.fromEntries(
    ['enterpriseId', 'category', 'createdAt', 'state', 'unitId', 'region', 'channel'].map((f) => [f, 1]),
  ),
);

/**
 * The additive counts a row keeps: every KpiCount but repeats, then the open issues (the backlog) and those of
 * them past their deadline (red or 已超期). The sweep moves an issue's `updatedAt` when its light turns red (or
 * back), so a day whose overdue count changed is rebuilt like any other changed day.
 */
export const ROW_FIELDS = Object.freeze([
  ...KPI_COUNT_FIELDS.filter((f) => f !== 'repeats'),
  'open',
  'overdue',
] as const);
type RowField = (typeof ROW_FIELDS)[number];

/** A histogram of predecessor distances in days, flattened as [days, n, days, n, …] in days order. */
export type LagHistogram = number[];

export interface RollupRow {
  /** The issues' region (for a county leader's scope). */
  r: string | null;
  /** The group value (unit id, region, category or channel). */
  k: string | null;
  /** Counts in ROW_FIELDS order. */
  c: number[];
  /** Repeats within the group; in total; within the group and region; in total within the region. */
  g: LagHistogram;
  t: LagHistogram;
  gs: LagHistogram;
  ts: LagHistogram;
}

/** One day's rows per grouping. */
export type DayRows = Record<KpiGroupBy, RollupRow[]>;

/** Days since the epoch, China time: the rollups' day number. */
export const dayNumber = (instant: Date | number): number =>
  Math.floor((new Date(instant).getTime() + CHINA_OFFSET_MS) / DAY_MS);

/** 00:00 China time of a day number. */
export const dayStart = (day: number): Date => new Date(day * DAY_MS - CHINA_OFFSET_MS);

export const isDayStart = (instant: Date): boolean =>
  dayStart(dayNumber(instant)).getTime() === instant.getTime();

const keyOf = (value: unknown): string | null => (value == null ? null : String(value));
const TERMINAL: readonly string[] = TERMINAL_STATES;

/** What one issue adds to its row, through the formulas of shared/kpi.ts themselves. */
export function contribution(issue: RollupIssue): number[] {
  const one = [issue];
  const c: Record<RowField, number> = {
    total: 1,
    ratings: 0,
    goodRatings: 0,
    signed: 0,
    signedInTime: 0,
    closed: 0,
    closedOnTime: 0,
    closedFirstTime: 0,
    counted: issue.state === 'merged' ? 0 : 1,
    dispatched: 0,
    returned: 0,
    redone: 0,
    rectified: 0,
    open: TERMINAL.includes(issue.state) ? 0 : 1,
    overdue: !TERMINAL.includes(issue.state) && isPastDue(issue.warning) ? 1 : 0,
  };
  const sat = satisfactionRate(one);
  [c.goodRatings, c.ratings] = [sat.numerator, sat.denominator];
  const sign = signTimelinessRate(one);
  [c.signedInTime, c.signed] = [sign.numerator, sign.denominator];
  const onTime = onTimeCompletionRate(one);
  [c.closedOnTime, c.closed] = [onTime.numerator, onTime.denominator];
  c.closedFirstTime = oneTimeResolutionRate(one).numerator;
  const ret = returnRate(one);
  [c.returned, c.dispatched] = [ret.numerator, ret.denominator];
  const rect = rectificationRate(one);
  [c.rectified, c.redone] = [rect.numerator, rect.denominator];
  return ROW_FIELDS.map((f) => c[f]);
}

const WINDOW_MS = REPEAT_WINDOW_DAYS * DAY_MS;

/**
 * The last creation time per repeat key, fed issues in creation order: for each issue, how many days back its
 * predecessor lies under each of its repeat keys (null when there is none within the window), in the order of
 * repeatKeys.
 */
export class RepeatTracker {
  private last = new Map<string, number>();

  /** Feeds one issue; returns the distances for its keys, or null for a merged issue (never a repeat). */
  observe(issue: RollupIssue): (number | null)[] | null {
    if (issue.state === 'merged') return null;
    const t = issue.createdAt.getTime();
    const day = dayNumber(t);
    return repeatKeys(issue).map((key) => {
      const prev = this.last.get(key);
      this.last.set(key, t);
      return prev !== undefined && t - prev <= WINDOW_MS ? day - dayNumber(prev) : null;
    });
  }

  /** Forgets keys last seen more than the window before `t` (they can no longer be a predecessor). */
  prune(t: number): void {
    for (const [k, v] of this.last) if (t - v > WINDOW_MS) this.last.delete(k);
  }
}

/**
 * An issue's repeat keys (same enterprise and category; then the same within one grouping's value), each
 * followed by its county-scoped twin: [total, total in region, then per grouping of KPI_GROUP_BYS: group,
 * group in region]. Built once per issue: the enterprise id's hex string is the costly part.
 */
function repeatKeys(i: RollupIssue): string[] {
  const base = `${String(i.enterpriseId)}\u0000${i.category}`;
  const region = `\u0000@${keyOf(i.region)}`;
  const keys = [base, base + region];
  for (const g of KPI_GROUP_BYS) {
    const key = `${base}\u0000${g}\u0000${keyOf((i as unknown as Record<string, unknown>)[GROUP_FIELD[g]])}`;
    keys.push(key, key + region);
  }
  return keys;
}

function addLag(h: LagHistogram, days: number | null | undefined): void {
  if (days == null) return;
  for (let j = 0; j < h.length; j += 2) {
    if (h[j] === days) {
      h[j + 1] += 1;
      return;
    }
    if (h[j] > days) {
      h.splice(j, 0, days, 1);
      return;
    }
  }
  h.push(days, 1);
}

/** Entries of `h` at most `maxDays` back. */
export function lagsWithin(h: LagHistogram, maxDays: number): number {
  let n = 0;
  for (let j = 0; j < h.length && h[j] <= maxDays; j += 2) n += h[j + 1];
  return n;
}

const emptyRow = (r: string | null, k: string | null): RollupRow => ({
  r,
  k,
  c: ROW_FIELDS.map(() => 0),
  g: [],
  t: [],
  gs: [],
  ts: [],
});

/** By creation time, then id (ties are a distance of 0 either way). */
export const byCreation = (a: RollupIssue, b: RollupIssue): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || String(a._id).localeCompare(String(b._id));

/**
 * Accumulates rows per day and grouping. Feed issues in creation order: `lookback` ones only set the
 * predecessors (they belong to days built elsewhere), the others also add to their day's rows.
 */
export class RollupBuilder {
  readonly days = new Map<number, Map<KpiGroupBy, Map<string, RollupRow>>>();
  constructor(readonly tracker = new RepeatTracker()) {}

  add(issue: RollupIssue, lookback = false): void {
    const lags = this.tracker.observe(issue);
    if (lookback) return;
    const day = dayNumber(issue.createdAt);
    const perDay = this.days.get(day) ?? this.days.set(day, new Map()).get(day)!;
    const c = contribution(issue);
    const region = keyOf(issue.region);
    KPI_GROUP_BYS.forEach((g, n) => {
      const rows = perDay.get(g) ?? perDay.set(g, new Map()).get(g)!;
      const k = keyOf((issue as unknown as Record<string, unknown>)[GROUP_FIELD[g]]);
      const id = `${region}\u0000${k}`;
      const row = rows.get(id) ?? rows.set(id, emptyRow(region, k)).get(id)!;
      for (let j = 0; j < c.length; j++) row.c[j] += c[j];
      if (!lags) return;
      // Positions as repeatKeys lays them out.
      addLag(row.g, lags[2 + 2 * n]);
      addLag(row.t, lags[0]);
      addLag(row.gs, lags[3 + 2 * n]);
      addLag(row.ts, lags[1]);
    });
  }

  /** The rows of `day` (empty groupings when nothing was created that day). */
  rowsOf(day: number): DayRows {
    const perDay = this.days.get(day);
    return Object.fromEntries(
      KPI_GROUP_BYS.map((g) => [g, [...(perDay?.get(g)?.values() ?? [])]]),
    ) as DayRows;
  }
}

/** Counts plus the volume figures (the shape kpi.query.ts presents). */
export interface RollupCounts extends ReturnType<typeof emptyKpiCounts> {
  open: number;
  overdue: number;
}

export const emptyRollupCounts = (): RollupCounts => ({ ...emptyKpiCounts(), open: 0, overdue: 0 });

/**
 * Adds a day's rows of one grouping to the period's counts (`sign` −1 takes them away again). `fromDay` is the
 * period's first day (a repeat counts only when its predecessor is on or after it); `region` is a county
 * leader's scope.
 */
export function addDayRows(
  acc: { groups: Map<string | null, RollupCounts>; totals: RollupCounts },
  rows: readonly RollupRow[],
  day: number,
  fromDay: number,
  region: string | null,
  sign: 1 | -1 = 1,
): void {
  const back = day - fromDay;
  for (const row of rows) {
    if (region !== null && row.r !== region) continue;
    const g = acc.groups.get(row.k) ?? acc.groups.set(row.k, emptyRollupCounts()).get(row.k)!;
    for (let j = 0; j < ROW_FIELDS.length; j++) {
      g[ROW_FIELDS[j]] += sign * row.c[j];
      acc.totals[ROW_FIELDS[j]] += sign * row.c[j];
    }
    g.repeats += sign * lagsWithin(region === null ? row.g : row.gs, back);
    acc.totals.repeats += sign * lagsWithin(region === null ? row.t : row.ts, back);
  }
}
