// Reporting periods in China time: a calendar month ('YYYY-MM') or explicit from/to, `to` exclusive. Pure.
import { CHINA_OFFSET_MS } from '../../shared/calendar.ts';
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
