/**
 * Runs a MergePlan (MongoDB's SORT_MERGE): every child scan already yields documents in the sort order, so a
 * heap of one head per child produces the merged order lazily, and `sort + limit` reads about `limit` keys
 * plus one per child instead of sorting everything. A document reached by several children (two branches of
 * an `$or`, two elements of a multikey field) is produced once.
 *
 * Usually the heads are index entries, not documents: when every child pins the fields before the sort's to
 * one value each and ends with the sort's fields (a state `$in` exploded over `{state, createdAt, _id}`, the
 * branches of a leader's `$or`), its entries after that prefix are the sort keys, encoded to order as strings.
 * The heads then order by those suffixes and only the entry produced is read and tested, when it is produced:
 * a page of 20 (21 asked for) across 30 children reads 21 documents, not 40. Otherwise (a range before the
 * sort fields, a multikey sort field, children of other shapes) the heads are documents, read ahead of their
 * turn; when one is produced the store is asked whether its copy is still the one read (`sameStored`, no
 * unpacking), and only a document written since is read and tested again.
 */
import { decodeReads } from './bson-raw.ts';
import { onePoint } from './bounds.ts';
import type { Collection } from './collection.ts';
import { sameStored } from './doc-store.ts';
import { encodeValue } from './key-string.ts';
import type { Predicate } from './matcher.ts';
import type { IndexKey } from './ordered-index.ts';
import type { IndexPlan, MergePlan } from './planner.ts';
import type { Hit, Reads, ScanStats } from './scan.ts';
import { PAUSE, pauseDue, type Pause } from './pause.ts';
import { compareSortKeys, sortKeysOf } from './sort.ts';

interface Head {
  hit: Hit;
  keys: unknown[];
  /** Which child it came from: breaks ties, so the merge is deterministic. */
  child: number;
}

/** An index entry as a head: `order` is the part after the child's point prefix (the sort keys, then the id). */
interface EntryHead {
  entry: IndexKey;
  order: string;
  child: number;
}

/** A binary min-heap by `less`. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(h: T): void {
    const a = this.items;
    a.push(h);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || !last) return top;
    a[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l], a[m])) m = l;
      if (r < a.length && this.less(a[r], a[m])) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
    return top;
  }
}

/** What a merge reads its children with (scan.ts, which imports this module, passes them in). */
export interface ChildScans {
  /** A child's documents in its order, tested against `filter`. */
  run: (
    coll: Collection,
    plan: IndexPlan,
    filter: Predicate,
    stats: ScanStats,
    reads: Reads,
  ) => Iterator<Hit | Pause>;
  /** A child's index entries in its order (each counted as a key examined). */
  entries: (plan: IndexPlan, stats: ScanStats) => Iterator<IndexKey>;
  /** The document stored under `key`, read and tested as an index scan reads it; undefined if gone or no match. */
  fetch: (
    coll: Collection,
    key: string,
    filter: Predicate,
    reads: Reads,
    stats: ScanStats,
  ) => Hit | undefined;
  /** The document-store key of the document an entry names. */
  keyOf: (entry: IndexKey) => string;
}

/**
 * Per child, how long its entries' point prefix is, when every child's entries order the merge by
 * themselves: each child pins every index field before the sort's to one value, continues with the sort's
 * fields (none multikey; fields after them only break ties), all with the same directions and scanned the
 * same way, which delivers the sort. Undefined otherwise.
 */
function pointPrefixes(plan: MergePlan): number[] | undefined {
  const { sort } = plan;
  const n = sort.length;
  const reverse = plan.children[0]?.reverse;
  if (reverse === undefined || n === 0) return undefined;
  const lengths: number[] = [];
  for (const c of plan.children) {
    const { fields, multikeyFields } = c.index;
    const k = fields.findIndex((f) => f.path === sort[0].path);
    if (k < 0 || k + n > fields.length || c.index.name === '_id_' || c.reverse !== reverse) return undefined;
    for (let j = 0; j < n; j++) {
      const f = fields[k + j];
      // Forward, the field's direction is the sort's; backwards, its opposite.
      const delivers = (f.dir === sort[j].dir) !== reverse;
      if (f.path !== sort[j].path || multikeyFields[k + j] || !delivers) return undefined;
    }
    let length = 0;
    for (let i = 0; i < k; i++) {
      if (!onePoint(c.bounds[i])) return undefined;
      length += encodeValue(c.bounds[i][0].lo, fields[i].dir).length;
    }
    lengths.push(length);
  }
  return lengths;
}

