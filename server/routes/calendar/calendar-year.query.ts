// `GET /api/calendar/years/:year`: the year as deadlines count it, for 工作日历's year view. Each day resolved
// through the packaged State Council arrangement plus the admin's overrides (shared/calendar-year.ts), and
// whether the arrangement came with the package, was entered by an admin, or is missing (Monday–Friday assumed).
import { createWorkCalendar } from '../../../shared/calendar.ts';
import { resolveYear, type CalendarYearView } from '../../../shared/calendar-year.ts';
import type { Models } from '../../models/index.ts';
import { enteredYears } from './calendar-year.command.ts';

export async function calendarYearQuery(models: Models, year: number): Promise<CalendarYearView> {
  const [rows, entered] = await Promise.all([
    models.CalendarOverride.find(
      { date: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } },
      { date: 1, kind: 1, note: 1 },
    ).lean(),
    enteredYears(models),
  ]);
  // The packaged arrangement alone is what an override is compared against.
  const arrangement = createWorkCalendar();
  const inForce = createWorkCalendar({ overrides: Object.fromEntries(rows.map((o) => [o.date, o.kind])) });
  const notes = Object.fromEntries(rows.filter((o) => o.note).map((o) => [o.date, o.note]));
  return {
    year,
    coverage: arrangement.hasDataFor(year) ? 'state_council' : entered.includes(year) ? 'entered' : 'missing',
    items: resolveYear(year, inForce, arrangement, notes),
  };
}
