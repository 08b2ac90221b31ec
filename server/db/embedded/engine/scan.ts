/**
 * Executes a plan as a lazy generator of matching documents. Index scans read the index's entries in chunks and
 * resume from the last key seen, and collection scans walk the document store's insertion-ordered map (whose
 * iterators are defined under mutation), so a cursor stays valid while the collection changes between
 * getMore calls. Each document is re-read from the store and re-checked against the filter when it is
 * produced. A cursor on a collection that has since been dropped or renamed simply ends.
 *
 * Stored documents are BSON bytes; a scan decodes only the fields its caller reads (the filter's and the
 * sort's), and hands out the bytes too, so a find can return them without ever decoding the whole document.
 */
import type { Document } from 'bson';
import type { Collection } from './collection.ts';
import { idKeyOf } from './collection.ts';
import { decodeDoc, FieldSet, readFields } from './bson-raw.ts';
import { isPoint, onePoint, type Interval } from './bounds.ts';
import { encodeValue, entryIdKey, KEY_MAX } from './key-string.ts';
import type { IndexKey, OrderedIndex } from './ordered-index.ts';
import type { IndexPlan, OrPlan, Plan } from './planner.ts';
import type { Predicate } from './matcher.ts';
import { mergeScan, type ChildScans } from './merge-sort.ts';
import { keep } from './doc-pack.ts';
import { PAUSE, pauseDue, type Pause } from './pause.ts';

export interface ScanStats {
  keysExamined: number;
  docsExamined: number;
  nReturned: number;
}

export const newStats = (): ScanStats => ({ keysExamined: 0, docsExamined: 0, nReturned: 0 });

/** A matching document as a scan produces it. */
export interface Hit {
  /** Its key in the collection's document store. */
  key: string;
  /** Its BSON (never written to again, so safe to keep), or only what `Reads.shape` made of it when `shaped`. */
  bytes: Buffer;
  shaped?: true;
  /** The stored copy it was read from (`sameStored` tells whether the document was written since). */
  stored: Buffer;
  /** Decoded: every field when `full`, otherwise at least the fields the scan was asked to read. */
  doc: Document;
  full: boolean;
}

/** How a scan decodes the documents it tests: only some top-level fields, or everything (null). */
export type Reads = FieldSet | null;

/** The whole document of a hit. */
export function fullDoc(hit: Hit): Document {
  if (hit.shaped) throw new Error('fullDoc: this hit keeps only its projection');
  if (!hit.full) {
    hit.doc = decodeDoc(hit.bytes);
    hit.full = true;
  }
  return hit.doc;
}

/** Keys read per tree descent: small first (a limit is often small), doubling up to the maximum. */
const FIRST_CHUNK = 16;
const MAX_CHUNK = 512;
/**
 * Beyond this many combinations of points, a compound index's leading points are scanned as one range. Each
 * range costs one descent (a microsecond or two), so the bound only guards against products of several `$in`
 * lists: at 4,096 a single `$in` of 6,000 enterprises was widened into one range that walked most of the index.
 */
export const MAX_RANGES = 65_536;

/**
 * The last field of the bounds' key prefix (every field before it all points) and how many [low, high] ranges
 * the prefix makes; beyond MAX_RANGES `treeRanges` widens the fields of several points into one range each.
 */
export function rangePrefix(bounds: Interval[][]): { last: number; combinations: number } {
  let last = 0;
  while (last < bounds.length - 1 && bounds[last].every(isPoint)) last++;
  let combinations = 1;
  for (let i = 0; i <= last; i++) combinations *= bounds[i].length;
  return { last, combinations };
}

/**
 * The bounds as [low, high] ranges of index keys, in tree order. Equality fields (every interval a point)
 * contribute their encodings to a prefix; the first field with a range ends the prefix, and the fields after
 * it are left open (the filter re-checks them). Exclusive ends are exact: `enc(v) + KEY_MAX` sits after every
 * key that starts with `enc(v)`.
 */
export function treeRanges(ix: OrderedIndex, bounds: Interval[][]): [IndexKey, IndexKey][] {
  const { last, combinations: product } = rangePrefix(bounds);
  let combos: [IndexKey, IndexKey][] = [['', '']];
  for (let i = 0; i <= last; i++) {
    const dir = ix.fields[i].dir;
    let list = bounds[i];
    if (product > MAX_RANGES && list.length > 1) list = [{ lo: list[0].lo, hi: list[list.length - 1].hi }];
    if (dir < 0) list = [...list].reverse();
    const next: [IndexKey, IndexKey][] = [];
    for (const [lo, hi] of combos) {
      for (const iv of list) {
        if (isPoint(iv)) {
          const enc = encodeValue(iv.lo, dir);
          next.push([lo + enc, hi + enc + (i === last ? KEY_MAX : '')]);
          continue;
        }
        const [from, fromExcl, to, toExcl] =
          dir > 0 ? [iv.lo, iv.loExcl, iv.hi, iv.hiExcl] : [iv.hi, iv.hiExcl, iv.lo, iv.loExcl];
        next.push([
          lo + encodeValue(from, dir) + (fromExcl ? KEY_MAX : ''),
          hi + encodeValue(to, dir) + (toExcl ? '' : KEY_MAX),
        ]);
      }
    }
    combos = next;
  }
  return combos;
}

