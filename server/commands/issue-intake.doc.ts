// The stored document of a new issue, built directly in the shape the issue schema stores (ids as ObjectIds,
// every schema default present), so intake can insert it through the driver instead of constructing,
// validating and converting a mongoose document. Its parts are already valid by construction: the request
// passed the shared zod schema, the lifecycle fields come from the shared state machine, the enterprise from
// the database. The few invariants a type cannot carry are checked here, and a test holds this shape equal to
// what mongoose makes of the same input (test/api/issues/intake-doc.test.ts), so the two cannot drift apart.
import { Types } from 'mongoose';
import type { IssueCore } from '../../shared/lifecycle/issue-core.ts';
import { charCount, LIMITS } from '../../shared/schemas.ts';
import type { EnterpriseDoc } from '../models/index.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/issue.model.ts';
import { coreFields, type CoreFields } from './issue-store.ts';
import { searchTermsOf } from '../text/search-terms.ts';

/** The intake facts, as the issue stores them; the lifecycle comes as the shared core. */
export type IntakeIssueParts = Pick<
  IssueDoc,
  | 'number'
  | 'channel'
  | 'externalId'
  | 'title'
  | 'content'
  | 'contact'
  | 'sources'
  | 'classification'
  | 'routing'
  | 'unitName'
  | 'timeline'
  | 'createdBy'
> &
  Partial<Pick<IssueDoc, 'possibleRepeat' | 'inboxId' | 'raisedAt'>> & {
    core: IssueCore;
    now: Date;
    enterprise: Pick<EnterpriseDoc, '_id' | 'name' | 'creditCode' | 'region'> &
      Partial<Pick<EnterpriseDoc, 'township'>>;
  };

const NUMBER = /^HZ-\d{4}-\d{6,}$/;
const oid = (id: string | Types.ObjectId) => (typeof id === 'string' ? new Types.ObjectId(id) : id);
const oidOrNull = (id: string | Types.ObjectId | null) => (id === null ? null : oid(id));

/** A timeline event as stored: the schema's defaults filled in, absent optional fields left out. */
export function storedEvent(e: StoredTimelineEvent): StoredTimelineEvent {
  return {
    at: e.at,
    actorId: e.actorId,
    actorRole: e.actorRole,
    actorName: e.actorName ?? '',
    action: e.action,
    fromState: e.fromState ?? null,
    toState: e.toState,
    ...(e.note !== undefined ? { note: e.note } : {}),
    public: e.public,
    ...(e.data !== undefined ? { data: e.data } : {}),
  };
}

const ID_FIELDS = ['unitId', 'mergedInto'] as const;
const ID_LIST_FIELDS = ['coUnitIds', 'returnedFrom', 'consultUnitIds'] as const;

type StoredLifecycle = Omit<CoreFields, (typeof ID_FIELDS)[number] | (typeof ID_LIST_FIELDS)[number]> &
  Record<(typeof ID_FIELDS)[number], Types.ObjectId | null> &
  Record<(typeof ID_LIST_FIELDS)[number], Types.ObjectId[]>;

/**
 * Lifecycle fields, all of coreFields or some of them (a `$set`), as the schema stores them: unit and issue
 * ids cast to ObjectIds, the deadlines copied, the rest as they are (the escalation sweep writes its `$set`s
 * through this too).
 */
export function storedLifecycleFields(set: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...set };
  for (const k of ID_FIELDS) if (k in out) out[k] = oidOrNull(out[k] as string | null);
  for (const k of ID_LIST_FIELDS) if (k in out) out[k] = (out[k] as string[]).map(oid);
  if (out.deadlines) out.deadlines = { ...(out.deadlines as object) };
  return out;
}

const storedLifecycle = (core: IssueCore, now: Date) =>
  storedLifecycleFields(coreFields(core, now)) as unknown as StoredLifecycle;

