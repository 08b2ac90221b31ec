// One year of the working calendar as an admin reads it (工作日历 → 年度日历): every day with whether it is worked
// and why. A holiday (休) or a make-up working day (班, 调休) carries its source: the State Council arrangement the
// packaged data holds (国务院安排), or an admin's override (本地调整), which also says what it replaced. The
// special days are grouped the way people talk about them: by festival, and an admin's changes by month.
// Pure: the two calendars (with and without the overrides) and the overrides' notes come in; no I/O, no clock.
import type { DayInfo } from './calendar.ts';

/** 休 (a day off that is not an ordinary weekend) and 班 (a worked day that is not an ordinary weekday). */
export type YearDayKind = 'weekday' | 'weekend' | 'holiday' | 'workday';
/** `statutory`: in a year the data lacks, a day the holiday law fixes (shared/calendar.ts statutoryDays). */
export type YearDaySource = 'state_council' | 'local' | 'statutory';

/** Where a year's arrangement comes from: the package (国务院安排), an admin's entry, or nowhere (Mon–Fri). */
export type YearCoverage = 'state_council' | 'entered' | 'missing';

/** GET /api/calendar/years/:year: every day of the year as deadlines count it. */
export interface CalendarYearView {
  year: number;
  coverage: YearCoverage;
  items: YearDay[];
}

export interface YearDay {
  date: string;
  working: boolean;
  kind: YearDayKind;
  /** Only on holidays, make-up working days and overridden days. */
  source?: YearDaySource;
  /** The festival (春节) for the State Council's days; the admin's note for a local day. */
  name?: string;
  /** A local day that overrides the State Council's holiday or make-up working day: what it was. */
  replaces?: { kind: 'holiday' | 'workday'; name?: string };
}

type DayLookup = { dayInfo(date: string): DayInfo };

const DAY_MS = 86_400_000;
const isWeekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());

/** 'YYYY-MM-DD' of every day of the year, in order. */
export function datesOfYear(year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

function resolveDay(info: DayInfo, arrangement: DayLookup, notes: Readonly<Record<string, string>>): YearDay {
  const { date, working } = info;
  if (info.reason === 'override') {
    const base = arrangement.dayInfo(date);
    const replaced =
      base.reason === 'holiday' || base.reason === 'statutory'
        ? 'holiday'
        : base.reason === 'adjusted_workday'
          ? 'workday'
          : null;
    const kind: YearDayKind = !working
      ? 'holiday'
      : isWeekend(date) || replaced === 'holiday'
        ? 'workday'
        : 'weekday';
    return {
      date,
      working,
      kind,
      source: 'local',
      ...(notes[date] ? { name: notes[date] } : {}),
      ...(replaced ? { replaces: { kind: replaced, ...(base.name ? { name: base.name } : {}) } } : {}),
    };
  }
  if (info.reason === 'holiday' || info.reason === 'adjusted_workday' || info.reason === 'statutory')
    return {
      date,
      working,
      kind: info.reason === 'adjusted_workday' ? 'workday' : 'holiday',
      source: info.reason === 'statutory' ? 'statutory' : 'state_council',
      ...(info.name ? { name: info.name } : {}),
    };
  return { date, working, kind: working ? 'weekday' : 'weekend' };
}

/**
 * Every day of `year` as the calendar in force has it (`inForce`: the packaged arrangement plus the overrides),
 * with overridden days compared against the arrangement alone (`arrangement`).
 */
export function resolveYear(
  year: number,
  inForce: DayLookup,
  arrangement: DayLookup,
  notes: Readonly<Record<string, string>> = {},
): YearDay[] {
  return datesOfYear(year).map((date) => resolveDay(inForce.dayInfo(date), arrangement, notes));
}

export interface DayRun {
  from: string;
  to: string;
  days: number;
  name?: string;
  replaces?: YearDay['replaces'];
}

export interface YearGroup {
  /** The festival (春节), or the month of local changes (3月). */
  title: string;
  source: YearDaySource;
  /** Days off (休), consecutive ones with the same note as one run. */
  off: DayRun[];
  /** Make-up working days (班), and a local day made a working day. */
  work: DayRun[];
}

const nextDate = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

function runsOf(days: readonly YearDay[]): DayRun[] {
  const runs: DayRun[] = [];
  for (const d of days) {
    const last = runs.at(-1);
    if (
      last &&
      nextDate(last.to) === d.date &&
      last.name === d.name &&
      last.replaces?.name === d.replaces?.name
    ) {
      last.to = d.date;
      last.days += 1;
    } else
      runs.push({
        from: d.date,
        to: d.date,
        days: 1,
        ...(d.name ? { name: d.name } : {}),
        ...(d.replaces ? { replaces: d.replaces } : {}),
      });
  }
  return runs;
}

/** The special days by festival (国务院安排) and by month (本地调整), in the order they fall. */
export function groupYearDays(days: readonly YearDay[]): YearGroup[] {
  const groups = new Map<string, { title: string; source: YearDaySource; days: YearDay[] }>();
  for (const d of days) {
    if (!d.source) continue;
    const title = d.source === 'local' ? `${Number(d.date.slice(5, 7))}月` : (d.name ?? '节假日');
    const key = `${d.source}:${title}`;
    const group = groups.get(key) ?? { title, source: d.source, days: [] };
    group.days.push(d);
    groups.set(key, group);
  }
  // A festival is placed by its first day off (国庆's 班 on 20 Sep must not put it before 中秋 on 25 Sep).
  const placeOf = (g: { days: YearDay[] }) => (g.days.find((d) => !d.working) ?? g.days[0]).date;
  return [...groups.values()]
    .sort((a, b) => placeOf(a).localeCompare(placeOf(b)))
    .map(({ title, source, days: members }) => ({
      title,
      source,
      off: runsOf(members.filter((d) => !d.working)),
      work: runsOf(members.filter((d) => d.working)),
    }));
}

export interface YearTotals {
  workingDays: number;
  offDays: number;
  /** 休: days off that are not ordinary weekends (holidays, local days off). */
  holidays: number;
  /** 班: worked days that are not ordinary weekdays (调休). */
  workdays: number;
}

export function yearTotals(days: readonly YearDay[]): YearTotals {
  const count = (p: (d: YearDay) => boolean) => days.filter(p).length;
  return {
    workingDays: count((d) => d.working),
    offDays: count((d) => !d.working),
    holidays: count((d) => d.kind === 'holiday'),
    workdays: count((d) => d.kind === 'workday'),
  };
}
