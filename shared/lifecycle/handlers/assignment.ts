// Who holds the issue: dispatch and re-dispatch, transfer, co-units, returns (the second one convenes a
// consultation), rejection, merging, reopening, and reclassification (which may re-route an unsigned issue).

import { computeDeadlines } from '../../sla.ts';
import type { Tier, UnitLevel } from '../../states.ts';
import type { DispatchInput, ReclassifyInput, ReturnInput, TransferInput } from '../../schemas.ts';
import type { ActionContext, IssueCore } from '../issue-core.ts';
import {
  fail,
  involvedUnits,
  openConsultation,
  resetFollowUps,
  startTriage,
  type Handler,
} from '../helpers.ts';

type WithLevel<T> = T & { level?: UnitLevel };

/**
 * The first dispatch starts the handling clock. Later ones (re-dispatch after a return, transfer) give the
 * new unit a fresh sign-for limit but keep the resolve deadline: the date promised to the enterprise only
 * moves by extension, consultation decision, suspension or redo.
 */
function startSignClock(issue: IssueCore, ctx: ActionContext): void {
  const fresh = computeDeadlines({
    policy: ctx.policy,
    urgency: issue.urgency,
    category: issue.category,
    startAt: ctx.now,
    calendar: ctx.calendar,
  });
  if (!issue.deadlines) {
    issue.deadlines = fresh;
    resetFollowUps(issue);
  } else {
    // A new sign-for limit, so a new 催签 when it passes.
    issue.deadlines = {
      ...issue.deadlines,
      signBy: fresh.signBy,
      contactBy: fresh.contactBy,
      signUrgedAt: null,
    };
  }
  issue.signedAt = null;
  issue.signedLate = null;
}

export const dispatch: Handler<WithLevel<DispatchInput>> = (issue, input, ctx) => {
  if (issue.state === 'dispatched' && input.unitId === issue.unitId)
    fail('invalid_input', '该问题已分办至此单位，正待签收；如需改派请选择其他单位');
  const redispatch = issue.state === 'dispatched' || issue.returnCount > 0;
  // The unit the enterprise was last told holds its issue: the current one, or the one that returned it.
  const toldUnitId = issue.unitId ?? issue.returnedFrom.at(-1) ?? null;
  issue.unitId = input.unitId;
  issue.coUnitIds = (input.coUnitIds ?? []).filter((id) => id !== input.unitId);
  if (input.level) issue.level = input.level;
  issue.state = 'dispatched';
  startSignClock(issue, ctx);
  // Back to the unit the enterprise already knows of: nothing new for the enterprise to hear (intents.ts).
  const sameUnit = redispatch && toldUnitId === input.unitId ? { sameUnit: true } : {};
  return { data: { unitId: issue.unitId, coUnitIds: issue.coUnitIds, redispatch, ...sameUnit } };
};

export const transfer: Handler<WithLevel<TransferInput>> = (issue, input, ctx) => {
  if (input.unitId === issue.unitId) fail('invalid_input', '转派的目标单位与当前承办单位相同');
  const fromUnitId = issue.unitId;
  issue.unitId = input.unitId;
  issue.coUnitIds = issue.coUnitIds.filter((id) => id !== input.unitId);
  if (input.level) issue.level = input.level;
  issue.state = 'dispatched';
  issue.pendingApproval = null;
  startSignClock(issue, ctx);
  return { note: input.reason, data: { fromUnitId, unitId: input.unitId } };
};

export const addCoUnit: Handler<{ unitId: string }> = (issue, input) => {
  if (input.unitId === issue.unitId || issue.coUnitIds.includes(input.unitId)) {
    fail('invalid_input', '该单位已参与办理');
  }
  issue.coUnitIds = [...issue.coUnitIds, input.unitId];
  if (issue.consultation && !issue.consultation.unitIds.includes(input.unitId)) {
    issue.consultation.unitIds = [...issue.consultation.unitIds, input.unitId];
  }
  return { data: { unitId: input.unitId } };
};

/** 退单: back to the dispatcher; the second return of the same issue convenes a director-tier consultation. */
export const returnIssue: Handler<ReturnInput> = (issue, input, ctx) => {
  const fromUnitId = issue.unitId;
  issue.returnCount += 1;
  if (fromUnitId) issue.returnedFrom = [...issue.returnedFrom, fromUnitId];
  issue.pendingApproval = null;
  issue.signedAt = null;
  issue.signedLate = null;
  const data = { fromUnitId, legalBasis: input.legalBasis, returnCount: issue.returnCount };
  if (issue.returnCount >= 2) {
    openConsultation(issue, ctx, 'director', involvedUnits(issue), 'second_return');
    issue.unitId = null;
    return { note: input.reason, data: { ...data, consultation: 'second_return' } };
  }
  issue.state = 'received';
  issue.unitId = null;
  startTriage(issue, ctx);
  return { note: input.reason, data };
};

