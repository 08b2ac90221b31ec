// Default routing (DESIGN §4, §9): category × region → the lead unit, and when a problem must go up to the
// coordination tier. Admin rules stored in the database take precedence; these rules are the defaults and the
// evaluator is pure so both can be tested without a database.

import type { CategoryId, Tier } from '../shared/states.ts';
import { CATEGORIES } from './categories.ts';
import { ECO_ENV_CODE, EMERGENCY_CODE, REGION_CODES, type RegionCode } from './units.ts';

export interface RoutingRuleDef {
  category: CategoryId;
  /** Null or absent: any region (a city-wide rule). */
  region?: string | null;
  unitCode: string;
  coUnitCodes?: readonly string[];
  /** Higher wins; at equal priority a rule whose keywords the text names, then a region's rule, beats the rest. */
  priority?: number;
  /** When set, the rule applies only to a text that names one of these words (routingText). */
  keywords?: readonly string[];
  enabled?: boolean;
}

export interface RouteResult {
  unitCode: string;
  coUnitCodes: string[];
  /** False when two equally good rules disagree: a dispatcher should decide. */
  confident: boolean;
}

/**
 * Environmental and work-safety matters, in every region: an approval or an inspection that names one of these
 * words goes to the city bureau (the directory has no county branches of it), ahead of the category's unit (a
 * keyword rule outranks a region's rule at equal priority). Words that name the bureau's own business only:
 * 环境 alone would take 营商环境 and 园区环境整治 (综合执法), 安全 alone a road crossing's 安全隐患.
 */
const KEYWORD_DEFAULTS: ReadonlyArray<{ unitCode: string; keywords: readonly string[] }> = [
  {
    unitCode: ECO_ENV_CODE,
    keywords: ['环保', '环评', '排污', '污染', '生态环境', '废水', '废气', '危废', '环境监测'],
  },
  {
    unitCode: EMERGENCY_CODE,
    keywords: ['安全生产', '安监', '应急管理', '危化品', '危险化学品', '安全评价', '安评', '粉尘涉爆'],
  },
];
const KEYWORD_CATEGORIES: readonly CategoryId[] = ['approval', 'enforcement'];

/** One rule per category and region, from the categories' default units, then the keyword rules above. */
export const DEFAULT_ROUTING_RULES: readonly RoutingRuleDef[] = Object.freeze([
  ...CATEGORIES.flatMap((c) =>
    REGION_CODES.map((region) => ({
      category: c.id,
      region,
      unitCode: c.defaultUnits[region as RegionCode],
      priority: 0,
    })),
  ),
  ...KEYWORD_DEFAULTS.flatMap(({ unitCode, keywords }) =>
    KEYWORD_CATEGORIES.map((category) => ({ category, region: null, unitCode, keywords, priority: 0 })),
  ),
]);

/** A text as rule keywords are looked for in it: without case, full-width forms or spaces. */
export function routingText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/**
 * Whether a rule's keywords let it apply to a text (`routingText` of the title and content): a rule
 * without keywords applies to every text, one with keywords only to a text that names one of them (so 供水 and
 * 供电 problems of one category can go to different units); without a text, never.
 */
export function keywordsApply(keywords: readonly string[] | undefined, text: string | undefined): boolean {
  if (!keywords?.length) return true;
  return !!text && keywords.some((k) => k.trim() !== '' && text.includes(routingText(k)));
}

/**
 * How specific an applying rule is, higher first: its priority, then whether it is a keyword rule (the text
 * named one of its words), then whether it is its region's. Intake (shared/route-issue.ts) ranks alike.
 */
export function routingRank(r: { priority?: number; region?: string | null; keywords?: readonly string[] }) {
  return (r.priority ?? 0) * 4 + (r.keywords?.length ? 2 : 0) + (r.region ? 1 : 0);
}

export interface RoutingQuery {
  category: CategoryId;
  region: string;
  /** The title and content, for keyword rules. */
  text?: string;
}

/** The best enabled rule for a category in a region (and the text, for keyword rules), or null. */
export function evaluateRoutingRules(
  rules: readonly RoutingRuleDef[],
  query: RoutingQuery,
): RouteResult | null {
  const text = query.text === undefined ? undefined : routingText(query.text);
  const candidates = rules
    .filter(
      (r) =>
        r.enabled !== false &&
        r.category === query.category &&
        (!r.region || r.region === query.region) &&
        keywordsApply(r.keywords, text),
    )
    .sort((a, b) => routingRank(b) - routingRank(a));
  const [best, ...others] = candidates;
  if (!best) return null;
  // Rules of the same rank naming another unit: a dispatcher decides (intake's route-issue.ts says the same).
  const tie = others.some((r) => routingRank(r) === routingRank(best) && r.unitCode !== best.unitCode);
  return { unitCode: best.unitCode, coUnitCodes: [...(best.coUnitCodes ?? [])], confident: !tie };
}

/**
 * The default lead unit code for a category in a region, and for the text (title and content) the
 * keyword rules look for (the shape intake's routing expects).
 */
export function defaultRouting(category: CategoryId, region: string, text?: string): string | null {
  return evaluateRoutingRules(DEFAULT_ROUTING_RULES, { category, region, text })?.unitCode ?? null;
}

export interface TierQuery {
  /** Categories the problem touches (a land issue that is also an approval issue…). */
  categories: readonly CategoryId[];
  /** Regions it spans. */
  regions: readonly string[];
  complex?: boolean;
}

/**
 * Cross-department (the categories' lead units differ) or cross-region problems, and complex ones, start at
 * the director tier; the leader tier is reached only by escalation.
 */
export function coordinationTier(q: TierQuery): Tier {
  const regions = new Set(q.regions);
  const leads = new Set(
    q.categories.map((c) => defaultRouting(c, regions.size === 1 ? [...regions][0] : 'city')).filter(Boolean),
  );
  return q.complex || leads.size > 1 || regions.size > 1 ? 'director' : 'section';
}
