// The issue reads behind the daily KPI rollups (kpi-rollup.store.ts stores them, kpi-rollup-period.store.ts
// reads a period): the rows of given days built live from plain indexed finds, with each own issue's repeat
// predecessors (the same enterprises' issues of the 90 days before it, read in groups of close creation times),
// and which stored days the issues changed since a time may have made out of date. Reads issues only.
import type { Document } from 'mongodb';
import { DAY_MS } from '../../shared/clock.ts';
import { REPEAT_WINDOW_DAYS } from '../../shared/kpi.ts';
import type { Models } from '../models/index.ts';
import { ENTERPRISE_ISSUES_INDEX } from '../models/issue.indexes.ts';
import {
  byCreation,
  dayNumber,
  dayStart,
  RollupBuilder,
  LOOKBACK_PROJECTION,
  ROLLUP_PROJECTION,
  type RollupIssue,
} from './kpi-rollup.ts';

/** The repeat window (same enterprise and category within 90 days) in milliseconds. */
export const WINDOW_MS = REPEAT_WINDOW_DAYS * DAY_MS;

export const issuesOf = (models: Models, filter: Document, projection: Document = ROLLUP_PROJECTION) =>
  models.Issue.collection.find<RollupIssue>(filter, { projection }).toArray();

/** The issues of many enterprises in a time range, read through their index (see ENTERPRISE_ISSUES_INDEX). */
const enterprisesIssues = <T extends Document>(models: Models, filter: Document, projection: Document) =>
  models.Issue.collection.find<T>(filter, { projection, hint: ENTERPRISE_ISSUES_INDEX }).toArray();

/** Anchors per read of their enterprises' neighbours: at most this span of creation times… */
export const NEIGHBOUR_SPAN_MS = 30 * DAY_MS;
/** …and this many enterprises (each a point of the index's bounds). */
export const NEIGHBOUR_ENTERPRISES = 2_000;

/**
 * Issues (`anchors`) in groups of close creation times and few enterprises, in creation order: each group's
 * enterprises' issues around its span are one tight read of ENTERPRISE_ISSUES_INDEX. One read spanning every
 * anchor (a catch-up sweep changes open issues created over years) read all of those enterprises' history: at
 * 1,000,000 issues 398,479 issues in 39 s, and 28 s a pass for the days it then rebuilt.
 */
export function anchorGroups(
  anchors: ReadonlyArray<Pick<RollupIssue, 'enterpriseId' | 'createdAt'>>,
): Array<{ first: Date; last: Date; enterprises: unknown[] }> {
  const sorted = [...anchors].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const groups: Array<{ first: Date; last: Date; enterprises: Map<string, unknown> }> = [];
  for (const a of sorted) {
    let g = groups[groups.length - 1];
    const key = String(a.enterpriseId);
    const full = g && !g.enterprises.has(key) && g.enterprises.size >= NEIGHBOUR_ENTERPRISES;
    if (!g || full || a.createdAt.getTime() - g.first.getTime() > NEIGHBOUR_SPAN_MS) {
      groups.push((g = { first: a.createdAt, last: a.createdAt, enterprises: new Map() }));
    }
    g.last = a.createdAt;
    g.enterprises.set(key, a.enterpriseId);
  }
  return groups.map((g) => ({ ...g, enterprises: [...g.enterprises.values()] }));
}

/**
 * The issues of each group's enterprises created within `range(first, last)` of the group (a createdAt
 * condition), each once.
 */
async function neighbours<T extends { _id: unknown }>(
  models: Models,
  anchors: ReadonlyArray<Pick<RollupIssue, 'enterpriseId' | 'createdAt'>>,
  range: (first: Date, last: Date) => Document,
  rest: Document,
  projection: Document,
): Promise<T[]> {
  const byId = new Map<string, T>();
  for (const g of anchorGroups(anchors)) {
    const filter = { enterpriseId: { $in: g.enterprises }, createdAt: range(g.first, g.last), ...rest };
    for (const doc of await enterprisesIssues<T>(models, filter, projection)) byId.set(String(doc._id), doc);
  }
  return [...byId.values()];
}

/**
 * Rows built from the issues created in the given ranges (sorted, not overlapping), in two reads: the ranges'
 * own issues, and as repeat predecessors the same enterprises' issues of the 90 days before each own issue
 * (read in groups of own issues close in time: the ranges may be far apart).
 */
