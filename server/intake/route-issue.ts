// Routing at intake (DESIGN §9): category × the enterprise's region → the lead unit. Admin rules win; then
// the configured defaults; then the unit directory itself (the unit of that region, or else the city
// department, that declares the category). Only a single clear answer counts as confident: anything
// ambiguous waits in `received` for a dispatcher.
import type { CategoryId, UnitLevel } from '../../shared/states.ts';
import type { Models, UnitDoc } from '../models/index.ts';
import type { RoutingSource } from '../models/issue.model.ts';

export interface RoutingDecision {
  unitId: string;
  unitName: string;
  level: UnitLevel;
  coUnitIds: string[];
  source: Exclude<RoutingSource, 'none'>;
  confident: boolean;
}

/** Configured default routing (config/routing), when present: category × region → unit code. */
export type DefaultRouting = (category: CategoryId, region: string) => string | null | undefined;

export interface RouteQuery {
  category: CategoryId;
  region: string;
}

async function byRule(models: Models, q: RouteQuery): Promise<RoutingDecision | null> {
  const rules = await models.RoutingRule.find({
    category: q.category,
    enabled: true,
    region: { $in: [q.region, null] },
  }).lean();
  if (!rules.length) return null;
  // Higher priority first; at equal priority a rule for the region beats a city-wide one.
  const rank = (r: (typeof rules)[number]) => r.priority * 2 + (r.region ? 1 : 0);
  rules.sort((a, b) => rank(b) - rank(a));
  const [best, second] = rules;
  const unit = await models.Unit.findById(best.unitId).lean();
  if (!unit) return null;
  return {
    ...decision(unit, 'rule', !second || rank(second) < rank(best)),
    coUnitIds: best.coUnitIds.map(String),
  };
}

function decision(unit: UnitDoc, source: RoutingDecision['source'], confident: boolean): RoutingDecision {
  return {
    unitId: String(unit._id),
    unitName: unit.name,
    level: unit.level,
    coUnitIds: [],
    source,
    confident,
  };
}

async function byDirectory(models: Models, q: RouteQuery): Promise<RoutingDecision | null> {
  const local = await models.Unit.find({ categories: q.category, region: q.region, level: 'county' }).lean();
  if (local.length) return decision(local[0], 'unit', local.length === 1);
  const city = await models.Unit.find({ categories: q.category, level: 'city' }).lean();
  if (city.length) return decision(city[0], 'unit', city.length === 1);
  return null;
}

export async function routeIssue(
  models: Models,
  q: RouteQuery,
  defaults?: DefaultRouting,
): Promise<RoutingDecision | null> {
  const rule = await byRule(models, q);
  if (rule) return rule;
  const code = defaults?.(q.category, q.region);
  if (code) {
    const unit = await models.Unit.findOne({ code }).lean();
    if (unit) return decision(unit, 'config', true);
  }
  return byDirectory(models, q);
}
