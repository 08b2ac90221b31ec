/**
 * Executes a plan as a lazy generator of matching documents. Index scans read the B+tree in chunks and
 * resume from the last key seen, and collection scans walk the insertion-ordered map (whose iterators are
 * defined under mutation), so a cursor stays valid while the collection changes between getMore calls.
 * Each document is re-read by _id and re-checked against the filter when it is produced. A cursor on a
 * collection that has since been dropped or renamed simply ends.
 */
import type { Document } from 'bson';
import { valueKey } from './compare.ts';
import type { Collection } from './collection.ts';
import { keyWithinBounds, type Interval } from './bounds.ts';
import { HIGHEST, LOWEST, type IndexKey, type OrderedIndex } from './ordered-index.ts';
import type { IndexPlan, OrPlan, Plan } from './planner.ts';
import type { Predicate } from './matcher.ts';
import { mergeScan } from './merge-sort.ts';

export interface ScanStats {
  keysExamined: number;
  docsExamined: number;
  nReturned: number;
}

export const newStats = (): ScanStats => ({ keysExamined: 0, docsExamined: 0, nReturned: 0 });

/** Keys read per tree descent: small first (a limit is often small), doubling up to the maximum. */
const FIRST_CHUNK = 16;
const MAX_CHUNK = 512;
const MAX_RANGES = 4096;

/**
 * The cartesian product of per-field intervals, in tree order, as [low, high] tree keys. After an exclusive
 * end (`$gt`, `$ne`) the rest of that key is the tree's extreme, so the descent starts past every key equal
 * to the excluded value instead of walking them.
 */
export function treeRanges(ix: OrderedIndex, bounds: Interval[][]): [IndexKey, IndexKey][] {
  let product = 1;
  for (const b of bounds) product *= b.length;
  const perField = bounds.map((b, i) => {
    const list = product > MAX_RANGES && b.length > 1 ? [{ lo: b[0].lo, hi: b[b.length - 1].hi }] : b;
    return ix.fields[i].dir > 0 ? list : [...list].reverse();
  });
  type Combo = { lo: IndexKey; hi: IndexKey; loPast: boolean; hiPast: boolean };
  let combos: Combo[] = [{ lo: [], hi: [], loPast: false, hiPast: false }];
  perField.forEach((list, i) => {
    const asc = ix.fields[i].dir > 0;
    // The largest / smallest value of this field in tree order.
    const [treeMax, treeMin] = asc ? [HIGHEST, LOWEST] : [LOWEST, HIGHEST];
    const next: Combo[] = [];
    for (const c of combos) {
      for (const iv of list) {
        const [lo, loExcl, hi, hiExcl] = asc
          ? [iv.lo, iv.loExcl, iv.hi, iv.hiExcl]
          : [iv.hi, iv.hiExcl, iv.lo, iv.loExcl];
        next.push({
          lo: [...c.lo, c.loPast ? treeMax : lo],
          hi: [...c.hi, c.hiPast ? treeMin : hi],
          loPast: c.loPast || Boolean(loExcl),
          hiPast: c.hiPast || Boolean(hiExcl),
        });
      }
    }
    combos = next;
  });
  return combos.map((c) => [
    [...c.lo, c.loPast ? HIGHEST : LOWEST],
    [...c.hi, c.hiPast ? LOWEST : HIGHEST],
  ]);
}

