// The KPI aggregation pipelines (pure builders, no I/O). They mirror the predicates of shared/kpi.ts as
// aggregation expressions, so the counts come out of the database in one pass over the period's issues instead
// of shipping every issue to the app; test/api/kpis.test.ts checks them against computeKpis on the same issues.
//
// Both pipelines start with a `$match` on the creation-time range, which the `createdAt` index serves, and the
// first in-memory stage is a `$group`, so the embedded server decodes only the fields the group reads.
import { GOOD_LEVELS } from '../../shared/kpi.ts';
import { PAST_DUE_WARNINGS, TERMINAL_STATES } from '../../shared/states.ts';

export const KPI_GROUP_BYS = ['unit', 'region', 'category', 'channel'] as const;
export type KpiGroupBy = (typeof KPI_GROUP_BYS)[number];

/** The issue field each grouping reads. */
export const GROUP_FIELD: Readonly<Record<KpiGroupBy, string>> = Object.freeze({
  unit: 'unitId',
  region: 'region',
  category: 'category',
  channel: 'channel',
});

export interface KpiPeriod {
  from: Date;
  /** Exclusive. */
  to: Date;
}

type Expr = Record<string, unknown>;

const isSet = (path: string): Expr => ({ $ne: [{ $ifNull: [path, null] }, null] });
const one = (cond: unknown): Expr => ({ $cond: [cond, 1, 0] });
const closed: Expr = { $eq: ['$state', 'closed'] };

/** shared/kpi.ts isGood, for a rating held in `$$<name>`. */
const isGood = (r: string): Expr => ({
  $cond: [
    { $eq: [{ $ifNull: [`${r}.level`, null] }, null] },
    { $eq: [`${r}.rating`, 'good'] },
    { $in: [`${r}.level`, [...GOOD_LEVELS]] },
  ],
});

/** Every rating given (history and current) except those removed on appeal. */
const countedRatings: Expr = {
  $filter: {
    input: {
      $concatArrays: [
        { $ifNull: ['$ratingHistory', []] },
        { $cond: [{ $eq: [{ $ifNull: ['$rating', null] }, null] }, [], ['$rating']] },
      ],
    },
    as: 'r',
    cond: { $ne: ['$$r.verification', 'removed'] },
  },
};

/** The accumulators of every KpiCount except `repeats` (which needs the times of each enterprise and category). */
const COUNT_ACCUMULATORS: Readonly<Record<string, Expr>> = Object.freeze({
  total: { $sum: 1 },
  ratings: { $sum: { $size: countedRatings } },
  goodRatings: { $sum: { $size: { $filter: { input: countedRatings, as: 'g', cond: isGood('$$g') } } } },
  // Signed, or past the sign-for limit unsigned (shared/kpi.ts signTimelinessRate).
  signed: { $sum: one({ $or: [isSet('$signedAt'), { $eq: ['$signedLate', true] }] }) },
  signedInTime: { $sum: one({ $and: [isSet('$signedAt'), { $eq: ['$signedLate', false] }] }) },
  closed: { $sum: one(closed) },
  closedOnTime: { $sum: one({ $and: [closed, { $ne: ['$repliedLate', true] }] }) },
  closedFirstTime: {
    $sum: one({
      $and: [
        closed,
        { $eq: ['$returnCount', 0] },
        { $eq: ['$redoCount', 0] },
        { $eq: ['$extensionCount', 0] },
      ],
    }),
  },
  counted: { $sum: one({ $ne: ['$state', 'merged'] }) },
  dispatched: {
    $sum: one({ $or: [isSet('$deadlines'), { $gt: ['$returnCount', 0] }, isSet('$signedAt')] }),
  },
  returned: { $sum: one({ $gt: ['$returnCount', 0] }) },
  redone: { $sum: one({ $gt: ['$redoCount', 0] }) },
  rectified: {
    $sum: one({
      $and: [{ $gt: ['$redoCount', 0] }, closed, isSet('$rating'), isGood('$rating')],
    }),
  },
  // Volume and load beside the rates.
  open: { $sum: one({ $not: [{ $in: ['$state', [...TERMINAL_STATES]] }] }) },
  // Past the deadline: red (at the due time) or 已超期 (a working day later), as every 超期 figure counts.
  overdue: {
    $sum: one({
      $and: [
        { $in: ['$warning', [...PAST_DUE_WARNINGS]] },
        { $not: [{ $in: ['$state', [...TERMINAL_STATES]] }] },
      ],
    }),
  },
});

function periodMatch(period: KpiPeriod, scope: Record<string, unknown>): Record<string, unknown> {
  return { createdAt: { $gte: period.from, $lt: period.to }, ...scope };
}

/** One row per group: `{_id: <group value>, total, ratings, …, open, overdue}`. */
export function countsPipeline(
  groupBy: KpiGroupBy,
  period: KpiPeriod,
  scope: Record<string, unknown> = {},
): Record<string, unknown>[] {
  return [
    { $match: periodMatch(period, scope) },
    { $group: { _id: `$${GROUP_FIELD[groupBy]}`, ...COUNT_ACCUMULATORS } },
  ];
}

/**
 * The creation times of every enterprise and category raised more than once in the period (merged duplicates
 * left out), each with its group value: `{_id: {e, c}, items: [{t, g}]}`. Repeats are counted from these.
 */
export function repeatsPipeline(
  groupBy: KpiGroupBy,
  period: KpiPeriod,
  scope: Record<string, unknown> = {},
): Record<string, unknown>[] {
  return [
    { $match: { ...periodMatch(period, scope), state: { $ne: 'merged' } } },
    {
      $group: {
        _id: { e: '$enterpriseId', c: '$category' },
        n: { $sum: 1 },
        items: { $push: { t: '$createdAt', g: `$${GROUP_FIELD[groupBy]}` } },
      },
    },
    { $match: { n: { $gt: 1 } } },
  ];
}
