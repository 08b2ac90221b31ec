// Routing at intake (DESIGN §4, §9): category × the enterprise's region (and township) → the lead unit, and an
// admin rule with keywords only for a text that names one of them (config/routing keywordsApply). Admin rules
// win (one naming the enterprise's township before its county's); then the configured defaults; then the unit
// directory itself (the unit of that region, or else the city department, that declares the category). Where
// that answer is the county's own unit, the enterprise's township comes first if it declares the category:
// one level lower first, so a local matter reaches the 乡镇/街道 that handles it. Only a single clear answer
// counts as confident: anything ambiguous waits in `received` for a dispatcher. Pure: it reads the
// configuration snapshot it is given (server/intake/intake-config.ts), never the database; shared, so what
// the staff app previews (the desk's suggestion, 重新分类, 测试分办: web/src/lib/routing.ts) is this answer.
import { keywordsApply, routingRank as rank, routingText } from '../config/routing.ts';
import type { CategoryId, UnitLevel } from './states.ts';

/** A unit as routing reads it (the intake snapshot's, or the staff app's directory). */
export interface RouteUnit {
  _id: unknown;
  code: string;
  name: string;
  level: UnitLevel;
  region: string;
  categories: readonly string[];
}

/** An enabled routing rule as routing reads it. */
export interface RouteRule {
  category: CategoryId;
  region?: string | null;
  unitId: unknown;
  coUnitIds: readonly unknown[];
  priority?: number;
  keywords?: readonly string[];
}

/** What routing reads: the unit directory (oldest first) and the enabled rules (oldest first). */
export interface RouteConfig {
  readonly units: readonly RouteUnit[];
  readonly unitById: ReadonlyMap<string, RouteUnit>;
  readonly unitByCode: ReadonlyMap<string, RouteUnit>;
  readonly rules: readonly RouteRule[];
}

export interface RoutingDecision {
  unitId: string;
  unitName: string;
  level: UnitLevel;
  coUnitIds: string[];
  source: 'rule' | 'config' | 'unit';
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
  /** The enterprise's township (乡镇/街道) unit code, when it has one. */
  township?: string | null;
  /** The issue's title and content (issueText), for rules with keywords. */
  text?: string;
}

function byRule(config: RouteConfig, q: RouteQuery): RoutingDecision | null {
  const text = q.text === undefined ? undefined : routingText(q.text);
  const rules = config.rules.filter(
    (r) =>
      r.category === q.category &&
      (r.region == null || r.region === q.region || (!!q.township && r.region === q.township)) &&
      keywordsApply(r.keywords, text),
  );
  if (!rules.length) return null;
  // A township's rule is more specific than its county's of the same rank.
  const score = (r: RouteRule) => rank(r) * 2 + (q.township && r.region === q.township ? 1 : 0);
  // A stable sort, so among equal ranks the oldest rule leads (as the indexed read returned them).
  const [best, ...others] = [...rules].sort((a, b) => score(b) - score(a));
  const unit = config.unitById.get(String(best.unitId));
  if (!unit) return null;
  // Only rules of the same rank that name another unit leave the choice to a dispatcher (as 测试分办 says).
  const tie = others.some((r) => score(r) === score(best) && String(r.unitId) !== String(best.unitId));
  return { ...decision(unit, 'rule', !tie), coUnitIds: best.coUnitIds.map(String) };
}

function decision(unit: RouteUnit, source: RoutingDecision['source'], confident: boolean): RoutingDecision {
  return {
    unitId: String(unit._id),
    unitName: unit.name,
    level: unit.level,
    coUnitIds: [],
    source,
    confident,
  };
}

/** The enterprise's township, if it is one of its county's and declares the category. */
function byTownship(config: RouteConfig, q: RouteQuery): RoutingDecision | null {
  const unit = q.township ? config.unitByCode.get(q.township) : undefined;
  const handles =
    unit?.level === 'township' && unit.region === q.region && unit.categories.includes(q.category);
  return handles ? decision(unit, 'unit', true) : null;
}

function byDirectory(config: RouteConfig, q: RouteQuery): RoutingDecision | null {
  const handles = (u: RouteUnit) => u.categories.includes(q.category);
  const local = config.units.filter((u) => handles(u) && u.region === q.region && u.level === 'county');
  if (local.length) return byTownship(config, q) ?? decision(local[0], 'unit', local.length === 1);
  const city = config.units.filter((u) => handles(u) && u.level === 'city');
  if (city.length) return decision(city[0], 'unit', city.length === 1);
  return null;
}

export function routeIssue(
  config: RouteConfig,
  q: RouteQuery,
  defaults?: DefaultRouting,
): RoutingDecision | null {
  const rule = byRule(config, q);
  if (rule) return rule;
  const code = defaults?.(q.category, q.region, q.text);
  const unit = code ? config.unitByCode.get(code) : undefined;
  if (unit) return (unit.level === 'county' && byTownship(config, q)) || decision(unit, 'config', true);
  return byDirectory(config, q);
}