function* scanRange(
  ix: OrderedIndex,
  lo: IndexKey,
  hi: IndexKey,
  reverse: boolean,
  stats: ScanStats,
): Generator<IndexKey> {
  let from = reverse ? hi : lo;
  let skipFrom = false;
  let size = FIRST_CHUNK;
  for (;;) {
    const chunk: IndexKey[] = [];
    let done = true;
    const it = reverse ? ix.entries.keysDownFrom(from) : ix.entries.keysFrom(from);
    for (const k of it) {
      if (skipFrom && k === from) continue;
      if (reverse ? k < lo : k > hi) break;
      chunk.push(k);
      if (chunk.length === size) {
        done = false;
        break;
      }
    }
    for (const k of chunk) {
      stats.keysExamined++;
      yield k;
    }
    if (done) return;
    from = chunk[chunk.length - 1];
    skipFrom = true;
    size = Math.min(size * 2, MAX_CHUNK);
  }
}

/**
 * Reads, decodes and tests the document stored under `key`: a Hit when it matches. When only some fields are
 * read, the test looks at a transient unpacking (`DocStore.peek`) that goes only as far as those fields, and
 * only a match is kept: unpacked whole and copied (its bytes are wanted) or not at all (a count: `bytes`
 * then unpacks again if anyone asks). A scan that tests many documents to keep few neither unpacks their
 * tails nor fills fresh memory with the ones it lets go.
 */
function fetch(
  coll: Collection,
  key: string,
  filter: Predicate,
  reads: Reads,
  stats: ScanStats,
): Hit | undefined {
  const stored = coll.docs.getStored(key);
  if (!stored) return undefined;
  stats.docsExamined++;
  if (reads === null) {
    const bytes = coll.docs.bsonOf(stored);
    const doc = decodeDoc(bytes);
    return filter(doc) ? { key, bytes, stored, doc, full: true } : undefined;
  }
  const peek = coll.docs.peek(stored);
  const doc = readFields(peek.view, reads, peek.transient, peek.more);
  if (!filter(doc)) return undefined;
  // A shape unpacks only as far as it reads (a projection's last field); anything else wants the whole copy.
  if (reads.bytes && !reads.shape) peek.more(Infinity);
  if (reads.later) Object.assign(doc, readFields(peek.view, reads.later, peek.transient, peek.more));
  if (reads.bytes && reads.shape)
    return { key, bytes: reads.shape(peek.view, peek.more), shaped: true, stored, doc, full: false };
  if (reads.bytes) return { key, bytes: keep(peek.view, stored), stored, doc, full: false };
  const docs = coll.docs;
  let bytes: Buffer | undefined;
  return {
    key,
    stored,
    doc,
    full: false,
    get bytes() {
      return (bytes ??= docs.bsonOf(stored));
    },
  };
}

function* indexScan(
  coll: Collection,
  plan: IndexPlan,
  filter: Predicate,
  stats: ScanStats,
  reads: Reads,
  seen = new Set<string>(),
): Generator<Hit | Pause> {
  const ids = idPoints(plan);
  if (ids) {
    yield* keyLookup(coll, ids.map(idKeyOf), filter, stats, reads, seen);
    return;
  }
  const ix = plan.index;
  const point = uniquePoint(plan);
  if (point !== undefined) {
    // One key value on a unique index: its hash answers without a tree descent. Two entries can only be
    // there transiently (recovery); the tree then gives them in _id order.
    const entries = ix.pointEntries(point) ?? [];
    if (entries.length <= 1) {
      yield* keyLookup(coll, entries.map(entryIdKey), filter, stats, reads, seen);
      return;
    }
  }
  const ranges = treeRanges(ix, plan.bounds);
  if (plan.reverse) ranges.reverse();
  for (const [lo, hi] of ranges) {
    for (const entry of scanRange(ix, lo, hi, plan.reverse, stats)) {
      if (coll.dropped) return;
      const key = entryIdKey(entry);
      let hit: Hit | undefined;
      if (!seen.has(key)) {
        seen.add(key);
        hit = fetch(coll, key, filter, reads, stats);
      }
      if (hit) yield hit;
      else if (pauseDue()) yield PAUSE;
    }
  }
}

