// A year's holiday arrangement entered by an admin in one request (issue 8), for a year the packaged data
// lacks: the year's admin overrides are replaced by the given off days and worked weekend days, and the year is
// recorded as entered so the missing-year warning stops.
import { validationFailed } from '../../errors.ts';
import type { Models } from '../../models/index.ts';

export const CALENDAR_YEARS_SETTING = 'calendarYears';

export async function enteredYears(models: Models): Promise<number[]> {
  const row = await models.Setting.findOne({ key: CALENDAR_YEARS_SETTING }, { value: 1 }).lean();
  return Array.isArray(row?.value)
    ? (row.value as unknown[]).filter((y): y is number => typeof y === 'number')
    : [];
}

export async function putYearArrangementCommand(
  models: Models,
  year: number,
  input: { offDays: string[]; workDays: string[]; note?: string; notes?: Record<string, string> },
): Promise<{ year: number; offDays: number; workDays: number }> {
  const prefix = `${year}-`;
  const stray = [...input.offDays, ...input.workDays].find((d) => !d.startsWith(prefix));
  if (stray) throw validationFailed(`日期 ${stray} 不在 ${year} 年`);
  const note = input.note ?? `${year}年放假安排`;
  const noteOf = (date: string) => input.notes?.[date] || note;
  const rows = [
    ...[...new Set(input.offDays)].map((date) => ({ date, kind: 'off' as const, note: noteOf(date) })),
    ...[...new Set(input.workDays)].map((date) => ({ date, kind: 'work' as const, note: noteOf(date) })),
  ];
  await models.CalendarOverride.deleteMany({ date: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } });
  if (rows.length) await models.CalendarOverride.insertMany(rows);
  await models.Setting.updateOne(
    { key: CALENDAR_YEARS_SETTING },
    { $addToSet: { value: year }, $setOnInsert: { updatedBy: null } },
    { upsert: true },
  );
  return { year, offDays: input.offDays.length, workDays: input.workDays.length };
}