export const reject: Handler<{ reason: string }> = (issue, input) => {
  issue.state = 'rejected';
  issue.rejectReason = input.reason;
  issue.pendingApproval = null;
  return { note: input.reason };
};

export const merge: Handler<{ intoId: string; intoNumber?: string }> = (issue, input, ctx) => {
  if (ctx.issueId && ctx.issueId === input.intoId) fail('invalid_input', '不能将问题合并到其自身');
  issue.state = 'merged';
  issue.mergedInto = input.intoId;
  issue.pendingApproval = null;
  if (issue.deadlines?.pausedAt) issue.deadlines = { ...issue.deadlines, pausedAt: null };
  return { data: { intoId: input.intoId, intoNumber: input.intoNumber } };
};

/** 重新启动: back to triage with a clean slate; the history (ratings, timeline, counters) is kept. */
export const reopen: Handler<{ reason: string }> = (issue, input, ctx) => {
  const previousUnitId = issue.unitId;
  issue.state = 'received';
  issue.reopenCount += 1;
  if (issue.rating) issue.ratingHistory = [...issue.ratingHistory, issue.rating];
  Object.assign(issue, {
    rating: null,
    rateBy: null,
    callbackRequested: false,
    reply: null,
    repliedAt: null,
    repliedLate: null,
    consultation: null,
    deadlines: null,
    unitId: null,
    coUnitIds: [],
    signedAt: null,
    signedLate: null,
    closedAt: null,
    rejectReason: null,
  });
  resetFollowUps(issue);
  startTriage(issue, ctx);
  return { note: input.reason, data: { previousUnitId } };
};

type ReclassifyDomainInput = ReclassifyInput & {
  unitId?: string;
  coUnitIds?: string[];
  level?: UnitLevel;
  /** The coordination tier the new category and urgency call for (intake's rule, applied by the server). */
  tier?: Tier;
};

/** Deadlines counted afresh from now for the issue's (new) urgency, as at a first dispatch. */
function restartDeadlines(issue: IssueCore, ctx: ActionContext): void {
  issue.deadlines = null;
  startSignClock(issue, ctx);
}

/**
 * 重新分类: a person corrects the category and/or urgency. The server adds the unit the new category routes
 * to when the issue has not been signed for: a waiting issue is dispatched there, a dispatched one moves there.
 * Deadlines of an unsigned issue follow the new urgency from now; once signed for, the promised date stands.
 */
export const reclassify: Handler<ReclassifyDomainInput> = (issue, input, ctx) => {
  const from = { category: issue.category, urgency: issue.urgency };
  const to = { category: input.category ?? issue.category, urgency: input.urgency ?? issue.urgency };
  if (to.category === from.category && to.urgency === from.urgency) {
    fail('invalid_input', '新的问题类别和紧急程度与当前相同');
  }
  issue.category = to.category;
  issue.urgency = to.urgency;
  // The tier intake gave follows the correction (疑难复杂 → 一般 needs no 中心主任协调); a tier a consultation or
  // an escalation raised stands.
  const tierFrom = issue.tier;
  if (input.tier && !issue.consultation && !issue.escalated) issue.tier = input.tier;
  const unsigned = issue.state === 'received' || issue.state === 'dispatched';
  const moves = unsigned && !!input.unitId && (issue.state === 'received' || input.unitId !== issue.unitId);
  const fromUnitId = moves ? issue.unitId : null;
  if (moves) {
    issue.unitId = input.unitId!;
    issue.coUnitIds = (input.coUnitIds ?? []).filter((id) => id !== input.unitId);
    issue.level = input.level ?? null;
    issue.state = 'dispatched';
    restartDeadlines(issue, ctx);
  } else if (issue.state === 'dispatched' && to.urgency !== from.urgency) {
    restartDeadlines(issue, ctx);
  }
  const routed = moves ? { unitId: issue.unitId, ...(fromUnitId ? { fromUnitId } : {}) } : {};
  const tier = issue.tier !== tierFrom ? { tier: issue.tier } : {};
  return { note: input.reason, data: { from, to, ...routed, ...tier } };
};
