// The working-day calendar (DESIGN §5): statutory holidays and 调休 working weekends from the maintained
// `chinese-days` data, plus admin overrides, with working hours. Every day boundary is China time
// (Asia/Shanghai, UTC+8, no DST) whatever the machine's time zone, so deadlines agree on every server.

import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import chineseDaysLib from 'chinese-days';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './clock.ts';

export const CHINA_OFFSET_MS = 8 * HOUR_MS;

export type DayOverride = 'work' | 'off';
export type CalendarOverrides = Readonly<Record<string, DayOverride>>;

export interface WorkingPeriod {
  /** 'HH:MM' in China time. */
  start: string;
  end: string;
}

export const DEFAULT_WORKING_HOURS: readonly WorkingPeriod[] = Object.freeze([
  { start: '08:30', end: '12:00' },
  { start: '13:30', end: '17:30' },
]);

/** Holiday data in the shape `chinese-days` ships: date keys to a description. */
export interface HolidayData {
  holidays: Readonly<Record<string, string>>;
  workdays: Readonly<Record<string, string>>;
}

export interface WorkCalendarOptions {
  overrides?: CalendarOverrides;
  workingHours?: readonly WorkingPeriod[];
  /** Replaces the packaged data (tests, or an admin-imported arrangement). */
  data?: HolidayData;
}

/**
 * `fallback`: a year the data lacks, Monday–Friday; `statutory`: in such a year, a day the holiday law itself
 * fixes (see statutoryDays), off whatever the arrangement will add.
 */
export type DayReason =
  'weekday' | 'weekend' | 'holiday' | 'adjusted_workday' | 'override' | 'fallback' | 'statutory';

export interface DayInfo {
  date: string;
  working: boolean;
  reason: DayReason;
  /** The holiday's Chinese name when the package knows it, e.g. 春节. */
  name?: string;
}

export interface WorkCalendar {
  readonly workingHours: readonly WorkingPeriod[];
  /** Length of one full working day (7.5 h by default). */
  readonly workingMsPerDay: number;
  /** Years the holiday data covers. */
  readonly dataYears: readonly number[];
  isWorkingDay(instant: Date | string): boolean;
  dayInfo(instant: Date | string): DayInfo;
  isWorkingTime(instant: Date): boolean;
  /** End of working hours of the Nth working day after the instant's China day (n = 0: see endOfWorkingDay; n < 0: before). */
  addWorkingDays(instant: Date, n: number): Date;
  addWorkingHours(instant: Date, hours: number): Date;
  addWorkingMs(instant: Date, ms: number): Date;
  /** Working time between two instants; negative when b is before a. */
  workingMsBetween(a: Date, b: Date): number;
  /** End of working hours on the instant's day if that is a working day, otherwise on the next working day. */
  endOfWorkingDay(instant: Date): Date;
  /** Start of working hours on the instant's day if that is a working day, otherwise on the next working day. */
  startOfWorkingDay(instant: Date): Date;
  hasDataFor(year: number): boolean;
  /** Years in [from, to] with no holiday data, so admin can warn that Monday–Friday is assumed. */
  missingYears(from: number, to: number): number[];
}

/** 'YYYY-MM-DD' of the instant in China time. */
export function chinaDateKey(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of 'YYYY-MM-DD' at 'HH:MM' China time. */
export function chinaTime(date: string, time = '00:00'): Date {
  const ms = Date.parse(`${date}T${time}:00.000Z`);
  if (Number.isNaN(ms)) throw new RangeError(`无效的日期或时间：${date} ${time}`);
  return new Date(ms - CHINA_OFFSET_MS);
}

const dayNumberOf = (ms: number) => Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS);
const dayStartMs = (day: number) => day * DAY_MS - CHINA_OFFSET_MS;
const keyOfDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

function dayNumberOfInput(instant: Date | string): number {
  if (typeof instant === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(instant)) throw new RangeError(`日期格式应为YYYY-MM-DD：${instant}`);
    return dayNumberOf(chinaTime(instant).getTime());
  }
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('无效的时间');
  return dayNumberOf(ms);
}

