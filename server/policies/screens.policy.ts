// Who may read the management screens' figures and work queues (issue 9). Pure, tested as a matrix.
import type { Actor, Role } from '../../shared/roles.ts';
import { CITY_REGION } from './issue.policy.ts';

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
  if (actor.role === 'leader' && actor.region && actor.region !== CITY_REGION)
    return { region: actor.region };
  return {};
}

/** The to-do workbench: the roles that have queues of their own. */
export const canUseWorkbench = is('handler', 'unit_head', 'clerk', 'dispatcher', 'director');

/** Reassigning an issue to another handler of the unit. */
export const canAssignWithinUnit = is('unit_head');

/** Plaques, batch exports and enterprise imports: the desks that register enterprises. */
export const canManageEnterpriseCodes = is('admin', 'clerk', 'dispatcher');
