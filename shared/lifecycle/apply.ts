// The pure core of every lifecycle command: check the role and the transition table, validate the input,
// let the action's handler change a copy of the issue, refresh the derived fields (warning light, next sweep
// check) and produce the timeline event. No I/O and no wall clock: `ctx.now` is the only time.

import { z } from 'zod';
import { lightOf, nextCheckAt } from '../sla-steps.ts';
import {
  CLOCKED_STATES,
  STATE_LABELS,
  TERMINAL_STATES,
  TIERS,
  UNIT_LEVELS,
  type IssueState,
} from '../states.ts';
import { ACTION_SCHEMAS, firstIssueMessage } from '../schemas.ts';
import {
  ACTION_LABELS,
  APPROVE_ACTIONS,
  ACTION_ROLES,
  ENTERPRISE_ACTIONS,
  SYSTEM_ACTIONS,
  isActionId,
  type ActionId,
} from './actions.ts';
import { TransitionError } from './errors.ts';
import { TRANSITIONS } from './transitions.ts';
import type { ActionContext, DomainActor, IssueCore, TimelineEvent } from './issue-core.ts';
import type { Handler } from './helpers.ts';
import {
  addCoUnit,
  dispatch,
  merge,
  reclassify,
  reject,
  reopen,
  returnIssue,
  transfer,
} from './handlers/assignment.ts';
import * as handling from './handlers/handling.ts';
import * as coordination from './handlers/coordination.ts';
import * as closing from './handlers/closing.ts';
import { assign } from './handlers/assignee.ts';

const HANDLERS: { readonly [A in ActionId]: Handler<any> } = {
  dispatch,
  sign: handling.sign,
  return: returnIssue,
  transfer,
  add_co_unit: addCoUnit,
  suspend: handling.suspend,
  approve_suspend: handling.approveSuspend,
  resume: handling.resume,
  approve_resume: handling.approveResume,
  deny_request: handling.denyRequest,
  request_extension: handling.requestExtension,
  approve_extension: handling.approveExtension,
  note: handling.note,
  consult: coordination.consult,
  consult_input: coordination.consultInput,
  decide: coordination.decide,
  reply: handling.reply,
  verify: closing.verify,
  send_back: closing.sendBack,
  callback: closing.callback,
  rate: closing.rate,
  verify_rating: closing.verifyRating,
  merge,
  reject,
  reopen,
  urge: coordination.urge,
  supervise: coordination.supervise,
  bulletin: coordination.bulletin,
  escalate: coordination.escalate,
  request_callback: closing.requestCallback,
  reclassify,
  assign,
};

/** The server may add the unit's level (it knows the unit list); the API body never carries it. */
const withLevel = { level: z.enum(UNIT_LEVELS).optional() };
const DOMAIN_SCHEMAS: Readonly<Record<ActionId, z.ZodType>> = {
  ...ACTION_SCHEMAS,
  dispatch: (ACTION_SCHEMAS.dispatch as z.ZodObject).extend(withLevel),
  transfer: (ACTION_SCHEMAS.transfer as z.ZodObject).extend(withLevel),
  decide: (ACTION_SCHEMAS.decide as z.ZodObject).extend(withLevel),
  // The route and the coordination tier of the new category, found by the server (never taken from the body).
  reclassify: ACTION_SCHEMAS.reclassify.and(
    z.object({
      unitId: z.string().optional(),
      coUnitIds: z.array(z.string()).optional(),
      tier: z.enum(TIERS).optional(),
      ...withLevel,
    }),
  ),
  // The master's number, read by the server with the master, so the timeline names it.
  merge: (ACTION_SCHEMAS.merge as z.ZodObject).extend({ intoNumber: z.string().optional() }),
};

export function mayActorPerform(actor: DomainActor, action: ActionId): boolean {
  if (actor.role === 'system') return SYSTEM_ACTIONS.includes(action);
  if (actor.role === 'enterprise') return ENTERPRISE_ACTIONS.includes(action);
  return ACTION_ROLES[action].includes(actor.role);
}