function parsePeriods(periods: readonly WorkingPeriod[]): Array<[number, number]> {
  const toMs = (hhmm: string) => {
    const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
    if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) throw new RangeError(`工作时间格式应为HH:MM：${hhmm}`);
    return (Number(m[1]) * 60 + Number(m[2])) * MINUTE_MS;
  };
  const parsed = periods.map((p) => [toMs(p.start), toMs(p.end)] as [number, number]);
  if (parsed.length === 0) throw new RangeError('至少需要一个工作时段');
  parsed.forEach(([s, e], i) => {
    if (e <= s || e > DAY_MS) throw new RangeError(`工作时段无效：${periods[i].start}–${periods[i].end}`);
    if (i > 0 && s < parsed[i - 1][1]) throw new RangeError('工作时段必须按时间顺序且不重叠');
  });
  return parsed;
}

const DEFAULT_DATA: HolidayData = chineseDays;

function yearsOf(data: HolidayData): number[] {
  const years = new Set<number>();
  for (const key of [...Object.keys(data.holidays), ...Object.keys(data.workdays)])
    years.add(Number(key.slice(0, 4)));
  return [...years].sort((a, b) => a - b);
}

function holidayName(description: string | undefined): string | undefined {
  // chinese-days stores "English,中文,n".
  return description?.split(',')[1];
}

const dateAfter = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The days off that 《全国年节及纪念日放假办法》 (as revised in 2024) fixes for every year, before the State Council
 * publishes the year's arrangement: 元旦 1 January; 春节 除夕 to 初三 (by the lunar calendar); 清明 the solar
 * term's day; 劳动节 1–2 May; 端午 5th of the 5th month; 中秋 15th of the 8th month; 国庆 1–3 October. A year the
 * data lacks counts these as holidays, so a deadline across 元旦 is not a working day short; the arrangement's
 * bridging days and 调休 weekends cannot be known before it is published. Date keys to the festival's name.
 */
