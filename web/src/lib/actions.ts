// Which lifecycle actions this staff member may perform on this issue right now. It mirrors the server's rules
// so the detail screen offers only buttons that can succeed: the transition table and role table of
// shared/lifecycle, the unit scope of the issue policy, and the guards visible in the issue itself (pending
// approvals, an open consultation, a bad rating awaiting verification). The server stays the authority.
import { ACTION_ROLES, type ActionId } from '../../../shared/lifecycle/actions.ts';
import { actionsFrom } from '../../../shared/lifecycle/transitions.ts';
import type { Role } from '../../../shared/roles.ts';
import { CHANNEL_IDS, type ChannelId } from '../../../shared/states.ts';
import type { SessionUser } from '../stores/session.ts';
import type { IssueDetail } from './types.ts';

/** Actions only the lead unit may take (co-units and consulted units only add notes and consult input). */
const LEAD_UNIT_ACTIONS: ReadonlySet<ActionId> = new Set([
  'sign',
  'return',
  'suspend',
  'resume',
  'request_extension',
  'reply',
  'assign',
]);

/** Default policy: one extension per issue (DESIGN §3). */
const MAX_EXTENSIONS = 1;

/** The main step forward in each situation, shown as a primary button. */
export const PRIMARY_ACTIONS: ReadonlySet<ActionId> = new Set([
  'dispatch',
  'sign',
  'reply',
  'verify',
  'rate',
  'decide',
  'consult_input',
  'approve_suspend',
  'approve_resume',
  'approve_extension',
  'verify_rating',
]);

function guardAllows(user: SessionUser, issue: IssueDetail, action: ActionId): boolean {
  const pending = issue.pendingApproval;
  const consultation = issue.consultation && !issue.consultation.decidedAt ? issue.consultation : null;
  switch (action) {
    case 'approve_suspend':
      return pending?.kind === 'suspend';
    case 'approve_resume':
      return pending?.kind === 'resume';
    case 'approve_extension':
      return pending?.kind === 'extension';
    case 'deny_request':
      return !!pending;
    case 'suspend':
    case 'resume':
      return !pending;
    case 'request_extension':
      return !pending && issue.extensionCount < MAX_EXTENSIONS;
    case 'consult_input':
      return (
        !!consultation &&
        !!user.unitId &&
        consultation.unitIds.includes(user.unitId) &&
        !consultation.inputs[user.unitId]
      );
    case 'decide':
      return !!consultation && !(consultation.tier === 'leader' && user.role === 'director');
    case 'verify_rating':
      return issue.rating?.verification === 'pending';
    case 'rate':
      return !issue.rating;
    case 'escalate':
      return (consultation?.tier ?? issue.tier) !== 'leader';
    default:
      return true;
  }
}

/** A leader acts within their domain (leader tier, red or overdue); other issues of a drill-down are read-only. */
function inLeaderDomain(issue: IssueDetail): boolean {
  return issue.tier === 'leader' || issue.warning === 'red' || issue.warning === 'overdue';
}

function scopeAllows(user: SessionUser, issue: IssueDetail, action: ActionId): boolean {
  if (user.role === 'leader') return inLeaderDomain(issue);
  if (user.role !== 'handler' && user.role !== 'unit_head') return true;
  if (LEAD_UNIT_ACTIONS.has(action)) return !!user.unitId && issue.unitId === user.unitId;
  return true;
}

export function availableActions(user: SessionUser, issue: IssueDetail): ActionId[] {
  return actionsFrom(issue.state).filter(
    (a) => ACTION_ROLES[a].includes(user.role) && scopeAllows(user, issue, a) && guardAllows(user, issue, a),
  );
}

/** Channels a role may take issues in from (mirrors the server's canCreateIssue). */
export function creatableChannels(role: Role): ChannelId[] {
  switch (role) {
    case 'clerk':
    case 'dispatcher':
    case 'director':
      return [...CHANNEL_IDS];
    case 'leader':
      return ['visit'];
    case 'handler':
    case 'unit_head':
      return ['discovery'];
    default:
      return [];
  }
}

/** Whether the user may take issues in at all (the screens' 新建工单). */
export const createsIssues = (user: SessionUser | null): boolean =>
  !!user && creatableChannels(user.role).length > 0;
