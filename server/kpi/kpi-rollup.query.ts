// The KPI counts of a period from the daily rollups (kpi-rollup.store.ts) instead of an aggregation over the
// period's issues: the same GroupCounts as the direct path, read from one document per day plus the issues of
// today and of days changed since the job's last pass (the overdue count too: the sweep moves updatedAt when
// a light turns red). Serves periods that start at 00:00 China time (every period the dashboard offers) and the
// whole city or one region; anything else returns null and the caller aggregates directly.
import type { Models } from '../models/index.ts';
import {
  addDayRows,
  dayNumber,
  emptyRollupCounts,
  isDayStart,
  ROW_FIELDS,
  type RollupCounts,
  type RollupRow,
} from './kpi-rollup.ts';
import { periodRows, rowsForPeriod } from './kpi-rollup-period.store.ts';
import { readyState } from './kpi-rollup.store.ts';
import type { KpiGroupBy, KpiPeriod } from './kpi.pipeline.ts';

export interface PeriodCounts {
  groups: Map<string | null, RollupCounts>;
  totals: RollupCounts;
}

/** The region a scope narrows to, null for the whole city, undefined for a scope the rollups cannot serve. */
function scopeRegion(scope: Record<string, unknown>): string | null | undefined {
  const keys = Object.keys(scope);
  if (keys.length === 0) return null;
  if (keys.length === 1 && typeof scope.region === 'string') return scope.region;
  return undefined;
}

/** Counts per group and in total from the rollups, or null when they cannot answer (see the header). */
export async function countFromRollups(
  models: Models,
  groupBy: KpiGroupBy,
  period: KpiPeriod,
  scope: Record<string, unknown>,
): Promise<PeriodCounts | null> {
  const region = scopeRegion(scope);
  if (region === undefined || !isDayStart(period.from)) return null;
  const state = await readyState(models);
  if (!state) return null;
  const fromDay = dayNumber(period.from);
  const { stored, storedTo, stale, live } = await periodRows(models, state, groupBy, fromDay, period.to);
  const acc = copyCounts(storedSum(groupBy, region, fromDay, storedTo, stored));
  for (const day of stale) addDayRows(acc, stored.get(day) ?? [], day, fromDay, region, -1);
  for (const [day, rows] of live) addDayRows(acc, rows, day, fromDay, region);
  // A group whose issues all left it (to another unit, say) in a day built live keeps a row of zeros.
  for (const [key, g] of acc.groups) if (g.total === 0) acc.groups.delete(key);
  return acc;
}

/**
 * The sums of the stored days [fromDay, storedTo) for one grouping and scope, kept with the stored days' map
 * they were added from (a new map every job pass, about a minute): the dashboard's periods are few and every
 * reader asks for the same ones, so a year's 365 days × rows are added once a pass instead of once a request.
 */
const MAX_STORED_SUMS = 256;
const storedSums = new WeakMap<ReadonlyMap<number, RollupRow[]>, Map<string, PeriodCounts>>();

function storedSum(
  groupBy: KpiGroupBy,
  region: string | null,
  fromDay: number,
  storedTo: number,
  stored: ReadonlyMap<number, RollupRow[]>,
): PeriodCounts {
  const sums = storedSums.get(stored) ?? storedSums.set(stored, new Map()).get(stored)!;
  const key = `${groupBy}:${region}:${fromDay}:${storedTo}`;
  let sum = sums.get(key);
  if (!sum) {
    sum = { groups: new Map(), totals: emptyRollupCounts() };
    for (let day = fromDay; day < storedTo; day++) {
      const rows = stored.get(day);
      if (rows) addDayRows(sum, rows, day, fromDay, region);
    }
    if (sums.size >= MAX_STORED_SUMS) sums.clear(); // custom periods: bounded until the next pass
    sums.set(key, sum);
  }
  return sum;
}

const copyCounts = (c: PeriodCounts): PeriodCounts => ({
  groups: new Map([...c.groups].map(([k, g]) => [k, { ...g }])),
  totals: { ...c.totals },
});

/** Issues received (merged duplicates left out) per category and region, or null as countFromRollups. */
export async function receivedByCategoryRegion(
  models: Models,
  period: KpiPeriod,
  scope: Record<string, unknown>,
): Promise<Array<{ c: string; r: string; n: number }> | null> {
  const region = scopeRegion(scope);
  if (region === undefined || !isDayStart(period.from)) return null;
  const state = await readyState(models);
  if (!state) return null;
  const days = await rowsForPeriod(models, state, 'category', dayNumber(period.from), period.to);
  const counted = ROW_FIELDS.indexOf('counted');
  const cells = new Map<string, { c: string; r: string; n: number }>();
  for (const rows of days.values()) {
    for (const row of rows) {
      if ((region !== null && row.r !== region) || row.c[counted] === 0) continue;
      const id = `${row.k}|${row.r}`;
      const cell = cells.get(id) ?? cells.set(id, { c: String(row.k), r: String(row.r), n: 0 }).get(id)!;
      cell.n += row.c[counted];
    }
  }
  return [...cells.values()];
}
