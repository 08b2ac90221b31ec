// The to-do queues of the workbench (issue 9): which issues each queue holds, for whom, and in which order.
// Pure: GET /api/workbench counts them and GET /api/issues?queue= lists them with the same conditions. Every
// condition starts with an equality the list indexes lead with (issue.indexes.ts), so counts and pages are served
// by an index (test/api/issues/list-plans.test.ts).
import { APPROVE_ACTIONS, roleMayPerform } from '../../shared/lifecycle/actions.ts';
import type { PendingKind } from '../../shared/lifecycle/issue-core.ts';
import { CENTRE_ROLES, UNIT_ROLES, type Actor, type Role } from '../../shared/roles.ts';
import { HANDLING_STATES, OPEN_STATES, type IssueState } from '../../shared/states.ts';
import type { ListSort } from '../../shared/issue-list.ts';
import {
  BULLETINED,
  HAS_CONSULT_UNITS,
  PAST_DUE,
  RATING_CHECK,
  REDONE,
  SENT_BACK,
  SUPERVISED,
} from '../policies/issue.policy.ts';
import { CENTRE_QUEUES, SUPERVISION_QUEUES, UNIT_QUEUES, type QueueId } from '../../shared/queues.ts';

export {
  CENTRE_QUEUES,
  QUEUE_IDS,
  QUEUE_LABELS,
  SUPERVISION_QUEUES,
  UNIT_QUEUES,
  type QueueId,
} from '../../shared/queues.ts';

/**
 * The list order each queue opens in, for the web's queues and desk cards alike (they send no order of their
 * own): deadlines first where the issues have one; the others first come, first served (oldest first), as a
 * counter serves its queue. Triage, dead letters and convene hold issues that may have no deadline yet; rating
 * checks and call-backs are read from partial indexes in `createdAt` order, walked backwards for oldest first
 * (test/api/issues/list-plans.test.ts checks every queue's plan).
 */
export const QUEUE_SORT: Readonly<Record<QueueId, ListSort>> = Object.freeze({
  mine: 'dueAt',
  toSign: 'dueAt',
  inProgress: 'dueAt',
  dueSoon: 'dueAt',
  overdue: 'dueAt',
  returned: 'dueAt',
  consultInput: 'dueAt',
  rectify: 'dueAt',
  triage: 'oldest',
  approval: 'dueAt',
  convene: 'oldest',
  verify: 'dueAt',
  ratingCheck: 'oldest',
  callback: 'oldest',
  deadLetters: 'oldest',
  supervised: 'dueAt',
  bulletined: 'dueAt',
  cityOverdue: 'dueAt',
});

/** The kinds of request a role may approve (ACTION_ROLES of each approving action). */
export function approvableKinds(role: Role): PendingKind[] {
  return (Object.keys(APPROVE_ACTIONS) as PendingKind[]).filter((k) =>
    roleMayPerform(role, APPROVE_ACTIONS[k]),
  );
}

/**
 * The queues an actor works from (none for roles without a to-do list); 待审批 for those who may approve, 待会商决定
 * for the one who chairs the director tier (the director: a leader's consultations are on the 驾驶舱).
 */
export function queuesOf(actor: Actor): readonly QueueId[] {
  if (UNIT_ROLES.includes(actor.role) && actor.unitId) return UNIT_QUEUES;
  if (CENTRE_ROLES.includes(actor.role)) {
    const approves = approvableKinds(actor.role).length > 0;
    const decides = roleMayPerform(actor.role, 'decide');
    return CENTRE_QUEUES.filter((q) => (q !== 'approval' || approves) && (q !== 'convene' || decides));
  }
  if (actor.role === 'supervisor') return SUPERVISION_QUEUES;
  return [];
}

type Filter = Record<string, unknown>;

/**
 * The issue conditions of one of the actor's queues; undefined when the queue is not theirs or is not a list
 * of issues (dead letters live in the raw inbox). A unit's queues are within its own issues, so they imply the
 * actor's visibility.
 */
export function queueFilter(actor: Actor, id: QueueId): Filter | undefined {
  if (!queuesOf(actor).includes(id)) return undefined;
  const unitId = actor.unitId;
  const mine = (state: IssueState | { $in: readonly IssueState[] }, extra: Filter = {}) => ({
    unitId,
    state,
    ...extra,
  });
  switch (id) {
    case 'mine':
      // Open issues of the unit assigned to the caller (signing for an issue assigns it).
      return mine({ $in: OPEN_STATES }, { assigneeId: actor.id });
    case 'toSign':
      return mine('dispatched');
    case 'inProgress':
      return mine('in_progress');
    // Lights of the work still to do: a replied issue keeps its light as the record of its timeliness. Red
    // lights at the due time, so only yellow is still due soon; red and 已超期 are past due.
    case 'dueSoon':
      return mine({ $in: HANDLING_STATES }, { warning: 'yellow' });
    case 'overdue':
      return mine({ $in: HANDLING_STATES }, { ...PAST_DUE });
    case 'returned':
      // Being handled again after the centre sent the unit's reply back.
      return mine('in_progress', { ...SENT_BACK });
    case 'consultInput':
      return { consultUnitIds: unitId, ...HAS_CONSULT_UNITS, state: 'consulting' };
    case 'rectify':
      // Redone after a bad rating judged reasonable.
      return mine('in_progress', { ...REDONE });
    case 'triage':
      return { state: 'received' };
    case 'approval':
      // Requests of the kinds the actor may approve, within the approval index's partial filter.
      return { 'pendingApproval.kind': { $in: approvableKinds(actor.role) } };
    case 'convene':
      // Consultations the director chairs, whatever the issue's own tier (one at the leader tier is the
      // leaders'), on the consulting issues' partial index.
      return { 'consultation.tier': 'director', state: 'consulting' };
    case 'verify':
      return { state: 'replied' };
    case 'ratingCheck':
      // A bad rating the centre must judge reasonable or not (1 working day, DESIGN §6).
      return { state: 'awaiting_rating', ...RATING_CHECK };
    case 'callback':
      return { state: 'awaiting_rating', callbackRequested: true };
    case 'deadLetters':
      return undefined;
    // City-wide, as the supervisor sees every issue, and only while the units' handling clock runs: a flag
    // raised while an issue waited for triage is the triage clock's (issue.triage), and a replied issue's
    // light stays as the record of how late it was.
    case 'supervised':
      return { ...SUPERVISED, state: { $in: HANDLING_STATES } };
    case 'bulletined':
      return { ...BULLETINED, state: { $in: HANDLING_STATES } };
    case 'cityOverdue':
      return { ...PAST_DUE, state: { $in: HANDLING_STATES } };
  }
}
