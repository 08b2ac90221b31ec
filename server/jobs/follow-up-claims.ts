// The claim ledger's operations for the escalation sweep, each one round trip for a whole batch of issues (a
// few more only where another sweeper got there first), because at scale the sweep's cost is durable round
// trips, not work: take (issue, step, due instant) claims by inserting their rows (the unique index refuses
// a second one), take over claims whose holder stopped before finishing, mark them applied or give them
// back, and repair claims a crash left behind.
// The issue write stays the authority on what fired (see escalation-sweep.job.ts); these rows keep two
// sweepers off the same firing and record every firing once.
import { Types, type AnyBulkWriteOperation } from 'mongoose';
import type { Models } from '../models/index.ts';
import type { ClaimedStep, FollowUpClaimDoc } from '../models/follow-up-claim.model.ts';
import type { StoredTimelineEvent } from '../models/issue.model.ts';

export interface ClaimKey {
  issueId: Types.ObjectId;
  step: ClaimedStep;
  dueAt: Date;
}

export interface ClaimLease {
  owner: string;
  /** Lease time (the database's clock in production): stamps claims and judges them stale. */
  now: Date;
  /** A `claimed` row older than this was left by a sweeper that stopped; another may take it over. */
  leaseMs: number;
}

const DUPLICATE_KEY = 11000;

interface WriteErrorLike {
  index: number;
  code?: unknown;
}

/** The per-row errors of an unordered write, or null when the whole command failed. */
export function writeErrorsOf(err: unknown): WriteErrorLike[] | null {
  const list = (err as { writeErrors?: WriteErrorLike | WriteErrorLike[] } | null)?.writeErrors;
  if (!list) return null;
  return Array.isArray(list) ? list : [list];
}

const claimKey = (k: Pick<ClaimKey, 'issueId' | 'step' | 'dueAt'>) =>
  `${String(k.issueId)}:${k.step}@${new Date(k.dueAt).getTime()}`;

const staleBefore = (lease: ClaimLease) => new Date(lease.now.getTime() - lease.leaseMs);

/**
 * Inserts the rows unordered; returns the indexes the unique index refused (held or applied already). Any
 * other failure throws: rows it may have written are `claimed` by this owner, which its next pass takes up
 * again, another sweeper takes over after the lease, and the repair pass releases once they are not due.
 */
