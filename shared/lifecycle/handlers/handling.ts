// The responsible unit's work: signing, suspension and resumption (each needing approval), extension (once by
// default), progress notes and the reply.

import { extensionLimits, pauseDeadlines, resumeDeadlines } from '../../sla.ts';
import type { ApproveInput, NoteInput, RequestExtensionInput } from '../../schemas.ts';
import type { ActionContext, IssueCore, PendingKind } from '../issue-core.ts';
import {
  actorMayApprove,
  fail,
  moveResolveDeadline,
  PENDING_LABELS,
  requireNoPending,
  type Handler,
} from '../helpers.ts';

export const sign: Handler<object> = (issue, _input, ctx) => {
  issue.state = 'in_progress';
  issue.signedAt = ctx.now;
  issue.signedLate = issue.deadlines ? ctx.now.getTime() > issue.deadlines.signBy.getTime() : false;
  // The signer works the issue unless the unit head already chose someone.
  if (!issue.assigneeId) issue.assigneeId = ctx.actor.id;
  return { data: { late: issue.signedLate } };
};

function takePending(issue: IssueCore, kind: PendingKind) {
  const pending = issue.pendingApproval;
  if (!pending || pending.kind !== kind)
    fail('no_pending_request', `没有待审批的${PENDING_LABELS[kind]}申请`);
  issue.pendingApproval = null;
  return pending;
}

/**
 * What an approval's public event says: the approver's explanation for the enterprise, if any. The request's
 * reason was the unit's internal note and is never copied into it; `publicNote` marks a note written for the
 * enterprise (the QR page shows an approval's note only then).
 */
function approvalNote(input: ApproveInput) {
  return input.publicNote ? { note: input.publicNote, publicNote: true } : { publicNote: undefined };
}

function request(
  issue: IssueCore,
  ctx: ActionContext,
  kind: PendingKind,
  extra: { reason?: string; workingDays?: number; resolveBy?: Date },
) {
  issue.pendingApproval = { kind, requestedBy: ctx.actor.id, requestedAt: ctx.now, ...extra };
  return {
    note: extra.reason,
    data: { pending: kind, ...(extra.workingDays ? { workingDays: extra.workingDays } : {}) },
  };
}

function doSuspend(issue: IssueCore, ctx: ActionContext): void {
  if (!issue.deadlines) fail('illegal_transition', '该问题没有办理时限，无法挂起');
  issue.state = 'suspended';
  issue.deadlines = pauseDeadlines(issue.deadlines, ctx.now);
}

function doResume(issue: IssueCore, ctx: ActionContext): void {
  if (!issue.deadlines) fail('illegal_transition', '该问题没有办理时限，无法解挂');
  issue.state = 'in_progress';
  issue.deadlines = resumeDeadlines(issue.deadlines, ctx.now, ctx.calendar);
}

/** Requests a pause; an approver's own request takes effect at once. */
export const suspend: Handler<{ reason: string }> = (issue, input, ctx) => {
  requireNoPending(issue);
  if (!actorMayApprove(ctx, 'approve_suspend'))
    return request(issue, ctx, 'suspend', { reason: input.reason });
  doSuspend(issue, ctx);
  return { note: input.reason, data: { approved: true } };
};

export const approveSuspend: Handler<ApproveInput> = (issue, input, ctx) => {
  const pending = takePending(issue, 'suspend');
  doSuspend(issue, ctx);
  const { note, publicNote } = approvalNote(input);
  return { note, data: { requestedBy: pending.requestedBy, publicNote } };
};

export const resume: Handler<{ reason?: string }> = (issue, input, ctx) => {
  requireNoPending(issue);
  const said = input.reason ? { reason: input.reason } : {};
  if (!actorMayApprove(ctx, 'approve_resume')) return request(issue, ctx, 'resume', said);
  doResume(issue, ctx);
  return { note: input.reason, data: { approved: true, resolveBy: issue.deadlines?.resolveBy } };
};

export const approveResume: Handler<ApproveInput> = (issue, input, ctx) => {
  const pending = takePending(issue, 'resume');
  doResume(issue, ctx);
  const { note, publicNote } = approvalNote(input);
  return {
    note,
    data: { requestedBy: pending.requestedBy, resolveBy: issue.deadlines?.resolveBy, publicNote },
  };
};

export const denyRequest: Handler<{ reason: string }> = (issue, input) => {
  const pending = issue.pendingApproval;
  if (!pending) fail('no_pending_request', '没有待审批的申请');
  issue.pendingApproval = null;
  return { note: input.reason, data: { denied: pending.kind } };
};

function checkExtension(issue: IssueCore, ctx: ActionContext, workingDays: number): void {
  const { maxWorkingDays, left } = extensionLimits(issue, ctx.policy);
  if (left === 0) fail('extension_limit', `每个问题最多延期${ctx.policy.maxExtensions}次，已用完`);
  if (workingDays > maxWorkingDays) fail('extension_too_long', `延期不能超过${maxWorkingDays}个工作日`);
}

function doExtend(issue: IssueCore, ctx: ActionContext, workingDays: number) {
  if (!issue.deadlines) fail('illegal_transition', '该问题没有办理时限，无法延期');
  const resolveBy = ctx.calendar.addWorkingDays(issue.deadlines.resolveBy, workingDays);
  moveResolveDeadline(issue, ctx, resolveBy, false);
  issue.extensionCount += 1;
  issue.warning = 'none';
  return { workingDays, resolveBy };
}

export const requestExtension: Handler<RequestExtensionInput> = (issue, input, ctx) => {
  requireNoPending(issue);
  checkExtension(issue, ctx, input.workingDays);
  if (!actorMayApprove(ctx, 'approve_extension')) {
    const resolveBy =
      issue.deadlines && ctx.calendar.addWorkingDays(issue.deadlines.resolveBy, input.workingDays);
    return request(issue, ctx, 'extension', { ...input, ...(resolveBy ? { resolveBy } : {}) });
  }
  return { note: input.reason, data: { approved: true, ...doExtend(issue, ctx, input.workingDays) } };
};

export const approveExtension: Handler<ApproveInput> = (issue, input, ctx) => {
  const pending = takePending(issue, 'extension');
  const workingDays = pending.workingDays ?? 0;
  checkExtension(issue, ctx, workingDays);
  const { note, publicNote } = approvalNote(input);
  return {
    note,
    data: { requestedBy: pending.requestedBy, ...doExtend(issue, ctx, workingDays), publicNote },
  };
};

/**
 * A progress note; `contacted` marks it as the contact with the enterprise that 首次联系时限 asks for (the
 * timeline keeps it, with whether it came after that deadline; contactOf reads it back).
 */
export const note: Handler<NoteInput> = (issue, input, ctx) => {
  const contactBy = issue.deadlines?.contactBy;
  const contacted = input.contacted && contactBy ? { contacted: true, late: ctx.now > contactBy } : undefined;
  return { note: input.text, public: input.public, data: contacted };
};

export const reply: Handler<{ text: string }> = (issue, input, ctx) => {
  issue.state = 'replied';
  // Answers what the centre sent back: the "returned" queue holds only a reply still to be redone.
  issue.sendBackCount = 0;
  issue.reply = { text: input.text, at: ctx.now, by: ctx.actor.id };
  issue.repliedAt = ctx.now;
  issue.repliedLate = issue.deadlines ? ctx.now.getTime() > issue.deadlines.resolveBy.getTime() : false;
  issue.pendingApproval = null;
  return { note: input.text, data: { late: issue.repliedLate } };
};