/** Throws on what the types cannot promise (the schema's string limits and the number format). */
function checkInvariants(p: IntakeIssueParts): void {
  const bad = (what: string) => new Error(`intake: invalid ${what}`);
  if (!NUMBER.test(p.number)) throw bad('number');
  if (!p.title || charCount(p.title) > LIMITS.title) throw bad('title');
  if (!p.content || charCount(p.content) > LIMITS.storedContent) throw bad('content');
  if (!p.timeline.length) throw bad('timeline');
}

/**
 * The fields an issue stores first, in this order: everything a list row (ISSUE_SUMMARY_FIELDS) and the QR
 * page's summary read, and the version. The embedded store keeps documents packed and unpacks a read only as
 * far as the last field its projection names, so a list row stops here (about 750 bytes in; a new issue has
 * about 2.4 KB, an old one more) instead of walking past the intake text, the classification and the
 * lifecycle's notes. The rest of the lifecycle follows (what the sweep and the KPI rollups read), then the
 * intake text, and the timeline last. Fields set later (assignee, class problem, possible repeat) are stored
 * as null from the start, so a later `$set` changes them where they stand.
 */
export const ISSUE_HEAD_FIELDS = Object.freeze([
  '_id',
  'state',
  'urgency',
  'category',
  'unitId',
  'tier',
  'warning',
  'number',
  'title',
  'enterpriseId',
  'enterpriseName',
  'region',
  'channel',
  'unitName',
  'assigneeId',
  'assigneeName',
  'dueAt',
  'urged',
  'supervised',
  'bulletined',
  'redoCount',
  'possibleRepeat',
  'classProblemId',
  'deadlines',
  'triage',
  'rating',
  'closedAt',
  'createdAt',
  'updatedAt',
  'version',
] as const satisfies readonly (keyof IssueDoc)[]);

/** `doc` with ISSUE_HEAD_FIELDS first; its other fields follow in their own order. */
export function inStoredOrder<T extends object>(doc: T): T {
  const out: Record<string, unknown> = {};
  const fields = doc as Record<string, unknown>;
  for (const k of ISSUE_HEAD_FIELDS) if (k in fields) out[k] = fields[k];
  return Object.assign(out, doc) as T;
}

/** The issue as inserted: ISSUE_HEAD_FIELDS first, the timeline last (most of an issue's bytes). */
export function storedIntakeIssue(p: IntakeIssueParts & { _id?: Types.ObjectId }): IssueDoc {
  checkInvariants(p);
  const lifecycle = storedLifecycle(p.core, p.now);
  return inStoredOrder({
    _id: p._id ?? new Types.ObjectId(),
    ...lifecycle,
    number: p.number,
    enterpriseId: p.enterprise._id,
    enterpriseName: p.enterprise.name,
    enterpriseCreditCode: p.enterprise.creditCode,
    region: p.enterprise.region,
    ...(p.enterprise.township ? { township: p.enterprise.township } : {}),
    channel: p.channel,
    ...(p.externalId ? { externalId: p.externalId } : {}),
    title: p.title,
    content: p.content,
    contact: p.contact ?? null,
    inboxId: p.inboxId ?? null,
    raisedAt: p.raisedAt ?? null,
    sources: p.sources ?? [],
    classification: {
      source: p.classification.source,
      confidence: p.classification.confidence,
      alternatives: p.classification.alternatives.map((a) => ({ ...a })),
      modelVersion: p.classification.modelVersion,
      human: p.classification.human,
    },
    routing: { source: p.routing.source },
    unitName: p.unitName,
    mergedFrom: [],
    possibleRepeat: p.possibleRepeat ?? null,
    assigneeId: lifecycle.assigneeId ?? null,
    assigneeName: null,
    classProblemId: null,
    version: 1,
    createdBy: p.createdBy,
    createdAt: p.now,
    searchTerms: searchTermsOf(p.title, p.content, p.enterprise.name),
    timeline: p.timeline.map(storedEvent),
  });
}
