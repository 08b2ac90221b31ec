// Reporting periods in China time (the dashboard's 本月 / 本季度 / 本年 / 自定义): [from, to) as ISO instants with
// the +08:00 offset, whatever the browser's own zone, and how the period its figures are compared with reads.
export type PeriodKind = 'month' | 'quarter' | 'year' | 'custom';

export interface Period {
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const at = (y: number, m: number, d = 1) => {
  const date = new Date(Date.UTC(y, m - 1, d)); // normalises month overflow (m = 13 → next January)
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T00:00:00+08:00`;
};

/** Year, month (1-12) and day in China time. */
export function chinaParts(now: Date): { y: number; m: number; d: number } {
  const shifted = new Date(now.getTime() + 8 * 3600_000);
  return { y: shifted.getUTCFullYear(), m: shifted.getUTCMonth() + 1, d: shifted.getUTCDate() };
}

export function periodOf(kind: Exclude<PeriodKind, 'custom'>, now: Date): Period {
  const { y, m } = chinaParts(now);
  if (kind === 'month') return { from: at(y, m), to: at(y, m + 1) };
  if (kind === 'quarter') {
    const q = Math.floor((m - 1) / 3) * 3 + 1;
    return { from: at(y, q), to: at(y, q + 3) };
  }
  return { from: at(y, 1), to: at(y + 1, 1) };
}

/** A custom range of whole days, both ends included ("2026-03-01" … "2026-03-31"). */
export function customPeriod(firstDay: string, lastDay: string): Period {
  const [y, m, d] = lastDay.split('-').map(Number);
  return { from: `${firstDay}T00:00:00+08:00`, to: at(y, m, d + 1) };
}

/** The China day (YYYY-MM-DD) an instant falls on. */
export function chinaDayOf(iso: string): string {
  const { y, m, d } = chinaParts(new Date(iso));
  return `${y}-${pad(m)}-${pad(d)}`;
}

/**
 * The last China day a range ending at `iso` reaches: a cut at midnight (the dashboard's periods end at the
 * next day's 00:00) ends with the day before it, any later cut with its own day.
 */
export function lastChinaDayOf(iso: string): string {
  return chinaDayOf(new Date(Date.parse(iso) - 1).toISOString());
}

/** The first and the last instant of a China day, for the issue list's `from` and (inclusive) `to`. */
export const chinaDayStart = (day: string) => new Date(`${day}T00:00:00+08:00`).toISOString();
export const chinaDayEnd = (day: string) => new Date(`${day}T23:59:59.999+08:00`).toISOString();

/** `YYYY-MM` of an instant in China time. */
export function monthKey(iso: string): string {
  const { y, m } = chinaParts(new Date(iso));
  return `${y}-${pad(m)}`;
}

/**
 * The month whose 月度分析报告 a period opens: the last month it reaches that has begun (本年 and 本季度 open the
 * current month, a past range its last month), never an empty month still to come.
 */
export function reportMonthOf(period: Period, now: Date): string {
  return monthKey(new Date(Math.min(Date.parse(period.to) - 1, now.getTime())).toISOString());
}

/** A period as a file name reads it: 2026-03, 2026年第4季度, 2026年, or 2026-03-01至2026-03-31. */
export const periodFileLabel = (kind: PeriodKind, period: Period) =>
  periodLabel(kind, period).replace(/\s/g, '');

/** How a period reads in a heading: 2026-03, 2026年第4季度, 2026年, or its first and last day. */
export function periodLabel(kind: PeriodKind, period: Period): string {
  const { y, m } = chinaParts(new Date(period.from));
  if (kind === 'month') return monthKey(period.from);
  if (kind === 'quarter') return `${y}年第${Math.floor((m - 1) / 3) + 1}季度`;
  if (kind === 'year') return `${y}年`;
  return `${chinaDayOf(period.from)} 至 ${lastChinaDayOf(period.to)}`;
}

const BEFORE: Readonly<Record<PeriodKind, string>> = {
  month: '上月',
  quarter: '上季度',
  year: '上年',
  custom: '前一等长区间',
};

/** How many whole China months a period spans (its ends are both a month's first day at 00:00), or null. */
function wholeMonths(period: Period): number | null {
  const ends = [period.from, period.to].map((iso) => new Date(Date.parse(iso) + 8 * 3600_000));
  if (ends.some((w) => w.getUTCDate() !== 1 || w.getTime() % 86_400_000 !== 0)) return null;
  const [a, b] = ends;
  const n = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
  return n > 0 ? n : null;
}

/**
 * What the figures are compared with, as a figure's caption reads it: 上月 once the month is over, 上月同期 while
 * it runs (the server then cuts last month at the same day and time). A custom range of whole months is compared
 * by the server with as many calendar months before it (kpi-period.ts comparisonPeriod), which are of another
 * length (November's 30 days against October's 31), so it is named by months; any other range with the days
 * just before it, of the same length.
 */
export function comparisonName(kind: PeriodKind, periodToDate: boolean, period?: Period): string {
  const months = kind === 'custom' && period ? wholeMonths(period) : null;
  const before = months === null ? BEFORE[kind] : months === 1 ? '上月' : `前${months}个月`;
  return `${before}${periodToDate ? '同期' : ''}`;
}

/** The compared period as a caption reads it: "2026-02-01 至 2026-02-15 10:00", or whole days "… 至 2026-02-28". */
export function comparisonRange(previous: Period): string {
  // China wall time as 'YYYY-MM-DDTHH:MM'.
  const wall = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
  const from = wall(Date.parse(previous.from)).slice(0, 10);
  const to = wall(Date.parse(previous.to));
  // A cut at midnight ends with the day before it; any other cut at its time of day.
  if (to.endsWith('T00:00')) return `${from} 至 ${wall(Date.parse(previous.to) - 1).slice(0, 10)}`;
  return `${from} 至 ${to.replace('T', ' ')}`;
}