async function insertClaims(models: Models, rows: readonly object[]): Promise<Set<number>> {
  try {
    await models.FollowUpClaim.insertMany(rows, { ordered: false, lean: true });
    return new Set();
  } catch (err) {
    const errors = writeErrorsOf(err);
    if (!errors || errors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
    return new Set(errors.map((e) => e.index));
  }
}

/**
 * Of the refused keys, those this sweeper may hold after all: its own row from an earlier attempt or pass,
 * or a row whose holder stopped (older than the lease). The update re-checks that per row, so of two
 * sweepers taking over the same stale row only the first matches; the read-back says which rows are ours.
 */
async function takeOver(
  models: Models,
  keys: readonly ClaimKey[],
  lease: ClaimLease,
): Promise<Map<string, Types.ObjectId>> {
  const before = staleBefore(lease);
  const rows = await models.FollowUpClaim.find(
    { $or: keys.map((k) => ({ issueId: k.issueId, step: k.step, dueAt: k.dueAt })) },
    { status: 1, owner: 1, claimedAt: 1 },
  ).lean<Pick<FollowUpClaimDoc, '_id' | 'status' | 'owner' | 'claimedAt'>[]>();
  const ids = rows
    .filter((r) => r.status === 'claimed' && (r.owner === lease.owner || r.claimedAt <= before))
    .map((r) => r._id);
  if (!ids.length) return new Map();
  await models.FollowUpClaim.updateMany(
    { _id: { $in: ids }, status: 'claimed', $or: [{ owner: lease.owner }, { claimedAt: { $lte: before } }] },
    { $set: { owner: lease.owner, claimedAt: lease.now } },
  );
  const mine = await models.FollowUpClaim.find(
    { _id: { $in: ids }, status: 'claimed', owner: lease.owner, claimedAt: lease.now },
    { issueId: 1, step: 1, dueAt: 1 },
  ).lean<Pick<FollowUpClaimDoc, '_id' | 'issueId' | 'step' | 'dueAt'>[]>();
  return new Map(mine.map((r) => [claimKey(r), r._id]));
}

/**
 * Claims many (issue, step, due instant) keys at once: one unordered insert, and for the keys it refused
 * one look at who holds them. Returns, per key, the claim's id when this sweeper now holds it, or null when
 * another sweeper holds it or it was applied already.
 */
export async function claimSteps(
  models: Models,
  keys: readonly ClaimKey[],
  lease: ClaimLease,
): Promise<Array<Types.ObjectId | null>> {
  if (!keys.length) return [];
  const rows = keys.map((k) => ({
    _id: new Types.ObjectId(),
    issueId: k.issueId,
    step: k.step,
    dueAt: k.dueAt,
    status: 'claimed' as const,
    owner: lease.owner,
    claimedAt: lease.now,
    appliedAt: null,
    issueVersion: null,
  }));
  const refused = await insertClaims(models, rows);
  const ids: Array<Types.ObjectId | null> = rows.map((r, i) => (refused.has(i) ? null : r._id));
  if (refused.size) {
    const taken = await takeOver(
      models,
      [...refused].map((i) => keys[i]),
      lease,
    );
    for (const i of refused) ids[i] = taken.get(claimKey(keys[i])) ?? null;
  }
  return ids;
}

export interface AppliedClaim {
  id: Types.ObjectId;
  /** The issue version the step's event was written at. */
  issueVersion: number;
}

/**
 * Settles a batch's claims in one round trip: those whose events are in committed issues are done for good
 * (`applied`); those taken but not used (the step stopped being due, or the write kept losing to people) are
 * given back, so the step can fire if it falls due again. The applied rows go in one statement per issue
 * version they were written at (a batch's issues share a few dozen), the unused in one, rather than one
 * statement per row, each cast, sent, parsed and planned on its own (about 460 for a batch of 250 issues).
 */
export async function settleClaims(
  models: Models,
  claims: { applied: readonly AppliedClaim[]; unused: readonly Types.ObjectId[] },
  lease: Pick<ClaimLease, 'owner' | 'now'>,
): Promise<void> {
  const byVersion = new Map<number, Types.ObjectId[]>();
  for (const c of claims.applied) {
    const ids = byVersion.get(c.issueVersion);
    if (ids) ids.push(c.id);
    else byVersion.set(c.issueVersion, [c.id]);
  }
  const ops: AnyBulkWriteOperation<FollowUpClaimDoc>[] = [...byVersion].map(([issueVersion, ids]) => ({
    updateMany: {
      filter: { _id: { $in: ids } },
      update: { $set: { status: 'applied', appliedAt: lease.now, issueVersion } },
    },
  }));
  if (claims.unused.length) {
    const unused = { _id: { $in: [...claims.unused] }, owner: lease.owner, status: 'claimed' as const };
    ops.push({ deleteMany: { filter: unused } });
  }
  if (ops.length) await models.FollowUpClaim.bulkWrite(ops, { ordered: false });
}

function sameInstant(a: unknown, b: Date): boolean {
  return (a instanceof Date || typeof a === 'string') && new Date(a).getTime() === b.getTime();
}

/** Whether the issue's timeline holds the event a claim stands for. */
export function eventFor(
  timeline: readonly Pick<StoredTimelineEvent, 'action' | 'data'>[],
  claim: Pick<FollowUpClaimDoc, 'step' | 'dueAt'>,
): boolean {
  // A step fired through another action (the consultation reminder is an urge) names itself in `data.step`.
  return timeline.some(
    (e) => (e.data?.step ?? e.action) === claim.step && sameInstant(e.data?.dueAt, claim.dueAt),
  );
}

export interface FiredIndexIssue {
  _id: Types.ObjectId;
  version: number;
  nextCheckAt: Date | null;
  /** Only each event's action and due instant: enough to recognise a sweep's firing. */
  timeline: Array<Pick<StoredTimelineEvent, 'action' | 'data'>>;
}

/** What is needed to tell whether a step's write committed, for many issues in one read. */
export async function loadFiredIndex(
  models: Models,
  issueIds: readonly Types.ObjectId[],
): Promise<Map<string, FiredIndexIssue>> {
  if (!issueIds.length) return new Map();
  const issues = await models.Issue.find(
    { _id: { $in: issueIds } },
    { version: 1, nextCheckAt: 1, 'timeline.action': 1, 'timeline.data.dueAt': 1, 'timeline.data.step': 1 },
  ).lean<FiredIndexIssue[]>();
  return new Map(issues.map((i) => [String(i._id), i]));
}

const REPAIR_CHUNK = 500;

/**
 * One chunk of stale claims settled with one read of their issues and one write. `now` stamps the rows;
 * `dueNow` (business time) says whether an issue is still waiting for the sweep.
 */
async function repairChunk(
  models: Models,
  claims: readonly FollowUpClaimDoc[],
  now: Date,
  dueNow: Date,
): Promise<number> {
  const issues = await loadFiredIndex(models, [
    ...new Map(claims.map((c) => [String(c.issueId), c.issueId])).values(),
  ]);
  const ops = [];
  for (const claim of claims) {
    const issue = issues.get(String(claim.issueId));
    // Exactly the row that was read stale: a takeover since has moved claimedAt, and then this does nothing.
    const filter = { _id: claim._id, status: 'claimed' as const, claimedAt: claim.claimedAt };
    if (issue && eventFor(issue.timeline, claim)) {
      const update = { $set: { status: 'applied' as const, appliedAt: now, issueVersion: issue.version } };
      ops.push({ updateOne: { filter, update } });
    } else if (!issue || !issue.nextCheckAt || issue.nextCheckAt.getTime() > dueNow.getTime()) {
      ops.push({ deleteOne: { filter } });
    }
  }
  if (!ops.length) return 0;
  const res = await models.FollowUpClaim.bulkWrite(ops, { ordered: false });
  return res.modifiedCount + res.deletedCount;
}

/** Claims left `claimed` past the lease: a range over the partial `claimedAt` index of claims in flight. */
export function staleFilter(lease: ClaimLease): { status: 'claimed'; claimedAt: { $lte: Date } } {
  return { status: 'claimed', claimedAt: { $lte: staleBefore(lease) } };
}

/**
 * Claims still `claimed` after the lease, i.e. their sweeper stopped between claiming and finishing. If the
 * issue holds the step's event, the write committed and only the bookkeeping was lost: mark it applied. If
 * not and the issue is not waiting for the sweep, the step is no longer due: release it. Otherwise leave it:
 * the sweep takes it over and fires the step. `only` narrows it to one issue's claims. Returns how many rows
 * it settled. With nothing stale it is one indexed range read that finds nothing.
 */
export async function repairStaleClaims(
  models: Models,
  lease: ClaimLease,
  limit: number,
  only: { issueId?: Types.ObjectId } = {},
  dueNow: Date = lease.now,
): Promise<number> {
  const stale = await models.FollowUpClaim.find({ ...only, ...staleFilter(lease) })
    .sort({ claimedAt: 1 })
    .limit(limit)
    .lean<FollowUpClaimDoc[]>();
  let settled = 0;
  for (let i = 0; i < stale.length; i += REPAIR_CHUNK) {
    settled += await repairChunk(models, stale.slice(i, i + REPAIR_CHUNK), lease.now, dueNow);
  }
  return settled;
}
