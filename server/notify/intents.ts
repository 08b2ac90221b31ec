// Who must hear about a committed issue change, and what (issue 8): a pure table from the change (action,
// states, the event's data) to notification events, each for an audience. The notifier resolves audiences to
// people and channels; this file is the whole policy of "who is told what", tested without a database.
import type { PendingKind } from '../../shared/lifecycle/issue-core.ts';
import { ratingLabel, type IssueState } from '../../shared/states.ts';
import type { IssueChange } from '../commands/issue-deps.ts';
import { ENTERPRISE_SUPPLEMENT } from '../commands/issue-supplement.command.ts';
import { ATTACHMENTS_REFUSED } from '../intake/attachment-refusals.ts';
import type { NotifyEvent } from './templates.ts';

/**
 * unit: handlers and unit heads of the lead and co-units; former_unit: those of the lead unit a transfer or a
 * re-routing 重新分类 took the issue from (data.fromUnitId), who stop work on it; oversight: supervisors and the
 * leaders of the region; supervisor: the supervisors alone; supervised_by: the people who 督办'd the issue by
 * hand (change.supervisedBy); centre: clerks, dispatchers and the director; consultation: the consulted units;
 * unit_not_consulted: the lead and co-units the consultation leaves out; convener: who chairs the tier (the
 * director, or the leaders of the issue's place); consultation_missing: consulted units that owe input;
 * enterprise: its chosen channel; origin: the channel the issue came from and those of messages merged into it
 * (push-back); sender: who sent the message the change names (data.inboxId), one just merged into the issue or
 * one whose files were refused, answered on the channel it came by; assignee: the person an `assign` hands the
 * issue to; approvers: the staff whose role may approve the request the change left pending (data.pending).
 */
export type Audience =
  | 'unit'
  | 'former_unit'
  | 'oversight'
  | 'supervisor'
  | 'supervised_by'
  | 'centre'
  | 'consultation'
  | 'unit_not_consulted'
  | 'convener'
  | 'consultation_missing'
  | 'enterprise'
  | 'origin'
  | 'sender'
  | 'assignee'
  | 'approvers';

export interface Intent {
  event: NotifyEvent;
  audience: Audience;
}

const i = (event: NotifyEvent, audience: Audience): Intent => ({ event, audience });
/** A consultation opened: the units are asked for their input, the chair to convene and decide. */
const convened = (): Intent[] => [
  i('consult_invite', 'consultation'),
  i('consult_convene', 'convener'),
  // The lead unit (or a co-unit) left out of the table learns why its issue left its queue.
  i('consult_opened', 'unit_not_consulted'),
];

function fromSupervisionStep(change: IssueChange): Intent[] {
  const inTriage = change.fromState === 'received';
  switch (change.action) {
    case 'urge':
      if (change.data?.target === 'consultation') return [i('input_due', 'consultation_missing')];
      if (change.data?.target === 'sign') return [i('sign_due', 'unit')];
      if (change.data?.target === 'rating_check') return [i('rating_check_due', 'centre')];
      return inTriage ? [i('triage_due', 'centre')] : [i('urge', 'unit')];
    case 'supervise':
      if (inTriage) return [i('triage_overdue', 'centre'), i('triage_overdue', 'oversight')];
      // The sweep supervises as the light turns red, and tells the oversight so; a person's 督办 is their own
      // act. On an issue a person supervised before the red light, the sweep's step only tells the oversight.
      if (byPerson(change)) return [i('supervise', 'unit')];
      return change.data?.redAlert
        ? [i('red', 'oversight')]
        : [i('supervise', 'unit'), i('red', 'oversight')];
    case 'bulletin':
      return [i('bulletin', 'oversight'), i('bulletin', 'unit')];
    case 'escalate':
      // The supervisor follows every escalation; a leader chairs the leader tier and hears of it as its
      // convener (consult_convene), not of the director's tier (a leader's bell held 11 such in 45).
      return [i('escalation', 'supervisor'), ...convened()];
    default:
      return [];
  }
}

/** A step someone took by hand (the sweep acts as `system`). */
export const byPerson = (change: IssueChange): boolean => !!change.actorRole && change.actorRole !== 'system';

/** The write that closed the issue (a good rating, or an appeal against a bad one upheld). */
const closes = (change: IssueChange) => change.state === 'closed' && change.fromState !== 'closed';