export async function buildRanges(
  models: Models,
  ranges: ReadonlyArray<[Date, Date]>,
): Promise<RollupBuilder> {
  const builder = new RollupBuilder();
  if (ranges.length === 0) return builder;
  const own = await issuesOf(
    models,
    ranges.length === 1
      ? { createdAt: { $gte: ranges[0][0], $lt: ranges[0][1] } }
      : { $or: ranges.map(([a, b]) => ({ createdAt: { $gte: a, $lt: b } })) },
  );
  const ownIds = new Set(own.map((i) => String(i._id)));
  const around = await neighbours<RollupIssue>(
    models,
    own,
    (first, last) => ({ $gte: new Date(first.getTime() - WINDOW_MS), $lte: last }),
    { state: { $ne: 'merged' } },
    LOOKBACK_PROJECTION,
  );
  const all = [
    ...around.filter((i) => !ownIds.has(String(i._id))).map((i) => ({ i, lookback: true })),
    ...own.map((i) => ({ i, lookback: false })),
  ];
  all.sort((a, b) => byCreation(a.i, b.i));
  for (const { i, lookback } of all) builder.add(i, lookback);
  return builder;
}

/** Rows of the whole days of `runs` ([from, to) day numbers), the last one ending at `end` when given. */
export const buildDays = (models: Models, runs: ReadonlyArray<[number, number]>, end?: Date) =>
  buildRanges(
    models,
    runs.map(([a, b], k): [Date, Date] => [dayStart(a), k === runs.length - 1 && end ? end : dayStart(b)]),
  );

/** Sorted day numbers as runs of consecutive days [from, to). */
export function runsOf(days: Iterable<number>): Array<[number, number]> {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[1] === d) last[1] = d + 1;
    else runs.push([d, d + 1]);
  }
  return runs;
}

/**
 * Days before `beforeDay` whose stored rows may be out of date: those of issues changed since `since`, and
 * those of the same enterprises' issues created up to 90 days after a changed one (its change may make or
 * unmake their repeat, whatever it changed: category, enterprise, state).
 */
export async function changedDays(models: Models, since: Date, beforeDay: number): Promise<Set<number>> {
  return (await changesSince(models, since, beforeDay)).days;
}

/**
 * changedDays, with a fingerprint of the changes (how many issues changed since `since`, the latest updatedAt and
 * the sum of their versions): every input of a live build is an issue in that set, so an equal fingerprint means
 * an equal build.
 */
export async function changesSince(
  models: Models,
  since: Date,
  beforeDay: number,
): Promise<{ days: Set<number>; fingerprint: string }> {
  const changed = await models.Issue.collection
    .find<Pick<RollupIssue, 'enterpriseId' | 'createdAt'> & { updatedAt: Date; version?: number }>(
      { updatedAt: { $gte: since } },
      { projection: { enterpriseId: 1, createdAt: 1, updatedAt: 1, version: 1 } },
    )
    .toArray();
  // Every write moves updatedAt and the version: two writes within one millisecond still change the sum.
  let latest = 0;
  let versions = 0;
  for (const c of changed) {
    latest = Math.max(latest, new Date(c.updatedAt).getTime());
    versions += c.version ?? 0;
  }
  const fingerprint = `${changed.length}:${latest}:${versions}`;
  const days = new Set<number>();
  const byEnterprise = new Map<string, number[]>();
  for (const c of changed) {
    const t = c.createdAt.getTime();
    if (dayNumber(t) < beforeDay) days.add(dayNumber(t));
    const e = String(c.enterpriseId);
    (byEnterprise.get(e) ?? byEnterprise.set(e, []).get(e)!).push(t);
  }
  const later = await neighbours<Pick<RollupIssue, '_id' | 'enterpriseId' | 'createdAt'>>(
    models,
    changed,
    (first, last) => ({ $gt: first, $lte: new Date(last.getTime() + WINDOW_MS), $lt: dayStart(beforeDay) }),
    {},
    { enterpriseId: 1, createdAt: 1 },
  );
  for (const s of later) {
    const t = s.createdAt.getTime();
    const times = byEnterprise.get(String(s.enterpriseId)) ?? [];
    if (times.some((c) => c < t && t - c <= WINDOW_MS)) days.add(dayNumber(t));
  }
  return { days, fingerprint };
}
