// Responsible units: GET /api/units and /api/units/:id for every desk (dispatch pickers, filters);
// POST /api/units and PATCH /api/units/:id for the admin.
import { Router } from 'express';
import { requirePolicy } from '../../auth/staff.middleware.ts';
import { notFound } from '../../errors.ts';
import type { AppContext } from '../../http/app-context.ts';
import { pathId } from '../../http/validate.ts';
import { canManageUnits, canViewUnits } from '../../policies/index.ts';
import { presentUnit } from '../../presenters/unit.presenter.ts';
import { createUnitCommand, updateUnitCommand } from './units.commands.ts';
import { createUnitSchema, listUnitsQuery, updateUnitSchema } from './units.schema.ts';

export function createUnitsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(ctx.requireStaff, requirePolicy(canViewUnits));

  router.get('/', async (req, res) => {
    const q = listUnitsQuery.parse(req.query);
    const filter: Record<string, unknown> = {};
    if (q.level) filter.level = q.level;
    if (q.region) filter.region = q.region;
    if (q.category) filter.categories = q.category;
    // A city has at most a few hundred units: the whole list fits one answer.
    const units = await ctx.models.Unit.find(filter)
      .sort({ level: 1, region: 1, code: 1 })
      .limit(2000)
      .lean();
    res.json({ items: units.map(presentUnit) });
  });

  router.get('/:id', async (req, res) => {
    const unit = await ctx.models.Unit.findById(pathId(req.params.id, '单位不存在')).lean();
    if (!unit) throw notFound('单位不存在');
    res.json(presentUnit(unit));
  });

  router.post('/', requirePolicy(canManageUnits), async (req, res) => {
    const unit = await createUnitCommand(ctx.models, createUnitSchema.parse(req.body));
    ctx.intakeConfig.invalidate();
    res.status(201).json(presentUnit(unit));
  });

  router.patch('/:id', requirePolicy(canManageUnits), async (req, res) => {
    const id = pathId(req.params.id, '单位不存在');
    const unit = await updateUnitCommand(ctx.models, id, updateUnitSchema.parse(req.body));
    ctx.intakeConfig.invalidate();
    res.json(presentUnit(unit));
  });

  return router;
}
