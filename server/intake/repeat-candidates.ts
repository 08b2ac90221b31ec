// The repeat check's reads: the open issues of an enterprise's repeat window (DESIGN §2, issue 7 §2), newest
// first on the enterprise index, with only the fields the check compares. The messages of one moment share one
// read (coalesce.ts), a batch of messages reads its enterprises together (intake-batch.ts), and a busy
// enterprise the shared limit cut short reads its own.
import { Types } from 'mongoose';
import { coalesce, coalescerFor, type Outcome } from '../db/coalesce.ts';
import { ENTERPRISE_ISSUES_INDEX } from '../models/issue.indexes.ts';
import type { Models } from '../models/index.ts';
import { repeatWindowStart, type RepeatCandidate } from './repeat.ts';

/** The filter of an issue still open (a repeat may merge into it). */
export const OPEN_STATES = { $nin: ['closed', 'merged', 'rejected'] };
/** Open issues read per enterprise for the repeat check, and the fields it reads. */
export const REPEAT_CANDIDATES = 50;
export const REPEAT_FIELDS = {
  number: 1,
  title: 1,
  content: 1,
  category: 1,
  state: 1,
  createdAt: 1,
  // Who wrote it on WeChat: their picture a moment later joins it (thread.ts pictureFollowUp). The whole
  // (small) contact, not `contact.openid`: a top-level field is copied from the stored bytes, where a path
  // inside one makes the database decode every candidate whole, timeline and all.
  contact: 1,
} as const;

export type EnterpriseCandidate = RepeatCandidate & { enterpriseId: unknown };
export const CANDIDATE_FIELDS = { ...REPEAT_FIELDS, enterpriseId: 1 } as const;

/** Open issues matching `filter` (enterprises and a window), newest first, on the enterprise index. */
export function readRepeatCandidates(
  models: Models,
  filter: Record<string, unknown>,
  limit?: number,
): Promise<EnterpriseCandidate[]> {
  return models.Issue.collection
    .find<EnterpriseCandidate>(
      { ...filter, state: OPEN_STATES },
      // Named: the planner's trial would take the createdAt index (see ENTERPRISE_ISSUES_INDEX).
      {
        projection: CANDIDATE_FIELDS,
        sort: { createdAt: -1 },
        hint: ENTERPRISE_ISSUES_INDEX,
        ...(limit ? { limit } : {}),
      },
    )
    .toArray();
}

/** One enterprise's open issues of the repeat window (one indexed read of its own). */
function ownCandidates(models: Models, enterpriseId: string, from: Date): Promise<RepeatCandidate[]> {
  return models.Issue.collection
    .find<RepeatCandidate>(
      {
        enterpriseId: new Types.ObjectId(enterpriseId),
        createdAt: { $gte: from },
        state: OPEN_STATES,
      },
      {
        projection: REPEAT_FIELDS,
        sort: { createdAt: -1 },
        limit: REPEAT_CANDIDATES,
      },
    )
    .toArray();
}

interface CandidateAsk {
  enterpriseId: string;
  now: Date;
}

/**
 * The open issues since `from` of each enterprise, newest first, at most REPEAT_CANDIDATES each: one read for
 * all of them; an enterprise the shared limit may have cut short (a few very busy ones) reads its own.
 */
export async function candidatesByEnterprise(
  models: Models,
  enterpriseIds: readonly Types.ObjectId[],
  from: Date,
): Promise<Map<string, RepeatCandidate[]>> {
  const limit = REPEAT_CANDIDATES * enterpriseIds.length;
  const found = await readRepeatCandidates(
    models,
    { enterpriseId: { $in: enterpriseIds }, createdAt: { $gte: from } },
    limit,
  );
  const byEnterprise = new Map<string, RepeatCandidate[]>(enterpriseIds.map((id) => [String(id), []]));
  for (const { enterpriseId, ...c } of found) {
    const list = byEnterprise.get(String(enterpriseId));
    if (list && list.length < REPEAT_CANDIDATES) list.push(c);
  }
  if (found.length === limit)
    await Promise.all(
      [...byEnterprise]
        .filter(([, list]) => list.length < REPEAT_CANDIDATES)
        .map(async ([id, list]) => list.splice(0, list.length, ...(await ownCandidates(models, id, from)))),
    );
  return byEnterprise;
}

/** The candidates of every message of a batch (each by its own window). */
async function candidatesOfBatch(
  models: Models,
  asks: readonly CandidateAsk[],
): Promise<Outcome<RepeatCandidate[]>[]> {
  const ids = [...new Set(asks.map((a) => a.enterpriseId))];
  const earliest = new Date(Math.min(...asks.map((a) => repeatWindowStart(a.now).getTime())));
  const byEnterprise = await candidatesByEnterprise(
    models,
    ids.map((id) => new Types.ObjectId(id)),
    earliest,
  );
  return asks.map((a) => {
    const from = repeatWindowStart(a.now).getTime();
    return {
      ok: true,
      value: byEnterprise.get(a.enterpriseId)!.filter((c) => c.createdAt.getTime() >= from),
    };
  });
}

const candidateReaders = new WeakMap<object, (ask: CandidateAsk) => Promise<RepeatCandidate[]>>();

/**
 * The enterprise's open issues of the repeat window, as findRepeat reads them. The messages of one moment share
 * one read (coalesce.ts): a webhook burst reads its enterprises' candidates together.
 */
export function repeatCandidates(
  models: Models,
  enterpriseId: string,
  now: Date,
): Promise<RepeatCandidate[]> {
  const read = coalescerFor(candidateReaders, models.Issue.collection, () =>
    coalesce<CandidateAsk, RepeatCandidate[]>((asks) => candidatesOfBatch(models, asks)),
  );
  return read({ enterpriseId, now });
}
