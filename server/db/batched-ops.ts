// Driver-level operations that coalesce (coalesce.ts): concurrent inserts into one collection become one
// unordered insertMany, concurrent upserts one unordered bulk write, concurrent point reads on one field one
// `$in` read. Each caller still sees its own result: its own duplicate-key error (code 11000), whether it
// inserted, its own document or null. Used by intake, the write path that bursts.
import type { Collection, Document, Filter } from 'mongodb';
import { coalesce, coalescerFor, type Outcome } from './coalesce.ts';

/** The error a single insertOne would have thrown for this document (code, message). */
class InsertError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'MongoServerError';
  }
}

interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
}

/**
 * The per-document errors of an unordered insertMany that failed only for some documents, or null for any
 * other failure. Recognised by shape, not `instanceof`: mongoose carries its own copy of the driver, so the
 * error thrown through an app's (mongoose) collection is another MongoBulkWriteError class than ours.
 */
function writeErrorsOf(err: unknown): WriteErrorLike[] | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { name?: unknown; writeErrors?: unknown; writeConcernError?: unknown };
  if (e.name !== 'MongoBulkWriteError' || e.writeErrors == null || e.writeConcernError) return null;
  const list = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as WriteErrorLike[];
  return list.every((we) => typeof we?.index === 'number') ? list : null;
}

function insertOutcomes(n: number, err: unknown): Outcome<void>[] | null {
  const writeErrors = writeErrorsOf(err);
  if (!writeErrors) return null;
  const outcomes: Outcome<void>[] = Array.from({ length: n }, () => ({ ok: true, value: undefined }));
  for (const we of writeErrors) {
    if (we.index < 0 || we.index >= n) return null; // not a reply about these documents: fail them all
    outcomes[we.index] = { ok: false, error: new InsertError(we.code, we.errmsg ?? (err as Error).message) };
  }
  return outcomes;
}

type InsertOne = (doc: Document) => Promise<void>;
const inserters = new WeakMap<Collection, InsertOne>();

/** insertOne that shares an unordered insertMany with the inserts running at the same time. */
export function batchedInsertOne(collection: Collection, doc: Document): Promise<void> {
  const insert = coalescerFor(inserters, collection, () =>
    coalesce<Document, void>(async (docs) => {
      try {
        await collection.insertMany(docs as Document[], { ordered: false, ignoreUndefined: true });
        return docs.map(() => ({ ok: true, value: undefined }));
      } catch (err) {
        const outcomes = insertOutcomes(docs.length, err);
        if (outcomes) return outcomes;
        throw err;
      }
    }),
  );
  return insert(doc);
}

type InsertMany = (docs: readonly Document[]) => Promise<Outcome<void>[]>;
const manyInserters = new WeakMap<Collection, InsertMany>();

/**
 * An unordered insertMany of `docs` that shares one insertMany with the other callers of the same moment
 * (every caller's documents go together, never split across two batches). Resolves to one outcome per
 * document: inserted, or the error inserting it alone would have thrown (e.g. its own duplicate key).
 */
export function batchedInsertMany(
  collection: Collection,
  docs: readonly Document[],
): Promise<Outcome<void>[]> {
  if (!docs.length) return Promise.resolve([]);
  const insert = coalescerFor(manyInserters, collection, () =>
    coalesce<readonly Document[], Outcome<void>[]>(
      async (groups) => {
        const all = groups.flat();
        let outcomes: Outcome<void>[];
        try {
          await collection.insertMany(all as Document[], { ordered: false, ignoreUndefined: true });
          outcomes = all.map(() => ({ ok: true, value: undefined }));
        } catch (err) {
          const each = insertOutcomes(all.length, err);
          if (!each) throw err;
          outcomes = each;
        }
        let at = 0;
        return groups.map((g) => {
          const mine = outcomes.slice(at, at + g.length);
          at += g.length;
          return { ok: true, value: mine };
        });
      },
      { maxBatch: 64 },
    ),
  );
  return insert(docs);
}

interface Upsert {
  filter: Document;
  update: Document | Document[];
}
type UpsertOne = (op: Upsert) => Promise<boolean>;
const upserters = new WeakMap<Collection, UpsertOne>();

/**
 * updateOne(filter, update, {upsert: true}) that shares one unordered bulk write with the upserts running at
 * the same time; resolves true when this call inserted the document (false: it matched one). Two calls for the
 * same document in one batch run in their order, as they would one after the other: the first inserts. A call
 * that fails alone (e.g. a duplicate key from another process's insert) rejects with its own error.
 */
export function batchedUpsertOne(
  collection: Collection,
  filter: Document,
  update: Document | Document[],
): Promise<boolean> {
  const upsert = coalescerFor(upserters, collection, () =>
    coalesce<Upsert, boolean>(async (ops) => {
      const writes = ops.map((o) => ({
        updateOne: { filter: o.filter as Filter<Document>, update: o.update, upsert: true },
      }));
      let upserted: Record<number, unknown>;
      let failed: Outcome<void>[] | null = null;
      try {
        upserted = (await collection.bulkWrite(writes, { ordered: false })).upsertedIds;
      } catch (err) {
        failed = insertOutcomes(ops.length, err);
        const result = (err as { result?: { upsertedIds?: Record<number, unknown> } }).result;
        if (!failed || !result?.upsertedIds) throw err;
        upserted = result.upsertedIds;
      }
      return ops.map((_, i) => {
        const own = failed?.[i];
        return own && !own.ok ? own : { ok: true, value: upserted[i] !== undefined };
      });
    }),
  );
  return upsert({ filter, update });
}

type FindOne = (value: unknown) => Promise<Document | null>;
const finders = new WeakMap<Collection, Map<string, FindOne>>();

/**
 * findOne({[field]: value}) that shares one `{[field]: {$in: [...]}}` read with the lookups running at the
 * same time. The field must be unique (an index with `unique: true`, or `_id`), so each value names one
 * document; values are strings or ObjectIds (matched by their string form). Each read starts after every
 * call it answers arrived, so nothing is served stale.
 */
export function batchedFindByUnique(
  collection: Collection,
  field: string,
  value: unknown,
  projection: Document,
): Promise<Document | null> {
  const byField = coalescerFor(finders, collection, () => new Map<string, FindOne>());
  const key = `${field} ${JSON.stringify(projection)}`;
  let find = byField.get(key);
  if (!find) {
    find = coalesce<unknown, Document | null>(async (values) => {
      const byKey = new Map(values.map((v) => [String(v), v]));
      const distinct = [...byKey.values()];
      const filter = { [field]: distinct.length === 1 ? distinct[0] : { $in: distinct } } as Filter<Document>;
      // An inclusion projection must keep the field the callers are matched by; no projection keeps it anyway.
      const keep = Object.keys(projection).length > 0 ? { ...projection, [field]: 1 } : undefined;
      const docs = await collection.find(filter, keep ? { projection: keep } : {}).toArray();
      const found = new Map(docs.map((d) => [String(d[field]), d]));
      return values.map((v) => ({ ok: true, value: found.get(String(v)) ?? null }));
    });
    byField.set(key, find);
  }
  return find(value);
}
