// Daily KPI rollups, the stored part: one document per day and grouping (`kpi_rollup_days`) with the rows of
// kpi-rollup.ts, and one state document (`kpi_rollup_state`): `builtThrough` (days before it are stored),
// `watermark` (issues changed since then may not be in them yet) and the job's lease.
//
// Exact at every read without trusting the job's timing: a read takes the stored days, rebuilds live the days
// of issues changed since the watermark (and of the same enterprises' issues up to 90 days after them, whose
// repeat predecessor may have changed) and every day from `builtThrough` on (today), from plain indexed finds.
// The job (kpi-rollup.job.ts) stores those days again and moves the watermark; until the first build has
// finished, the KPI query uses the direct aggregation. The reads of a period, with their per-process cache of
// the stored days, are kpi-rollup-period.store.ts; the issue reads the days are built from (and which days
// changed) are kpi-rollup-issues.ts.
import type { Collection, Document } from 'mongodb';
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';
import {
  byCreation,
  dayNumber,
  dayStart,
  RepeatTracker,
  RollupBuilder,
  LOOKBACK_PROJECTION,
  type DayRows,
} from './kpi-rollup.ts';
import { buildDays, changedDays, issuesOf, runsOf, WINDOW_MS } from './kpi-rollup-issues.ts';
import { KPI_GROUP_BYS } from './kpi.pipeline.ts';

/**
 * 2: rows count the overdue issues (format 1 read them live). 3: 及时签收率 counts an issue still unsigned after
 * its sign-for limit (催签 sent) as a miss. A new format is built afresh at start-up. (超期 counting red issues
 * too changed only the days holding an open red issue: a one-time upgrade rebuilds those, see
 * models/issue-upgrades.ts, not a new format.)
 */
export const ROLLUP_FORMAT = 3;
/** How late a write may land after the time it stamped as updatedAt and still be seen as changed. */
export const WATERMARK_SLACK_MS = 2 * 60_000;
/** Days per pass of the full build (one indexed range read each). */
const BUILD_CHUNK_DAYS = 7;
/**
 * Changed days in a run at least this long are built forward like the first build (the 90 days before the run
 * read once, then each chunk's own issues), not piece by piece with each piece's own 90-day look back: a
 * catch-up sweep dirties every day of the history, and at 1,000,000 issues the pieces read 41,000 issues per
 * 9,300 they built.
 */
const LONG_RUN_DAYS = 4 * BUILD_CHUNK_DAYS;

export interface RollupState {
  _id: 'state';
  format: number;
  builtThrough: number;
  watermark: Date;
  /**
   * A first build under way (no `builtThrough` yet, so reads use the direct aggregation): the days before
   * `through` are stored, and `watermark` is the build's start less the slack, which becomes the state's
   * watermark when it completes (so issues changed while it ran are built again). A stopped build resumes here.
   */
  building?: { through: number; watermark: Date };
  /** A new id for every full build (the days were deleted and stored again). */
  build?: string;
  /** Counts the job's passes within a build; each day document names the pass that stored it. */
  pass?: number;
}

interface DayDoc extends DayRows {
  _id: number;
  pass?: number;
}

export const rollupDays = (models: Models): Collection<DayDoc> =>
  models.Issue.db.collection<DayDoc>('kpi_rollup_days') as unknown as Collection<DayDoc>;
/** The state document and the job's lease (kpi-rollup.job.ts). */
export const rollupState = (models: Models): Collection<Document> =>
  models.Issue.db.collection('kpi_rollup_state') as unknown as Collection<Document>;

/** The stored state when the rollups are built in the current format, else null. */
export async function readyState(models: Models): Promise<RollupState | null> {
  return ready((await rollupState(models).findOne({ _id: 'state' as never })) as RollupState | null);
}

/**
 * Whether the rollups are still to be built: undefined when they are ready; else the day the first build has
 * stored every day before (null when it has not started, or the stored format is an old one).
 */
export async function buildProgress(models: Models): Promise<number | null | undefined> {
  const raw = (await rollupState(models).findOne({ _id: 'state' as never })) as RollupState | null;
  if (ready(raw)) return undefined;
  return raw?.format === ROLLUP_FORMAT && raw.building ? raw.building.through : null;
}

const ready = (s: RollupState | null) =>
  s && s.format === ROLLUP_FORMAT && typeof s.builtThrough === 'number' ? s : null;

