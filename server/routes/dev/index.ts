// Demo mode's tools (admin only). GET /api/dev/outbox shows the latest outbox entries, verification codes
// included, so a new user can try the QR page's SMS code. With DEMO_CLOCK=1, GET/POST /api/dev/clock read and
// move the simulated clock, so that deadlines, warnings and escalations can be shown without waiting for real
// working days; moving it runs the escalation sweep at once (ctx.afterClockAdvance).
import { Router } from 'express';
import { z } from 'zod';
import type { SimulatedClock } from '../../../shared/clock.ts';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { canUseDevClock } from '../../policies/index.ts';
import { presentOutboxEntry } from '../../presenters/outbox.presenter.ts';
import { outboxFilter, outboxQuery } from '../outbox/index.ts';

const YEAR_MS = 366 * 24 * 3600 * 1000;

export const advanceClockSchema = z.object({
  advanceMs: z
    .number({ error: 'advanceMs 必须是数字' })
    .int({ error: 'advanceMs 必须是整数' })
    .min(1, { error: '只能向前拨动时钟' })
    .max(YEAR_MS, { error: '一次最多拨动一年' }),
});

export function createDevRouter(ctx: AppContext, clock: SimulatedClock | undefined): Router {
  const router = Router();
  // Per route, not router.use: a path this router does not serve (the clock without DEMO_CLOCK) stays a 404.
  const admin = [ctx.requireStaff, requirePolicy(canUseDevClock)];

  if (clock) {
    router.get('/clock', ...admin, (_req, res) => {
      res.json({ now: clock.now().toISOString(), simulated: true });
    });

    router.post('/clock', ...admin, async (req, res) => {
      const { advanceMs } = advanceClockSchema.parse(req.body);
      clock.advance(advanceMs);
      ctx.logger.info({ advanceMs, now: clock.now() }, 'demo clock advanced');
      // Sweep at the new time before answering, so the next read already shows the lights and follow-ups.
      await ctx.afterClockAdvance?.();
      res.json({ now: clock.now().toISOString(), simulated: true });
    });
  }

  // The latest outbox entries unmasked, verification codes included (demo mode only: this router exists only
  // in demo mode, and codes are recorded in clear only there), so a new user can try the QR page.
  router.get('/outbox', ...admin, async (req, res) => {
    const q = outboxQuery.parse(req.query);
    const rows = await ctx.models.Outbox.find(outboxFilter(q))
      .sort({ createdAt: -1, _id: -1 })
      .limit(q.limit)
      .lean();
    res.json({ items: rows.map((r) => presentOutboxEntry(r, { fullAddress: true })) });
  });

  return router;
}
