/**
 * Runs a MergePlan (MongoDB's SORT_MERGE): every child scan already yields documents in the sort order, so a
 * heap of one head per child produces the merged order lazily, and `sort + limit` reads about `limit` keys
 * plus one per child instead of sorting everything. A document reached by several children (two branches of
 * an `$or`, two elements of a multikey field) is produced once. Heads are read ahead of their turn, so when
 * one is produced the store is asked whether its copy is still the one read (`sameStored`, no unpacking); only
 * a document written since is read and tested again.
 */
import { decodeReads } from './bson-raw.ts';
import type { Collection } from './collection.ts';
import { sameStored } from './doc-store.ts';
import type { KeyField } from './index-keys.ts';
import type { Predicate } from './matcher.ts';
import type { MergePlan } from './planner.ts';
import type { Hit, Reads, ScanStats } from './scan.ts';
import { PAUSE, type Pause } from './pause.ts';
import { compareSortKeys, sortKeysOf } from './sort.ts';

interface Head {
  hit: Hit;
  keys: unknown[];
  /** Which child it came from: breaks ties, so the merge is deterministic. */
  child: number;
}

/** A binary min-heap of heads by (sort keys, child). */
class HeadHeap {
  private readonly items: Head[] = [];
  constructor(private readonly fields: KeyField[]) {}

  get size(): number {
    return this.items.length;
  }

  private less(a: Head, b: Head): boolean {
    const c = compareSortKeys(a.keys, b.keys, this.fields);
    return c < 0 || (c === 0 && a.child < b.child);
  }

  push(h: Head): void {
    const a = this.items;
    a.push(h);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): Head | undefined {
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

export type ChildExecutor = (
  coll: Collection,
  plan: MergePlan['children'][number],
  filter: Predicate,
  stats: ScanStats,
  reads: Reads,
) => Iterator<Hit | Pause>;

/**
 * Streams the documents of `plan`'s children merged by its sort, each once. `reads` must include the sort's
 * fields: the heads are ordered by their decoded values.
 */
export function* mergeScan(
  coll: Collection,
  plan: MergePlan,
  filter: Predicate,
  stats: ScanStats,
  reads: Reads,
  run: ChildExecutor,
): Generator<Hit | Pause> {
  const children = plan.children.map((c) => run(coll, c, filter, stats, reads));
  const heap = new HeadHeap(plan.sort);
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
