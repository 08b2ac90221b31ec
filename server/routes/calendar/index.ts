// The working calendar: GET /api/calendar/overrides (with the years lacking holiday data that no admin has
// entered either, so admin can warn),
// PUT/DELETE /api/calendar/overrides/:date (admin), GET /api/calendar/days?from=&to= (all staff), and (issue 8)
// GET /api/calendar (today, the data's years, the years entered by hand, the warnings), GET /api/calendar/warnings
// (admins and the centre), GET /api/calendar/years/:year (admins and the centre: every day of the year resolved,
// holidays and 调休 with their source, for 工作日历's year view) and PUT /api/calendar/years/:year {offDays,
// workDays} (admin: a year in one request), and GET /api/calendar/due?workingDays=N (all staff: the instant N
// working days from now, which 会商决定 and 立项 show before they promise it). Every change recomputes open
// issues' future deadlines in the background.
import { Router } from 'express';
import { chinaDateKey, createWorkCalendar, type CalendarOverrides } from '../../../shared/calendar.ts';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { validationFailed } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { canManageSettings, canViewConfig } from '../../policies/index.ts';
import { presentCalendarOverride } from '../../presenters/config.presenter.ts';
import { deleteCalendarOverride, putCalendarOverride } from './calendar.commands.ts';
import {
  dateParam,
  daysQuery,
  dueQuery,
  putOverrideSchema,
  yearArrangementSchema,
  yearParam,
} from './calendar.schema.ts';
import { calendarWarnings } from '../../../shared/calendar-warnings.ts';
import { forbidden } from '../../errors.ts';
import { actorOf } from '../../http/request-context.ts';
import { CENTRE_ROLES, type Role } from '../../../shared/roles.ts';
import { enteredYears, putYearArrangementCommand } from './calendar-year.command.ts';
import { calendarYearQuery } from './calendar-year.query.ts';

function parseDate(value: unknown): string {
  const parsed = dateParam.safeParse(value);
  if (!parsed.success) throw validationFailed('日期格式应为 YYYY-MM-DD');
  return parsed.data;
}

function parseYear(value: unknown): number {
  const parsed = yearParam.safeParse(value);
  if (!parsed.success) throw validationFailed(parsed.error.issues[0]?.message ?? '年份无效');
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
  /** The warnings and the year view are for those who set the calendar and those who promise dates by it. */
  const adminOrCentre = (role: Role) => role === 'admin' || CENTRE_ROLES.includes(role);

  router.get('/', async (req, res) => {
    const { calendar } = await ctx.intakeConfig.get();
    const entered = await enteredYears(ctx.models);
    res.json({
      // The app's day in China time, so a screen opens on the year the deadlines are counted in.
      today: chinaDateKey(ctx.clock.now()),
      dataYears: calendar.dataYears,
      enteredYears: entered,
      warnings: adminOrCentre(actorOf(req).role) ? calendarWarnings(calendar, entered, ctx.clock.now()) : [],
    });
  });

  router.get('/warnings', async (req, res) => {
    if (!adminOrCentre(actorOf(req).role)) throw forbidden();
    res.json({ items: await warningsNow() });
  });

  router.get('/years/:year', async (req, res) => {
    if (!adminOrCentre(actorOf(req).role)) throw forbidden();
    res.json(await calendarYearQuery(ctx.models, parseYear(req.params.year)));
  });

  router.put('/years/:year', requirePolicy(canManageSettings), async (req, res) => {
    const year = parseYear(req.params.year);
    const result = await putYearArrangementCommand(ctx.models, year, yearArrangementSchema.parse(req.body));
    ctx.intakeConfig.invalidate();
    ctx.deadlines?.request('calendar');
    res.json({ ...result, warnings: await warningsNow() });
  });

  // 会商决定 and 立项 promise the date N working days from now: their forms show it before it is promised, counted
  // by the calendar the deadlines use (with the admins' overrides) on the app's clock.
  router.get('/due', async (req, res) => {
    const { workingDays } = dueQuery.parse(req.query);
    const { calendar } = await ctx.intakeConfig.get();
    res.json({ dueAt: calendar.addWorkingDays(ctx.clock.now(), workingDays) });
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
