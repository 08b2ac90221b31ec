// Who may read the management screens' figures and work queues (issue 9). Pure, tested as a matrix.
import { isCitywide, type Actor, type Role } from '../../shared/roles.ts';
import { canViewIssue, seesEveryIssue, type IssueScope } from './issue.policy.ts';

const is =
  (...roles: Role[]) =>
  (actor: Actor): boolean =>
    roles.includes(actor.role);

/** KPIs, the export and the monthly report: the people who steer (DESIGN §6 "leaders see every KPI"). */
export const canViewKpis = is('leader', 'director', 'supervisor', 'admin');

/**
 * The issues a KPI reader's figures cover: a county leader sees their county; everyone else the whole city.
 * An equality on `region`, so the creation-time index still bounds the scan.
 */
export function kpiScopeOf(actor: Actor): Record<string, unknown> {
  return actor.role === 'leader' && !isCitywide(actor) ? { region: actor.region } : {};
}

/**
 * Who reads an enterprise's issue figures (counts by state, its KPIs): the centre, and a KPI reader whose scope
 * holds the enterprise (a county leader their county's). A unit's staff read the issues they handle, not an
 * enterprise's record with every unit.
 */
export function canViewEnterpriseStats(actor: Actor, enterprise: { region?: string | null }): boolean {
  if (seesEveryIssue(actor)) return true;
  if (!canViewKpis(actor)) return false;
  const scope = kpiScopeOf(actor);
  return !('region' in scope) || scope.region === enterprise.region;
}

/**
 * KPI readers who also read the issues behind a figure (a drill-down's rows, the monthly report's 待协调 list):
 * the admin reads figures only and never sees an issue, not even its title.
 */
export const readsKpiIssues = is('leader', 'director', 'supervisor');

/**
 * The issues a drill-down from a KPI lists (`GET /api/issues?scope=kpi`): exactly those its figure counted, so
 * a county leader's drill shows the county and the city leader's the city, not only the leader's own domain.
 * Undefined for roles without drill-downs: their ordinary visibility applies.
 */
export function kpiDrillVisibility(actor: Actor): Record<string, unknown> | undefined {
  return readsKpiIssues(actor) ? kpiScopeOf(actor) : undefined;
}

/**
 * Who may open an issue's page: whoever may see it (issue.policy), and a leader for any issue inside their KPI
 * scope, so every row of a drill-down opens. Acting stays limited to the leader's domain (canActOnIssue).
 */
export function canReadIssue(actor: Actor, issue: IssueScope): boolean {
  if (canViewIssue(actor, issue)) return true;
  if (actor.role !== 'leader') return false;
  const scope = kpiScopeOf(actor);
  return scope.region === undefined || issue.region === scope.region;
}

/** Who may open every issue's page in the city: the centre, the supervisor and a city-wide leader. */
export const readsEveryIssue = (actor: Actor): boolean =>
  seesEveryIssue(actor) || (actor.role === 'leader' && isCitywide(actor));

/** The to-do workbench: the roles that have queues of their own (the supervisor's: 督办, 通报, 超期). */
export const canUseWorkbench = is('handler', 'unit_head', 'clerk', 'dispatcher', 'director', 'supervisor');

/** Reassigning an issue to another handler of the unit. */
export const canAssignWithinUnit = is('unit_head');

/** Plaques, batch exports and enterprise imports: the desks that register enterprises. */
export const canManageEnterpriseCodes = is('admin', 'clerk', 'dispatcher');
