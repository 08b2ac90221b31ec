// Routing at intake (DESIGN §9): category × the enterprise's region → the lead unit, and an admin rule with
// keywords only for a text that names one of them (config/routing keywordsApply). Admin rules win; then
// the configured defaults; then the unit directory itself (the unit of that region, or else the city
// department, that declares the category). Only a single clear answer counts as confident: anything
// ambiguous waits in `received` for a dispatcher. Pure: it reads the configuration snapshot it is given
// (intake-config.ts), never the database.
import { keywordsApply, routingRank as rank, routingText } from '../../config/routing.ts';
import type { CategoryId, UnitLevel } from '../../shared/states.ts';
import type { RoutingSource } from '../models/issue.model.ts';
import type { IntakeConfig, IntakeUnit } from './intake-config.ts';

export interface RoutingDecision {
  unitId: string;
  unitName: string;
  level: UnitLevel;
  coUnitIds: string[];
  source: Exclude<RoutingSource, 'none'>;
  confident: boolean;
}

/**
 * Configured default routing (config/routing), when present: category × region → unit code, and the issue's
 * text for the keyword defaults (环保 → 市生态环境局).
 */
export type DefaultRouting = (
  category: CategoryId,
  region: string,
  text?: string,
) => string | null | undefined;

export interface RouteQuery {
  category: CategoryId;
  region: string;
  /** The issue's title and content (issueText), for rules with keywords. */
  text?: string;
}

function byRule(config: IntakeConfig, q: RouteQuery): RoutingDecision | null {
  const text = q.text === undefined ? undefined : routingText(q.text);
  const rules = config.rules.filter(
    (r) =>
      r.category === q.category &&
      (r.region == null || r.region === q.region) &&
      keywordsApply(r.keywords, text),
  );
  if (!rules.length) return null;
  // A stable sort, so among equal ranks the oldest rule leads (as the indexed read returned them).
  const [best, ...others] = [...rules].sort((a, b) => rank(b) - rank(a));
  const unit = config.unitById.get(String(best.unitId));
  if (!unit) return null;
  // Only rules of the same rank that name another unit leave the choice to a dispatcher (as 测试分办 says).
  const tie = others.some((r) => rank(r) === rank(best) && String(r.unitId) !== String(best.unitId));
  return { ...decision(unit, 'rule', !tie), coUnitIds: best.coUnitIds.map(String) };
}

function decision(unit: IntakeUnit, source: RoutingDecision['source'], confident: boolean): RoutingDecision {
  return {
    unitId: String(unit._id),
    unitName: unit.name,
    level: unit.level,
    coUnitIds: [],
    source,
    confident,
  };
}

function byDirectory(config: IntakeConfig, q: RouteQuery): RoutingDecision | null {
  const handles = (u: IntakeUnit) => u.categories.includes(q.category);
  const local = config.units.filter((u) => handles(u) && u.region === q.region && u.level === 'county');
  if (local.length) return decision(local[0], 'unit', local.length === 1);
  const city = config.units.filter((u) => handles(u) && u.level === 'city');
  if (city.length) return decision(city[0], 'unit', city.length === 1);
  return null;
}

export function routeIssue(
  config: IntakeConfig,
  q: RouteQuery,
  defaults?: DefaultRouting,
): RoutingDecision | null {
  const rule = byRule(config, q);
  if (rule) return rule;
  const code = defaults?.(q.category, q.region, q.text);
  if (code) {
    const unit = config.unitByCode.get(code);
    if (unit) return decision(unit, 'config', true);
  }
  return byDirectory(config, q);
}
