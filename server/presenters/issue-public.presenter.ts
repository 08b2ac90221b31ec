// The enterprise's view of its issues on the QR page (DESIGN §1, §7). Two levels: anyone holding the printed
// code sees a summary (stage, responsible unit, promised date); a verified owner also sees the text, the
// public progress notes and the reply, and may rate. Staff identities, internal notes and the centre's
// internal review steps never leave through here.
import { chinaDateKey, type WorkCalendar } from '../../shared/calendar.ts';
import { ACTION_LABELS, type ActionId } from '../../shared/lifecycle/actions.ts';
import { ratingLabel, type IssueState } from '../../shared/states.ts';
import { CATEGORY_LABELS } from '../../config/categories.ts';
import { CITY_REGION, REGION_LABELS } from '../../config/units.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/issue.model.ts';
import { ENTERPRISE_SUPPLEMENT, takesSupplement } from '../commands/issue-supplement.command.ts';

/** Who settled a rejected or merged issue, named as an enterprise knows it: the city's service centre. */
const CITY_CENTRE_NAME = `${REGION_LABELS[CITY_REGION]}企业综合服务中心`;

/** Stages as an enterprise understands them; the centre's review of a reply is still "being handled". */
export const PUBLIC_STAGE_LABELS: Readonly<Record<IssueState, string>> = Object.freeze({
  received: '已受理',
  dispatched: '已交承办单位',
  in_progress: '办理中',
  suspended: '暂停办理',
  consulting: '多部门协调中',
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
  escalate: '提请上级协调办理',
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
 * Who is responsible, as the page says it: the lead unit; before dispatch 服务中心分派中; for an issue the centre
 * settled itself (rejected, or merged into another, whose unit may be another: not the unit it had), the centre.
 */
function responsibleOf(doc: Pick<PublicSummaryFields, 'state' | 'unitName'>): string {
  if (doc.state === 'rejected' || doc.state === 'merged') return CITY_CENTRE_NAME;
  if (doc.unitName) return doc.unitName;
  // Handed back twice: the centre convenes the units (the badge says 多部门协调中), it is not dispatching.
  return doc.state === 'consulting' ? '服务中心组织协调' : '服务中心分派中';
}

/**
 * The fields the summary reads: the QR page projects exactly these (qr-page.query.ts), so a page view never
 * loads an issue's text or timeline it does not show.
 */
export type PublicSummaryFields = Pick<IssueDoc, 'number' | 'state' | 'createdAt'> & {
  unitName?: string | null;
  /** A class problem's member is promised the class's deadline while the class is handled (PublicNow). */
  classProblemId?: IssueDoc['classProblemId'];
  deadlines?: { resolveBy?: Date | null; pausedAt?: Date | null } | null;
  /** Read for the stage only: a bad rating under the centre's check is no longer 待评价 (stageOf). */
  rating?: Pick<NonNullable<IssueDoc['rating']>, 'verification'> | null;
};

/** The fields the verified owner's view reads as well. */
export type PublicIssueFields = Omit<PublicSummaryFields, 'rating'> &
  Pick<IssueDoc, '_id' | 'title' | 'content' | 'category'> & {
    closedAt?: Date | null;
    mergedInto?: IssueDoc['mergedInto'];
    unitId?: IssueDoc['unitId'] | null;
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
  /** The deadlines of the class problems being handled that the page's issues belong to, by class id. */
  classDeadlines?: ReadonlyMap<string, Date>;
}

/**
 * Working days since the promised date passed (started days count: 1 on the first working day after it; 0
 * when it passed after hours), or null while the promise holds or when no time is given.
 */
function overdueWorkingDays(promisedBy: Date | null, at: PublicNow | undefined): number | null {
  if (!promisedBy || !at || at.now.getTime() <= new Date(promisedBy).getTime()) return null;
  return Math.ceil(at.calendar.workingMsBetween(new Date(promisedBy), at.now) / at.calendar.workingMsPerDay);
}

/**
 * A bad rating waits for the centre's check (DESIGN §6): the issue no longer waits for a rating, so its badge
 * says what happens now instead of 待评价: to the owner 差评核实中, to anyone else holding the code 办理中
 * (how the enterprise rated is the owner's to know).
 */
function stageOf(doc: PublicSummaryFields, owner: boolean) {
  if (doc.state === 'awaiting_rating' && doc.rating?.verification === 'pending')
    return owner
      ? { stage: 'verifying', stageLabel: '差评核实中' }
      : { stage: PUBLIC_STAGE.in_progress, stageLabel: PUBLIC_STAGE_LABELS.in_progress };
  return { stage: PUBLIC_STAGE[doc.state], stageLabel: PUBLIC_STAGE_LABELS[doc.state] };
}

/** For anyone holding the printed code: stage, responsible unit and promised date (DESIGN §7), nothing else. */
export function presentIssuePublicSummary(doc: PublicSummaryFields, at?: PublicNow) {
  return summaryOf(doc, at, false);
}

/** A member of a class problem being handled is answered with the class, by the class's deadline. */
const classDueOf = (doc: PublicSummaryFields, at: PublicNow | undefined) =>
  doc.classProblemId ? at?.classDeadlines?.get(String(doc.classProblemId)) : undefined;

/** The summary, its stage as the owner or as anyone else reads it. */
function summaryOf(doc: PublicSummaryFields, at: PublicNow | undefined, owner: boolean) {
  // While suspended the clock stops: the stored date is not a promise (it moves when handling resumes).
  const paused = OPEN.has(doc.state) && !!doc.deadlines?.pausedAt;
  const classDue = classDueOf(doc, at);
  const promisedBy = OPEN.has(doc.state) && !paused ? (classDue ?? doc.deadlines?.resolveBy ?? null) : null;
  const stage = stageOf(doc, owner);
  return {
    number: doc.number,
    ...stage,
    /** The promise is the issue's own and a consultation's decision will set a new one. */
    replanPending: !!promisedBy && !classDue && stage.stage === PUBLIC_STAGE.consulting,
    responsible: responsibleOf(doc),
    /** The date promised to the enterprise, while it is being worked on (not while the clock is paused). */
    promisedBy,
    paused,
    /** Working days past the promised date (the page says 已超期), else null. */
    overdueWorkingDays: overdueWorkingDays(promisedBy, at),
  };
}

type PublicEvent = NonNullable<PublicIssueFields['timeline']>[number];

const APPROVALS: ReadonlySet<string> = new Set(['approve_suspend', 'approve_resume', 'approve_extension']);

/** 12月11日, in China time. */
function monthDay(d: unknown): string {
  const [, m, day] = chinaDateKey(new Date(d as string)).split('-');
  return `${Number(m)}月${Number(day)}日`;
}

/** Unit names by id (the intake configuration's cache): the page names units, never the staff in them. */
export type PublicUnitNames = ReadonlyMap<string, { name: string }>;

/** Steps whose note staff write for the enterprise; every other step's note is internal and stays with staff. */
const NOTE_FOR_ENTERPRISE: ReadonlySet<string> = new Set([
  'note', // a progress note staff chose to make public
  'verify', // the reply itself
  'reject', // the reason, shown beside the issue as well
  'rate', // the owner's own comment
  ...APPROVALS, // the approver's explanation, when written for the enterprise
]);

/**
 * The note of a public step, where it is the enterprise's to read. An approval's note is the approver's
 * explanation written for the enterprise (data.publicNote): earlier versions copied the unit's internal reason
 * for its request into it, and that stays with staff. A rating's note is the owner's own comment only, as in
 * the rating itself (a comment staff wrote down stays with them).
 */
function publicNoteOf(e: PublicEvent): string | null {
  if (!NOTE_FOR_ENTERPRISE.has(e.action)) return null;
  if (APPROVALS.has(e.action) && e.data?.publicNote !== true) return null;
  if (e.action === 'rate' && e.data?.source !== 'enterprise') return null;
  return e.note ?? null;
}

/** Who the step handed the issue to, as the enterprise knows units: by name. */
function unitNameOf(e: PublicEvent, doc: PublicIssueFields, units: PublicUnitNames | undefined) {
  const id = e.data?.unitId;
  if (id === undefined || id === null) return null;
  const known = units?.get(String(id))?.name;
  if (known) return known;
  // The unit holding the issue now is named on the issue itself.
  return doc.unitId && String(doc.unitId) === String(id) ? (doc.unitName ?? null) : null;
}

/**
 * What the centre's check of the owner's bad rating came to (DESIGN §6): redone, taken up a tier, or not upheld,
 * with the centre's reason, which its form tells staff the enterprise sees (理由…企业可见).
 */
function ratingOutcome(e: PublicEvent): string | null {
  const why = e.note ? `（理由：${e.note}）` : '';
  if (e.data?.reasonable === false) return `差评核实不予支持${why}，问题已办结`;
  if (e.data?.reasonable !== true) return null;
  if (e.toState === 'consulting') return `差评属实${why}，已提请多部门协调办理`;
  const resolveBy = e.data?.resolveBy;
  return `差评属实${why}，已重新交办${resolveBy ? `，新的办结时限为${monthDay(resolveBy)}` : ''}`;
}

/** The line after a step's label: facts the page derives from the step (unit, outcome, date), or its note. */
function detailOf(e: PublicEvent, doc: PublicIssueFields, units: PublicUnitNames | undefined) {
  switch (e.action) {
    case 'dispatch':
    case 'transfer':
      return unitNameOf(e, doc, units);
    case 'decide': {
      const unit = unitNameOf(e, doc, units);
      const resolveBy = e.data?.resolveBy;
      const parts = [unit ? `由${unit}牵头办理` : '', resolveBy ? `办结时限为${monthDay(resolveBy)}` : ''];
      return parts.filter(Boolean).join('，') || null;
    }
    case 'verify_rating':
      return ratingOutcome(e);
    case 'note':
      return e.data?.classLink ? classLinkNote(e) : publicNoteOf(e);
    default:
      return publicNoteOf(e);
  }
}

/**
 * A class problem's link note names the class by its staff number and title (LW-2026-001「…」); the owner reads
 * what it means for them: handled with the other enterprises' same problem, and by whom.
 */
function classLinkNote(e: PublicEvent): string | null {
  if (e.data?.classLink !== 'add') return null;
  const others = e.data.otherEnterprises;
  const lead = e.data.leadUnitName;
  const withOthers = typeof others === 'number' ? `与其他 ${others} 家企业` : '与其他企业';
  return `本问题${withOthers}的同类问题合并办理${typeof lead === 'string' ? `，牵头单位：${lead}` : ''}`;
}

const CLASS_LINK_LABELS: Readonly<Record<string, string>> = Object.freeze({
  add: '同类问题合并办理',
  remove: '不再合并办理，单独办理',
});

function labelOf(e: PublicEvent): string {
  const link = e.data?.classLink;
  if (e.action === 'note' && typeof link === 'string' && CLASS_LINK_LABELS[link])
    return CLASS_LINK_LABELS[link];
  if (e.action === 'note' && e.data?.kind === ENTERPRISE_SUPPLEMENT) return '企业补充材料';
  const resolveBy = e.data?.resolveBy;
  if (e.action === 'approve_extension' && resolveBy) return `办理期限延长至${monthDay(resolveBy)}`;
  // The owner's own rating, as they gave it (评价「不满意」), where the bare word said nothing; the comment
  // follows after a colon of its own (评价：不满意：… read as two labels).
  const given = e.action === 'rate' && e.data ? ratingLabel(e.data) : '';
  if (given) return `评价「${given}」`;
  // A unit's 退单: what it means for the owner (its reason and legal basis stay with staff).
  if (e.action === 'return')
    return e.toState === 'consulting' ? '承办单位退回，提请多部门协调办理' : '承办单位退回，服务中心重新分派';
  return PUBLIC_STEP_LABELS[e.action] ?? ACTION_LABELS[e.action as ActionId];
}

function presentPublicEvent(e: PublicEvent, doc: PublicIssueFields, units: PublicUnitNames | undefined) {
  return {
    at: e.at,
    action: e.action,
    label: labelOf(e),
    stageLabel: PUBLIC_STAGE_LABELS[e.toState],
    note: detailOf(e, doc, units),
  };
}

/**
 * For the verified owner: the summary plus what the enterprise may read and whether it may rate now. `units`
 * names the units the progress steps handed the issue to (without it, only the current unit is named).
 */
export function presentIssuePublic(doc: PublicIssueFields, at?: PublicNow, units?: PublicUnitNames) {
  const summary = summaryOf(doc, at, true);
  return {
    ...summary,
    /** The promised date is the class problem's (与同类问题统一办结); the owner is told so. */
    promisedWithClass: !!summary.promisedBy && !!classDueOf(doc, at),
    closedAt: doc.closedAt ?? null,
    id: String(doc._id),
    /** The issue this one is handled with (the page names it when it is the enterprise's own). */
    mergedIntoId: doc.state === 'merged' && doc.mergedInto ? String(doc.mergedInto) : null,
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
    /** 补充材料 while the issue is being handled or its bad rating checked (issue-supplement.command.ts). */
    canSupplement: takesSupplement(doc),
    // The date asked for, while it is ahead: a late rating is still welcome, without a date that has passed.
    rateBy:
      doc.state === 'awaiting_rating' && doc.rateBy && (!at || new Date(doc.rateBy) > at.now)
        ? doc.rateBy
        : null,
    progress: (doc.timeline ?? []).filter((e) => e.public).map((e) => presentPublicEvent(e, doc, units)),
  };
}
