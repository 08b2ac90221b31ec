// The issue (涉企问题): the lifecycle state the shared core works on (IssueCore), the intake facts around it
// (enterprise, channel, number, text), an embedded append-only timeline and a `version` for optimistic
// concurrency. Commands write it only with `findOneAndUpdate({_id, version}, {$set, $push, $inc})`, so a state
// change and its timeline event land together or not at all. Timestamps come from the command's clock (not
// mongoose's), so the demo seed can write a genuine past.
import { Schema, type Connection, type Model, type SchemaDefinition, type Types } from 'mongoose';
import { maxChars } from './max-chars.ts';
import { LIMITS } from '../../shared/schemas.ts';
import type { IssueCore, TimelineEvent } from '../../shared/lifecycle/issue-core.ts';
import { ACTION_IDS } from '../../shared/lifecycle/actions.ts';
import { ROLES } from '../../shared/roles.ts';
import {
  BULLETINED,
  HAS_CONSULT_UNITS,
  HAS_CO_UNITS,
  LATE_FILTERS,
  PENDING_APPROVAL,
  RATING_CHECK,
  REDONE,
  SENT_BACK,
  SUPERVISED,
} from '../policies/issue.policy.ts';
import {
  CATEGORY_IDS,
  CHANNEL_IDS,
  ISSUE_STATES,
  RATING_LEVELS,
  RATINGS,
  TIERS,
  UNIT_LEVELS,
  URGENCIES,
  WARNING_LEVELS,
  type CategoryId,
  type ChannelId,
} from '../../shared/states.ts';

/** How the category/urgency were decided: given by staff, proposed by the classifier, or a fallback. */
export type ClassificationSource = 'input' | 'classifier' | 'default';
/** The classification an issue carries: how it was decided, and what the classifier offered a clerk. */
export interface StoredClassification {
  source: ClassificationSource;
  confidence: number;
  /** The classifier's top guesses (category, probability), best first; empty when staff gave the category. */
  alternatives: { category: CategoryId; probability: number }[];
  /** Version of the text model that classified it (null: staff input or the keyword rules). */
  modelVersion: number | null;
  /** A person gave or corrected the category and urgency: the issue is training data (server/text). */
  human: boolean;
}

/** How the lead unit was found at intake: an admin rule, the configured default, or a unit's categories. */
export type RoutingSource = 'rule' | 'config' | 'unit' | 'none';

export interface StoredTimelineEvent extends TimelineEvent {
  /** Display name of the actor at the time (the timeline is never edited afterwards). */
  actorName: string;
}

type IdFields = 'unitId' | 'coUnitIds' | 'returnedFrom' | 'mergedInto';

/** Who raised the issue and how to reach them (personal data: staff who may read the issue only). */
export interface IssueContact {
  name?: string;
  /** A number to call (shared/schemas isContactPhone). */
  phone?: string;
  /** A channel's number that is not one to call (12345, 请回电), kept as given for staff to read. */
  phoneText?: string;
  email?: string;
  openid?: string;
}

/** A repeat merged in from any channel (the first message is the issue's own channel, text and contact). */
export interface IssueSource {
  inboxId: Types.ObjectId;
  channel: ChannelId;
  externalId: string | null;
  receivedAt: Date;
  title: string;
  content: string;
  contact: IssueContact | null;
}

/** A message of the issue: its own first message has no inbox entry when staff typed it in. */
export type IssueMessage = Omit<IssueSource, 'inboxId'> & { inboxId: Types.ObjectId | null };

/** The issue's messages: its own first (the issue's fields hold it), then the repeats merged into it. */
export function messagesOf(
  issue: Pick<IssueDoc, 'channel' | 'createdAt' | 'title' | 'content'> &
    Partial<Pick<IssueDoc, 'inboxId' | 'externalId' | 'contact' | 'sources' | 'raisedAt'>>,
): IssueMessage[] {
  const own: IssueMessage = {
    inboxId: issue.inboxId ?? null,
    channel: issue.channel,
    externalId: issue.externalId ?? null,
    // As a merged message's: when its channel says it was raised, else when the centre took it in.
    receivedAt: issue.raisedAt ?? issue.createdAt,
    title: issue.title,
    content: issue.content,
    contact: issue.contact ?? null,
  };
  return [own, ...(issue.sources ?? [])];
}

