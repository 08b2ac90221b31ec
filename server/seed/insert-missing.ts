// Seeding is safe under concurrency: two processes starting at once on an empty database both find the same
// rows missing and both insert them. The unique indexes decide; a duplicate key just means another process
// seeded that row first, so it is not an error here (anything else is).
import type { Model } from 'mongoose';

const DUPLICATE_KEY = 11000;

interface WriteErrorLike {
  code?: unknown;
}

function onlyDuplicates(err: unknown): boolean {
  const e = err as { code?: unknown; writeErrors?: WriteErrorLike | WriteErrorLike[] } | null;
  if (!e) return false;
  if (e.writeErrors) {
    const list = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    return list.length > 0 && list.every((w) => w.code === DUPLICATE_KEY);
  }
  return e.code === DUPLICATE_KEY;
}

/** Inserts the documents, leaving those another process inserted meanwhile (unordered: the rest still go in). */
export async function insertMissing<T>(model: Model<T>, docs: readonly object[]): Promise<void> {
  if (!docs.length) return;
  try {
    await model.insertMany(docs, { ordered: false });
  } catch (err) {
    if (!onlyDuplicates(err)) throw err;
  }
}
