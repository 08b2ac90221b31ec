// The KPI formulas of DESIGN §6 as pure functions over plain issue records, so the leader dashboard, reports
// and tests agree on every definition. A zero denominator gives a null rate ("no data"), never 0% or NaN.

import { DAY_MS } from './clock.ts';
import type { CategoryId, IssueState, Rating, RatingLevel } from './states.ts';

export interface KpiRating {
  rating: Rating;
  level?: RatingLevel;
  /** 'removed' ratings (appeal upheld) do not count. */
  verification?: 'pending' | 'reasonable' | 'removed';
}

/** The fields the formulas read; IssueCore plus enterprise id and creation time satisfies it. */
export interface KpiIssue {
  enterpriseId: string;
  category: CategoryId;
  createdAt: Date;
  state: IssueState;
  signedAt?: Date | null;
  signedLate?: boolean | null;
  repliedLate?: boolean | null;
  returnCount: number;
  redoCount: number;
  extensionCount: number;
  rating?: KpiRating | null;
  ratingHistory?: readonly KpiRating[];
  /** Set once the issue has been dispatched at least once. */
  deadlines?: unknown;
}

export interface Ratio {
  numerator: number;
  denominator: number;
  /** numerator ÷ denominator in [0, 1], or null when there is nothing to measure. */
  rate: number | null;
}

export interface KpiReport {
  total: number;
  satisfaction: Ratio;
  signTimeliness: Ratio;
  onTimeCompletion: Ratio;
  oneTimeResolution: Ratio;
  repeatComplaint: Ratio;
  returnRate: Ratio;
  rectification: Ratio;
}

export const REPEAT_WINDOW_DAYS = 90;

export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, rate: denominator === 0 ? null : numerator / denominator };
}

const count = <T>(items: readonly T[], pred: (item: T) => boolean) =>
  items.reduce((n, i) => n + (pred(i) ? 1 : 0), 0);

/** The satisfied levels (非常满意, 满意, 基本满意). */
export const GOOD_LEVELS: readonly RatingLevel[] = Object.freeze([
  'very_satisfied',
  'satisfied',
  'basically_satisfied',
] as RatingLevel[]);

/** A rating counts as satisfied by its level when it has one, else by good/bad. */
export function isGood(r: KpiRating): boolean {
  return r.level ? GOOD_LEVELS.includes(r.level) : r.rating === 'good';
}

/** Every rating given, current and earlier, except those removed on appeal. */
function countedRatings(issue: KpiIssue): KpiRating[] {
  const all = [...(issue.ratingHistory ?? []), ...(issue.rating ? [issue.rating] : [])];
  return all.filter((r) => r.verification !== 'removed');
}

/** (非常满意 + 满意 + 基本满意) ÷ ratings. */
export function satisfactionRate(issues: readonly KpiIssue[]): Ratio {
  const ratings = issues.flatMap(countedRatings);
  return ratio(count(ratings, isGood), ratings.length);
}

/**
 * Signed within the sign-for limit ÷ issues due to be signed: signed, or past the limit unsigned (the sweep's
 * 催签 marks those `signedLate`, so a unit that never signs is a miss too, not left out).
 */
export function signTimelinessRate(issues: readonly KpiIssue[]): Ratio {
  const due = issues.filter((i) => i.signedAt || i.signedLate === true);
  return ratio(
    count(due, (i) => i.signedLate === false),
    due.length,
  );
}

/** Closed issues whose accepted reply met the resolve deadline ÷ closed issues. */
export function onTimeCompletionRate(issues: readonly KpiIssue[]): Ratio {
  const closed = issues.filter((i) => i.state === 'closed');
  return ratio(
    count(closed, (i) => i.repliedLate !== true),
    closed.length,
  );
}

/** Closed with no return, redo or extension ÷ closed issues. */
export function oneTimeResolutionRate(issues: readonly KpiIssue[]): Ratio {
  const closed = issues.filter((i) => i.state === 'closed');
  return ratio(
    count(closed, (i) => i.returnCount === 0 && i.redoCount === 0 && i.extensionCount === 0),
    closed.length,
  );
}

/**
 * Issues raised again by the same enterprise in the same category within 90 days of an earlier one ÷ issues.
 * Merged duplicates are left out: they are one problem reported twice, not a repeat.
 */
export function repeatComplaintRate(issues: readonly KpiIssue[], windowDays = REPEAT_WINDOW_DAYS): Ratio {
  const counted = issues.filter((i) => i.state !== 'merged');
  const byKey = new Map<string, number[]>();
  for (const i of counted) {
    const key = `${i.enterpriseId}\u0000${i.category}`;
    const times = byKey.get(key) ?? byKey.set(key, []).get(key)!;
    times.push(i.createdAt.getTime());
  }
  let repeats = 0;
  for (const times of byKey.values()) repeats += countRepeats(times, windowDays);
  return ratio(repeats, counted.length);
}

function wasDispatched(i: KpiIssue): boolean {
  return Boolean(i.deadlines) || i.returnCount > 0 || i.signedAt != null;
}

