// Who may see and act on an issue. Pure functions of (actor, action, issue): the role table in
// shared/lifecycle says which roles may ever perform an action; this module adds scope:
//  - handler / unit_head: only issues of their own unit (lead unit, co-unit or consulted unit), and
//    lead-unit-only actions (sign, reply, …) only when their unit leads;
//  - leader: their domain = the `leader` coordination tier, plus red or overdue issues in their region
//    (a leader whose region is `city` covers every region);
//  - clerk, dispatcher, director, supervisor: city-wide;
//  - admin: configures the system and never handles issues, so sees and acts on none.
import { ACTION_ROLES, type ActionId } from '../../shared/lifecycle/actions.ts';
import { CITY_REGION, type Actor } from '../../shared/roles.ts';
import {
  PAST_DUE_WARNINGS,
  TERMINAL_STATES,
  type ChannelId,
  type IssueState,
  type Tier,
  type WarningLevel,
} from '../../shared/states.ts';

/** The fields of an issue that decide access (ids as strings). */
export interface IssueScope {
  unitId?: string | null;
  coUnitIds?: readonly string[];
  /** Units owing input in an open consultation. */
  consultUnitIds?: readonly string[];
  tier: Tier;
  warning: WarningLevel;
  region?: string | null;
}

const CITY_WIDE_ROLES = new Set(['clerk', 'dispatcher', 'director', 'supervisor']);

/** The centre's roles and the supervisor see every issue in the city. */
export const seesEveryIssue = (actor: Actor): boolean => CITY_WIDE_ROLES.has(actor.role);

/** Actions only the lead unit may take; co-units and consulted units may only add notes and consult input. */
const LEAD_UNIT_ACTIONS = new Set<ActionId>([
  'sign',
  'return',
  'suspend',
  'resume',
  'request_extension',
  'reply',
  'assign',
]);

function isLeadUnit(actor: Actor, issue: IssueScope): boolean {
  return !!actor.unitId && !!issue.unitId && String(issue.unitId) === actor.unitId;
}

function isInvolvedUnit(actor: Actor, issue: IssueScope): boolean {
  if (!actor.unitId) return false;
  const mine = actor.unitId;
  return (
    isLeadUnit(actor, issue) ||
    (issue.coUnitIds ?? []).some((id) => String(id) === mine) ||
    (issue.consultUnitIds ?? []).some((id) => String(id) === mine)
  );
}

/** 拆分为新工单 undoes an automatic merge, so the roles that may merge may split (the centre's). */
export const mayEverSplitSource = (role: Actor['role']): boolean => ACTION_ROLES.merge.includes(role);

/**
 * A leader's domain (DESIGN §4): the leader tier and the red or overdue lights, city-wide for a city leader and
 * within the county for a county leader (a leader without a region has the city's leader tier only).
 */
function inLeaderDomain(actor: Actor, issue: IssueScope): boolean {
  const inRegion = actor.region === CITY_REGION || (!!actor.region && issue.region === actor.region);
  if (issue.tier === 'leader') return inRegion || !actor.region;
  return inRegion && (issue.warning === 'red' || issue.warning === 'overdue');
}

export function canViewIssue(actor: Actor, issue: IssueScope): boolean {
  if (seesEveryIssue(actor)) return true;
  switch (actor.role) {
    case 'handler':
    case 'unit_head':
      return isInvolvedUnit(actor, issue);
    case 'leader':
      return inLeaderDomain(actor, issue);
    default:
      return false;
  }
}

export function canActOnIssue(actor: Actor, action: ActionId, issue: IssueScope): boolean {
  if (!ACTION_ROLES[action].includes(actor.role)) return false;
  if (!canViewIssue(actor, issue)) return false;
  if (actor.role === 'handler' || actor.role === 'unit_head') {
    if (LEAD_UNIT_ACTIONS.has(action)) return isLeadUnit(actor, issue);
    // Consultation input is owed by the consulted units (the lead unit and co-units included).
    return true;
  }
  return true;
}

/**
 * Who may add files to an issue: exactly those who may add a progress note to it (the centre, the issue's own
 * units, a leader or supervisor whose domain it is in); never someone who only reads it (a leader through the
 * KPI drill scope) nor the admin. Whether the issue still takes files is its state's question (below).
 */
export function canAttachToIssue(actor: Actor, issue: IssueScope): boolean {
  return canActOnIssue(actor, 'note', issue);
}