/** Stores the built days [fromDay, toDay) (a day with no issues stores empty rows); returns the rows stored. */
async function storeDays(
  models: Models,
  builder: RollupBuilder,
  fromDay: number,
  toDay: number,
  pass: number,
) {
  const ops = [];
  let rows = 0;
  for (let d = fromDay; d < toDay; d++) {
    const replacement = { _id: d, ...builder.rowsOf(d), pass };
    for (const g of KPI_GROUP_BYS) rows += replacement[g].length;
    ops.push({ replaceOne: { filter: { _id: d }, replacement, upsert: true } });
  }
  if (ops.length) await rollupDays(models).bulkWrite(ops, { ordered: false });
  return rows;
}

/**
 * How a pass may be cut short: `signal` aborts it (the job stops), `renew` keeps its lease and answers false
 * once another process holds it. Both are asked between chunks, so a pass stops within one chunk's work.
 */
export interface PassControl {
  signal?: AbortSignal;
  renew?: () => Promise<boolean>;
}

const goOn = async (control: PassControl) => !control.signal?.aborted && ((await control.renew?.()) ?? true);

/**
 * Builds and stores the days [fromDay, toDay) in chunks (the first build, or days the job missed), calling
 * `stored(b)` after the days before b are stored; returns the rows stored, or null when stopped part-way.
 *
 * The chunks go forward in time with one repeat tracker: the 90 days before `fromDay` are read once (for the
 * predecessors of the first days), and each chunk's own issues then serve as the next chunks' predecessors,
 * so every issue is read once. (Building each chunk on its own re-read 90 days of its enterprises' issues for
 * 7 days of rows: at a million issues most of a first build's reading.)
 */
async function buildAndStore(
  models: Models,
  fromDay: number,
  toDay: number,
  pass: number,
  control: PassControl,
  stored?: (through: number) => Promise<unknown>,
): Promise<number | null> {
  let rows = 0;
  let tracker: RepeatTracker | undefined;
  for (let a = fromDay; a < toDay; a += BUILD_CHUNK_DAYS) {
    if (a > fromDay && !(await goOn(control))) return null;
    const b = Math.min(a + BUILD_CHUNK_DAYS, toDay);
    if (!tracker) {
      const before = new RollupBuilder();
      const prior = await issuesOf(
        models,
        {
          createdAt: { $gte: new Date(dayStart(a).getTime() - WINDOW_MS), $lt: dayStart(a) },
          state: { $ne: 'merged' },
        },
        LOOKBACK_PROJECTION,
      );
      for (const i of prior.sort(byCreation)) before.add(i, true);
      tracker = before.tracker;
    }
    const builder = new RollupBuilder(tracker);
    const own = await issuesOf(models, { createdAt: { $gte: dayStart(a), $lt: dayStart(b) } });
    for (const i of own.sort(byCreation)) builder.add(i);
    rows += await storeDays(models, builder, a, b, pass);
    tracker.prune(dayStart(b).getTime());
    await stored?.(b);
  }
  return rows;
}

/** Runs split so that no piece spans more than `days` days (a catch-up can have changed years of days). */
function pieces(runs: Array<[number, number]>, days: number): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  let piece: Array<[number, number]> = [];
  let size = 0;
  for (const [a, b] of runs) {
    for (let x = a; x < b;) {
      const y = Math.min(b, x + days - size);
      piece.push([x, y]);
      size += y - x;
      x = y;
      if (size === days) {
        out.push(piece);
        piece = [];
        size = 0;
      }
    }
  }
  if (piece.length) out.push(piece);
  return out;
}

export interface RefreshReport {
  /** Days stored for the first time (the first build, or days completed since the last pass). */
  built: number;
  /** Days stored again because issues of theirs changed. */
  rebuilt: number;
  /** Rows in the days stored (all four groupings). */
  rows: number;
  ms: number;
  /** The pass was stopped part-way (shutdown, or the lease lost); the next pass goes on from there. */
  stopped?: true;
}

/**
 * One pass of the job, by the lease holder: builds every day from the first issue when nothing is stored
 * (or the format changed), else stores again the days changed since the watermark and the days completed
 * since the last pass; then moves `builtThrough` to today and the watermark to now (less the slack).
 *
 * Bounded by `control` between chunks of days: the first build records how far it got after every chunk and
 * a later pass (in this process or another) resumes there; a stopped incremental pass moves nothing, so the
 * next one finds the same changes. `stopped` says the pass ended early.
 */
