// The claim ledger's operations for the escalation sweep: take a (issue, step, due instant) claim by
// inserting its row (the unique index refuses a second one), take over a claim whose holder stopped before
// finishing, release claims that were not used, mark them applied, and repair claims a crash left behind.
// The issue write stays the authority on what fired (see escalation-sweep.job.ts); these rows keep two
// sweepers off the same firing and record every firing once.
import type { Types } from 'mongoose';
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
  now: Date;
  /** A `claimed` row older than this was left by a sweeper that stopped; another may take it over. */
  leaseMs: number;
}

const DUPLICATE_KEY = 11000;

function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: unknown; writeErrors?: Array<{ code?: unknown }> } | null;
  return e?.code === DUPLICATE_KEY || Boolean(e?.writeErrors?.some((w) => w.code === DUPLICATE_KEY));
}

/**
 * The claim's id when this sweeper now holds it: a fresh insert, its own row from an earlier attempt, or a
 * stale row taken over atomically. Null when another sweeper holds it or it was applied already.
 */
export async function claimStep(
  models: Models,
  key: ClaimKey,
  lease: ClaimLease,
): Promise<Types.ObjectId | null> {
  try {
    const row = await models.FollowUpClaim.create({
      ...key,
      status: 'claimed',
      owner: lease.owner,
      claimedAt: lease.now,
    });
    return row._id;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const staleBefore = new Date(lease.now.getTime() - lease.leaseMs);
  const taken = await models.FollowUpClaim.findOneAndUpdate(
    {
      ...key,
      status: 'claimed',
      $or: [{ owner: lease.owner }, { claimedAt: { $lte: staleBefore } }],
    },
    { $set: { owner: lease.owner, claimedAt: lease.now } },
    { returnDocument: 'after', lean: true },
  );
  return taken ? taken._id : null;
}

/** The step's event is in the committed issue: the claim is done for good. */
export async function markApplied(
  models: Models,
  ids: readonly Types.ObjectId[],
  now: Date,
  issueVersion: number,
): Promise<void> {
  if (!ids.length) return;
  await models.FollowUpClaim.updateMany(
    { _id: { $in: ids } },
    { $set: { status: 'applied', appliedAt: now, issueVersion } },
  );
}

/**
 * Gives back claims this sweeper took but did not apply (the step stopped being due, or the write kept
 * losing to people). Deleting rather than keeping a tombstone lets the step fire if it falls due again.
 */
export async function releaseClaims(
  models: Models,
  ids: readonly Types.ObjectId[],
  owner: string,
): Promise<void> {
  if (!ids.length) return;
  await models.FollowUpClaim.deleteMany({ _id: { $in: ids }, owner, status: 'claimed' });
}

function sameInstant(a: unknown, b: Date): boolean {
  return (a instanceof Date || typeof a === 'string') && new Date(a).getTime() === b.getTime();
}

/** Whether the issue's timeline holds the event a claim stands for. */
export function eventFor(
  timeline: readonly Pick<StoredTimelineEvent, 'action' | 'data'>[],
  claim: Pick<FollowUpClaimDoc, 'step' | 'dueAt'>,
): boolean {
  return timeline.some((e) => e.action === claim.step && sameInstant(e.data?.dueAt, claim.dueAt));
}

interface RepairIssue {
  _id: Types.ObjectId;
  version: number;
  nextCheckAt: Date | null;
  timeline: StoredTimelineEvent[];
}

/**
 * Claims still `claimed` after the lease, i.e. their sweeper stopped between claiming and finishing. If the
 * issue holds the step's event, the write committed and only the bookkeeping was lost: mark it applied. If
 * not and the issue is not waiting for the sweep, the step is no longer due: release it. Otherwise leave it:
 * the pass that follows takes it over and fires the step. `only` narrows it to one issue's claims. Returns
 * how many rows it settled.
 */
export async function repairStaleClaims(
  models: Models,
  lease: ClaimLease,
  limit: number,
  only: { issueId?: Types.ObjectId } = {},
): Promise<number> {
  const staleBefore = new Date(lease.now.getTime() - lease.leaseMs);
  const stale = await models.FollowUpClaim.find({
    ...only,
    status: 'claimed',
    claimedAt: { $lte: staleBefore },
  })
    .sort({ claimedAt: 1 })
    .limit(limit)
    .lean<FollowUpClaimDoc[]>();
  let settled = 0;
  for (const claim of stale) {
    const issue = await models.Issue.findById(claim.issueId, {
      version: 1,
      nextCheckAt: 1,
      timeline: 1,
    }).lean<RepairIssue>();
    const guard = { _id: claim._id, status: 'claimed' as const, claimedAt: claim.claimedAt };
    if (issue && eventFor(issue.timeline, claim)) {
      await models.FollowUpClaim.updateOne(guard, {
        $set: { status: 'applied', appliedAt: lease.now, issueVersion: issue.version },
      });
      settled += 1;
    } else if (!issue || !issue.nextCheckAt || issue.nextCheckAt.getTime() > lease.now.getTime()) {
      await models.FollowUpClaim.deleteOne(guard);
      settled += 1;
    }
  }
  return settled;
}
