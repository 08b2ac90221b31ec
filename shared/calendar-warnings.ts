// When the holiday data lacks a year (issue 8): the State Council publishes each arrangement in the autumn
// before, so from 1 October a missing next year is a warning for admins and the centre (deadlines would count
// its holidays as working days), and a missing current year always is. A year an admin entered by hand counts
// as covered. Pure: the calendar, the entered years and `now`.
import { chinaDateKey, type WorkCalendar } from './calendar.ts';

export interface CalendarWarning {
  code: 'calendar_year_missing';
  year: number;
  message: string;
}

/** The years to warn about at `now`. */
export function calendarWarnings(
  calendar: Pick<WorkCalendar, 'hasDataFor'>,
  enteredYears: readonly number[],
  now: Date,
): CalendarWarning[] {
  const today = chinaDateKey(now);
  const year = Number(today.slice(0, 4));
  const years = today >= `${year}-10-01` ? [year, year + 1] : [year];
  return years
    .filter((y) => !calendar.hasDataFor(y) && !enteredYears.includes(y))
    .map((y) => ({
      code: 'calendar_year_missing' as const,
      year: y,
      message: `日历数据缺少${y}年的节假日安排，目前按周一至周五上班、放假办法规定的法定节假日当天放假计算（调休和连休未计）。请在国务院公布${y}年放假安排后录入。`,
    }));
}
