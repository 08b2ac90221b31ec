// Small building blocks shared by the action handlers: failing with a typed error, moving deadlines and
// resetting the follow-ups that hang off them, opening a consultation, and self-approval.

import { computeTriage, DEFAULT_CONSULT_ESCALATE_AFTER_WORKING_DAYS, retimeDeadlines } from '../sla.ts';
import type { Tier } from '../states.ts';
import { ACTION_ROLES, type ActionId } from './actions.ts';
import { TransitionError, type TransitionErrorCode } from './errors.ts';
import type { ActionContext, ConsultationTrigger, IssueCore } from './issue-core.ts';

/** What a handler gives back: the mutated issue plus what the timeline event should say. */
export interface HandlerOutcome {
  note?: string;
  data?: Record<string, unknown>;
  /** Overrides the table's public flag (notes decide per call). */
  public?: boolean;
}

/** Handlers mutate the working copy `issue` that applyAction cloned for them. */
export type Handler<I> = (issue: IssueCore, input: I, ctx: ActionContext) => HandlerOutcome | void;

export function fail(code: TransitionErrorCode, message: string): never {
  throw new TransitionError(code, message);
}

/** A new deadline means new follow-ups: each step fires once per issue and deadline. */
export function resetFollowUps(issue: IssueCore): void {
  issue.urged = false;
  issue.supervised = false;
  issue.bulletined = false;
  issue.escalated = false;
}

/** Moves the resolve deadline to `resolveBy`; `restart` also restarts the yellow fraction from now. */
export function moveResolveDeadline(
  issue: IssueCore,
  ctx: ActionContext,
  resolveBy: Date,
  restart: boolean,
): void {
  if (!issue.deadlines) fail('illegal_transition', '该问题尚未分办，没有办理时限');
  issue.deadlines = retimeDeadlines({
    deadlines: issue.deadlines,
    resolveBy,
    startAt: restart ? ctx.now : undefined,
    policy: ctx.policy,
    urgency: issue.urgency,
    category: issue.category,
    calendar: ctx.calendar,
  });
  resetFollowUps(issue);
}

export function nextTier(tier: Tier): Exclude<Tier, 'section'> | null {
  if (tier === 'section') return 'director';
  if (tier === 'director') return 'leader';
  return null;
}

const TIER_RANK: Record<Tier, number> = { section: 0, director: 1, leader: 2 };
export function higherTier(a: Tier, b: Tier): Tier {
  return TIER_RANK[a] >= TIER_RANK[b] ? a : b;
}

/** Puts the issue into consultation: every unit owes an input by the consultation deadline. */
export function openConsultation(
  issue: IssueCore,
  ctx: ActionContext,
  tier: Exclude<Tier, 'section'>,
  unitIds: string[],
  trigger: ConsultationTrigger,
): void {
  issue.state = 'consulting';
  issue.tier = higherTier(issue.tier, tier);
  issue.consultation = {
    tier,
    unitIds: [...new Set(unitIds.filter(Boolean))],
    inputs: {},
    ...consultationClock(ctx),
    openedAt: ctx.now,
    trigger,
  };
  issue.pendingApproval = null;
}

/** A consultation's input deadline from now, and when it goes up a tier if still undecided. */
export function consultationClock(ctx: ActionContext): { dueAt: Date; escalateAt: Date; remindedAt: null } {
  const dueAt = ctx.calendar.addWorkingDays(ctx.now, ctx.policy.consultInputWorkingDays);
  const after = ctx.policy.consultEscalateAfterWorkingDays ?? DEFAULT_CONSULT_ESCALATE_AFTER_WORKING_DAYS;
  return { dueAt, escalateAt: ctx.calendar.addWorkingDays(dueAt, after), remindedAt: null };
}

/** The issue (re)enters `received`: a fresh triage clock, so it cannot wait unseen. */
export function startTriage(issue: IssueCore, ctx: ActionContext): void {
  issue.triage = computeTriage({
    policy: ctx.policy,
    urgency: issue.urgency,
    channel: ctx.channel,
    startAt: ctx.now,
    calendar: ctx.calendar,
  });
}

/** The lead unit and co-units: who a consultation convenes by default. */
export function involvedUnits(issue: IssueCore): string[] {
  return [...new Set([...(issue.unitId ? [issue.unitId] : []), ...issue.coUnitIds, ...issue.returnedFrom])];
}

/** An approver asking for something approves it at once; anyone else leaves a pending request. */
export function actorMayApprove(ctx: ActionContext, approveAction: ActionId): boolean {
  const role = ctx.actor.role;
  return role !== 'system' && role !== 'enterprise' && ACTION_ROLES[approveAction].includes(role);
}

export function requireNoPending(issue: IssueCore): void {
  if (issue.pendingApproval) {
    fail('approval_pending', `已有待审批的${PENDING_LABELS[issue.pendingApproval.kind]}申请，请先处理`);
  }
}

export const PENDING_LABELS = { suspend: '挂起', resume: '解挂', extension: '延期' } as const;