/** Where the centre, not a unit, holds an issue an owner adds to: before dispatch, and a bad rating. */
const CENTRE_READS: ReadonlySet<IssueState> = new Set(['received', 'awaiting_rating']);
const holderOf = (change: IssueChange): Audience => (CENTRE_READS.has(change.state) ? 'centre' : 'unit');

/**
 * The `{{text}}` of a push-back: at verification the answer the enterprise is given (the verify event's note
 * is the reply), at rejection the reason, at closing how it was rated.
 */
export function pushbackText(change: IssueChange): string {
  if (!closes(change)) return change.note ?? '';
  const d = change.data ?? {};
  if (d.reasonable === false) return `差评经核实不成立${change.note ? `（${change.note}）` : ''}`;
  return `${d.source === 'callback' ? '回访' : '企业'}评价「${ratingLabel(d)}」`;
}

const REQUEST_KINDS: Readonly<Record<PendingKind, string>> = Object.freeze({
  extension: '延期',
  suspend: '挂起',
  resume: '解挂',
});

/** The `{{request}}` of an approval notice: 延期3个工作日, 挂起, 解挂. */
export function requestText(change: IssueChange): string {
  const d = change.data ?? {};
  if (d.pending === 'extension') return `延期${String(d.workingDays ?? '')}个工作日`;
  return REQUEST_KINDS[d.pending as PendingKind] ?? '';
}

/** The `{{decision}}` of an approval's answer to the unit: which request, and what became of it. */
export function decisionText(change: IssueChange): string {
  switch (change.action) {
    case 'approve_extension':
      return '延期申请已批准';
    case 'approve_suspend':
      return '挂起申请已批准，办理时限暂停计算';
    case 'approve_resume':
      return '解挂申请已批准，办理时限恢复计算';
    case 'deny_request': {
      const kind = REQUEST_KINDS[change.data?.denied as PendingKind] ?? '';
      return `${kind}申请已驳回${change.note ? `，理由：${change.note}` : ''}`;
    }
    default:
      return '';
  }
}

/**
 * A move to another lead unit (a transfer, a re-routing 重新分类, a 会商决定): the unit it went to hears `told`, the
 * unit it left (if any) stops work, and the enterprise hears who has it now.
 */
const moved = (change: IssueChange, told: NotifyEvent = 'issue_transferred'): Intent[] => [
  i(told, 'unit'),
  ...(change.data?.fromUnitId ? [i('issue_moved_away', 'former_unit')] : []),
  i('enterprise_dispatched', 'enterprise'),
];

/**
 * A correction of category or urgency (shared/lifecycle/handlers/assignment.ts): one that routes the issue is a
 * dispatch (from 待受理) or a transfer (to another unit before signing), heard as such; one that restarts an
 * unsigned issue's deadlines tells its unit the new ones.
 */
function reclassified(change: IssueChange, assigned: Intent[]): Intent[] {
  const d = change.data as
    { unitId?: string; from?: { urgency?: string }; to?: { urgency?: string } } | undefined;
  if (d?.unitId) return change.fromState === 'received' ? assigned : moved(change);
  const restarted = change.state === 'dispatched' && d?.from?.urgency !== d?.to?.urgency;
  return restarted ? [i('issue_reclassified', 'unit')] : [];
}

/** A note's notifications: a message merged in by intake, files it could not keep, the owner's 补充材料. */
function noted(change: IssueChange): Intent[] {
  // Intake merged a repeated message into this open issue (server/intake/issue-from-message.ts); a
  // picture following its sender's complaint is material added to it, like the owner's 补充材料 (the
  // sender had WeChat's reply already). A reply in the issue's own mail thread adds to it too: its sender
  // hears so (补充内容告知, not 无需重复反映) and whoever holds the issue reads it; a bare 谢谢 there, nobody.
  if (change.data?.kind === 'source_merged' && !change.data.filesOnly) {
    if (!change.data.thread) return [i('source_merged', 'sender')];
    // 不满意 in reply to the answer: its sender hears where the owner rates, the centre (which checks
    // ratings and calls back) that the owner is not satisfied.
    if (change.data.dissatisfied) return [i('rating_howto', 'sender'), i('reply_dissatisfied', 'centre')];
    // 满意 there: its sender hears that a reply is no rating, and where to give it.
    if (change.data.satisfied) return [i('rating_howto', 'sender')];
    if (change.data.courtesy) return [];
    return [i('source_added', 'sender'), i('enterprise_supplement', holderOf(change))];
  }
  // Files a mail or a WeChat message brought that could not be kept: its sender hears which, and why.
  if (change.data?.kind === ATTACHMENTS_REFUSED) return [i('attachments_refused', 'sender')];
  // The owner's 补充材料 (issue-supplement.command.ts): whoever holds the issue reads it; the centre
  // before dispatch, and while it checks a bad rating (the owner's reasons for it).
  if (change.data?.kind === ENTERPRISE_SUPPLEMENT || change.data?.kind === 'source_merged')
    return [i('enterprise_supplement', holderOf(change))];
  return [];
}

