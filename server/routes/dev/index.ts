// The demo clock: GET/POST /api/dev/clock (admin only). Mounted only when the server runs with DEMO_CLOCK=1,
// so that deadlines, warnings and escalations can be shown without waiting for real working days. Moving the
// clock runs the escalation sweep at once (ctx.afterClockAdvance). GET /api/dev/outbox shows the latest outbox
// entries, verification codes included.
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

export function createDevClockRouter(ctx: AppContext, clock: SimulatedClock): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canUseDevClock));

  router.get('/clock', (_req, res) => {
    res.json({ now: clock.now().toISOString(), simulated: true });
  });

  router.post('/clock', async (req, res) => {
    const { advanceMs } = advanceClockSchema.parse(req.body);
    clock.advance(advanceMs);
    ctx.logger.info({ advanceMs, now: clock.now() }, 'demo clock advanced');
    // Sweep at the new time before answering, so the next read already shows the lights and follow-ups.
    await ctx.afterClockAdvance?.();
    res.json({ now: clock.now().toISOString(), simulated: true });
  });

  // The latest outbox entries unmasked, verification codes included (demo mode only: this router exists only
  // with DEMO_CLOCK=1, and codes are recorded in clear only in demo mode), so a new user can try the QR page.
  router.get('/outbox', async (req, res) => {
    const q = outboxQuery.parse(req.query);
    const rows = await ctx.models.Outbox.find(outboxFilter(q))
      .sort({ createdAt: -1, _id: -1 })
      .limit(Math.min(q.limit, 100))
      .lean();
    res.json({ items: rows.map((r) => presentOutboxEntry(r, { fullAddress: true })) });
  });

  return router;
}