/** Whether the transition table allows `action` from `state` (guards such as pending approvals aside). */
export function canApply(state: IssueState, action: ActionId): boolean {
  return TRANSITIONS[action].from.includes(state);
}

function parseInput(action: ActionId, input: unknown): unknown {
  const result = DOMAIN_SCHEMAS[action].safeParse(input ?? {});
  if (!result.success) throw new TransitionError('invalid_input', firstIssueMessage(result.error));
  return result.data;
}

function refreshDerived(issue: IssueCore, now: Date): void {
  if (TERMINAL_STATES.includes(issue.state)) issue.warning = 'none';
  // No clock to light (a consultation straight from intake: the triage clock stopped, no deadlines yet): no
  // light, not the triage's 已超期 carried on. Only a received issue stored without its triage keeps its own.
  else if (CLOCKED_STATES.includes(issue.state))
    issue.warning = lightOf(issue, now) ?? (issue.state === 'received' ? issue.warning : 'none');
  issue.nextCheckAt = nextCheckAt(issue, now);
}

/**
 * The sweep's `warning` step: the same issue with its light and next check refreshed for `now`. No event:
 * a light changing is not an action, and the urge/supervise steps that accompany it are.
 */
export function refreshIssue<T extends IssueCore>(issue: T, now: Date): T {
  const next = { ...issue };
  refreshDerived(next, now);
  return next;
}

function compact(data: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!data) return undefined;
  const out = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  return Object.keys(out).length ? out : undefined;
}

/** The actions that decide a pending request (approve or deny it). */
const DECIDES_REQUESTS: ReadonlySet<ActionId> = new Set([...Object.values(APPROVE_ACTIONS), 'deny_request']);

/** The action is not one the issue's state allows: 409 illegal_transition, before its body is looked at. */
export function assertApplicable(state: IssueState, action: ActionId): void {
  if (!canApply(state, action))
    throw new TransitionError(
      'illegal_transition',
      `问题处于「${STATE_LABELS[state]}」状态，不能执行「${ACTION_LABELS[action]}」`,
    );
}

/**
 * Applies one lifecycle action. Returns a new issue (the input is not mutated; extra fields such as the id
 * or number pass through) and the timeline event to append in the same write. Throws a TransitionError.
 */
export function applyAction<T extends IssueCore>(
  issue: T,
  action: ActionId,
  input: unknown,
  ctx: ActionContext,
): { issue: T; event: TimelineEvent } {
  if (!isActionId(action)) throw new TransitionError('invalid_input', `未知的操作：${String(action)}`);
  if (!mayActorPerform(ctx.actor, action)) {
    throw new TransitionError('forbidden', `当前角色无权执行「${ACTION_LABELS[action]}」`);
  }
  assertApplicable(issue.state, action);
  const parsed = parseInput(action, input);
  const next: T = { ...issue, consultation: issue.consultation ? { ...issue.consultation } : null };
  const outcome = HANDLERS[action](next, parsed, ctx) ?? {};
  // A new lead unit (transfer, return, re-dispatch, reclassify) chooses its own assignee.
  if (next.unitId !== issue.unitId && next.assigneeId) next.assigneeId = null;
  refreshDerived(next, ctx.now);
  const event: TimelineEvent = {
    at: ctx.now,
    actorId: ctx.actor.id,
    actorRole: ctx.actor.role,
    action,
    fromState: issue.state,
    toState: next.state,
    public: outcome.public ?? TRANSITIONS[action].public,
  };
  if (outcome.note) event.note = outcome.note;
  // A request left waiting for approval that this action ended without deciding it (a reply, a transfer, a
  // return…) is named on its event, so the timeline says where it went.
  const lapsed = issue.pendingApproval && !next.pendingApproval && !DECIDES_REQUESTS.has(action);
  const data = compact({ ...outcome.data, ...(lapsed ? { withdrawn: issue.pendingApproval!.kind } : {}) });
  if (data) event.data = data;
  return { issue: next, event };
}