/** The encoded key value an equality on every field of a unique (hashed) index asks for, if that is the plan. */
function uniquePoint(plan: IndexPlan): string | undefined {
  if (!plan.index.points) return undefined;
  let tuple = '';
  for (let i = 0; i < plan.bounds.length; i++) {
    const ivs = plan.bounds[i];
    if (!onePoint(ivs)) return undefined;
    tuple += encodeValue(ivs[0].lo, plan.index.fields[i].dir);
  }
  return plan.bounds.length === plan.index.fields.length ? tuple : undefined;
}

/** `_id` equality / `$in`: the document store answers directly, no tree descent needed. */
function idPoints(plan: IndexPlan): unknown[] | undefined {
  if (plan.index.name !== '_id_') return undefined;
  const ivs = plan.bounds[0];
  if (!ivs.every(isPoint)) return undefined;
  const points = ivs.map((iv) => iv.lo);
  return plan.reverse ? points.reverse() : points;
}

function* keyLookup(
  coll: Collection,
  keys: string[],
  filter: Predicate,
  stats: ScanStats,
  reads: Reads,
  seen: Set<string>,
): Generator<Hit | Pause> {
  for (const key of keys) {
    if (coll.dropped) return;
    if (seen.has(key) || !coll.docs.has(key)) continue;
    seen.add(key);
    stats.keysExamined++;
    const hit = fetch(coll, key, filter, reads, stats);
    if (hit) yield hit;
    else if (pauseDue()) yield PAUSE;
  }
}

function* orScan(
  coll: Collection,
  plan: OrPlan,
  filter: Predicate,
  stats: ScanStats,
  reads: Reads,
): Generator<Hit | Pause> {
  const seen = new Set<string>();
  for (const branch of plan.branches) yield* indexScan(coll, branch, filter, stats, reads, seen);
}

function* collScan(
  coll: Collection,
  reverse: boolean,
  filter: Predicate,
  stats: ScanStats,
  reads: Reads,
): Generator<Hit | Pause> {
  const source = reverse ? [...coll.docs.keys()].reverse() : coll.docs.keys();
  for (const key of source) {
    if (coll.dropped) return;
    const hit = fetch(coll, key, filter, reads, stats);
    if (hit) yield hit;
    else if (pauseDue()) yield PAUSE;
  }
}

/**
 * The number of documents with a key in a plan's ranges, read from the tree alone (see `answersWhole`): the
 * keys themselves, or, when a multikey field is not pinned to one value, the distinct documents they name.
 */
export function countKeys(plan: IndexPlan, stats: ScanStats): number {
  const ix = plan.index;
  const ranges = treeRanges(ix, plan.bounds);
  let keys = 0;
  // A document has an entry per value of its one array field (values deduplicated): with every field that ever
  // held an array pinned to one value, it has at most one entry in the ranges, and its keys count documents.
  const onePerDocument = ix.multikeyFields.every((multi, i) => !multi || onePoint(plan.bounds[i]));
  if (onePerDocument) {
    for (const [lo, hi] of ranges) keys += ix.entries.countRange(lo, hi);
    stats.keysExamined += keys;
    return keys;
  }
  const docs = new Set<string>();
  const add = (entry: IndexKey) => void docs.add(entryIdKey(entry));
  for (const [lo, hi] of ranges) keys += ix.entries.countRange(lo, hi, add);
  stats.keysExamined += keys;
  return docs.size;
}

/** A plan's index entries in its order, without reading documents (a merge orders its heads by them). */
function* indexEntries(plan: IndexPlan, stats: ScanStats): Generator<IndexKey> {
  const ranges = treeRanges(plan.index, plan.bounds);
  if (plan.reverse) ranges.reverse();
  for (const [lo, hi] of ranges) yield* scanRange(plan.index, lo, hi, plan.reverse, stats);
}

const MERGE_SCANS: ChildScans = {
  run: indexScan,
  entries: indexEntries,
  fetch,
  keyOf: entryIdKey,
};

/**
 * Streams the documents of `coll` that match `filter`, read the way `plan` says. `reads` names the fields
 * `filter` (and the caller) need decoded; by default every document is decoded whole. Between two matches it
 * may yield PAUSE while a cursor's batch deadline has passed (./pause.ts).
 */
export function execute(
  coll: Collection | undefined,
  plan: Plan,
  filter: Predicate,
  stats: ScanStats,
  reads: Reads = null,
): Iterator<Hit | Pause> {
  if (!coll) return [][Symbol.iterator]();
  if (plan.kind === 'or') return orScan(coll, plan, filter, stats, reads);
  if (plan.kind === 'merge') return mergeScan(coll, plan, filter, stats, reads, MERGE_SCANS);
  return plan.kind === 'ixscan'
    ? indexScan(coll, plan, filter, stats, reads)
    : collScan(coll, plan.reverse, filter, stats, reads);
}