/**
 * A borderline repeat the duplicate check found at intake (issue 7 §2): shown to the dispatcher as 可能重复
 * with the candidate, who merges or keeps the issue; never merged silently.
 */
export interface PossibleRepeat {
  issueId: Types.ObjectId;
  number: string;
  title: string;
  /** The check's repeat probability, 0..1. */
  score: number;
}

/** The stored shape: IssueCore with unit/issue ids as ObjectIds, plus intake facts and the timeline. */
export interface IssueDoc extends Omit<IssueCore, IdFields> {
  _id: Types.ObjectId;
  number: string;
  enterpriseId: Types.ObjectId;
  enterpriseName: string;
  enterpriseCreditCode: string;
  /** Region of the enterprise: routing and leaders' domains. */
  region: string;
  /**
   * The enterprise's township (乡镇/街道 unit code) when it was taken in, as routing read it: what the desk's
   * suggestion and 重新分类 route by. Absent: the enterprise had none, or the issue predates townships.
   */
  township?: string;
  channel: ChannelId;
  externalId?: string;
  title: string;
  content: string;
  /** Who raised it; null on issues taken in before contacts were kept. */
  contact?: IssueContact | null;
  /** The inbox entry of the first message (null on issues taken in before it was kept). */
  inboxId?: Types.ObjectId | null;
  /**
   * When the enterprise raised it (a 12345 or 浙里办 order's, a 好差评 review's or an SMS gateway's receivedAt, a
   * WeChat message's CreateTime, a mail's Date header; raised-at.ts): 来件时间 for staff. The time limits start when the centre takes it in
   * (createdAt, DESIGN §5), not at this time.
   */
  raisedAt?: Date | null;
  /** The repeats merged in after the first message (which the issue's own fields hold). */
  sources?: IssueSource[];
  /** Set at intake when the message may repeat another open issue of the enterprise. */
  possibleRepeat?: PossibleRepeat | null;
  classification: StoredClassification;
  routing: { source: RoutingSource };
  unitId: Types.ObjectId | null;
  unitName: string | null;
  assigneeId?: string | null;
  assigneeName?: string | null;
  coUnitIds: Types.ObjectId[];
  returnedFrom: Types.ObjectId[];
  /** Units owing input in the open consultation (denormalised from `consultation` for the visibility index). */
  consultUnitIds: Types.ObjectId[];
  mergedInto: Types.ObjectId | null;
  /** Duplicates merged into this issue. */
  mergedFrom: Types.ObjectId[];
  /** The class problem (一类事) this issue is a member of (server/classes). */
  classProblemId?: Types.ObjectId | null;
  /** deadlines.resolveBy, top-level so the "due soonest" list sorts on an index. */
  dueAt: Date | null;
  timeline: StoredTimelineEvent[];
  /** The search terms of title, content and enterprise name (server/text/search-terms.ts); never presented. */
  searchTerms?: number[];
  version: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type IssueModel = Model<IssueDoc>;

const { ObjectId, Mixed } = Schema.Types;
const unitRef = { type: ObjectId, ref: 'Unit' };

const deadlinesSchema = new Schema(
  {
    startAt: Date,
    signBy: Date,
    contactBy: Date,
    resolveBy: Date,
    yellowAt: Date,
    redAt: Date,
    overdueAt: Date,
    escalateAt: Date,
    bulletinAt: Date,
    basis: { type: String, enum: ['working', 'wall'] },
    signYellowAt: Date,
    signUrgedAt: { type: Date, default: undefined },
    redAlertDue: { type: Boolean, default: undefined },
    pausedAt: { type: Date, default: null },
    pausedMs: { type: Number, default: 0 },
  },
  { _id: false },
);

const ratingSchema = new Schema(
  {
    rating: { type: String, enum: RATINGS, required: true },
    level: { type: String, enum: RATING_LEVELS },
    comment: String,
    at: Date,
    source: { type: String, enum: ['enterprise', 'callback', 'staff'] },
    recordedBy: String,
    verification: { type: String, enum: ['pending', 'reasonable', 'removed'] },
    verifyBy: Date,
    checkUrgedAt: Date,
    verifiedAt: Date,
    verifyReason: String,
  },
  { _id: false },
);

const timelineSchema = new Schema(
  {
    at: { type: Date, required: true },
    actorId: { type: String, required: true },
    actorRole: { type: String, required: true, enum: [...ROLES, 'system', 'enterprise'] },
    actorName: { type: String, default: '' },
    action: { type: String, required: true, enum: [...ACTION_IDS, 'create'] },
    fromState: { type: String, enum: [...ISSUE_STATES, null], default: null },
    toState: { type: String, required: true, enum: ISSUE_STATES },
    note: String,
    public: { type: Boolean, required: true },
    data: Mixed,
  },
  { _id: false, minimize: false },
);

function lifecycleFields() {
  return {
    state: { type: String, required: true, enum: ISSUE_STATES },
    urgency: { type: String, required: true, enum: URGENCIES },
    category: { type: String, required: true, enum: CATEGORY_IDS },
    unitId: { ...unitRef, default: null },
    unitName: { type: String, default: null },
    /** The lead unit's person working the issue (IssueCore.assigneeId) and their name for the lists. */
    assigneeId: { type: String, default: null },
    assigneeName: { type: String, default: null },
    coUnitIds: { type: [unitRef], default: [] },
    level: { type: String, enum: [...UNIT_LEVELS, null], default: null },
    tier: { type: String, enum: TIERS, default: 'section' },
    deadlines: { type: deadlinesSchema, default: null },
    triage: { type: Mixed, default: null },
    warning: { type: String, enum: WARNING_LEVELS, default: 'none' },
    urged: { type: Boolean, default: false },
    supervised: { type: Boolean, default: false },
    bulletined: { type: Boolean, default: false },
    escalated: { type: Boolean, default: false },
    returnCount: { type: Number, default: 0 },
    sendBackCount: { type: Number, default: 0 },
    redoCount: { type: Number, default: 0 },
    extensionCount: { type: Number, default: 0 },
    reopenCount: { type: Number, default: 0 },
    callbackAttempts: { type: Number, default: 0 },
    callbackRequested: { type: Boolean, default: false },
    returnedFrom: { type: [unitRef], default: [] },
    pendingApproval: { type: Mixed, default: null },
    rating: { type: ratingSchema, default: null },
    ratingHistory: { type: [Mixed], default: [] },
    rateBy: { type: Date, default: null },
    mergedInto: { type: ObjectId, ref: 'Issue', default: null },
    reply: { type: Mixed, default: null },
    consultation: { type: Mixed, default: null },
    signedAt: { type: Date, default: null },
    signedLate: { type: Boolean, default: null },
    repliedAt: { type: Date, default: null },
    repliedLate: { type: Boolean, default: null },
    closedAt: { type: Date, default: null },
    rejectReason: { type: String, default: null },
    nextCheckAt: { type: Date, default: null },
  };
}

/**
 * Issues whose light is on (yellow, red, overdue): every lit level sorts after 'none' (checked by a unit test),
 * and a range is a partial filter both MongoDB and the embedded server accept, with `{$in: [...]}` of lit
 * levels as a subset.
 */
export const LIT = Object.freeze({ warning: { $gt: 'none' } });

/** The staff list's two orders, each ending in the `_id` tie-break its keyset cursor relies on. */
export const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;
const DUE_SOONEST = { dueAt: 1, _id: 1 } as const;

/**
 * An enterprise's issues, newest first: the QR page, the list's enterprise filter, and every read that names
 * many enterprises at once (intake's repeat candidates, the KPI rollups' predecessors). Those reads name this
 * index in a `hint`: with a createdAt range beside a long `$in` of enterprises, the planner's trial (the
 * embedded one and MongoDB's alike) starts the createdAt index at the newest issues, which are often exactly
 * the ones the `$in` was made from, so that plan looks perfect for its first 101 keys and then walks every
 * issue of the range (at 1,000,000 issues: 98,835 keys for 6,549 predecessors of one day, 0.4 s).
 */
export const ENTERPRISE_ISSUES_INDEX = { enterpriseId: 1, ...NEWEST_FIRST } as const;

/**
 * The list search's word index (routes/issues/issue-search.ts): the issues holding a term, newest first, so a
 * search reads the issues its query's term occurs in, in the list's order, and no other.
 */
export const SEARCH_TERMS_INDEX = { searchTerms: 1, ...NEWEST_FIRST } as const;

/**
 * A unit's issues by state, due soonest: the workbench counts the unit's queues that no smaller index holds
 * (to sign, in progress) on it by `hint`, from its keys. A count has no order to choose an index by, and the
 * planner's trial can take an index that reads far more: for "overdue" it took the warning index when the
 * city's earliest-due overdue issues were this unit's, and walked every overdue issue in the city (at
 * 1,000,000 issues: 30,753 keys).
 */
export const UNIT_ISSUES_INDEX = { unitId: 1, state: 1, ...DUE_SOONEST } as const;

/**
 * A unit's lit issues (yellow, red, overdue) by light and state: the workbench's "due soon" and "overdue"
 * counts read only its keys (a count the index answers whole reads no document), where the unit's index would
 * read every open issue of the unit to test its light (at 1,000,000 issues, the busiest unit's 10,285).
 * Partial, so it holds only lit issues.
 */
export const UNIT_LIT_INDEX = { unitId: 1, warning: 1, state: 1, ...DUE_SOONEST } as const;

/**
 * The issues assigned to each person of a unit, by state: the workbench's "mine" count and a unit head's load
 * per person read only its keys (on the unit's index they read every open issue of the unit to its assignee,
 * stored after the timeline: at 1,000,000 issues, the busiest unit's 10,285), and the "mine" list is served in
 * deadline order.
 */
export const ASSIGNEE_ISSUES_INDEX = { unitId: 1, assigneeId: 1, state: 1, ...DUE_SOONEST } as const;

/**
 * Lit issues by unit, assignee and light: a unit head's load counts each person's past-due ones (red or 已超期)
 * from its keys.
 */
export const PAST_DUE_ASSIGNEE_INDEX = { unitId: 1, assigneeId: 1, warning: 1, state: 1 } as const;

/** The issues a unit is consulted on, by state, due soonest (one of the list's indexes below): "consultInput". */
export const CONSULTED_UNIT_INDEX = { consultUnitIds: 1, state: 1, ...DUE_SOONEST } as const;

/**
 * A unit's redone issues (a bad rating judged reasonable), by state, due soonest: the "rectify" count reads
 * only its keys and its list is served in order. (The trailing `redoCount` only sets its key pattern apart
 * from the unit's index, so the count can name it in a hint.)
 */
export const UNIT_REDONE_INDEX = { unitId: 1, state: 1, ...DUE_SOONEST, redoCount: 1 } as const;

/** A unit's issues whose reply was sent back, the same way: the "returned" count and list. */
export const UNIT_SENT_BACK_INDEX = { unitId: 1, state: 1, ...DUE_SOONEST, sendBackCount: 1 } as const;

/**
 * Issues whose enterprise asked to be called back, by state: the centre's "to call back" count and list read
 * only these (the flag is cleared when an issue closes, so the index stays small).
 */
export const CALLBACK_INDEX = { callbackRequested: 1, state: 1, ...NEWEST_FIRST } as const;

/**
 * Bad ratings waiting for the centre's check (差评待核实), by state: the desk's count and list read only these
 * (the check sets the verification to reasonable or removed, so the index holds a day's few).
 */
export const RATING_CHECK_INDEX = { 'rating.verification': 1, state: 1, ...NEWEST_FIRST } as const;

/**
 * Issues in consultation by the consultation's tier (会商: the director's or the leaders'): the director's
 * "待会商决定" count and list read only these. Partial to the consulting state, which a decision leaves, so it
 * holds the few consultations under way.
 */
export const CONSULTING_INDEX = { 'consultation.tier': 1, state: 1, ...NEWEST_FIRST } as const;

/**
 * Issues under 督办 (supervision) or 通报 (bulletin), by state, due soonest: the supervisor's queues count and
 * list them from these keys. Partial: a flag stays on a closed issue, but only a minority is ever flagged, and
 * the state in the key keeps the open ones apart.
 */
export const SUPERVISED_INDEX = { supervised: 1, state: 1, ...DUE_SOONEST } as const;
export const BULLETINED_INDEX = { bulletined: 1, state: 1, ...DUE_SOONEST } as const;

/**
 * Requests waiting for approval (待审批: 挂起, 解挂, 延期) by kind, due soonest: the desk's count and list read
 * only these (approving, denying or anything that moves the issue on clears the request, so it holds a few).
 */
export const APPROVAL_INDEX = { 'pendingApproval.kind': 1, ...DUE_SOONEST } as const;

/**
 * Indexes for the staff list (issue-read.query.ts): every filter the workbench offers and every visibility
 * branch, in both orders, is an equality prefix followed by the order, so a page reads about as many keys as
 * it shows. Fields share compound indexes where the list names every value of the field it does not filter
 * on (`$in` over a closed enum, issue-list.filter.ts), which the planner runs as one merged scan per value:
 * `{category, state}` serves category and category + state, `{channel, urgency}` channel, urgency and both,
 * and `state` sits second in each visibility branch's index (unit, co-unit, consulted unit, leader tier,
 * red lights), so a handler or leader filtering by state reads only those keys. Co-units, consulted units,
 * the leader tier, lit warning lights (open issues only) and late signatures and replies are rare, so their
 * indexes are partial and stay small.
 */
function defineListIndexes(schema: Schema<IssueDoc>): void {
  const rare = {
    coUnitIds: { partialFilterExpression: { ...HAS_CO_UNITS } },
    consultUnitIds: { partialFilterExpression: { ...HAS_CONSULT_UNITS } },
    tier: { partialFilterExpression: { tier: 'leader' } },
    warning: { partialFilterExpression: { warning: { ...LIT.warning } } },
    signedLate: { partialFilterExpression: { ...LATE_FILTERS.sign } },
    repliedLate: { partialFilterExpression: { ...LATE_FILTERS.reply } },
  };
  for (const order of [NEWEST_FIRST, DUE_SOONEST]) {
    schema.index({ ...order });
    schema.index({ state: 1, ...order });
    schema.index({ category: 1, state: 1, ...order });
    schema.index({ channel: 1, urgency: 1, ...order });
    schema.index({ warning: 1, state: 1, ...order }, rare.warning);
    schema.index({ unitId: 1, state: 1, ...order });
    // State first: the region filter names every state (issue-list.filter.ts), and an index led by region
    // would compete with the warning index for a county leader's red-light branch (its region is inside it).
    schema.index({ state: 1, region: 1, ...order });
    schema.index({ coUnitIds: 1, state: 1, ...order }, rare.coUnitIds);
    schema.index({ consultUnitIds: 1, state: 1, ...order }, rare.consultUnitIds);
    schema.index({ tier: 1, state: 1, ...order }, rare.tier);
    // A timeliness KPI's misses (the dashboard's drill-down): a minority, so partial.
    schema.index({ signedLate: 1, ...order }, rare.signedLate);
    schema.index({ repliedLate: 1, ...order }, rare.repliedLate);
  }
  // The QR page and the list's enterprise filter; an enterprise's few issues sort in memory by due date.
  schema.index({ ...ENTERPRISE_ISSUES_INDEX });
  schema.index({ ...SEARCH_TERMS_INDEX });
  schema.index({ ...UNIT_LIT_INDEX }, rare.warning);
  schema.index({ ...CALLBACK_INDEX }, { partialFilterExpression: { callbackRequested: true } });
  schema.index({ ...RATING_CHECK_INDEX }, { partialFilterExpression: { ...RATING_CHECK } });
  schema.index({ ...APPROVAL_INDEX }, { partialFilterExpression: { ...PENDING_APPROVAL } });
  schema.index({ ...CONSULTING_INDEX }, { partialFilterExpression: { state: 'consulting' } });
  schema.index({ ...SUPERVISED_INDEX }, { partialFilterExpression: { ...SUPERVISED } });
  schema.index({ ...BULLETINED_INDEX }, { partialFilterExpression: { ...BULLETINED } });
  schema.index({ ...ASSIGNEE_ISSUES_INDEX });
  schema.index({ ...PAST_DUE_ASSIGNEE_INDEX }, rare.warning);
  schema.index({ ...UNIT_REDONE_INDEX }, { partialFilterExpression: { ...REDONE } });
  schema.index({ ...UNIT_SENT_BACK_INDEX }, { partialFilterExpression: { ...SENT_BACK } });
}

/**
 * Issues awaiting their rating by the mobile that wrote them in, or wrote in a repeat merged into them (the
 * numbers the centre texted its 办理结果): a bare 满意 or 不满意 texted back from one answers that issue
 * (intake/thread.ts ratingReplyIssue). Partial to 待评价, so they hold only the issues waiting now.
 */
export const AWAITING_RATING = { state: 'awaiting_rating' } as const;
export const RATING_PHONE_INDEX = { 'contact.phone': 1, updatedAt: -1 } as const;
export const RATING_SOURCE_PHONE_INDEX = { 'sources.contact.phone': 1, updatedAt: -1 } as const;

/** List indexes an earlier version created; `ensureIndexes` removes them from existing databases. */
export const RETIRED_ISSUE_INDEXES = Object.freeze([
  'state_1_createdAt_-1',
  'unitId_1_state_1_createdAt_-1',
  'coUnitIds_1',
  'consultUnitIds_1',
  'category_1_createdAt_-1',
  'enterpriseId_1_createdAt_-1',
  'warning_1_region_1',
  'tier_1',
  // A person's overdue issues only (warning 'overdue'): PAST_DUE_ASSIGNEE_INDEX counts red ones too.
  'unitId_1_assigneeId_1_state_1',
]);

/** Drops the retired list indexes that exist (each costs memory and write time at every issue). */
export function defineIssueModel(conn: Connection): IssueModel {
  // Typed loosely: mongoose's inference cannot follow the shared enums through the nested definitions.
  const definition: SchemaDefinition = {
    number: { type: String, required: true, match: /^HZ-\d{4}-\d{6,}$/ },
    enterpriseId: { type: ObjectId, ref: 'Enterprise', required: true },
    enterpriseName: { type: String, required: true },
    // Empty for a provisional enterprise that gave no credit code.
    enterpriseCreditCode: { type: String, default: '' },
    region: { type: String, required: true },
    township: { type: String },
    channel: { type: String, required: true, enum: CHANNEL_IDS },
    // No default: the partial unique index only covers issues that carry an external id.
    externalId: { type: String },
    title: { type: String, required: true, validate: maxChars(200) },
    content: { type: String, required: true, validate: maxChars(LIMITS.storedContent) },
    contact: { type: Mixed, default: null },
    inboxId: { type: ObjectId, default: null },
    raisedAt: { type: Date, default: null },
    sources: { type: [Mixed], default: [] },
    possibleRepeat: { type: Mixed, default: null },
    classification: {
      source: { type: String, enum: ['input', 'classifier', 'default'], default: 'input' },
      confidence: { type: Number, default: 1 },
      alternatives: { type: [Mixed], default: [] },
      modelVersion: { type: Number, default: null },
      human: { type: Boolean, default: false },
    },
    routing: { source: { type: String, enum: ['rule', 'config', 'unit', 'none'], default: 'none' } },
    ...lifecycleFields(),
    consultUnitIds: { type: [unitRef], default: [] },
    mergedFrom: { type: [{ type: ObjectId, ref: 'Issue' }], default: [] },
    classProblemId: { type: ObjectId, ref: 'ClassProblem', default: null },
    dueAt: { type: Date, default: null },
    // Missing on an issue stored before the search index until the upgrade fills it (issue-upgrades.ts).
    searchTerms: { type: [Number], default: undefined },
    timeline: { type: [timelineSchema], default: [] },
    version: { type: Number, required: true, default: 1 },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  };
  const schema = new Schema<IssueDoc>(definition as SchemaDefinition<IssueDoc>, {
    collection: 'issues',
    versionKey: false,
    minimize: false,
    // Built by ensureIndexes in one command (models/index.ts), not one by one as the model compiles.
    autoIndex: false,
  });
  schema.index({ number: 1 }, { unique: true });
  schema.index(
    { channel: 1, externalId: 1 },
    { unique: true, partialFilterExpression: { externalId: { $exists: true } } },
  );
  defineListIndexes(schema);
  schema.index({ ...RATING_PHONE_INDEX }, { partialFilterExpression: { ...AWAITING_RATING } });
  schema.index({ ...RATING_SOURCE_PHONE_INDEX }, { partialFilterExpression: { ...AWAITING_RATING } });
  // The sweep's range query: everything whose next step is due.
  schema.index({ nextCheckAt: 1 });
  // The KPI rollups' changed issues (server/kpi/kpi-rollup.store.ts): every event moves updatedAt.
  schema.index({ updatedAt: 1 });
  return conn.model<IssueDoc>('Issue', schema);
}