export async function refreshRollups(
  models: Models,
  now: Date,
  control: PassControl = {},
): Promise<RefreshReport> {
  const started = performance.now();
  const today = dayNumber(now);
  const raw = (await rollupState(models).findOne({ _id: 'state' as never })) as RollupState | null;
  const state = ready(raw);
  const report = state
    ? await changedDaysPass(models, state, now, today, control)
    : await firstBuild(models, raw, now, today, control);
  return { ...report, ms: Math.round(performance.now() - started) };
}

/**
 * The first build (nothing stored, or an old format): every day from the first issue's, or from where a
 * stopped build got to, with its progress recorded after every chunk.
 */
async function firstBuild(
  models: Models,
  raw: RollupState | null,
  now: Date,
  today: number,
  control: PassControl,
): Promise<Omit<RefreshReport, 'ms'>> {
  const resume = raw?.format === ROLLUP_FORMAT && raw.build && raw.building ? raw.building : undefined;
  const build = resume ? raw!.build! : new Types.ObjectId().toHexString();
  const watermark = resume?.watermark ?? new Date(now.getTime() - WATERMARK_SLACK_MS);
  let from = resume?.through;
  if (from === undefined) {
    const first = await models.Issue.collection.findOne<{ createdAt: Date }>(
      {},
      { sort: { createdAt: 1 }, projection: { createdAt: 1 } },
    );
    from = first ? dayNumber(first.createdAt) : today;
    await rollupDays(models).deleteMany({});
    await rollupState(models).replaceOne(
      { _id: 'state' as never },
      { format: ROLLUP_FORMAT, build, building: { through: from, watermark } },
      { upsert: true },
    );
  }
  const progress = (through: number) =>
    rollupState(models).updateOne(
      { _id: 'state' as never, build },
      { $set: { 'building.through': through } },
    );
  const rows = await buildAndStore(models, from, today, 1, control, progress);
  if (rows === null) {
    const through = ((await rollupState(models).findOne({ _id: 'state' as never })) as RollupState | null)
      ?.building?.through;
    return { built: (through ?? from) - from, rebuilt: 0, rows: 0, stopped: true };
  }
  await rollupState(models).updateOne(
    { _id: 'state' as never, build },
    { $set: { builtThrough: today, watermark, pass: 1 }, $unset: { building: '' } },
  );
  return { built: today - from, rebuilt: 0, rows };
}

/** A pass over stored rollups: the days changed since the watermark again, then the days completed since. */
async function changedDaysPass(
  models: Models,
  state: RollupState,
  now: Date,
  today: number,
  control: PassControl,
): Promise<Omit<RefreshReport, 'ms'>> {
  // A state from before passes were counted starts a new build id: readers then read every day once.
  const build = state.build ?? new Types.ObjectId().toHexString();
  const pass = (state.build ? (state.pass ?? 0) : 0) + 1;
  const watermark = new Date(now.getTime() - WATERMARK_SLACK_MS);
  const dirty = await changedDays(models, state.watermark, state.builtThrough);
  let rows = 0;
  const runs = runsOf(dirty);
  const isLong = ([a, b]: [number, number]) => b - a >= LONG_RUN_DAYS;
  for (const [a, b] of runs.filter(isLong)) {
    if (rows > 0 && !(await goOn(control))) return { built: 0, rebuilt: 0, rows, stopped: true };
    const stored = await buildAndStore(models, a, b, pass, control);
    if (stored === null) return { built: 0, rebuilt: 0, rows, stopped: true };
    rows += stored;
  }
  for (const piece of pieces(
    runs.filter((run) => !isLong(run)),
    BUILD_CHUNK_DAYS,
  )) {
    if (rows > 0 && !(await goOn(control))) return { built: 0, rebuilt: 0, rows, stopped: true };
    const built = await buildDays(models, piece);
    for (const [a, b] of piece) rows += await storeDays(models, built, a, b, pass);
  }
  const completed = await buildAndStore(models, state.builtThrough, today, pass, control);
  if (completed === null) return { built: 0, rebuilt: 0, rows, stopped: true };
  await rollupState(models).updateOne(
    { _id: 'state' as never },
    { $set: { format: ROLLUP_FORMAT, builtThrough: today, watermark, build, pass } },
    { upsert: true },
  );
  return {
    built: Math.max(0, today - state.builtThrough),
    rebuilt: dirty.size,
    rows: rows + completed,
  };
}