/**
 * Streams the documents of `plan`'s children merged by its sort, each once. `reads` must include the sort's
 * fields: without a point prefix the heads are ordered by their decoded values.
 */
export function mergeScan(
  coll: Collection,
  plan: MergePlan,
  filter: Predicate,
  stats: ScanStats,
  reads: Reads,
  scans: ChildScans,
): Generator<Hit | Pause> {
  const run: MergeRun = { coll, plan, filter, stats, reads, scans };
  const prefixes = pointPrefixes(plan);
  return prefixes ? entryMerge(run, prefixes) : documentMerge(run);
}

/** One merge's arguments, as mergeScan received them. */
interface MergeRun {
  coll: Collection;
  plan: MergePlan;
  filter: Predicate;
  stats: ScanStats;
  reads: Reads;
  scans: ChildScans;
}

/** The merge over index entries: a document is read only when its entry is the next one produced. */
function* entryMerge(run: MergeRun, prefixes: number[]): Generator<Hit | Pause> {
  const { coll, plan, filter, stats, reads, scans } = run;
  const children = plan.children.map((c) => scans.entries(c, stats));
  // Scanned backwards, every child's entries come in descending order of their suffixes.
  const before = plan.children[0].reverse
    ? (a: EntryHead, b: EntryHead) => a.order > b.order || (a.order === b.order && a.child < b.child)
    : (a: EntryHead, b: EntryHead) => a.order < b.order || (a.order === b.order && a.child < b.child);
  const heap = new Heap<EntryHead>(before);
  const advance = (child: number) => {
    const r = children[child].next();
    if (!r.done) heap.push({ entry: r.value, order: r.value.slice(prefixes[child]), child });
  };
  for (let i = 0; i < children.length; i++) advance(i);
  const seen = new Set<string>();
  // The child whose head was produced last refills only when the next document is wanted.
  let refill = -1;
  for (;;) {
    if (refill >= 0) advance(refill);
    const head = heap.pop();
    if (!head) return;
    refill = head.child;
    if (coll.dropped) return;
    const key = scans.keyOf(head.entry);
    if (seen.has(key)) continue;
    seen.add(key);
    const hit = scans.fetch(coll, key, filter, reads, stats);
    if (hit) yield hit;
    else if (pauseDue()) yield PAUSE;
  }
}

/** The merge over documents read ahead (children of any shape). */
function* documentMerge(run: MergeRun): Generator<Hit | Pause> {
  const { coll, plan, filter, stats, reads, scans } = run;
  const children = plan.children.map((c) => scans.run(coll, c, filter, stats, reads));
  const fields = plan.sort;
  const heap = new Heap<Head>((a, b) => {
    const c = compareSortKeys(a.keys, b.keys, fields);
    return c < 0 || (c === 0 && a.child < b.child);
  });
  // A child that pauses is asked again when the merge resumes: its head is still missing.
  function* advance(child: number): Generator<Pause> {
    for (let r = children[child].next(); !r.done; r = children[child].next()) {
      if (r.value === PAUSE) yield PAUSE;
      else return heap.push({ hit: r.value, keys: sortKeysOf(r.value.doc, plan.sort), child });
    }
  }
  for (let i = 0; i < children.length; i++) yield* advance(i);
  const seen = new Set<string>();
  // The child whose head was produced last refills only when the next document is wanted, so a consumer
  // that stops at its limit has not read past it.
  let refill = -1;
  for (;;) {
    if (refill >= 0) yield* advance(refill);
    const head = heap.pop();
    if (!head) return;
    refill = head.child;
    const { hit } = head;
    if (seen.has(hit.key)) continue;
    seen.add(hit.key);
    if (coll.dropped) return;
    const stored = coll.docs.getStored(hit.key);
    if (!stored) continue;
    if (sameStored(stored, hit.stored)) {
      yield hit;
      continue;
    }
    // Changed since it was read ahead: test the current version.
    const bytes = coll.docs.bsonOf(stored);
    const doc = decodeReads(bytes, reads);
    if (filter(doc)) yield { key: hit.key, bytes, stored, doc, full: reads === null };
  }
}