/** A finished issue (closed, merged, rejected) takes no more files: its record is complete. */
export function issueTakesAttachments(state: IssueState): boolean {
  return !TERMINAL_STATES.includes(state);
}

/**
 * Who may take in a new issue, by channel: the centre for every channel; a leader for their visits;
 * a unit for its own proactive discoveries.
 */
export function canCreateIssue(actor: Actor, channel: ChannelId): boolean {
  switch (actor.role) {
    case 'clerk':
    case 'dispatcher':
    case 'director':
      return true;
    case 'leader':
      return channel === 'visit';
    case 'handler':
    case 'unit_head':
      return channel === 'discovery';
    default:
      return false;
  }
}

/** The partial-index conditions of the co-unit and consulted-unit indexes (issue.indexes.ts). */
export const HAS_CO_UNITS = Object.freeze({ 'coUnitIds.0': { $exists: true } });
export const HAS_CONSULT_UNITS = Object.freeze({ 'consultUnitIds.0': { $exists: true } });
/** Issues redone after a bad rating judged reasonable: the "rectify" queue's condition and its index's filter. */
export const REDONE = Object.freeze({ redoCount: { $gt: 0 } });
/** Issues whose reply the centre sent back: the "returned" queue's condition and its index's filter. */
export const SENT_BACK = Object.freeze({ sendBackCount: { $gt: 0 } });
/** A bad rating waiting for the centre's check: the "ratingCheck" queue's condition and its index's filter. */
export const RATING_CHECK = Object.freeze({ 'rating.verification': 'pending' });
/**
 * A request waiting for approval (挂起, 解挂, 延期): the partial filter of the approval index (issue.indexes.ts). A
 * range, since the queue names the kinds an approver may approve as `{$in: [...]}`, a subset of it.
 */
export const PENDING_APPROVAL = Object.freeze({ 'pendingApproval.kind': { $gt: '' } });
/** Signed or closed late (`?late=`, a timeliness KPI's misses): the list's conditions and their indexes' filters. */
export const LATE_FILTERS = Object.freeze({
  sign: Object.freeze({ signedLate: true }),
  reply: Object.freeze({ repliedLate: true }),
});
/** Under 督办 or 通报: the supervisor's queues' conditions and their indexes' filters. */
export const SUPERVISED = Object.freeze({ supervised: true });
export const BULLETINED = Object.freeze({ bulletined: true });
/**
 * Past the deadline: the light is red from the due time on (DESIGN §5) and 已超期 a working day later, so both
 * are late. The 已超期 queues and a unit head's per-person overdue count go by it; 即将到期 is the yellow light.
 */
export const PAST_DUE = Object.freeze({ warning: { $in: [...PAST_DUE_WARNINGS] } });

/**
 * Plain MongoDB filter (issue field names as in IssueScope) selecting exactly the issues canViewIssue allows.
 * Each `$or` branch is served by its own index that also delivers the list's sort (issue.indexes.ts), so the
 * branches are merged instead of sorted. The co-unit and consulted-unit indexes hold only issues that have
 * such units (most have none), and a query may use them only if it says so: hence the redundant
 * `'coUnitIds.0': {$exists: true}` beside the unit.
 */
export function issueVisibilityFilter(actor: Actor): Record<string, unknown> {
  if (CITY_WIDE_ROLES.has(actor.role)) return {};
  const nothing = { _id: { $in: [] } };
  switch (actor.role) {
    case 'handler':
    case 'unit_head': {
      const unit = actor.unitId;
      if (!unit) return nothing;
      return {
        $or: [
          { unitId: unit },
          { coUnitIds: unit, ...HAS_CO_UNITS },
          { consultUnitIds: unit, ...HAS_CONSULT_UNITS },
        ],
      };
    }
    case 'leader': {
      const tier: Record<string, unknown> = { tier: 'leader' };
      const hot: Record<string, unknown> = { ...PAST_DUE };
      if (!actor.region) return tier;
      if (actor.region !== CITY_REGION) tier.region = hot.region = actor.region;
      return { $or: [tier, hot] };
    }
    default:
      return nothing;
  }
}

/**
 * A verified enterprise owner (QR page session) sees and acts on its own enterprise's issues only; which
 * actions it may take is the state machine's ENTERPRISE_ACTIONS.
 */
export function enterpriseOwnsIssue(enterpriseId: string, issue: { enterpriseId: unknown }): boolean {
  return String(issue.enterpriseId) === enterpriseId;
}
