// Routing rules: GET /api/routing-rules (all staff), POST, PATCH /:id, DELETE /:id (admin).
import { Router } from 'express';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import type { AppContext } from '../../http/app-context.ts';
import { pathId } from '../../http/validate.ts';
import { canManageSettings, canViewConfig } from '../../policies/index.ts';
import { presentRoutingRule } from '../../presenters/config.presenter.ts';
import { createRoutingRule, deleteRoutingRule, updateRoutingRule } from './routing-rules.commands.ts';
import { createRuleSchema, listRulesQuery, updateRuleSchema } from './routing-rules.schema.ts';

export function createRoutingRulesRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canViewConfig));
  const admin = requirePolicy(canManageSettings);

  router.get('/', async (req, res) => {
    const q = listRulesQuery.parse(req.query);
    const rules = await ctx.models.RoutingRule.find(q.category ? { category: q.category } : {})
      .sort({ category: 1, priority: -1 })
      .lean();
    res.json({ items: rules.map(presentRoutingRule) });
  });

  router.post('/', admin, async (req, res) => {
    const rule = await createRoutingRule(ctx.models, createRuleSchema.parse(req.body));
    ctx.intakeConfig.invalidate();
    res.status(201).json(presentRoutingRule(rule));
  });

  router.patch('/:id', admin, async (req, res) => {
    const id = pathId(req.params.id, '路由规则不存在');
    const rule = await updateRoutingRule(ctx.models, id, updateRuleSchema.parse(req.body));
    ctx.intakeConfig.invalidate();
    res.json(presentRoutingRule(rule));
  });

  router.delete('/:id', admin, async (req, res) => {
    await deleteRoutingRule(ctx.models, pathId(req.params.id, '路由规则不存在'));
    ctx.intakeConfig.invalidate();
    res.status(204).end();
  });

  return router;
}
