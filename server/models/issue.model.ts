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
  AWAITING_RATING,
  defineListIndexes,
  RATING_PHONE_INDEX,
  RATING_SOURCE_PHONE_INDEX,
} from './issue.indexes.ts';
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

/** The Issue model on `conn`: the schema with its indexes (issue.indexes.ts), built by ensureIndexes. */
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