export function statutoryDays(year: number): Record<string, string> {
  const lunar = (month: number, day: number) =>
    chineseDaysLib.getSolarDateFromLunar(
      `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    ).date;
  const newYear = lunar(1, 1);
  const days: Array<[string, string]> = [
    [`${year}-01-01`, '元旦'],
    [dateAfter(newYear, -1), '春节'],
    [newYear, '春节'],
    [dateAfter(newYear, 1), '春节'],
    [dateAfter(newYear, 2), '春节'],
    [chineseDaysLib.getSolarTermDate(year, 4, 'pure_brightness'), '清明节'],
    [`${year}-05-01`, '劳动节'],
    [`${year}-05-02`, '劳动节'],
    [lunar(5, 5), '端午节'],
    [lunar(8, 15), '中秋节'],
    [`${year}-10-01`, '国庆节'],
    [`${year}-10-02`, '国庆节'],
    [`${year}-10-03`, '国庆节'],
  ];
  return Object.fromEntries(days);
}

/** Working-day lookup per China day number, memoised: overrides, then holiday data, then weekends. */
function makeDayLookup(data: HolidayData, overrides: CalendarOverrides, covered: ReadonlySet<number>) {
  const cache = new Map<number, DayInfo>();
  const statutory = new Map<number, Record<string, string>>();
  const statutoryOf = (year: number) => {
    let days = statutory.get(year);
    if (!days) statutory.set(year, (days = statutoryDays(year)));
    return days;
  };
  return (day: number): DayInfo => {
    const cached = cache.get(day);
    if (cached) return cached;
    const date = keyOfDay(day);
    const weekend = [0, 6].includes(new Date(day * DAY_MS).getUTCDay());
    let info: DayInfo;
    if (overrides[date]) info = { date, working: overrides[date] === 'work', reason: 'override' };
    else if (!covered.has(Number(date.slice(0, 4)))) {
      const name = statutoryOf(Number(date.slice(0, 4)))[date];
      info = name
        ? { date, working: false, reason: 'statutory', name }
        : { date, working: !weekend, reason: 'fallback' };
    } else if (data.holidays[date])
      info = { date, working: false, reason: 'holiday', name: holidayName(data.holidays[date]) };
    else if (data.workdays[date])
      info = { date, working: true, reason: 'adjusted_workday', name: holidayName(data.workdays[date]) };
    else info = { date, working: !weekend, reason: weekend ? 'weekend' : 'weekday' };
    cache.set(day, info);
    return info;
  };
}

/** The pure arithmetic over a day lookup and the working periods; bounded so a bad calendar cannot hang. */
class WorkingTimeMath {
  constructor(
    private readonly isWorking: (day: number) => boolean,
    private readonly periods: ReadonlyArray<readonly [number, number]>,
  ) {}

  nextWorkingDay(day: number, step = 1): number {
    for (let d = day, i = 0; i < 3660; d += step, i++) if (this.isWorking(d)) return d;
    throw new RangeError('十年内没有工作日，请检查日历配置');
  }

  endOfHours(day: number): Date {
    return new Date(dayStartMs(day) + this.periods[this.periods.length - 1][1]);
  }

  startOfHours(day: number): Date {
    return new Date(dayStartMs(day) + this.periods[0][0]);
  }

  addWorkingDays(instant: Date, n: number): Date {
    if (!Number.isInteger(n)) throw new RangeError('工作日数必须是整数');
    let day = dayNumberOfInput(instant);
    if (n === 0) return this.endOfHours(this.nextWorkingDay(day));
    const step = n > 0 ? 1 : -1;
    for (let left = Math.abs(n); left > 0; left--) day = this.nextWorkingDay(day + step, step);
    return this.endOfHours(day);
  }

  addWorkingMs(instant: Date, ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('工作时长必须是非负数');
    let cursor = instant.getTime();
    let left = ms;
    if (left === 0) return new Date(cursor);
    for (let day = dayNumberOf(cursor), i = 0; i < 3660 * 2; day++, i++) {
      if (!this.isWorking(day)) continue;
      const base = dayStartMs(day);
      for (const [s, e] of this.periods) {
        const from = Math.max(cursor, base + s);
        const to = base + e;
        if (from >= to) continue;
        if (to - from >= left) return new Date(from + left);
        left -= to - from;
        cursor = to;
      }
    }
    throw new RangeError('工作时长过大');
  }

  workingMsBetween(a: Date, b: Date): number {
    const from = a.getTime();
    const to = b.getTime();
    if (to < from) return -this.workingMsBetween(b, a);
    let total = 0;
    for (let day = dayNumberOf(from); dayStartMs(day) < to; day++) {
      if (!this.isWorking(day)) continue;
      const base = dayStartMs(day);
      for (const [s, e] of this.periods)
        total += Math.max(0, Math.min(to, base + e) - Math.max(from, base + s));
    }
    return total;
  }

  isWorkingTime(instant: Date): boolean {
    const ms = instant.getTime();
    const day = dayNumberOf(ms);
    if (!this.isWorking(day)) return false;
    const offset = ms - dayStartMs(day);
    return this.periods.some(([s, e]) => offset >= s && offset < e);
  }
}

/** Creates a calendar; the returned object is immutable, so recreate it when admins change overrides. */
export function createWorkCalendar(opts: WorkCalendarOptions = {}): WorkCalendar {
  const data = opts.data ?? DEFAULT_DATA;
  const workingHours = Object.freeze([...(opts.workingHours ?? DEFAULT_WORKING_HOURS)]);
  const periods = parsePeriods(workingHours);
  const dataYears = Object.freeze(yearsOf(data));
  const covered = new Set(dataYears);
  const infoOfDay = makeDayLookup(data, { ...(opts.overrides ?? {}) }, covered);
  const math = new WorkingTimeMath((day) => infoOfDay(day).working, periods);
  return Object.freeze({
    workingHours,
    workingMsPerDay: periods.reduce((sum, [s, e]) => sum + (e - s), 0),
    dataYears,
    isWorkingDay: (instant: Date | string) => infoOfDay(dayNumberOfInput(instant)).working,
    dayInfo: (instant: Date | string) => ({ ...infoOfDay(dayNumberOfInput(instant)) }),
    isWorkingTime: (instant: Date) => math.isWorkingTime(instant),
    addWorkingDays: (instant: Date, n: number) => math.addWorkingDays(instant, n),
    addWorkingHours: (instant: Date, hours: number) => math.addWorkingMs(instant, hours * HOUR_MS),
    addWorkingMs: (instant: Date, ms: number) => math.addWorkingMs(instant, ms),
    workingMsBetween: (a: Date, b: Date) => math.workingMsBetween(a, b),
    endOfWorkingDay: (instant: Date) => math.endOfHours(math.nextWorkingDay(dayNumberOfInput(instant))),
    startOfWorkingDay: (instant: Date) => math.startOfHours(math.nextWorkingDay(dayNumberOfInput(instant))),
    hasDataFor: (year: number) => covered.has(year),
    missingYears(from: number, to: number) {
      const out: number[] = [];
      for (let y = from; y <= to; y++) if (!covered.has(y)) out.push(y);
      return out;
    },
  });
}
