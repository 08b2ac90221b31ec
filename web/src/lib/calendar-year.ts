// 工作日历's year view: loading a year (GET /calendar/years/:year), the Chinese wording of its days and runs
// (2月15日—2月23日（9天）), and the month grids (weeks from Monday, the way Chinese calendars are printed).
// The grouping and totals are shared/calendar-year.ts, the server's own vocabulary.
import type {
  CalendarYearView,
  DayRun,
  YearCoverage,
  YearDay,
  YearDaySource,
} from '../../../shared/calendar-year.ts';
import { api } from './api.ts';
import { weekdayIndex, weekdayOf } from './format.ts';

export type { CalendarYearView, DayRun, YearCoverage, YearDay, YearDaySource };
export { groupYearDays, yearTotals, type YearGroup } from '../../../shared/calendar-year.ts';

export const loadCalendarYear = (year: number) => api.get<CalendarYearView>(`/calendar/years/${year}`);

/** Today on the app's clock in China time ('YYYY-MM-DD'): the year the view opens on. */
export const loadCalendarToday = () => api.get<{ today: string }>('/calendar').then((r) => r.today);

export const SOURCE_LABELS: Readonly<Record<YearDaySource, string>> = Object.freeze({
  state_council: '国务院安排',
  local: '本地调整',
  statutory: '放假办法规定',
});

/** 2月15日 */
export const monthDay = (date: string) => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;

/** 2月15日—2月23日（9天）; one day: 2月14日（周六）. */
export function runLabel(run: DayRun): string {
  return run.days === 1
    ? `${monthDay(run.from)}（${weekdayOf(run.from)}）`
    : `${monthDay(run.from)}—${monthDay(run.to)}（${run.days}天）`;
}

/** What a local day overrode: 原为春节假期 / 原为春节调休上班. */
export function replacedLabel(replaces: YearDay['replaces']): string {
  if (!replaces) return '';
  return `原为${replaces.name ?? ''}${replaces.kind === 'holiday' ? '假期' : '调休上班日'}`;
}

/** The mark a grid cell shows: 休 for a holiday, 班 for a make-up working day, nothing otherwise. */
export const markOf = (d: YearDay) => (d.kind === 'holiday' ? '休' : d.kind === 'workday' ? '班' : '');

/** How a day reads to a screen reader: 2月15日 周日 放假（国务院安排：春节）. */
export function dayDescription(d: YearDay): string {
  const state =
    d.kind === 'holiday' ? '放假' : d.kind === 'workday' ? '调休上班' : d.working ? '工作日' : '休息日';
  const why = [d.name, d.replaces && replacedLabel(d.replaces)].filter(Boolean).join('，');
  const source = d.source ? `（${SOURCE_LABELS[d.source]}${why ? `：${why}` : ''}）` : '';
  return `${monthDay(d.date)} ${weekdayOf(d.date)} ${state}${source}`;
}

export interface MonthGrid {
  month: number;
  /** Weeks Monday → Sunday; null pads the days of the neighbouring months. */
  weeks: (YearDay | null)[][];
}

/** The twelve months of a resolved year as week rows. */
export function monthGrids(items: readonly YearDay[]): MonthGrid[] {
  const months: MonthGrid[] = [];
  for (const d of items) {
    const month = Number(d.date.slice(5, 7));
    let grid = months.at(-1);
    if (!grid || grid.month !== month) {
      grid = { month, weeks: [] };
      months.push(grid);
    }
    const column = (weekdayIndex(d.date) + 6) % 7;
    let week = grid.weeks.at(-1);
    if (!week || column === 0) {
      week = Array<YearDay | null>(7).fill(null);
      grid.weeks.push(week);
    }
    week[column] = d;
  }
  return months;
}
