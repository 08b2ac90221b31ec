// Reporting periods in China time: a calendar month ('YYYY-MM') or explicit from/to, `to` exclusive, and the
// period a period's figures are compared with. Pure.
import { CHINA_OFFSET_MS } from '../../shared/calendar.ts';
import { MINUTE_MS } from '../../shared/clock.ts';
import type { KpiPeriod } from './kpi.pipeline.ts';

/** The China-time month holding `instant`, as 'YYYY-MM'. */
export function monthOf(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 7);
}

/** [first day 00:00, next month's first day 00:00) China time. */
export function monthPeriod(month: string): KpiPeriod {
  const [y, m] = month.split('-').map(Number);
  return {
    from: new Date(Date.UTC(y, m - 1, 1) - CHINA_OFFSET_MS),
    to: new Date(Date.UTC(y, m, 1) - CHINA_OFFSET_MS),
  };
}

/** 'YYYY-MM-DD' means that day's 00:00 China time; anything else is parsed as an instant. */
export function parseInstant(text: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return new Date(Date.parse(`${text}T00:00:00Z`) - CHINA_OFFSET_MS);
  return new Date(text);
}

/** China-time wall clock of an instant, as a UTC date (read with getUTC…). */
const chinaWall = (instant: Date) => new Date(instant.getTime() + CHINA_OFFSET_MS);

function isMonthStart(instant: Date): boolean {
  const w = chinaWall(instant);
  return w.getUTCDate() === 1 && w.getTime() === Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), 1);
}

/** How many whole China-time months the period spans (本月 1, 本季度 3, 本年 12), or null when it is not months. */
export function wholeMonths(period: KpiPeriod): number | null {
  if (!isMonthStart(period.from) || !isMonthStart(period.to)) return null;
  const [a, b] = [chinaWall(period.from), chinaWall(period.to)];
  const n = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  return n > 0 ? n : null;
}

/**
 * `instant` moved by `months` calendar months in China time, at the same day and time of day. A day the
 * target month does not have (31 March back to February) becomes the end of that month: all of it has passed.
 */
export function shiftMonths(instant: Date, months: number): Date {
  const w = chinaWall(instant);
  const [y, m, d] = [w.getUTCFullYear(), w.getUTCMonth() + months, w.getUTCDate()];
  const timeOfDay = w.getTime() - Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), d);
  const daysInTarget = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const wall = d > daysInTarget ? Date.UTC(y, m + 1, 1) : Date.UTC(y, m, d) + timeOfDay;
  return new Date(wall - CHINA_OFFSET_MS);
}

export interface ComparisonPeriod extends KpiPeriod {
  /** The period is still running, so this one is cut at the same point (较上月同期): day and time. */
  periodToDate: boolean;
}

/**
 * What a period's figures are compared with: the calendar months just before a period of whole months (本月
 * against last month, 本季度 against last quarter, 本年 against last year), any other period against the same
 * length just before it. While the period is still running its figures hold only the part so far, so the
 * other is cut at the same point (the same day and time of day, to the next minute): the 15th of this month
 * against the 1st to the 15th of last month, not against all of last month, which would make every count look
 * as if it fell.
 */
export function comparisonPeriod(period: KpiPeriod, now: Date): ComparisonPeriod {
  const months = wholeMonths(period);
  const span = period.to.getTime() - period.from.getTime();
  const back = (t: Date) => (months ? shiftMonths(t, -months) : new Date(t.getTime() - span));
  const from = back(period.from);
  if (now <= period.from || now >= period.to) return { from, to: period.from, periodToDate: false };
  // To the minute, so the leaders refreshing one dashboard within it ask for one and the same period.
  const point = new Date(Math.ceil(now.getTime() / MINUTE_MS) * MINUTE_MS);
  const to = new Date(Math.min(back(point).getTime(), period.from.getTime()));
  return { from, to, periodToDate: true };
}
