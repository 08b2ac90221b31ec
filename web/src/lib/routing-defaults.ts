// 分办规则's 默认分办: who gets a new issue when no admin rule matches it, read from the very defaults intake falls
// back to (config/routing's DEFAULT_ROUTING_RULES, one unit per category and region, and a few keyword rules;
// shared/route-issue.ts uses them through config/routing's defaultRouting), with unit codes turned into
// the directory's names.
import { DEFAULT_ROUTING_RULES } from '../../../config/routing.ts';
import { CITY_REGION, COUNTIES, countyCentreCode } from '../../../config/units.ts';
import { CATEGORY_IDS, type CategoryId } from '../../../shared/states.ts';
import type { Unit } from './types.ts';

export interface DefaultRouteRow {
  category: CategoryId;
  /** Who takes an enterprise of a county (吴兴区…): its own county centre, or one named unit. */
  county: string;
  /** Who takes an enterprise registered at city level (市本级). */
  city: string;
  /** Default units the directory no longer has: intake then looks for a unit declaring the category. */
  missing: string[];
}

const codeOf = (category: CategoryId, region: string) =>
  DEFAULT_ROUTING_RULES.find((r) => r.category === category && r.region === region && !r.keywords)?.unitCode;

export function defaultRouteRows(units: readonly Unit[]): DefaultRouteRow[] {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const nameOf = (code: string | undefined) => (code && byCode.get(code)?.name) || `单位 ${code ?? '—'}`;
  return CATEGORY_IDS.map((category) => {
    const countyCodes = COUNTIES.map((c) => ({ county: c, code: codeOf(category, c.code) }));
    const cityCode = codeOf(category, CITY_REGION);
    const distinct = [...new Set(countyCodes.map((c) => c.code))];
    const county = countyCodes.every((c) => c.code === countyCentreCode(c.county.code))
      ? '企业所在区县的企业综合服务中心'
      : distinct.length === 1
        ? nameOf(distinct[0])
        : countyCodes.map((c) => `${c.county.name}：${nameOf(c.code)}`).join('；');
    const codes = [cityCode, ...countyCodes.map((c) => c.code)];
    const missing = [...new Set(codes)].filter((code): code is string => !!code && !byCode.has(code));
    return { category, county, city: nameOf(cityCode), missing };
  });
}

export interface KeywordDefaultRow {
  /** The unit's name in the directory (单位 <code> when it has gone). */
  unit: string;
  categories: CategoryId[];
  keywords: string[];
}

/**
 * The default keyword rules (config/routing: 环保 → 市生态环境局, 安全生产 → 市应急管理局), one row per unit: they
 * win over the table's category × region defaults for a text that names one of their words, in every region.
 */
export function keywordDefaultRows(units: readonly Unit[]): KeywordDefaultRow[] {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const rows = new Map<string, KeywordDefaultRow>();
  for (const r of DEFAULT_ROUTING_RULES) {
    if (!r.keywords?.length) continue;
    const row = rows.get(r.unitCode) ?? {
      unit: byCode.get(r.unitCode)?.name ?? `单位 ${r.unitCode}`,
      categories: [],
      keywords: [...r.keywords],
    };
    row.categories.push(r.category);
    rows.set(r.unitCode, row);
  }
  return [...rows.values()];
}
