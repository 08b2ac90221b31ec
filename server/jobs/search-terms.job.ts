// The list search's word index for the issues stored before it (server/text/search-terms.ts). Every issue
// written since carries its terms; the older ones get theirs here, in the background, newest first, a batch
// at a time with a pause between (at 1,000,000 issues a fill at start-up held the start for many minutes).
// Its progress is one row of `upgrades`: `through`, a creation time every issue created after holds its terms
// (at the first start, the newest issue's), moved down batch by batch, and `done` once the oldest has them. The
// search reads the word index for the issues after `through` and the window, as before the index, for the
// rest (routes/issues/issue-read.query.ts), so it finds the same issues however far the fill has got.
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { Types } from 'mongoose';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import { NEWEST_FIRST } from '../models/issue.indexes.ts';
import { searchTermsOf } from '../text/search-terms.ts';
import { createMinuteJob, type MinuteJob } from './minute-job.ts';

export const SEARCH_TERMS_UPGRADE = 'issue.searchTerms';
/** Issues read and written per batch. */
export const SEARCH_TERMS_BATCH = 500;
/**
 * The pause after each batch, at least as long as the batch took, so the fill holds the database half the time
 * at most and requests keep their turn (with 20 ms pauses, 100,000 issues filled in 357 s at load 10-15
 * while /healthz at c=8 answered in 168 ms).
 */
const PAUSE_MS = 20;

interface Progress {
  _id: string;
  /** Every issue created after this holds its terms. */
  through: Date;
  /** The last issue filled at `through` (issues at that instant after it in `_id` order, too). */
  throughId?: Types.ObjectId;
  done?: boolean;
  at?: Date;
}

const progressOf = (models: Models) => models.Issue.db.collection<Progress>('upgrades');
/** Databases whose fill is done (it never comes undone): a search then reads no progress. */
const filled = new WeakSet<Models>();

/**
 * Records where the fill starts, once per database, before this process writes any issue: the newest stored
 * issue's creation time (an empty database has nothing to fill). An existing row is kept.
 */
export async function beginSearchTerms(models: Models, now: Date): Promise<void> {
  const [newest] = await models.Issue.collection
    .find({}, { projection: { createdAt: 1 }, sort: NEWEST_FIRST, limit: 1, hint: NEWEST_FIRST })
    .toArray();
  const start = newest
    ? { through: newest.createdAt as Date }
    : { through: new Date(0), done: true, at: now };
  await progressOf(models).updateOne(
    { _id: SEARCH_TERMS_UPGRADE },
    { $setOnInsert: start },
    { upsert: true },
  );
}

/**
 * Where the word index stands for a search: undefined when every issue holds its terms, else the time every
 * issue created after holds them (the older ones are searched without the index).
 */
export async function searchTermsFrontier(models: Models): Promise<Date | undefined> {
  if (filled.has(models)) return undefined;
  const row = await progressOf(models).findOne({ _id: SEARCH_TERMS_UPGRADE });
  // No row: a database this version has not started on (a test's fresh one): nothing stored before it.
  if (!row || row.done) {
    filled.add(models);
    return undefined;
  }
  return row.through;
}

/**
 * Fills the next batch below the recorded progress and records the new one; false once done. An issue that
 * has its terms meanwhile (a picture's words) keeps them.
 */
export async function fillSearchTermsBatch(models: Models, now: Date, batch = SEARCH_TERMS_BATCH) {
  const row = await progressOf(models).findOne({ _id: SEARCH_TERMS_UPGRADE });
  if (!row || row.done) return false;
  const { through, throughId } = row;
  const below = throughId
    ? [
        { createdAt: { $lte: through } },
        { $or: [{ createdAt: { $lt: through } }, { createdAt: through, _id: { $lt: throughId } }] },
      ]
    : [{ createdAt: { $lte: through } }];
  const issues = models.Issue.collection;
  const rows = await issues
    .find(
      { $and: below },
      {
        projection: { title: 1, content: 1, enterpriseName: 1, createdAt: 1 },
        sort: NEWEST_FIRST,
        limit: batch,
        hint: NEWEST_FIRST,
      },
    )
    .toArray();
  const missing = { searchTerms: { $exists: false } };
  const ops: AnyBulkWriteOperation<Document>[] = rows.map((doc) => ({
    updateOne: {
      filter: { _id: doc._id, ...missing },
      update: { $set: { searchTerms: searchTermsOf(doc.title, doc.content, doc.enterpriseName) } },
    },
  }));
  if (ops.length) await issues.bulkWrite(ops, { ordered: false });
  const last = rows[rows.length - 1];
  const next =
    rows.length < batch
      ? { done: true, at: now }
      : { through: last.createdAt as Date, throughId: last._id as Types.ObjectId };
  await progressOf(models).updateOne({ _id: SEARCH_TERMS_UPGRADE }, { $set: next });
  return !next.done;
}

/** Runs at start-up (and every minute after, which finds it done): batches until done or stopped. */
export function createSearchTermsJob(opts: {
  models: Models;
  now: () => Date;
  logger: Logger;
  pauseMs?: number;
}): MinuteJob<{ batches: number; done: boolean }> {
  return createMinuteJob({
    name: 'search-terms',
    logger: opts.logger,
    run: async (signal) => {
      let batches = 0;
      let more = !filled.has(opts.models);
      while (more && !signal.aborted) {
        const started = performance.now();
        more = await fillSearchTermsBatch(opts.models, opts.now());
        batches++;
        const pause = Math.max(opts.pauseMs ?? PAUSE_MS, performance.now() - started);
        if (more) await new Promise((r) => setTimeout(r, pause));
      }
      if (!more) filled.add(opts.models);
      return { batches, done: !more };
    },
    onReport: (r) => {
      if (r.batches > 1 && r.done) opts.logger.info(r, 'search terms filled for the issues stored before');
    },
  });
}
