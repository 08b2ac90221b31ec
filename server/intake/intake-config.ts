// The configuration every intake and every deadline reads: the unit directory, the enabled routing rules, and
// the working calendar (packaged holidays plus admin overrides) with the time-limit policy. Admins change it a
// few times a year; intake reads it for every issue. Loading it per issue cost three or four round trips of the
// six to eight an intake made, so each app keeps one snapshot in memory.
//
// Invalidation:
//  - in this process, the admin writes that change it (units, routing rules, calendar overrides) call
//    invalidate() once the write has committed, so the very next intake here sees the change;
//  - another process's admin writes are seen within `ttlMs`: a snapshot older than that is reloaded (three
//    small reads in parallel) by the next reader. That bound is the whole cross-process rule: no timers to
//    stop, nothing to poll while idle, and with a few seconds' TTL the reload costs nothing measurable.
// A read that was already running when invalidate() was called is never kept, and no later reader joins it.
import { createWorkCalendar, type CalendarOverrides, type WorkCalendar } from '../../shared/calendar.ts';
import type { TimeLimitPolicy } from '../../shared/sla.ts';
import { DEFAULT_TIME_LIMIT_POLICY } from '../../config/time-limits.ts';
import { policyOf } from '../../shared/policy-schema.ts';

/** The settings key of the admin's time-limit policy (validated when saved, merged over the defaults). */
export const TIME_LIMITS_SETTING = 'timeLimits';
import type { CalendarOverrideDoc, Models, RoutingRuleDoc, UnitDoc } from '../models/index.ts';

export type IntakeUnit = Pick<UnitDoc, '_id' | 'code' | 'name' | 'level' | 'region' | 'categories'>;
export type IntakeRule = Pick<
  RoutingRuleDoc,
  '_id' | 'category' | 'region' | 'unitId' | 'coUnitIds' | 'priority' | 'keywords'
>;

export interface IntakeConfig {
  /** Every unit, oldest first (the order a collection scan gives, so "the first match" is stable). */
  readonly units: readonly IntakeUnit[];
  readonly unitById: ReadonlyMap<string, IntakeUnit>;
  readonly unitByCode: ReadonlyMap<string, IntakeUnit>;
  /** Enabled routing rules, oldest first. */
  readonly rules: readonly IntakeRule[];
  readonly calendar: WorkCalendar;
  readonly policy: TimeLimitPolicy;
}

/** How stale another process's admin change may be here. */
export const DEFAULT_INTAKE_CONFIG_TTL_MS = 5_000;

type OverrideRow = Pick<CalendarOverrideDoc, 'date' | 'kind'>;

/** The calendar for these overrides; `previous` is reused when they did not change (it memoises days). */
export function calendarOf(
  rows: readonly OverrideRow[],
  previous?: { key: string; calendar: WorkCalendar },
): { key: string; calendar: WorkCalendar } {
  const key = rows.map((r) => `${r.date}:${r.kind}`).join(',');
  if (previous && previous.key === key) return previous;
  const overrides: CalendarOverrides = Object.fromEntries(rows.map((r) => [r.date, r.kind]));
  return { key, calendar: createWorkCalendar({ overrides }) };
}

async function readConfig(models: Models) {
  const oldestFirst = { _id: 1 } as const;
  return Promise.all([
    models.Unit.find({}, { code: 1, name: 1, level: 1, region: 1, categories: 1 })
      .sort(oldestFirst)
      .lean<IntakeUnit[]>(),
    models.RoutingRule.find(
      { enabled: true },
      { category: 1, region: 1, unitId: 1, coUnitIds: 1, priority: 1, keywords: 1 },
    )
      .sort(oldestFirst)
      .lean<IntakeRule[]>(),
    models.CalendarOverride.find({}, { date: 1, kind: 1 }).sort({ date: 1 }).lean<OverrideRow[]>(),
    readPolicy(models),
  ]);
}

/** The time-limit policy in force: the admin's, or the defaults. */
export async function readPolicy(models: Models): Promise<TimeLimitPolicy> {
  const row = await models.Setting.findOne({ key: TIME_LIMITS_SETTING }, { value: 1 }).lean();
  return policyOf(DEFAULT_TIME_LIMIT_POLICY, row?.value);
}

function snapshotOf(
  units: IntakeUnit[],
  rules: IntakeRule[],
  calendar: WorkCalendar,
  policy: TimeLimitPolicy,
): IntakeConfig {
  return Object.freeze({
    units,
    unitById: new Map(units.map((u) => [String(u._id), u])),
    unitByCode: new Map(units.map((u) => [u.code, u])),
    rules,
    calendar,
    policy,
  });
}

/** One fresh read of the configuration (no caching): the seed, tools and tests. */
export async function loadIntakeConfig(models: Models): Promise<IntakeConfig> {
  const [units, rules, overrides, policy] = await readConfig(models);
  return snapshotOf(units, rules, calendarOf(overrides).calendar, policy);
}

export interface SnapshotSource<T> {
  /** The current snapshot (read again when older than the TTL or invalidated). */
  get(): Promise<T>;
  /** This process changed what the snapshot holds: the next get() reads again. */
  invalidate(): void;
}

export type IntakeConfigSource = SnapshotSource<IntakeConfig>;

export interface SnapshotCacheOptions {
  ttlMs?: number;
  /** Monotonic milliseconds (real time, never the business clock: a frozen demo clock must not freeze it). */
  now?: () => number;
}

/**
 * A value read through `read` and kept for `ttlMs`; concurrent readers share one read. A read that was
 * running when invalidate() was called is never kept, and no reader after the call joins it.
 */
export function cachedSnapshot<T>(
  read: () => Promise<T>,
  { ttlMs = DEFAULT_INTAKE_CONFIG_TTL_MS, now = () => performance.now() }: SnapshotCacheOptions = {},
): SnapshotSource<T> {
  let current: { value: T; readAt: number } | undefined;
  let reading: Promise<T> | undefined;
  let generation = 0;

  async function load(): Promise<T> {
    const started = now();
    const startedIn = generation;
    const value = await read();
    // Fresh as of the moment the read started, so the TTL counts from then.
    if (startedIn === generation) current = { value, readAt: started };
    return value;
  }

  return {
    get() {
      if (current && now() - current.readAt < ttlMs) return Promise.resolve(current.value);
      if (!reading) {
        const promise = load().finally(() => {
          if (reading === promise) reading = undefined;
        });
        reading = promise;
      }
      return reading;
    },
    invalidate() {
      generation += 1;
      current = undefined;
      reading = undefined;
    },
  };
}

export function createIntakeConfigCache(
  models: Models,
  options: SnapshotCacheOptions = {},
): IntakeConfigSource {
  let calendar: ReturnType<typeof calendarOf> | undefined;
  return cachedSnapshot(async () => {
    const [units, rules, overrides, policy] = await readConfig(models);
    calendar = calendarOf(overrides, calendar);
    return snapshotOf(units, rules, calendar.calendar, policy);
  }, options);
}
