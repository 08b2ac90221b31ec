// The period reads of the daily KPI rollups (kpi-rollup.store.ts builds and stores them): a period's rows are
// the stored days as they are plus the days a read must build live (changed since the watermark, from
// `builtThrough` on, a last day cut short). Kept apart from the building because it holds per-process state
// the job never touches.
//
// Each process keeps the stored days it has read (a few rows per day and grouping: kilobytes per year), tagged
// with the build and the pass that stored them: a read fetches only the days stored by passes it has not seen
// (`pass` on each day document), so a year's figures cost no database read of the 365 days once warm.
import type { Models } from '../models/index.ts';
import { dayNumber, dayStart, type DayRows, type RollupBuilder, type RollupRow } from './kpi-rollup.ts';
import { buildDays, changesSince, runsOf } from './kpi-rollup-issues.ts';
import { rollupDays, type RollupState } from './kpi-rollup.store.ts';
import type { KpiGroupBy } from './kpi.pipeline.ts';

/** A period's rows in two parts: the stored days as they are, and the days a read must build live. */
export interface PeriodRows {
  /** Every stored day's rows (the period's are those in [fromDay, storedTo)). */
  stored: ReadonlyMap<number, RollupRow[]>;
  storedTo: number;
  /** Stored days of the period whose rows are out of date: `live` has them. */
  stale: number[];
  /** The stale days, the days from `builtThrough` on and a last day that `to` cuts short, built live. */
  live: Map<number, RollupRow[]>;
}

/** The rows of the issues created in [dayStart(fromDay), to) as a read sees them, in their two parts. */
export async function periodRows(
  models: Models,
  state: RollupState,
  groupBy: KpiGroupBy,
  fromDay: number,
  to: Date,
): Promise<PeriodRows> {
  const toDay = dayNumber(new Date(to.getTime() - 1)) + 1;
  const cut = dayStart(toDay).getTime() !== to.getTime();
  const storedTo = Math.max(fromDay, Math.min(cut ? toDay - 1 : toDay, state.builtThrough));
  const [stored, changes] = await Promise.all([
    storedTo > fromDay ? storedDays(models, state, groupBy) : new Map<number, RollupRow[]>(),
    changesSince(models, state.watermark, state.builtThrough),
  ]);
  const stale = [...changes.days].filter((d) => d >= fromDay && d < storedTo).sort((a, b) => a - b);
  const days = [...stale, ...range(storedTo, toDay)];
  const runs = runsOf(days);
  const version = `${state.build}:${state.pass}:${state.watermark.getTime()}:${changes.fingerprint}`;
  const builder = await liveBuild(models, version, runs, runs.at(-1)?.[1] === toDay ? to : undefined);
  const live = new Map<number, RollupRow[]>();
  for (const [a, b] of runs) for (let d = a; d < b; d++) live.set(d, builder.rowsOf(d)[groupBy]);
  return { stored, storedTo, stale, live };
}

/** periodRows merged: each day of the period with its rows as a read sees them. */
export async function rowsForPeriod(
  models: Models,
  state: RollupState,
  groupBy: KpiGroupBy,
  fromDay: number,
  to: Date,
): Promise<Map<number, DayRows[KpiGroupBy]>> {
  const { stored, storedTo, live } = await periodRows(models, state, groupBy, fromDay, to);
  const rows = new Map<number, DayRows[KpiGroupBy]>();
  for (let d = fromDay; d < storedTo; d++) {
    const day = stored.get(d);
    if (day) rows.set(d, day);
  }
  for (const [d, day] of live) rows.set(d, day);
  return rows;
}

/** Live builds by their runs and end, for one version of the stored state and the changes since it. */
const liveBuilds = new WeakMap<Models, { version: string; builds: Map<string, Promise<RollupBuilder>> }>();
const MAX_LIVE_BUILDS = 32;

/**
 * The rows of `runs` built from the issues (buildDays), shared by the reads that see the same stored state and
 * the same changes since its watermark: the dashboard's several figures and its refreshes cost one build.
 */
function liveBuild(
  models: Models,
  version: string,
  runs: Array<[number, number]>,
  end: Date | undefined,
): Promise<RollupBuilder> {
  let cached = liveBuilds.get(models);
  if (!cached || cached.version !== version) {
    cached = { version, builds: new Map() };
    liveBuilds.set(models, cached);
  }
  const key = `${JSON.stringify(runs)}:${end?.getTime() ?? ''}`;
  let build = cached.builds.get(key);
  if (!build) {
    if (cached.builds.size >= MAX_LIVE_BUILDS) cached.builds.clear();
    const builds = cached.builds;
    build = buildDays(models, runs, end);
    build.catch(() => builds.delete(key));
    builds.set(key, build);
  }
  return build;
}

interface CachedDays {
  build: string;
  pass: number;
  days: Map<number, RollupRow[]>;
  /** The refresh in flight, shared by the reads that arrive meanwhile. */
  refreshing?: Promise<void>;
}

const cache = new WeakMap<Models, Map<KpiGroupBy, CachedDays>>();

/**
 * Every stored day's rows of one grouping as of `state`'s pass: the days this process has read, plus those
 * stored by later passes (one read of the few changed day documents). A state without a build id (written
 * by an older job) is read through, uncached.
 */
async function storedDays(
  models: Models,
  state: RollupState,
  groupBy: KpiGroupBy,
): Promise<Map<number, RollupRow[]>> {
  const projection = { [groupBy]: 1 };
  if (!state.build || typeof state.pass !== 'number') {
    const docs = await rollupDays(models).find({}, { projection }).toArray();
    return new Map(docs.map((doc) => [doc._id, doc[groupBy] ?? []]));
  }
  const perModels = cache.get(models) ?? cache.set(models, new Map()).get(models)!;
  let entry = perModels.get(groupBy);
  if (!entry || entry.build !== state.build) {
    entry = { build: state.build, pass: -1, days: new Map() };
    perModels.set(groupBy, entry);
  }
  while (entry.pass < state.pass) {
    const cached = entry;
    const target = state.pass;
    cached.refreshing ??= (async () => {
      try {
        const filter = cached.pass < 0 ? {} : { pass: { $gt: cached.pass } };
        const docs = await rollupDays(models).find(filter, { projection }).toArray();
        // A new map, never changed after: a read holds one state of the stored days (and sums it once).
        const days = new Map(cached.days);
        for (const doc of docs) days.set(doc._id, doc[groupBy] ?? []);
        cached.days = days;
        cached.pass = Math.max(cached.pass, target);
      } finally {
        cached.refreshing = undefined;
      }
    })();
    await cached.refreshing;
  }
  return entry.days;
}

const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
