// The routing suggestion the desk, 重新分类 and the admin's 测试分办 show: intake's own routing
// (shared/route-issue.ts, with config/routing's defaults) over the staff app's unit directory and the enabled
// stored rules, so a preview names the unit intake would. Pure (the rules come from routing-rules.ts), so it is
// tested without a browser.
import { defaultRouting } from '../../../config/routing.ts';
import { routeIssue, type RouteQuery } from '../../../shared/route-issue.ts';
import type { CategoryId } from '../../../shared/states.ts';
import type { Unit } from './types.ts';

export interface StoredRule {
  id: string;
  category: CategoryId;
  /** A county, a township unit's code, or null (the whole city). */
  region: string | null;
  unitId: string;
  coUnitIds: string[];
  priority: number;
  keywords: string[];
  enabled: boolean;
  updatedAt?: string;
}

export interface RouteSuggestion {
  unit: Unit;
  coUnits: Unit[];
  confident: boolean;
  /**
   * 'rule': an admin rule decided; 'default': the configured defaults (默认规则); 'directory': the unit directory,
   * the unit that declares the category (the enterprise's township first, then its county, then the city).
   */
  source: 'rule' | 'default' | 'directory';
}

const SOURCES = { rule: 'rule', config: 'default', unit: 'directory' } as const;

/** What decided a suggestion, as the desk's tag and 测试分办 say it. */
export const ROUTE_SOURCE_LABELS: Record<RouteSuggestion['source'], string> = {
  rule: '分办规则',
  default: '默认规则',
  directory: '单位目录',
};

/** Oldest first, as intake reads units and rules (ids are ObjectIds, whose order is their age). */
const oldestFirst = <T extends { id: string }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => a.id.padStart(24, '0').localeCompare(b.id.padStart(24, '0')));

export function suggestRoute(
  rules: readonly StoredRule[],
  units: readonly Unit[],
  q: RouteQuery,
): RouteSuggestion | null {
  const byId = new Map(units.map((u) => [u.id, u]));
  const directory = oldestFirst(units).map((u) => ({ ...u, _id: u.id, categories: u.categories ?? [] }));
  const config = {
    units: directory,
    unitById: new Map(directory.map((u) => [u.id, u])),
    unitByCode: new Map(directory.map((u) => [u.code, u])),
    rules: oldestFirst(rules.filter((r) => r.enabled)),
  };
  const route = routeIssue(config, q, defaultRouting);
  const unit = route && byId.get(route.unitId);
  if (!route || !unit) return null;
  return {
    unit,
    coUnits: route.coUnitIds.map((id) => byId.get(id)).filter((u): u is Unit => !!u),
    confident: route.confident,
    source: SOURCES[route.source],
  };
}

/** What keyword rules look for in an issue: its title and content. */
export function issueRoutingText(issue: { title?: string | null; content: string }): string {
  return `${issue.title ?? ''}\n${issue.content}`;
}
