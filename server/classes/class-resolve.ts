// The pure transitions of a class action on one member (issue 7 §3). 政策性解决 gives every open member the
// class's shared answer: the member moves to `replied` (DESIGN §3, the centre then verifies it and the
// enterprise rates its own issue), from whatever stage of handling it had reached. A member already answered
// (replied and later) or finished is left alone. The event is the ordinary `reply` event, marked with the
// class problem, so the timeline, KPIs and notifications read it like any other answer.
import { applyAction, refreshIssue } from '../../shared/lifecycle/apply.ts';
import type { ActionContext, IssueCore, TimelineEvent } from '../../shared/lifecycle/issue-core.ts';
import type { IssueState } from '../../shared/states.ts';

/** Stages from which a class answer replaces the unit's own reply. */
export const ANSWERABLE: readonly IssueState[] = Object.freeze([
  'dispatched',
  'in_progress',
  'suspended',
  'consulting',
]);

export interface ClassMark {
  classProblemId: string;
  classNumber: string;
}

export type MemberStep<T extends IssueCore> =
  { kind: 'apply'; issue: T; events: TimelineEvent[] } | { kind: 'skip'; reason: string };

/** 政策性解决 on one member: the shared answer as its reply. */
export function policyReply<T extends IssueCore>(
  issue: T,
  answer: string,
  mark: ClassMark,
  ctx: ActionContext,
): MemberStep<T> {
  if (!ANSWERABLE.includes(issue.state)) return { kind: 'skip', reason: issue.state };
  const next: T = refreshIssue(
    {
      ...issue,
      state: 'replied',
      reply: { text: answer, at: ctx.now, by: ctx.actor.id },
      repliedAt: ctx.now,
      repliedLate: issue.deadlines ? ctx.now.getTime() > issue.deadlines.resolveBy.getTime() : false,
      pendingApproval: null,
      // An open consultation ends with the class decision.
      consultation: null,
    },
    ctx.now,
  );
  const event: TimelineEvent = {
    at: ctx.now,
    actorId: ctx.actor.id,
    actorRole: ctx.actor.role,
    action: 'reply',
    fromState: issue.state,
    toState: 'replied',
    public: false,
    note: answer,
    data: { ...mark, policy: true },
  };
  return { kind: 'apply', issue: next, events: [event] };
}

/** The centre verifies a member's class answer (the ordinary `verify`: the enterprise may now rate it). */
export function verifyClassReply<T extends IssueCore>(
  issue: T,
  answer: string,
  mark: ClassMark,
  ctx: ActionContext,
): MemberStep<T> {
  if (issue.state !== 'replied') return { kind: 'skip', reason: issue.state };
  if (issue.reply?.text !== answer) return { kind: 'skip', reason: 'own_reply' };
  const { issue: next, event } = applyAction(issue, 'verify', {}, ctx);
  return { kind: 'apply', issue: next, events: [{ ...event, data: { ...event.data, ...mark } }] };
}
