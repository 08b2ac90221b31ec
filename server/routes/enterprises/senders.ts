// /api/enterprises/:id/senders: an enterprise's accepted senders (已核实的来信人: mail addresses and WeChat
// followers the centre accepted when it confirmed or merged a provisional enterprise), and taking one back
// with a reason (senders.commands.ts). For the desks that edit enterprises: an accepted sender gets the QR link
// and may get the owner's notices, and a follower's openid is personal data.
import { Router } from 'express';
import { z } from 'zod';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { pathId } from '../../http/validate.ts';
import { canManageEnterpriseSenders } from '../../policies/index.ts';
import { reasonSchema } from '../../../shared/schemas.ts';
import { acceptedSendersOf, loadSenders, removeSenderCommand } from './senders.commands.ts';

const removeSchema = z
  .object({
    channel: z.enum(['email', 'wechat'], { error: '请指明来信渠道（email 或 wechat）' }),
    address: z
      .string({ error: '请填写要移除的邮箱或微信用户' })
      .trim()
      .min(1, { error: '请填写要移除的邮箱或微信用户' })
      .max(200, { error: '地址不能超过200个字符' }),
    reason: reasonSchema,
  })
  .strict();

export function createEnterpriseSendersRouter(ctx: AppContext): Router {
  const router = Router();
  const allowed = [ctx.requireStaff, requirePolicy(canManageEnterpriseSenders)];

  router.get('/:id/senders', ...allowed, async (req, res) => {
    const e = await loadSenders(ctx.models, pathId(req.params.id, '企业不存在'));
    res.json({ items: acceptedSendersOf(e) });
  });

  router.post('/:id/senders/remove', ...allowed, async (req, res) => {
    const id = pathId(req.params.id, '企业不存在');
    const e = await removeSenderCommand(ctx.models, id, removeSchema.parse(req.body ?? {}));
    // The enterprise's name goes into the audit row (操作日志), the request body with the reason.
    res.json({ enterprise: { id: String(e._id), name: e.name }, items: acceptedSendersOf(e) });
  });

  return router;
}
