// The enterprise's view of its issues on the QR page (DESIGN §1, §7). Two levels: anyone holding the printed
// code sees a summary (stage, responsible unit, promised date); a verified owner also sees the text, the
// public progress notes and the reply, and may rate. Staff identities, internal notes and the centre's
// internal review steps never leave through here.
import { chinaDateKey, type WorkCalendar } from '../../shared/calendar.ts';
import { ACTION_LABELS, type ActionId } from '../../shared/lifecycle/actions.ts';
import type { IssueState } from '../../shared/states.ts';
import { CATEGORY_LABELS } from '../../config/categories.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/issue.model.ts';

/** Stages as an enterprise understands them; the centre's review of a reply is still "being handled". */
export const PUBLIC_STAGE_LABELS: Readonly<Record<IssueState, string>> = Object.freeze({
  received: '已受理',
  dispatched: '已分办',
  in_progress: '办理中',
  suspended: '暂停办理',
  consulting: '协调办理中',
  replied: '办理中',
  awaiting_rating: '待评价',
  closed: '已办结',
  merged: '已合并办理',
  rejected: '不予受理',
});

const PUBLIC_STAGE: Readonly<Record<IssueState, string>> = Object.freeze({
  received: 'received',
  dispatched: 'dispatched',
  in_progress: 'in_progress',
  suspended: 'suspended',
  consulting: 'consulting',
  replied: 'in_progress',
  awaiting_rating: 'awaiting_rating',
  closed: 'closed',
  merged: 'merged',
  rejected: 'rejected',
});

/**
 * Steps as the enterprise reads them, where the staff word is the centre's own (审核通过 is its check of the
 * unit's reply; to the enterprise, that is when the answer reached it). Other public steps keep their label.
 */
const PUBLIC_STEP_LABELS: Partial<Record<ActionId | 'create', string>> = Object.freeze({
  create: '受理',
  dispatch: '分派承办单位',
  sign: '承办单位签收',
  transfer: '转交承办单位',
  approve_suspend: '暂停办理',
  approve_resume: '恢复办理',
  approve_extension: '延长办理期限',
  consult: '多部门会商',
  decide: '确定办理方案',
  verify: '答复企业',
  verify_rating: '核实评价',
  merge: '合并办理',
  reopen: '重新办理',
});

const OPEN: ReadonlySet<IssueState> = new Set([
  'dispatched',
  'in_progress',
  'suspended',
  'consulting',
  'replied',
]);

/**
 * Who is responsible, as the page says it: the lead unit; before dispatch 待分办; for an issue the centre
 * settled itself without dispatching it (rejected, merged into another), the centre.
 */
function responsibleOf(doc: Pick<PublicSummaryFields, 'state' | 'unitName'>): string {
  if (doc.unitName) return doc.unitName;
  return doc.state === 'rejected' || doc.state === 'merged' ? '企业综合服务中心' : '待分办';
}

/**
 * The fields the summary reads: the QR page projects exactly these (qr-page.query.ts), so a page view never
 * loads an issue's text or timeline it does not show.
 */
export type PublicSummaryFields = Pick<IssueDoc, 'number' | 'state' | 'createdAt'> & {
  unitName?: string | null;
  deadlines?: { resolveBy?: Date | null; pausedAt?: Date | null } | null;
  closedAt?: Date | null;
  classProblemId?: IssueDoc['classProblemId'];
};

/** The fields the verified owner's view reads as well. */
export type PublicIssueFields = PublicSummaryFields &
  Pick<IssueDoc, '_id' | 'title' | 'content' | 'category'> & {
    reply?: { text?: string | null } | null;
    rejectReason?: string | null;
    rating?: Pick<
      NonNullable<IssueDoc['rating']>,
      'rating' | 'level' | 'verification' | 'source' | 'comment'
    > | null;
    rateBy?: Date | null;
    timeline?: Pick<StoredTimelineEvent, 'at' | 'action' | 'toState' | 'note' | 'public' | 'data'>[];
  };

/** The moment the page is rendered and the working-day calendar, to say how long a promise has been broken. */
export interface PublicNow {
  now: Date;
  calendar: Pick<WorkCalendar, 'workingMsBetween' | 'workingMsPerDay'>;
}

/**
 * Working days since the promised date passed (started days count: 1 on the first working day after it; 0
 * when it passed after hours), or null while the promise holds or when no time is given.
 */
function overdueWorkingDays(promisedBy: Date | null, at: PublicNow | undefined): number | null {
  if (!promisedBy || !at || at.now.getTime() <= new Date(promisedBy).getTime()) return null;
  return Math.ceil(at.calendar.workingMsBetween(new Date(promisedBy), at.now) / at.calendar.workingMsPerDay);
}