/** Issues returned at least once ÷ issues ever dispatched. */
export function returnRate(issues: readonly KpiIssue[]): Ratio {
  const dispatched = issues.filter(wasDispatched);
  return ratio(
    count(dispatched, (i) => i.returnCount > 0),
    dispatched.length,
  );
}

/** Redone issues (a bad rating judged reasonable) now closed with a good rating ÷ redone issues. */
export function rectificationRate(issues: readonly KpiIssue[]): Ratio {
  const redone = issues.filter((i) => i.redoCount > 0);
  return ratio(
    count(redone, (i) => i.state === 'closed' && i.rating != null && isGood(i.rating)),
    redone.length,
  );
}

export function computeKpis(issues: readonly KpiIssue[]): KpiReport {
  return {
    total: issues.length,
    satisfaction: satisfactionRate(issues),
    signTimeliness: signTimelinessRate(issues),
    onTimeCompletion: onTimeCompletionRate(issues),
    oneTimeResolution: oneTimeResolutionRate(issues),
    repeatComplaint: repeatComplaintRate(issues),
    returnRate: returnRate(issues),
    rectification: rectificationRate(issues),
  };
}

/** KPIs per group (department, region, category, month…), for the leader dashboard. */
export function kpisBy<T extends KpiIssue>(
  issues: readonly T[],
  key: (issue: T) => string,
): Record<string, KpiReport> {
  const groups = new Map<string, T[]>();
  for (const issue of issues) {
    const k = key(issue);
    const list = groups.get(k) ?? groups.set(k, []).get(k)!;
    list.push(issue);
  }
  return Object.fromEntries([...groups].map(([k, list]) => [k, computeKpis(list)]));
}

export const KPI_LABELS: Readonly<Record<Exclude<keyof KpiReport, 'total'>, string>> = Object.freeze({
  satisfaction: '满意率',
  signTimeliness: '及时签收率',
  onTimeCompletion: '按期办结率',
  oneTimeResolution: '一次性解决率',
  repeatComplaint: '重复投诉率',
  returnRate: '退单率',
  rectification: '差评整改率',
});

/**
 * The issues a timeliness KPI missed, as the staff list filters them (`GET /api/issues?late=…`): signed after
 * the sign-for limit (及时签收率's misses) and closed on a reply after the resolve deadline (按期办结率's).
 */
export const LATE_KINDS = ['sign', 'reply'] as const;
export type LateKind = (typeof LATE_KINDS)[number];
export const LATE_LABELS: Readonly<Record<LateKind, string>> = Object.freeze({
  sign: '超期签收',
  reply: '超期办结',
});

/**
 * The numerators and denominators of the seven KPIs, as counts that add up across groups and processes. The
 * server computes them with a database aggregation that mirrors the predicates above (tested against
 * computeKpis on the same issues); kpiRates turns them into rates.
 */
export interface KpiCounts {
  total: number;
  ratings: number;
  goodRatings: number;
  /** Signed, or past the sign-for limit unsigned (`signedLate`): 及时签收率's denominator. */
  signed: number;
  signedInTime: number;
  closed: number;
  closedOnTime: number;
  closedFirstTime: number;
  /** Issues that are not merged duplicates (the repeat-complaint denominator). */
  counted: number;
  repeats: number;
  dispatched: number;
  returned: number;
  redone: number;
  rectified: number;
}

export const KPI_COUNT_FIELDS = Object.freeze([
  'total',
  'ratings',
  'goodRatings',
  'signed',
  'signedInTime',
  'closed',
  'closedOnTime',
  'closedFirstTime',
  'counted',
  'repeats',
  'dispatched',
  'returned',
  'redone',
  'rectified',
] as const satisfies readonly (keyof KpiCounts)[]);

export function emptyKpiCounts(): KpiCounts {
  return Object.fromEntries(KPI_COUNT_FIELDS.map((f) => [f, 0])) as unknown as KpiCounts;
}

export function addKpiCounts(a: KpiCounts, b: KpiCounts): KpiCounts {
  return Object.fromEntries(KPI_COUNT_FIELDS.map((f) => [f, a[f] + b[f]])) as unknown as KpiCounts;
}

/** The report of computeKpis, from counts. */
export function kpiReportOf(c: KpiCounts): KpiReport {
  return {
    total: c.total,
    satisfaction: ratio(c.goodRatings, c.ratings),
    signTimeliness: ratio(c.signedInTime, c.signed),
    onTimeCompletion: ratio(c.closedOnTime, c.closed),
    oneTimeResolution: ratio(c.closedFirstTime, c.closed),
    repeatComplaint: ratio(c.repeats, c.counted),
    returnRate: ratio(c.returned, c.dispatched),
    rectification: ratio(c.rectified, c.redone),
  };
}

/** Of one key's creation times (any order), how many follow an earlier one within the window. */
export function countRepeats(times: readonly number[], windowDays = REPEAT_WINDOW_DAYS): number {
  const sorted = [...times].sort((a, b) => a - b);
  let repeats = 0;
  for (let k = 1; k < sorted.length; k++) if (sorted[k] - sorted[k - 1] <= windowDays * DAY_MS) repeats++;
  return repeats;
}
