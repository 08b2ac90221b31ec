/**
 * Runs a MergePlan (MongoDB's SORT_MERGE): every child scan already yields documents in the sort order, so a
 * heap of one head per child produces the merged order lazily, and `sort + limit` reads about `limit` keys
 * plus one per child instead of sorting everything. A document reached by several children (two branches of
 * an `$or`, two elements of a multikey field) is produced once. Heads are read ahead of their turn, so each is
 * re-read by `_id` when it is produced, like every other scan does.
 */
import type { Document } from 'bson';
import { valueKey } from './compare.ts';
import type { Collection } from './collection.ts';
import type { KeyField } from './index-keys.ts';
import type { Predicate } from './matcher.ts';
import type { MergePlan } from './planner.ts';
import type { ScanStats } from './scan.ts';
import { compareSortKeys, sortKeysOf } from './sort.ts';

interface Head {
  doc: Document;
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
) => Iterator<Document>;

/** Streams the documents of `plan`'s children merged by its sort, each once. */
export function* mergeScan(
  coll: Collection,
  plan: MergePlan,
  filter: Predicate,
  stats: ScanStats,
  run: ChildExecutor,
): Generator<Document> {
  const children = plan.children.map((c) => run(coll, c, filter, stats));
  const heap = new HeadHeap(plan.sort);
  const advance = (child: number) => {
    const r = children[child].next();
    if (!r.done) heap.push({ doc: r.value, keys: sortKeysOf(r.value, plan.sort), child });
  };
  for (let i = 0; i < children.length; i++) advance(i);
  const seen = new Set<string>();
  // The child whose head was produced last refills only when the next document is wanted, so a consumer
  // that stops at its limit has not read past it.
  let refill = -1;
  for (;;) {
    if (refill >= 0) advance(refill);
    const head = heap.pop();
    if (!head) return;
    refill = head.child;
    const key = valueKey(head.doc._id);
    if (seen.has(key)) continue;
    seen.add(key);
    if (coll.dropped) return;
    const current = coll.get(head.doc._id);
    if (current === head.doc || (current && filter(current))) yield current!;
  }
}
