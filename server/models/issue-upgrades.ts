// One-time upgrades of the issues a database already holds, for fields a newer version stores. Start-up runs
// them after the indexes and before any job or request touches an issue; each runs once per database and is
// recorded in the `upgrades` collection, so a later start costs one read.
//
// sendBackCount (the "returned" queue counts it from index keys instead of testing every timeline; a reply
// resets it, as the queue holds replies still to be redone): issues stored before it carry their send-backs
// only as timeline events. The open ones, the only ones the queue
// can hold, get the count here, read through the state index (reading every issue's timeline took 144 s at
// 1,000,000 issues). A finished one keeps the field missing: `toCore` counts its timeline, so the count is
// right whenever an action next changes it, and an issue reopened later is listed again once its new reply
// is sent back (not for a send-back of its finished round, as the timeline condition used to list it). Counts
// stored before a reply reset them are recounted the same way, once.
//
// assigneeId (a unit head's load counts each person's open issues from index keys): signing for an issue makes
// the signer its assignee, but issues signed for before the field carry their signer only on the timeline.
// Each open issue past its sign-for without an assignee gets its last signer, so the load, and the signer's
// own "mine" queue, count it like any other.
//
// signedLate on unsigned issues (及时签收率 counts an issue past its sign-for limit unsigned as a miss): the
// sweep's 催签 marks it now; issues whose 催签 came before are marked here.
//
// 超期 in the KPI rollups (kpi-rollup.ts) counts every open issue past its deadline, red or 已超期; the days
// stored before counted 已超期 only, and the sweep moved updatedAt only when an issue turned 已超期. Only days
// holding an open red issue count differently, so each open red issue's updatedAt is moved once: the rollups
// rebuild those days (every read before the job's next pass, then the job) and no other, where a new rollup
// format would have the first build read every issue again (minutes at 1,000,000 issues, the dashboard's large
// periods answering 503 kpi_building meanwhile).
//
// township on enterprises (intake routes a local matter to the enterprise's 乡镇/街道 first): enterprises
// registered before it get the township their address names, once; the rest stay without one for staff to set.
// Open issues taken in before intake copied the township onto the issue (as it copies the region) get their
// enterprise's, so the desk's suggestion and 重新分类's preview route them as intake and reclassify do.
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { OPEN_STATES, type IssueState } from '../../shared/states.ts';
import { townshipInAddress } from '../../config/units.ts';
import { dropSelfBoundFollowers } from '../enterprises/self-bound-followers.upgrade.ts';
import type { Models } from './index.ts';
import { NEWEST_FIRST } from './issue.indexes.ts';

const UPGRADES = 'upgrades';
const BATCH = 1_000;
/**
 * Each step reads the open issues of some states through the list's state index. Named, because the planner's
 * trial read 10,000 issues of each candidate index (timelines decoded) in the first batch, holding the
 * database for 2.4–2.7 s at 1,000,000 issues.
 */
const BY_STATE = { state: 1, ...NEWEST_FIRST };

type TimelineActions = { action: string; actorId?: string; actorName?: string }[];

/** Send-backs since the last reply on a timeline (how issues stored before `sendBackCount` carry them). */
export function unansweredSendBacks(timeline: readonly { action: string }[] | undefined): number {
  let n = 0;
  for (const event of timeline ?? []) {
    if (event.action === 'send_back') n++;
    else if (event.action === 'reply') n = 0;
  }
  return n;
}

/**
 * Sets `setOf(doc)` on each issue (or, given `enterprises`, each enterprise) `filter` finds, in bulks of guarded
 * updates: `guard` still holds for a document nothing has written since the read (one that has set the field
 * itself keeps its own). Returns how many changed.
 */
async function setEach(
  models: Models,
  filter: Document,
  projection: Document,
  guard: Document,
  setOf: (doc: Document) => Document | undefined,
  enterprises = false,
): Promise<number> {
  const docs = enterprises ? models.Enterprise.collection : models.Issue.collection;
  let ops: AnyBulkWriteOperation[] = [];
  let changed = 0;
  const flush = async () => {
    if (ops.length) changed += (await docs.bulkWrite(ops, { ordered: false })).modifiedCount;
    ops = [];
  };
  const hint = enterprises ? undefined : BY_STATE;
  for await (const doc of docs.find(filter, { projection, batchSize: BATCH, hint })) {
    const set = setOf(doc);
    if (set) ops.push({ updateOne: { filter: { _id: doc._id, ...guard }, update: { $set: set } } });
    if (ops.length === BATCH) await flush();
  }
  await flush();
  return changed;
}

const backfillSendBackCounts = (models: Models) =>
  setEach(
    models,
    { state: { $in: OPEN_STATES }, sendBackCount: { $exists: false }, 'timeline.action': 'send_back' },
    { 'timeline.action': 1 },
    { sendBackCount: { $exists: false } },
    (doc) => ({ sendBackCount: unansweredSendBacks(doc.timeline as TimelineActions) }),
  );

/** Open issues whose count kept send-backs the unit had answered since (a reply did not reset it then). */
const forgetAnsweredSendBacks = (models: Models) =>
  setEach(
    models,
    { state: { $in: OPEN_STATES }, sendBackCount: { $gt: 0 } },
    { sendBackCount: 1, 'timeline.action': 1 },
    { sendBackCount: { $gt: 0 } },
    (doc) => {
      const count = unansweredSendBacks(doc.timeline as TimelineActions);
      return count === doc.sendBackCount ? undefined : { sendBackCount: count };
    },
  );