/** The notifications a committed change calls for. */
export function intentsOf(change: IssueChange): Intent[] {
  const assigned = [i('issue_assigned', 'unit'), i('enterprise_dispatched', 'enterprise')];
  switch (change.action) {
    case 'create':
      // A department's report or a data alert (主动发现) is not something the enterprise raised: no 受理回执
      // (您反映的问题已受理) for it; it hears who handles it once dispatched.
      return [
        ...(change.issue?.channel === 'discovery' ? [] : [i('enterprise_received', 'enterprise')]),
        ...(change.state === 'dispatched' ? assigned : []),
      ];
    case 'dispatch':
      // Sent back to the unit that returned it: the unit hears it anew; the enterprise already knows who has it.
      return change.data?.sameUnit ? [i('issue_assigned', 'unit')] : assigned;
    case 'transfer':
      return moved(change);
    case 'reclassify':
      return reclassified(change, assigned);
    case 'urge':
    case 'supervise':
    case 'bulletin':
    case 'escalate':
      return fromSupervisionStep(change);
    case 'light':
      // Waiting for triage, the oversight heard 待受理超时 at the deadline itself (the triage clock's red): its
      // overdue light a working day later is no second news.
      return change.warning === 'overdue' && change.state !== 'received' ? [i('overdue', 'oversight')] : [];
    case 'consult':
      return convened();
    case 'return':
      // A second return convenes a consultation; a first goes back to the centre's 待分办.
      return change.state === 'consulting' ? convened() : [i('issue_returned', 'centre')];
    case 'send_back':
      return [i('reply_sent_back', 'unit')];
    case 'decide':
      // One that names another lead unit (the handler records where from) moves the issue.
      return change.data && 'fromUnitId' in change.data ? moved(change, 'decision') : [i('decision', 'unit')];
    case 'reply':
      // 政策性解决 (server/classes): the enterprise hears that its issue was answered with the class. Whoever
      // 督办'd the issue by hand hears that the answer came (督办反馈).
      return [
        ...(change.data?.classProblemId ? [i('enterprise_class_reply', 'enterprise')] : []),
        ...(change.supervisedBy?.length ? [i('supervise_feedback', 'supervised_by')] : []),
      ];
    case 'assign':
      return [i('issue_reassigned', 'assignee')];
    case 'note':
      return noted(change);
    case 'verify':
      return [i('enterprise_reply', 'enterprise'), i('pushback_reply', 'origin')];
    case 'reject':
      return [i('pushback_outcome', 'origin')];
    case 'rate':
    case 'callback':
      if (closes(change)) return [i('pushback_outcome', 'origin')];
      return change.data?.rating === 'bad' ? [i('bad_rating', 'centre')] : [];
    case 'request_callback':
      return [i('callback_due', 'centre')];
    case 'suspend':
    case 'resume':
    case 'request_extension':
      // A request left for approval (an approver's own takes effect at once and tells no one).
      return change.data?.pending ? [i('approval_requested', 'approvers')] : [];
    case 'approve_extension':
    case 'approve_suspend':
    case 'approve_resume':
    case 'deny_request':
      return [i('approval_decided', 'unit')];
    case 'verify_rating':
      if (change.state === 'consulting') return convened();
      if (closes(change)) return [i('pushback_outcome', 'origin')];
      return change.state === 'in_progress'
        ? [i('rectification_assigned', 'unit'), i('enterprise_rectification', 'enterprise')]
        : [];
    default:
      return [];
  }
}
