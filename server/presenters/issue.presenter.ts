// The staff view of an issue: exactly these fields leave the server. The full view carries the whole timeline,
// internal notes included (staff only: the public QR page has its own presenter); the summary is for lists; a
// desk card (shared/issue-card.ts) is the summary and what its queues show, presented as the full view does.
import type { CardFacts, IssueCardKey } from '../../shared/issue-card.ts';
import type { Actor } from '../../shared/roles.ts';
import { runningDeadline } from '../../shared/running-deadline.ts';
import {
  extensionLimits,
  type Deadlines,
  type TimeLimitPolicy,
  type TriageDeadlines,
} from '../../shared/sla.ts';
import {
  messagesOf,
  type IssueContact,
  type IssueDoc,
  type IssueMessage,
  type StoredTimelineEvent,
} from '../models/issue.model.ts';
import { canViewIssueContact } from '../policies/index.ts';
import { POSSIBLE_REPEAT } from '../intake/issue-from-message.ts';
import { maskEmail, maskMobile, maskPersonName } from './enterprise-public.presenter.ts';

type Id = { toString(): string } | null | undefined;
const id = (v: Id): string | null => (v ? String(v) : null);
const ids = (v: readonly Id[] | undefined): string[] => (v ?? []).map((x) => String(x));

export function presentDeadlines(d: Deadlines | null | undefined) {
  if (!d) return null;
  return {
    startAt: d.startAt,
    signBy: d.signBy,
    contactBy: d.contactBy,
    resolveBy: d.resolveBy,
    yellowAt: d.yellowAt,
    redAt: d.redAt,
    overdueAt: d.overdueAt,
    basis: d.basis,
    pausedAt: d.pausedAt ?? null,
  };
}

/** The triage clock of an issue waiting in 待受理: its light turns yellow, red (at `dueAt`) and overdue. */
function presentTriage(t: TriageDeadlines | null | undefined) {
  if (!t) return null;
  return { startAt: t.startAt, yellowAt: t.yellowAt, dueAt: t.dueAt, overdueAt: t.overdueAt };
}

function presentEvent(e: StoredTimelineEvent) {
  return {
    at: e.at,
    action: e.action,
    actorId: e.actorId,
    actorName: e.actorName,
    actorRole: e.actorRole,
    fromState: e.fromState ?? null,
    toState: e.toState,
    note: e.note ?? null,
    public: e.public,
    data: e.data ?? null,
  };
}

/** How much of a writer's contact the reader gets (policies: canViewIssueContact). */
export type ContactView = 'full' | 'masked';

export const contactViewOf = (actor: Actor): ContactView => (canViewIssueContact(actor) ? 'full' : 'masked');

/**
 * A masked contact says that someone wrote in and by which means, without the means: the surname, 139****1234,
 * z***@example.cn, and for a WeChat follower only that there is one.
 */
function presentContact(c: IssueContact | null | undefined, view: ContactView) {
  if (!c) return null;
  if (view === 'full') return c;
  return {
    ...(c.name ? { name: maskPersonName(c.name) } : {}),
    ...(c.phone ? { phone: maskMobile(c.phone) } : {}),
    ...(c.phoneText ? { phoneText: '***' } : {}),
    ...(c.email ? { email: maskEmail(c.email) } : {}),
    ...(c.openid ? { openid: '***' } : {}),
    masked: true,
  };
}

/** Every message behind the issue (personal data: staff who may read the issue only). */
function presentSource(s: IssueMessage, view: ContactView) {
  return {
    inboxId: s.inboxId ? String(s.inboxId) : null,
    channel: s.channel,
    externalId: s.externalId ?? null,
    receivedAt: s.receivedAt,
    title: s.title,
    content: s.content,
    contact: presentContact(s.contact, view),
  };
}

/**
 * What a list row reads of a stored issue, and all it reads: the list fetches only these fields (a stored
 * issue's text, deadlines, classification and sources are most of its bytes, and each one fetched is decoded
 * twice, by the database and by the driver, for nothing).
 */
