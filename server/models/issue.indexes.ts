// The issue collection's indexes, each key pattern named for the reads it serves: a query that must not be
// left to the planner's trial names its index in a `hint`, and the staff list, the workbench's counts and the
// desks' queues are each an equality prefix followed by the list's order, so a page or a count reads about as
// many keys as it answers. The schema (issue.model.ts) declares them all through defineListIndexes and the
// phone indexes below; `ensureIndexes` (models/index.ts) builds them and drops the retired ones.
import type { Schema } from 'mongoose';
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
import type { IssueDoc } from './issue.model.ts';

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
export function defineListIndexes(schema: Schema<IssueDoc>): void {
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
