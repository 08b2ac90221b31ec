/**
 * Document writes: insert, update (one/multi/upsert), delete, findAndModify. Each function applies its
 * changes synchronously, one whole document at a time, and appends the post-images to `changes` as it goes,
 * so when a multi-document write fails half way the caller still journals exactly what was applied.
 *
 * Updates and deletes are generators that yield after each document a multi-document write has written: a
 * point where that document and all its index entries are in place, so the command can commit what it has
 * applied and let other commands run before it goes on (commands/data/shared.ts `writeInChunks`). They read
 * their matches lazily, one at a time: a write that held every match, post-image and journal record until its
 * end took 16 KB an issue (bench/LOG.md, "The word index's fill and RSS").
 */
import { ObjectId, type Document } from 'bson';
import type { Change } from '../contract.ts';
import { ErrorCodes, MongoError } from '../errors.ts';
import type { Catalog } from './catalog.ts';
import { idKeyOf, type Collection, type InsertTarget } from './collection.ts';
import { positionalResolver } from './positional.ts';
import { decodeDoc, encodeDoc, prependId, readFields, readId, withIdFirst } from './bson-raw.ts';
import type { RawDoc } from '../raw-doc.ts';
import { sameStored } from './doc-store.ts';
import { compileFilter, type Predicate } from './matcher.ts';
import { runQuery } from './query.ts';
import type { Hit } from './scan.ts';
import { applyUpdate, identical, validateUpdate } from './update/apply.ts';
import { compileArrayFilters, type UpdateContext } from './update/target.ts';
import { fieldSetOf, patchTopLevel, topLevelUpdate, type TopLevelUpdate } from './update/patch.ts';
import { buildUpsertDoc } from './update/upsert.ts';
import { bsonTypeName, isPlainObject } from './values.ts';

const MAX_BSON = 16 * 1024 * 1024;

export function ensureCollection(catalog: Catalog, ns: string, changes: Change[]): Collection {
  const existing = catalog.get(ns);
  if (existing) return existing;
  changes.push({ op: 'createCollection', ns, options: {} });
  return catalog.create(ns);
}

function checkSize(bytes: Uint8Array): void {
  const size = bytes.length;
  if (size > MAX_BSON)
    throw new MongoError(
      ErrorCodes.BSONObjectTooLarge,
      `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON}`,
    );
}

function checkId(id: unknown): void {
  const t = bsonTypeName(id);
  if (t === 'array' || t === 'regex' || t === 'missing')
    throw new MongoError(ErrorCodes.InvalidIdField, `The '_id' value cannot be of type ${t}`);
}

/**
 * Inserts one document (adding an ObjectId _id first when absent). The document may be in the wire codec's
 * form: it is stored as BSON, and its index keys do not depend on how a number is wrapped.
 */
export function insertDoc(coll: InsertTarget, raw: Document, changes: Change[]): Document {
  let doc = raw;
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  else if (Object.keys(doc)[0] !== '_id') {
    const { _id, ...rest } = doc;
    doc = { _id, ...rest };
  }
  checkId(doc._id);
  const bytes = encodeDoc(doc);
  checkSize(bytes);
  journalInsert(coll, coll.insert(doc, bytes), changes);
  return doc;
}

/**
 * Journals an inserted document as its stored copy (about a quarter of its BSON once the collection packs
 * against a dictionary): the journal then writes, checksums and replays a quarter of the bytes, and a bulk
 * load reaches the checkpoint threshold a quarter as often. A dictionary the insert made comes first.
 */
function journalInsert(coll: InsertTarget, stored: Uint8Array, changes: Change[]): void {
  const dict = coll.newDictionary();
  if (dict) changes.push({ op: 'packDictionary', ns: coll.ns, id: dict.id, bytes: dict.bytes });
  changes.push({ op: 'insert', ns: coll.ns, doc: stored });
}

/**
 * Inserts one document that arrived as BSON, storing its bytes as they are (its `_id` moved first, or a new
 * ObjectId added): only the fields the indexes read are decoded.
 */
export function insertRawDoc(coll: InsertTarget, raw: RawDoc, changes: Change[]): void {
  const bytes = withIdFirst(raw.bytes) ?? prependId(raw.bytes, new ObjectId());
  checkSize(bytes);
  const view = coll.indexView(bytes);
  checkId(view._id);
  journalInsert(coll, coll.insert(view, bytes), changes);
}

export interface UpdateSpec {
  filter: Document;
  update: Document | Document[];
  multi: boolean;
  upsert: boolean;
  arrayFilters?: unknown;
  sort?: Document;
  hint?: unknown;
  /** Report the pre- and post-image of the last document touched (findAndModify). */
  images?: boolean;
}

