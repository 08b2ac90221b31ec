// Closing the loop: the centre verifies the reply, the enterprise rates it (or a callback records the rating),
// and a bad rating is verified: reasonable means a redo (rectification), otherwise the appeal is upheld.
//
// Appeal modelling: there is no separate `appeal` action. A unit that thinks a bad rating is mistaken or
// malicious says so through a note; the centre's `verify_rating {reasonable:false, reason}` upholds the appeal,
// marks the rating `removed` (it no longer counts against satisfaction) and closes the issue, reason recorded.

import { pauseDeadlines, resumeDeadlines } from '../../sla.ts';
import { ratingOfLevel, type Rating, type RatingLevel } from '../../states.ts';
import type { CallbackInput, RateInput, VerifyRatingInput } from '../../schemas.ts';
import type { ActionContext, IssueCore, RatingSource } from '../issue-core.ts';
import {
  fail,
  involvedUnits,
  moveResolveDeadline,
  nextTier,
  openConsultation,
  type Handler,
} from '../helpers.ts';

export const verify: Handler<object> = (issue, _input, ctx) => {
  issue.state = 'awaiting_rating';
  issue.rateBy = ctx.calendar.addWorkingDays(ctx.now, ctx.policy.ratingWindowWorkingDays);
  issue.callbackRequested = false;
  return { note: issue.reply?.text, data: { rateBy: issue.rateBy } };
};

/**
 * The centre sends the answer back for more work. The time it held the answer (待审核 stops the unit's clock) is
 * not the unit's: every deadline still ahead when the unit replied moves by that working time, as after a
 * suspension; one already passed at the reply stays passed.
 */
export const sendBack: Handler<{ reason: string }> = (issue, input, ctx) => {
  if (issue.deadlines && issue.repliedAt)
    issue.deadlines = resumeDeadlines(
      pauseDeadlines(issue.deadlines, issue.repliedAt),
      ctx.now,
      ctx.calendar,
    );
  issue.state = 'in_progress';
  issue.sendBackCount += 1;
  issue.reply = null;
  issue.repliedAt = null;
  issue.repliedLate = null;
  return { note: input.reason };
};

interface RatingEntry {
  rating: Rating;
  level?: RatingLevel;
  comment?: string;
}

function recordRating(issue: IssueCore, ctx: ActionContext, entry: RatingEntry, source: RatingSource) {
  if (issue.rating) fail('already_rated', '该问题已评价');
  if (entry.level && ratingOfLevel(entry.level) !== entry.rating) {
    fail('rating_level_mismatch', '评价等级与好评/差评不一致');
  }
  const base = {
    ...entry,
    at: ctx.now,
    source,
    ...(source === 'enterprise' ? {} : { recordedBy: ctx.actor.id }),
  };
  // Rated, however late: nothing is left for a callback to collect (a bad rating waits in 差评待核实 instead).
  issue.callbackRequested = false;
  if (entry.rating === 'good') {
    issue.rating = base;
    issue.state = 'closed';
    issue.closedAt = ctx.now;
  } else {
    const verifyBy = ctx.calendar.addWorkingDays(ctx.now, ctx.policy.ratingVerifyWorkingDays);
    issue.rating = { ...base, verification: 'pending', verifyBy };
  }
  return { note: entry.comment, data: { rating: entry.rating, level: entry.level, source } };
}

export const rate: Handler<RateInput> = (issue, input, ctx) => {
  const source: RatingSource = ctx.actor.role === 'enterprise' ? 'enterprise' : 'staff';
  return recordRating(issue, ctx, input, source);
};

/** 回访: records the attempt; when the enterprise was reached and gave a rating, it counts as the rating. */
export const callback: Handler<CallbackInput> = (issue, input, ctx) => {
  issue.callbackAttempts += 1;
  const rating = input.rating ?? (input.level ? ratingOfLevel(input.level) : undefined);
  if (rating && !input.reached) fail('invalid_input', '未联系上企业，不能记录评价');
  const data = { reached: input.reached, attempt: issue.callbackAttempts };
  if (!rating || issue.state !== 'awaiting_rating' || issue.rating) return { note: input.note, data };
  // What the enterprise said on the call (the 回访记录) is its rating's comment: a bad rating's reason, read by
  // whoever checks it (差评核实).
  const comment = input.note?.trim() || undefined;
  const outcome = recordRating(issue, ctx, { rating, level: input.level, comment }, 'callback');
  return { note: input.note, data: { ...data, ...outcome.data } };
};

export const requestCallback: Handler<object> = (issue) => {
  issue.callbackRequested = true;
  return { data: { rateBy: issue.rateBy } };
};

/** A reasonable bad rating reopens the work; after an earlier redo it goes up a tier instead. */
function redo(issue: IssueCore, ctx: ActionContext, workingDays?: number) {
  const afterRedo = issue.redoCount > 0;
  issue.redoCount += 1;
  Object.assign(issue, {
    reply: null,
    repliedAt: null,
    repliedLate: null,
    rateBy: null,
    callbackRequested: false,
  });
  if (afterRedo) {
    openConsultation(
      issue,
      ctx,
      nextTier(issue.tier) ?? 'leader',
      involvedUnits(issue),
      'bad_rating_after_redo',
    );
    return { redoCount: issue.redoCount, consultation: issue.consultation?.tier };
  }
  const days = workingDays ?? ctx.policy.rectifyWorkingDays;
  if (days > ctx.policy.maxRectifyWorkingDays) {
    fail('extension_too_long', `整改时限不能超过${ctx.policy.maxRectifyWorkingDays}个工作日`);
  }
  issue.state = 'in_progress';
  moveResolveDeadline(issue, ctx, ctx.calendar.addWorkingDays(ctx.now, days), true);
  issue.warning = 'none';
  return { redoCount: issue.redoCount, resolveBy: issue.deadlines?.resolveBy };
}

export const verifyRating: Handler<VerifyRatingInput> = (issue, input, ctx) => {
  const rating = issue.rating;
  if (!rating || rating.verification !== 'pending') fail('not_rated', '没有待核实的差评');
  if (!input.reasonable && !input.reason) fail('reason_required', '认定差评不合理（申诉成立）时必须说明理由');
  // Recording a bad rating and then finding it unfounded would let one person close a complaint alone.
  if (!input.reasonable && rating.recordedBy === ctx.actor.id)
    fail('forbidden', '这条差评由您代为登记，认定不合理须由另一位人员核实');
  const verified = { ...rating, verifiedAt: ctx.now, verifyReason: input.reason };
  if (!input.reasonable) {
    issue.rating = { ...verified, verification: 'removed' };
    issue.state = 'closed';
    issue.closedAt = ctx.now;
    return { note: input.reason, data: { reasonable: false } };
  }
  issue.ratingHistory = [...issue.ratingHistory, { ...verified, verification: 'reasonable' }];
  issue.rating = null;
  return { note: input.reason, data: { reasonable: true, ...redo(issue, ctx, input.workingDays) } };
};
