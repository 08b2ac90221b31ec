// The routing suggestion the desk and the admin's "test this text" box show: the stored routing rules (by unit
// id, turned into unit codes; keyword rules for the issue's text) evaluated with config/routing's pure
// evaluator, then the configured defaults — the order intake itself follows (server/intake/route-issue.ts).
// Pure (the rules come from routing-rules.ts), so it is tested without a browser.
import {
  DEFAULT_ROUTING_RULES,
  evaluateRoutingRules,
  type RoutingQuery,
  type RoutingRuleDef,
} from '../../../config/routing.ts';
import type { CategoryId } from '../../../shared/states.ts';
import type { Unit } from './types.ts';

export interface StoredRule {
  id: string;
  category: CategoryId;
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
  /** 'rule': an admin rule decided; 'default': the configured defaults. */
  source: 'rule' | 'default';
}

export function suggestRoute(
  rules: readonly StoredRule[],
  units: readonly Unit[],
  q: RoutingQuery,
): RouteSuggestion | null {
  const byId = new Map(units.map((u) => [u.id, u]));
  const byCode = new Map(units.map((u) => [u.code, u]));
  const stored: RoutingRuleDef[] = rules.flatMap((r) => {
    const unit = byId.get(r.unitId);
    if (!unit) return [];
    const coUnitCodes = r.coUnitIds.map((id) => byId.get(id)?.code).filter((c): c is string => !!c);
    return [
      {
        category: r.category,
        region: r.region,
        unitCode: unit.code,
        coUnitCodes,
        priority: r.priority,
        keywords: r.keywords,
        enabled: r.enabled,
      },
    ];
  });
  const fromRules = evaluateRoutingRules(stored, q);
  const result = fromRules ?? evaluateRoutingRules(DEFAULT_ROUTING_RULES, q);
  const unit = result && byCode.get(result.unitCode);
  if (!result || !unit) return null;
  return {
    unit,
    coUnits: result.coUnitCodes.map((c) => byCode.get(c)).filter((u): u is Unit => !!u),
    confident: result.confident,
    source: fromRules ? 'rule' : 'default',
  };
}

/** What keyword rules look for in an issue: its title and content. */
export function issueRoutingText(issue: { title?: string | null; content: string }): string {
  return `${issue.title ?? ''}\n${issue.content}`;
}