export interface UpdateResult {
  n: number;
  nModified: number;
  upserted?: unknown;
  /** Pre- and post-image of the last document touched (for findAndModify). */
  before?: Document;
  after?: Document;
  /**
   * Instead of `before` and `after`, when the update was patched on the stored bytes: the images as BSON, so
   * findAndModify decodes (or projects on the bytes) only the one it returns.
   */
  beforeBytes?: Uint8Array;
  afterBytes?: Uint8Array;
}

function updateContext(spec: UpdateSpec): UpdateContext {
  return {
    positional: positionalResolver(spec.filter),
    arrayFilters: compileArrayFilters(spec.arrayFilters),
  };
}

/**
 * An update naming only top-level fields, applied to the stored bytes (update/patch.ts); returns the new bytes,
 * or undefined if unchanged.
 */
function patchOne(
  coll: Collection,
  key: string,
  bytes: Buffer,
  update: TopLevelUpdate,
  now: Date,
  changes: Change[],
): Buffer | undefined {
  // The _id only words an operator's error.
  const next = patchTopLevel(bytes, update, {
    now,
    isInsert: false,
    get id() {
      return readId(bytes);
    },
  });
  if (!next) return undefined;
  checkSize(next);
  coll.replaceBytes(key, bytes, next, update.names.names);
  // `next` is the patch's reusable buffer, so the journal gets a copy of it: the same bytes the store has just
  // packed, without unpacking them again (a copy is a memcpy; unpacking was 3.5 % of the database thread's
  // work in a sweep pass).
  const copy = Buffer.from(next);
  changes.push({ op: 'replace', ns: coll.ns, doc: copy });
  return copy;
}

/** Replaces one stored document by its updated version; returns the new version or undefined if unchanged. */
function updateOne(
  coll: Collection,
  doc: Document,
  spec: UpdateSpec,
  ctx: UpdateContext,
  now: Date,
  changes: Change[],
): Document | undefined {
  const next = applyUpdate(doc, spec.update, { ctx, now, isInsert: false });
  if (identical(doc, next)) return undefined;
  const bytes = encodeDoc(next);
  checkSize(bytes);
  coll.replace(doc, next, bytes, true, touchedFields(spec.update));
  changes.push({ op: 'replace', ns: coll.ns, doc: bytes });
  return next;
}

/** The top-level fields an operator update can change; undefined for a replacement or a pipeline (any). */
function touchedFields(update: Document | Document[]): Set<string> | undefined {
  if (Array.isArray(update)) return undefined;
  const out = new Set<string>();
  for (const op of Object.keys(update)) {
    if (!op.startsWith('$')) return undefined;
    const args = update[op];
    if (!isPlainObject(args)) return undefined;
    for (const path of Object.keys(args)) {
      out.add(path.split('.')[0]);
      if (op === '$rename' && typeof args[path] === 'string') out.add(args[path].split('.')[0]);
    }
  }
  return out;
}

/** `_id` values whose equality is exactly their `_id` index key (no arrays, regexes, null, NaN or objects). */
const POINT_IDS = new Set(['objectId', 'string', 'int', 'long', 'date']);

function isPointId(id: unknown): boolean {
  const t = bsonTypeName(id);
  return POINT_IDS.has(t) || (t === 'double' && !Number.isNaN(Number(id)));
}

/**
 * The one document a filter on a plain `_id` value can match, looked up in the store by its key: what the
 * planner's idhack plan finds, without planning, a scan's generators or their bookkeeping. An outcome's
 * `updateOne` by `_id` (the inbox's, each outbox row's) is most of intake's update statements, and going
 * through the general query was a quarter of what each allocated (bench/LOG.md, "An update by `_id`…").
 * Undefined when the filter needs the general query: an operator at the top level (`$and`, `$expr`…), a
 * sort or a hint.
 */
export function pointHits(
  coll: Collection | undefined,
  spec: UpdateSpec,
  whole: boolean,
): { predicate: Predicate; hits: Iterator<Hit> } | undefined {
  const filter = spec.filter;
  if (!coll || spec.sort !== undefined || spec.hint !== undefined || !isPlainObject(filter)) return undefined;
  if (!isPointId(filter._id)) return undefined;
  const names = Object.keys(filter);
  for (const name of names) if (name.startsWith('$')) return undefined;
  const predicate = compileFilter(filter);
  const hits: Hit[] = [];
  const key = idKeyOf(filter._id);
  const stored = coll.docs.getStored(key);
  if (stored) {
    const bytes = coll.docs.bsonOf(stored);
    const doc = whole ? decodeDoc(bytes) : readFields(bytes, fieldSetOf(topLevelNames(names)));
    if (predicate(doc)) hits.push({ key, bytes, stored, doc, full: whole });
  }
  return { predicate, hits: hits[Symbol.iterator]() };
}