function* scanRange(
  ix: OrderedIndex,
  lo: IndexKey,
  hi: IndexKey,
  reverse: boolean,
  stats: ScanStats,
): Generator<IndexKey> {
  const cmp = ix.compareKeys;
  let from = reverse ? hi : lo;
  let skipFrom = false;
  let size = FIRST_CHUNK;
  for (;;) {
    const chunk: IndexKey[] = [];
    let done = true;
    const it = reverse ? ix.tree.entriesReversed(from) : ix.tree.entries(from);
    for (const [key] of it) {
      const k = key as IndexKey;
      if (skipFrom && cmp(k, from) === 0) continue;
      if (reverse ? cmp(k, lo) < 0 : cmp(k, hi) > 0) break;
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

function* indexScan(
  coll: Collection,
  plan: IndexPlan,
  filter: Predicate,
  stats: ScanStats,
  seen = new Set<string>(),
): Generator<Document> {
  const ids = idPoints(plan);
  if (ids) {
    yield* idLookup(coll, ids, filter, stats, seen);
    return;
  }
  const ix = plan.index;
  const n = ix.fields.length;
  const point = uniquePoint(plan);
  if (point) {
    // One key value on a unique index: its hash answers without a tree descent. Two entries can only be
    // there transiently (recovery); the tree then gives them in _id order.
    const entries = ix.pointEntries(point) ?? [];
    if (entries.length <= 1) {
      yield* idLookup(
        coll,
        entries.map((key) => key[n]),
        filter,
        stats,
        seen,
      );
      return;
    }
  }
  const ranges = treeRanges(ix, plan.bounds);
  if (plan.reverse) ranges.reverse();
  for (const [lo, hi] of ranges) {
    for (const key of scanRange(ix, lo, hi, plan.reverse, stats)) {
      if (coll.dropped) return;
      if (!keyWithinBounds(key, plan.bounds)) continue;
      const id = key[n];
      const idKey = valueKey(id);
      if (seen.has(idKey)) continue;
      seen.add(idKey);
      const doc = coll.docs.get(idKey);
      if (!doc) continue;
      stats.docsExamined++;
      if (filter(doc)) yield doc;
    }
  }
}

/** The single key value an equality on every field of a unique (hashed) index asks for, if that is the plan. */
function uniquePoint(plan: IndexPlan): unknown[] | undefined {
  if (!plan.index.points) return undefined;
  const key: unknown[] = [];
  for (const ivs of plan.bounds) {
    if (ivs.length !== 1) return undefined;
    const iv = ivs[0];
    if (iv.lo !== iv.hi || iv.loExcl || iv.hiExcl) return undefined;
    key.push(iv.lo);
  }
  return key.length === plan.index.fields.length ? key : undefined;
}

/** `_id` equality / `$in`: the documents map answers directly, no tree descent needed. */
function idPoints(plan: IndexPlan): unknown[] | undefined {
  if (plan.index.name !== '_id_') return undefined;
  const ivs = plan.bounds[0];
  if (!ivs.every((iv) => iv.lo === iv.hi && !iv.loExcl && !iv.hiExcl)) return undefined;
  const points = ivs.map((iv) => iv.lo);
  return plan.reverse ? points.reverse() : points;
}

function* idLookup(
  coll: Collection,
  ids: unknown[],
  filter: Predicate,
  stats: ScanStats,
  seen: Set<string>,
): Generator<Document> {
  for (const id of ids) {
    if (coll.dropped) return;
    const doc = coll.get(id);
    if (!doc) continue;
    const key = valueKey(doc._id);
    if (seen.has(key)) continue;
    seen.add(key);
    stats.keysExamined++;
    stats.docsExamined++;
    if (filter(doc)) yield doc;
  }
}

function* orScan(coll: Collection, plan: OrPlan, filter: Predicate, stats: ScanStats): Generator<Document> {
  const seen = new Set<string>();
  for (const branch of plan.branches) yield* indexScan(coll, branch, filter, stats, seen);
}

function* collScan(
  coll: Collection,
  reverse: boolean,
  filter: Predicate,
  stats: ScanStats,
): Generator<Document> {
  const source = reverse ? [...coll.docs.keys()].reverse() : coll.docs.keys();
  for (const key of source) {
    if (coll.dropped) return;
    const doc = coll.docs.get(key);
    if (!doc) continue;
    stats.docsExamined++;
    if (filter(doc)) yield doc;
  }
}

/** Streams the documents of `coll` that match `filter`, read the way `plan` says. */
export function execute(
  coll: Collection | undefined,
  plan: Plan,
  filter: Predicate,
  stats: ScanStats,
): Iterator<Document> {
  if (!coll) return [][Symbol.iterator]();
  if (plan.kind === 'or') return orScan(coll, plan, filter, stats);
  if (plan.kind === 'merge') return mergeScan(coll, plan, filter, stats, execute);
  return plan.kind === 'ixscan'
    ? indexScan(coll, plan, filter, stats)
    : collScan(coll, plan.reverse, filter, stats);
}
