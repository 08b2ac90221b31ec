// The working calendar: GET /api/calendar/overrides (with the years lacking holiday data that no admin has
// entered either, so admin can warn),
// PUT/DELETE /api/calendar/overrides/:date (admin), GET /api/calendar/days?from=&to= (all staff), and (issue 8)
// GET /api/calendar (the data's years, the years entered by hand, the warnings), GET /api/calendar/warnings
// (admins and the centre) and PUT /api/calendar/years/:year {offDays, workDays} (admin: a year in one request).
// Every change recomputes open issues' future deadlines in the background.
import { Router } from 'express';
import { createWorkCalendar, type CalendarOverrides } from '../../../shared/calendar.ts';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { validationFailed } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { canManageSettings, canViewConfig } from '../../policies/index.ts';
import { presentCalendarOverride } from '../../presenters/config.presenter.ts';
import { deleteCalendarOverride, putCalendarOverride } from './calendar.commands.ts';
import { dateParam, daysQuery, putOverrideSchema, yearArrangementSchema } from './calendar.schema.ts';
import { calendarWarnings } from '../../../shared/calendar-warnings.ts';
import { forbidden } from '../../errors.ts';
import { actorOf } from '../../http/request-context.ts';
import { enteredYears, putYearArrangementCommand } from './calendar-year.command.ts';

function parseDate(value: unknown): string {
  const parsed = dateParam.safeParse(value);
  if (!parsed.success) throw validationFailed('日期格式应为 YYYY-MM-DD');
  return parsed.data;
}

export function createCalendarRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canViewConfig));

  const loadOverrides = async () =>
    ctx.models.CalendarOverride.find({}, { date: 1, kind: 1, note: 1 }).sort({ date: 1 }).lean();

  router.get('/overrides', async (_req, res) => {
    const [rows, entered] = await Promise.all([loadOverrides(), enteredYears(ctx.models)]);
    const year = ctx.clock.now().getUTCFullYear();
    res.json({
      items: rows.map(presentCalendarOverride),
      missingYears: createWorkCalendar()
        .missingYears(year, year + 1)
        .filter((y) => !entered.includes(y)),
    });
  });

  router.put('/overrides/:date', requirePolicy(canManageSettings), async (req, res) => {
    const date = parseDate(req.params.date);
    const saved = await putCalendarOverride(ctx.models, date, putOverrideSchema.parse(req.body));
    ctx.intakeConfig.invalidate();
    ctx.deadlines?.request('calendar');
    res.json(presentCalendarOverride(saved));
  });

  router.delete('/overrides/:date', requirePolicy(canManageSettings), async (req, res) => {
    await deleteCalendarOverride(ctx.models, parseDate(req.params.date));
    ctx.intakeConfig.invalidate();
    ctx.deadlines?.request('calendar');
    res.status(204).end();
  });

  const warningsNow = async () => {
    const { calendar } = await ctx.intakeConfig.get();
    return calendarWarnings(calendar, await enteredYears(ctx.models), ctx.clock.now());
  };
  const mayWarn = (role: string) => ['admin', 'clerk', 'dispatcher', 'director'].includes(role);

  router.get('/', async (req, res) => {
    const { calendar } = await ctx.intakeConfig.get();
    const entered = await enteredYears(ctx.models);
    res.json({
      dataYears: calendar.dataYears,
      enteredYears: entered,
      warnings: mayWarn(actorOf(req).role) ? calendarWarnings(calendar, entered, ctx.clock.now()) : [],
    });
  });

  router.get('/warnings', async (req, res) => {
    if (!mayWarn(actorOf(req).role)) throw forbidden();
    res.json({ items: await warningsNow() });
  });

  router.put('/years/:year', requirePolicy(canManageSettings), async (req, res) => {
    const year = Number(req.params.year);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw validationFailed('年份无效');
    const result = await putYearArrangementCommand(ctx.models, year, yearArrangementSchema.parse(req.body));
    ctx.intakeConfig.invalidate();
    ctx.deadlines?.request('calendar');
    res.json({ ...result, warnings: await warningsNow() });
  });

  router.get('/days', async (req, res) => {
    const q = daysQuery.parse(req.query);
    const overrides: CalendarOverrides = Object.fromEntries(
      (await loadOverrides()).map((o) => [o.date, o.kind]),
    );
    const calendar = createWorkCalendar({ overrides });
    const items = [];
    for (let t = Date.parse(`${q.from}T04:00:00Z`); t <= Date.parse(`${q.to}T04:00:00Z`); t += 86_400_000) {
      items.push(calendar.dayInfo(new Date(t)));
    }
    res.json({ items });
  });

  return router;
}