/** The top-level fields of a filter's (non-operator) paths. */
function topLevelNames(paths: string[]): string[] {
  if (!paths.some((p) => p.includes('.'))) return paths;
  return [...new Set(paths.map((p) => p.split('.', 1)[0]))];
}

/** A multi-document write's collection left the catalog (drop, rename) while it let other commands run. */
function killed(ns: string): MongoError {
  return new MongoError(
    ErrorCodes.QueryPlanKilled,
    `collection ${ns} was dropped or renamed during the write`,
  );
}

/**
 * Updates the matches one at a time; a multi-document update yields after each document it has written, where
 * the caller may commit and let other commands run. Each match is re-read and re-checked against the filter
 * when its turn comes, so writes that ran in between are respected.
 */
export function* updateDocs(
  catalog: Catalog,
  ns: string,
  spec: UpdateSpec,
  now: Date,
  changes: Change[],
): Generator<void, UpdateResult, void> {
  const ctx = updateContext(spec);
  validateUpdate(spec.update, ctx);
  const coll = catalog.get(ns);
  const limit = spec.multi ? 0 : 1;
  // Top-level updates never decode whole documents: the scan reads the filter's fields, the patch the rest.
  const patch = topLevelUpdate(spec.update);
  const run =
    pointHits(coll, spec, !patch) ??
    runQuery(
      coll,
      { filter: spec.filter, sort: spec.sort, limit, hint: spec.hint },
      { reads: patch ? undefined : 'all' },
    );
  const result: UpdateResult = { n: 0, nModified: 0 };
  // The documents counted so far, by key: a scan of an index the update changes meets a document again further
  // on (MongoDB keeps the same set). A key costs tens of bytes; a match's copy and post-image kilobytes.
  const counted = new Set<string>();
  const predicate = run.predicate;
  let matched = false;
  for (let r = run.hits.next(); !r.done; r = run.hits.next()) {
    const hit = r.value;
    matched = true;
    if (counted.has(hit.key)) continue;
    // A trial's buffered hit, or a write of an earlier statement, may have changed the document since it matched.
    const stored = coll!.docs.getStored(hit.key);
    if (!stored) continue;
    const same = sameStored(stored, hit.stored);
    const bytes = same ? hit.bytes : coll!.docs.bsonOf(stored);
    const doc = same ? hit.doc : decodeDoc(bytes);
    if (!predicate(doc)) continue;
    result.n++;
    if (spec.multi) counted.add(hit.key);
    let wrote: boolean;
    if (patch) {
      const next = patchOne(coll!, hit.key, bytes, patch, now, changes);
      wrote = next !== undefined;
      if (spec.images) {
        result.beforeBytes = bytes;
        result.afterBytes = next ?? bytes;
      }
    } else {
      result.before = doc;
      const next = updateOne(coll!, doc, spec, ctx, now, changes);
      result.after = next ?? doc;
      wrote = next !== undefined;
    }
    if (!wrote) continue;
    result.nModified++;
    if (!spec.multi) continue;
    yield;
    if (coll!.dropped) throw killed(ns);
  }
  if (matched || !spec.upsert) return result;
  const doc = buildUpsertDoc(spec.filter, spec.update, { ctx, now, isInsert: true });
  const target = ensureCollection(catalog, ns, changes);
  const inserted = insertDoc(target, doc, changes);
  return { n: 1, nModified: 0, upserted: inserted._id, after: inserted };
}

export interface DeleteResult {
  n: number;
  /** The stored bytes of the last document removed (findAndModify's one). */
  removed?: Uint8Array;
}

/**
 * Deletes matching documents; `limit` 1 deletes the first (by `sort` if given), 0 deletes all, yielding after
 * each one (see updateDocs).
 */
export function* deleteDocs(
  catalog: Catalog,
  ns: string,
  filter: Document,
  limit: number,
  changes: Change[],
  sort?: Document,
  hint?: unknown,
): Generator<void, DeleteResult, void> {
  const coll = catalog.get(ns);
  const result: DeleteResult = { n: 0 };
  if (!coll) return result;
  const run = runQuery(coll, { filter, limit, sort, hint });
  for (let r = run.hits.next(); !r.done; r = run.hits.next()) {
    const hit = r.value;
    // A trial's buffered hit may have been written by another command since it matched.
    const stored = coll.docs.getStored(hit.key);
    if (!stored) continue;
    if (!sameStored(stored, hit.stored) && !run.predicate(decodeDoc(coll.docs.bsonOf(stored)))) continue;
    const gone = coll.remove(hit.key);
    if (!gone) continue;
    result.n++;
    result.removed = gone;
    changes.push({ op: 'delete', ns, id: readId(gone) });
    if (limit !== 0) continue;
    yield;
    if (coll.dropped) throw killed(ns);
  }
  return result;
}