export const ISSUE_SUMMARY_FIELDS = {
  _id: 1,
  number: 1,
  title: 1,
  state: 1,
  category: 1,
  urgency: 1,
  channel: 1,
  enterpriseId: 1,
  enterpriseName: 1,
  region: 1,
  unitId: 1,
  unitName: 1,
  assigneeId: 1,
  assigneeName: 1,
  tier: 1,
  warning: 1,
  dueAt: 1,
  urged: 1,
  supervised: 1,
  bulletined: 1,
  redoCount: 1,
  possibleRepeat: 1,
  // What `running` is computed from.
  deadlines: 1,
  triage: 1,
  rating: 1,
  createdAt: 1,
  updatedAt: 1,
} as const satisfies Partial<Record<keyof IssueDoc, 1>>;

/** A stored issue as the list reads it. */
export type IssueSummaryDoc = Pick<IssueDoc, keyof typeof ISSUE_SUMMARY_FIELDS>;

/** For lists: what a row of the workbench shows. */
export function presentIssueSummary(doc: IssueSummaryDoc) {
  return {
    id: String(doc._id),
    number: doc.number,
    title: doc.title,
    state: doc.state,
    category: doc.category,
    urgency: doc.urgency,
    channel: doc.channel,
    enterprise: { id: String(doc.enterpriseId), name: doc.enterpriseName },
    region: doc.region,
    unitId: id(doc.unitId),
    unitName: doc.unitName ?? null,
    assigneeId: doc.assigneeId ?? null,
    assigneeName: doc.assigneeName ?? null,
    tier: doc.tier,
    warning: doc.warning,
    dueAt: doc.dueAt ?? null,
    /** The deadline running in the issue's state, with its light's instants (shared/running-deadline.ts). */
    running: runningDeadline(doc),
    urged: doc.urged,
    supervised: doc.supervised,
    bulletined: doc.bulletined,
    redoCount: doc.redoCount,
    // 可能重复: the open issue intake found this one may repeat, while the dispatcher merges or keeps it. Once
    // dispatched it is decided, and the other issue may be another unit's, which this issue's unit may not read.
    possibleRepeat:
      doc.possibleRepeat && doc.state === 'received'
        ? {
            id: String(doc.possibleRepeat.issueId),
            number: doc.possibleRepeat.number,
            title: doc.possibleRepeat.title,
            score: doc.possibleRepeat.score,
          }
        : null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/**
 * What a desk card reads of a stored issue besides the list row's fields (shared/issue-card.ts): no timeline, no
 * messages. `returnCount` and `staffAttachmentCount` say whether a card needs the timeline's last steps.
 */
export const ISSUE_CARD_FIELDS = {
  ...ISSUE_SUMMARY_FIELDS,
  content: 1,
  contact: 1,
  township: 1,
  classification: 1,
  returnedFrom: 1,
  pendingApproval: 1,
  rateBy: 1,
  reply: 1,
  consultation: 1,
  classProblemId: 1,
  callbackAttempts: 1,
  version: 1,
  returnCount: 1,
  staffAttachmentCount: 1,
} as const satisfies Partial<Record<keyof IssueDoc | 'staffAttachmentCount', 1>>;

/** A stored issue as a desk card reads it (the store's count of staff files is not part of IssueDoc). */
export type IssueCardDoc = Pick<IssueDoc, Exclude<keyof typeof ISSUE_CARD_FIELDS, 'staffAttachmentCount'>> & {
  staffAttachmentCount?: number;
};

/**
 * The fields a card shares with the full view, presented alike (so a card never shows more than the detail).
 * Added onto the fresh row with Object.assign, not spread into a literal: V8 builds `{ ...row, more }` key by
 * key on its slow path, 1–2 ms a page of 20 cards against 0.05 ms (measured in isolation).
 */
function presentCardFields(doc: Omit<IssueCardDoc, 'staffAttachmentCount'>, contactView: ContactView) {
  return Object.assign(presentIssueSummary(doc), {
    content: doc.content,
    contact: presentContact(doc.contact, contactView),
    enterprise: { id: String(doc.enterpriseId), name: doc.enterpriseName },
    /** The enterprise's township as intake routed by it (the desk's routing suggestion reads it), or null. */
    township: doc.township || null,
    classification: doc.classification,
    /** Units whose 退单 the centre accepted: a consultation convenes them too, to settle whose it is. */
    returnedFrom: ids(doc.returnedFrom),
    deadlines: presentDeadlines(doc.deadlines),
    pendingApproval: doc.pendingApproval ?? null,
    rating: doc.rating ?? null,
    rateBy: doc.rateBy ?? null,
    reply: doc.reply ?? null,
    consultation: doc.consultation ?? null,
    classProblemId: doc.classProblemId ? String(doc.classProblemId) : null,
    callbackAttempts: doc.callbackAttempts,
    version: doc.version,
  }) satisfies Record<IssueCardKey, unknown>;
}

/** A desk card (GET /api/issues?queue=…&view=cards): the card's fields and what it says from the timeline. */
export function presentIssueCard(doc: IssueCardDoc, contactView: ContactView, facts: CardFacts) {
  return Object.assign(presentCardFields(doc, contactView), facts);
}

/** The full staff view of GET /api/issues/:id and of every action's answer. */
export function presentIssue(doc: IssueDoc, contactView: ContactView, policy: TimeLimitPolicy) {
  return Object.assign(presentCardFields(doc, contactView), {
    externalId: doc.externalId ?? null,
    /** 来件时间: when the enterprise raised it on the forwarding platform (12345, 浙里办, 好差评, SMS), if it said. */
    raisedAt: doc.raisedAt ?? null,
    sources: messagesOf(doc).map((src) => presentSource(src, contactView)),
    enterprise: {
      id: String(doc.enterpriseId),
      name: doc.enterpriseName,
      creditCode: doc.enterpriseCreditCode,
    },
    coUnitIds: ids(doc.coUnitIds),
    level: doc.level ?? null,
    // Kept after dispatch as history; the desk shows it while the issue waits in 待受理.
    triage: presentTriage(doc.triage),
    escalated: doc.escalated,
    returnCount: doc.returnCount,
    extensionCount: doc.extensionCount,
    // What a 申请延期 may ask for under the policy in force (the form's default and hint).
    extension: extensionLimits(doc, policy),
    reopenCount: doc.reopenCount,
    callbackRequested: doc.callbackRequested,
    ratingHistory: doc.ratingHistory ?? [],
    mergedInto: id(doc.mergedInto),
    mergedFrom: ids(doc.mergedFrom),
    rejectReason: doc.rejectReason ?? null,
    signedAt: doc.signedAt ?? null,
    signedLate: doc.signedLate ?? null,
    repliedAt: doc.repliedAt ?? null,
    closedAt: doc.closedAt ?? null,
    timeline: (doc.timeline ?? []).map((e) => presentEvent(decided(doc, e))),
  });
}

/**
 * The 可能重复 note once the issue left 待受理: the dispatcher has decided, and the issue it named may be another
 * unit's, which this issue's unit may not read (as possibleRepeat above); it says only that there was one.
 */
function decided(doc: IssueDoc, e: StoredTimelineEvent): StoredTimelineEvent {
  if (doc.state === 'received' || e.data?.kind !== POSSIBLE_REPEAT) return e;
  return {
    ...e,
    note: '可能重复：入件时与本企业另一问题相似，已由分办员核实后分办',
    data: { kind: POSSIBLE_REPEAT },
  };
}

/** The answer to POST /api/issues (DESIGN §10). */
export function presentIssueCreated(doc: IssueDoc, redelivered: boolean) {
  return {
    id: String(doc._id),
    number: doc.number,
    state: doc.state,
    category: doc.category,
    urgency: doc.urgency,
    unitId: id(doc.unitId),
    deadlines: presentDeadlines(doc.deadlines),
    redelivered,
  };
}