/** For anyone holding the printed code. */
export function presentIssuePublicSummary(doc: PublicSummaryFields, at?: PublicNow) {
  // While suspended the clock stops: the stored date is not a promise (it moves when handling resumes).
  const paused = OPEN.has(doc.state) && !!doc.deadlines?.pausedAt;
  const promisedBy = OPEN.has(doc.state) && !paused ? (doc.deadlines?.resolveBy ?? null) : null;
  return {
    number: doc.number,
    stage: PUBLIC_STAGE[doc.state],
    stageLabel: PUBLIC_STAGE_LABELS[doc.state],
    responsible: responsibleOf(doc),
    /** The date promised to the enterprise, while it is being worked on (not while the clock is paused). */
    promisedBy,
    paused,
    /** Working days past the promised date (the page says 已超期), else null. */
    overdueWorkingDays: overdueWorkingDays(promisedBy, at),
    createdAt: doc.createdAt,
    closedAt: doc.closedAt ?? null,
  };
}

type PublicEvent = NonNullable<PublicIssueFields['timeline']>[number];

const APPROVALS: ReadonlySet<string> = new Set(['approve_suspend', 'approve_resume', 'approve_extension']);

/** 12月11日, in China time. */
function monthDay(d: unknown): string {
  const [, m, day] = chinaDateKey(new Date(d as string)).split('-');
  return `${Number(m)}月${Number(day)}日`;
}

/**
 * The note of a public step, where it is the enterprise's to read. An approval's note is the approver's
 * explanation written for the enterprise (data.publicNote): earlier versions copied the unit's internal reason
 * for its request into it, and that stays with staff. A rating's note is the owner's own comment only, as in
 * the rating itself (a comment staff wrote down stays with them).
 */
function publicNoteOf(e: PublicEvent): string | null {
  if (APPROVALS.has(e.action) && e.data?.publicNote !== true) return null;
  if (e.action === 'rate' && e.data?.source !== 'enterprise') return null;
  return e.note ?? null;
}

function labelOf(e: PublicEvent): string {
  const resolveBy = e.data?.resolveBy;
  if (e.action === 'approve_extension' && resolveBy) return `办理期限延长至${monthDay(resolveBy)}`;
  return PUBLIC_STEP_LABELS[e.action] ?? ACTION_LABELS[e.action as ActionId];
}

function presentPublicEvent(e: PublicEvent) {
  return {
    at: e.at,
    action: e.action,
    label: labelOf(e),
    stageLabel: PUBLIC_STAGE_LABELS[e.toState],
    note: publicNoteOf(e),
  };
}

/**
 * The owner's own bad rating waits for the centre's check (DESIGN §6): the issue no longer waits for a rating,
 * so its badge says what happens now instead of 待评价.
 */
function ownerStage(doc: PublicIssueFields) {
  if (doc.state === 'awaiting_rating' && doc.rating?.verification === 'pending')
    return { stage: 'verifying', stageLabel: '差评核实中' };
  return {};
}

/** For the verified owner: the summary plus what the enterprise may read and whether it may rate now. */
export function presentIssuePublic(doc: PublicIssueFields, at?: PublicNow) {
  return {
    ...presentIssuePublicSummary(doc, at),
    ...ownerStage(doc),
    id: String(doc._id),
    title: doc.title,
    content: doc.content,
    categoryLabel: CATEGORY_LABELS[doc.category],
    reply: doc.state === 'awaiting_rating' || doc.state === 'closed' ? (doc.reply?.text ?? null) : null,
    rejectReason: doc.state === 'rejected' ? (doc.rejectReason ?? null) : null,
    rating:
      doc.rating && doc.rating.verification !== 'removed'
        ? {
            rating: doc.rating.rating,
            level: doc.rating.level ?? null,
            // The owner's own words only: a comment staff wrote down on a callback stays with them.
            comment: doc.rating.source === 'enterprise' ? (doc.rating.comment ?? null) : null,
          }
        : null,
    canRate: doc.state === 'awaiting_rating' && !doc.rating,
    // The date asked for, while it is ahead: a late rating is still welcome, without a date that has passed.
    rateBy:
      doc.state === 'awaiting_rating' && doc.rateBy && (!at || new Date(doc.rateBy) > at.now)
        ? doc.rateBy
        : null,
    progress: (doc.timeline ?? []).filter((e) => e.public).map(presentPublicEvent),
  };
}
