// /api/enterprises/provisional, /api/enterprises/:id/confirm and /:id/merge: the centre's queue of enterprises
// intake registered provisionally, each with what its writers sent (how staff tell who it is), and the two ways
// out of it (provisional.commands.ts).
import { Router } from 'express';
import { z } from 'zod';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { actorOf } from '../../http/request-context.ts';
import { objectIdSchema, pathId } from '../../http/validate.ts';
import { canReviewProvisionalEnterprises } from '../../policies/intake.policy.ts';
import { presentEnterprise, presentEnterpriseSummary } from '../../presenters/enterprise.presenter.ts';
import { creditCodeSchema } from '../../../shared/schemas.ts';
import { writerMessages } from '../../enterprises/provisional-messages.query.ts';
import { confirmProvisionalCommand, mergeProvisionalCommand } from './provisional.commands.ts';
import { createEnterpriseSchema } from './enterprises.schema.ts';

const confirmSchema = z
  .object({
    creditCode: creditCodeSchema.optional(),
    name: createEnterpriseSchema.shape.name.optional(),
    region: createEnterpriseSchema.shape.region.optional(),
    mobile: createEnterpriseSchema.shape.mobile.optional(),
    email: createEnterpriseSchema.shape.email,
    acceptSenders: z.boolean().optional(),
  })
  .strict();
const mergeSchema = z.object({ intoId: objectIdSchema, acceptSenders: z.boolean().optional() });

export function createProvisionalEnterprisesRouter(ctx: AppContext): Router {
  const router = Router();
  const allowed = [ctx.requireStaff, requirePolicy(canReviewProvisionalEnterprises)];

  router.get('/provisional', ...allowed, async (_req, res) => {
    const items = await ctx.models.Enterprise.find({ provisional: true })
      .sort({ createdAt: -1 })
      .limit(200)
      .lean();
    const messages = await writerMessages(
      ctx.models,
      items.map((e) => e._id),
    );
    res.json({
      items: items.map((e) => ({
        ...presentEnterpriseSummary(e),
        provisional: true,
        note: e.provisionalNote ?? '',
        messages: messages.get(String(e._id)) ?? [],
      })),
    });
  });

  router.post('/:id/confirm', ...allowed, async (req, res) => {
    const input = confirmSchema.parse(req.body ?? {});
    const updated = await confirmProvisionalCommand(
      ctx.models,
      pathId(req.params.id, '企业不存在'),
      input,
      ctx.clock.now(),
      actorOf(req),
    );
    res.json(presentEnterprise(updated, ctx.config.publicBaseUrl));
  });

  router.post('/:id/merge', ...allowed, async (req, res) => {
    const { intoId, acceptSenders } = mergeSchema.parse(req.body ?? {});
    const id = pathId(req.params.id, '企业不存在');
    const into = await mergeProvisionalCommand(ctx.models, actorOf(req), id, intoId, ctx.clock.now(), {
      acceptSenders: acceptSenders === true,
    });
    res.json(presentEnterprise(into, ctx.config.publicBaseUrl));
  });

  return router;
}
