// The working calendar: GET /api/calendar/overrides (with the years lacking holiday data, so admin can warn),
// PUT/DELETE /api/calendar/overrides/:date (admin), and GET /api/calendar/days?from=&to= (all staff).
import { Router } from 'express';
import { createWorkCalendar, type CalendarOverrides } from '../../../shared/calendar.ts';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { validationFailed } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { canManageSettings, canViewConfig } from '../../policies/index.ts';
import { presentCalendarOverride } from '../../presenters/config.presenter.ts';
import { deleteCalendarOverride, putCalendarOverride } from './calendar.commands.ts';
import { dateParam, daysQuery, putOverrideSchema } from './calendar.schema.ts';

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
    const rows = await loadOverrides();
    const year = ctx.clock.now().getUTCFullYear();
    res.json({
      items: rows.map(presentCalendarOverride),
      missingYears: createWorkCalendar().missingYears(year, year + 1),
    });
  });

  router.put('/overrides/:date', requirePolicy(canManageSettings), async (req, res) => {
    const date = parseDate(req.params.date);
    const saved = await putCalendarOverride(ctx.models, date, putOverrideSchema.parse(req.body));
    ctx.intakeConfig.invalidate();
    res.json(presentCalendarOverride(saved));
  });

  router.delete('/overrides/:date', requirePolicy(canManageSettings), async (req, res) => {
    await deleteCalendarOverride(ctx.models, parseDate(req.params.date));
    ctx.intakeConfig.invalidate();
    res.status(204).end();
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
