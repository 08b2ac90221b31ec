// A staff member's in-app notifications: GET /api/notifications?unread=1&limit= → {items, unread}, and
// POST /api/notifications/read {ids?} | {all:true} → {unread}. Every query is scoped to the caller's own id;
// new ones are also pushed live over socket.io (`notification:new`). GET /api/notifications/templates (admin)
// lists the events, their audiences, the template in force and the variables each may use.
import { Router } from 'express';
import { Types } from 'mongoose';
import { z } from 'zod';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { objectIdSchema } from '../../http/validate.ts';
import { EVENT_SPECS, NOTIFY_EVENTS, templatesOf } from '../../notify/templates.ts';
import { TEMPLATES_SETTING } from '../../notify/notifier.ts';
import { canManageSettings } from '../../policies/index.ts';
import { presentNotification } from '../../presenters/outbox.presenter.ts';

const listQuery = z.object({
  unread: z.enum(['0', '1']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const readBody = z.union(
  [
    z.object({ all: z.literal(true) }),
    z.object({ ids: z.array(objectIdSchema).min(1, { error: '请指明要标记的通知' }).max(500) }),
  ],
  { error: '请提供 ids（通知编号列表）或 all: true' },
);

export function createNotificationsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff);

  const unreadOf = (userId: Types.ObjectId) =>
    ctx.models.Notification.countDocuments({ userId, readAt: null });

  router.get('/', async (req, res) => {
    const q = listQuery.parse(req.query);
    const userId = new Types.ObjectId(actorOf(req).id);
    const filter = q.unread === '1' ? { userId, readAt: null } : { userId };
    const [items, unread] = await Promise.all([
      ctx.models.Notification.find(filter).sort({ createdAt: -1 }).limit(q.limit).lean(),
      unreadOf(userId),
    ]);
    res.json({ items: items.map(presentNotification), unread });
  });

  router.post('/read', async (req, res) => {
    const body = readBody.parse(req.body);
    const userId = new Types.ObjectId(actorOf(req).id);
    const mine =
      'all' in body ? { userId } : { userId, _id: { $in: body.ids.map((id) => new Types.ObjectId(id)) } };
    await ctx.models.Notification.updateMany(
      { ...mine, readAt: null },
      { $set: { readAt: ctx.clock.now() } },
    );
    res.json({ unread: await unreadOf(userId) });
  });

  router.get('/templates', requirePolicy(canManageSettings), async (_req, res) => {
    const row = await ctx.models.Setting.findOne({ key: TEMPLATES_SETTING }, { value: 1 }).lean();
    const current = templatesOf(row?.value);
    res.json({
      setting: TEMPLATES_SETTING,
      items: NOTIFY_EVENTS.map((event) => ({
        event,
        label: EVENT_SPECS[event].label,
        audience: EVENT_SPECS[event].audience,
        variables: EVENT_SPECS[event].variables,
        default: EVENT_SPECS[event].template,
        template: current[event],
      })),
    });
  });

  return router;
}