/** States an issue reaches only after a unit signed for it (or consulted on it). */
const SIGNED_STATES: IssueState[] = ['in_progress', 'suspended', 'consulting', 'replied', 'awaiting_rating'];

const backfillAssignees = (models: Models) =>
  setEach(
    models,
    { state: { $in: SIGNED_STATES }, assigneeId: null, 'timeline.action': 'sign' },
    { 'timeline.action': 1, 'timeline.actorId': 1, 'timeline.actorName': 1 },
    { assigneeId: null },
    (doc) => {
      const sign = (doc.timeline as TimelineActions).findLast((e) => e.action === 'sign');
      return sign && { assigneeId: sign.actorId, assigneeName: sign.actorName ?? null };
    },
  );

/** Unsigned issues whose 催签 was sent before it marked them `signedLate` (及时签收率 counts them as misses). */
const markUnsignedLate = (models: Models) =>
  setEach(
    models,
    { state: 'dispatched', signedLate: null, 'deadlines.signUrgedAt': { $ne: null } },
    { _id: 1 },
    { state: 'dispatched', signedLate: null },
    () => ({ signedLate: true }),
  );

/** Open red issues: the KPI rollups rebuild their days, now counting them as 超期. */
const recountRedInRollups = (models: Models, now: Date) =>
  setEach(
    models,
    { state: { $in: OPEN_STATES }, warning: 'red' },
    { _id: 1 },
    { warning: 'red', updatedAt: { $lt: now } },
    () => ({ updatedAt: now }),
  );

/** Enterprises stored before they had a township: the one their address names, if any (enterprise-township.ts). */
const townshipsFromAddresses = (models: Models) =>
  setEach(
    models,
    { township: { $exists: false }, address: { $nin: ['', null] } },
    { region: 1, address: 1 },
    { township: { $exists: false } },
    (doc) => {
      const township = townshipInAddress(String(doc.region), String(doc.address));
      return township ? { township } : undefined;
    },
    true,
  );

/** Open issues of an enterprise with a township, taken in before issues carried it: the enterprise's. */
async function townshipsOnOpenIssues(models: Models): Promise<number> {
  const issues = models.Issue.collection;
  const missing = { township: { $exists: false } };
  let changed = 0;
  let batch: Document[] = [];
  const flush = async () => {
    const ents = await models.Enterprise.collection
      .find({ _id: { $in: batch.map((i) => i.enterpriseId) }, township: { $nin: ['', null] } } as Document, {
        projection: { township: 1 },
      })
      .toArray();
    const townshipOf = new Map(ents.map((e) => [String(e._id), String(e.township)]));
    const ops: AnyBulkWriteOperation[] = batch.flatMap((i) => {
      const township = townshipOf.get(String(i.enterpriseId));
      return township
        ? [{ updateOne: { filter: { _id: i._id, ...missing }, update: { $set: { township } } } }]
        : [];
    });
    if (ops.length) changed += (await issues.bulkWrite(ops, { ordered: false })).modifiedCount;
    batch = [];
  };
  const open = { state: { $in: OPEN_STATES }, ...missing };
  for await (const doc of issues.find(open, {
    projection: { enterpriseId: 1 },
    batchSize: BATCH,
    hint: BY_STATE,
  })) {
    batch.push(doc);
    if (batch.length === BATCH) await flush();
  }
  if (batch.length) await flush();
  return changed;
}

/** A one-time step: its id in `upgrades`, and the work, which returns how many issues it changed. */
export interface UpgradeStep {
  id: string;
  run: (models: Models, now: Date) => Promise<number>;
}

const UPGRADE_STEPS: readonly UpgradeStep[] = [
  { id: 'issue.sendBackCount', run: backfillSendBackCounts },
  { id: 'issue.sendBackAnswered', run: forgetAnsweredSendBacks },
  { id: 'issue.assigneeFromSign', run: backfillAssignees },
  { id: 'issue.unsignedLate', run: markUnsignedLate },
  { id: 'kpi.redIsOverdue', run: recountRedInRollups },
  { id: 'enterprise.township', run: townshipsFromAddresses },
  { id: 'issue.township', run: townshipsOnOpenIssues },
  // WeChat followers that became accepted by sending a credit code (fixed by 236f447): its own header.
  { id: 'enterprise.selfBoundFollowers', run: dropSelfBoundFollowers },
];

/** Runs the upgrades this database has not had; returns how many issues each one changed. */
export const upgradeStoredIssues = (models: Models, now: Date) => runOnce(models, UPGRADE_STEPS, now);

/**
 * Runs each step this database has not had (one read of `upgrades`), then records it; returns how many issues
 * each one that ran changed. Also the deadline recompute after a rule change (jobs/deadline-recompute.job.ts).
 */
export async function runOnce(
  models: Models,
  steps: readonly UpgradeStep[],
  now: Date,
): Promise<Record<string, number>> {
  const done = models.Issue.db.collection<{ _id: string; at: Date; issues: number }>(UPGRADES);
  const had = new Set((await done.find({}, { projection: { _id: 1 } }).toArray()).map((r) => r._id));
  const changed: Record<string, number> = {};
  for (const step of steps) {
    if (had.has(step.id)) continue;
    changed[step.id] = await step.run(models, now);
    // Two processes starting together may both run a step: each write is guarded, so the second changes nothing.
    await done.updateOne(
      { _id: step.id },
      { $setOnInsert: { at: now, issues: changed[step.id] } },
      { upsert: true },
    );
  }
  return changed;
}
