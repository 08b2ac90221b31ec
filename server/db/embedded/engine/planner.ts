/**
 * Chooses how to read a collection for a filter and sort: an index scan over computed bounds (equality,
 * $in, ranges, a compound prefix, or just the index order for a sort) or a collection scan. The choice is a
 * simple rule-based score, deterministic and cheap; correctness never depends on it because the full
 * filter is re-applied to every fetched document.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError } from '../errors.ts';
import { valueKey } from './compare.ts';
import type { Collection } from './collection.ts';
import { ALL_VALUES, boundsFor, conditionsByPath, type FieldBounds, type Interval } from './bounds.ts';
import type { KeyField } from './index-keys.ts';
import type { OrderedIndex } from './ordered-index.ts';
import { isPlainObject } from './values.ts';

export interface IndexPlan {
  kind: 'ixscan';
  index: OrderedIndex;
  /** Per index field, its intervals in value order. */
  bounds: Interval[][];
  /** Scan the tree backwards (to deliver a descending sort). */
  reverse: boolean;
  /** True when the scan already yields documents in the requested sort order. */
  providesSort: boolean;
}

export interface CollScanPlan {
  kind: 'collscan';
  reverse: boolean;
}

/** A top-level `$or` whose every branch can use an index: the union of the branch scans, deduplicated. */
export interface OrPlan {
  kind: 'or';
  branches: IndexPlan[];
}

export type Plan = IndexPlan | CollScanPlan | OrPlan;

/** Does the filter certainly exclude every document outside a partial index? (conservative) */
function impliesPartial(filter: Document, partial: Document | undefined): boolean {
  if (!partial) return true;
  for (const key of Object.keys(partial)) {
    if (key.startsWith('$')) return false;
    const want = valueKey(partial[key]);
    if (valueKey(filter[key]) === want) continue;
    const exists =
      isPlainObject(partial[key]) &&
      Object.keys(partial[key]).join() === '$exists' &&
      partial[key].$exists === true;
    const b = exists
      ? boundsFor(
          [filter[key]].filter((x) => x !== undefined),
          false,
          true,
        )
      : undefined;
    if (!b) return false;
  }
  return true;
}

/** Whether scanning `ix` within `bounds` yields documents sorted by `sort` (forward or backward). */
function sortDirection(ix: OrderedIndex, bounds: (FieldBounds | undefined)[], sort: KeyField[]): 1 | -1 | 0 {
  if (sort.length === 0 || ix.multikey) return 0;
  const start = ix.fields.findIndex((f) => f.path === sort[0].path);
  if (start < 0 || start + sort.length > ix.fields.length) return 0;
  for (let i = 0; i < start; i++) {
    const b = bounds[i];
    if (!b || !b.points || b.intervals.length !== 1) return 0;
  }
  const ratio = (sort[0].dir * ix.fields[start].dir) as 1 | -1;
  for (let j = 0; j < sort.length; j++) {
    const f = ix.fields[start + j];
    if (f.path !== sort[j].path || sort[j].dir * f.dir !== ratio) return 0;
  }
  return ratio;
}

interface Candidate {
  plan: IndexPlan;
  score: number;
  /** True when the filter bounds the scan (not just the sort order). */
  bounded: boolean;
}

function candidateFor(ix: OrderedIndex, filter: Document, sort: KeyField[]): Candidate | undefined {
  if (!impliesPartial(filter, ix.spec.partialFilterExpression)) return undefined;
  const conds = conditionsByPath(filter);
  const fieldBounds: (FieldBounds | undefined)[] = [];
  let eq = 0;
  let range = 0;
  for (const f of ix.fields) {
    const c = conds.get(f.path);
    const b = c ? boundsFor(c, ix.multikey, Boolean(ix.spec.sparse)) : undefined;
    if (!b) break;
    fieldBounds.push(b);
    if (b.points) eq++;
    else {
      range++;
      break;
    }
  }
  const dir = sortDirection(ix, fieldBounds, sort);
  if (eq + range === 0 && (dir === 0 || ix.spec.sparse)) return undefined;
  const allEq = eq === ix.fields.length && fieldBounds.every((b) => b?.intervals.length === 1);
  const score = eq * 4 + range * 2 + (dir ? 3 : 0) + (ix.unique && allEq ? 10 : 0) - ix.fields.length * 0.01;
  const bounds = ix.fields.map((_, i) => fieldBounds[i]?.intervals ?? [ALL_VALUES]);
  return {
    plan: { kind: 'ixscan', index: ix, bounds, reverse: dir === -1, providesSort: dir !== 0 },
    score,
    bounded: eq + range > 0,
  };
}

function hintedIndex(coll: Collection, hint: unknown): OrderedIndex | 'natural' | undefined {
  if (hint === undefined || hint === null) return undefined;
  if (typeof hint === 'string') {
    const ix = coll.indexes.get(hint);
    if (ix) return ix;
  } else if (isPlainObject(hint)) {
    if (Object.keys(hint).length === 0) return undefined;
    if ('$natural' in hint) return 'natural';
    const want = JSON.stringify(hint);
    for (const ix of coll.indexes.values()) if (JSON.stringify(ix.spec.key) === want) return ix;
  }
  throw new MongoError(
    ErrorCodes.BadValue,
    'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index',
  );
}

/** Picks the plan for `filter` + `sort` over `coll`. */
export function planQuery(
  coll: Collection,
  filter: Document,
  sort: KeyField[],
  hint?: unknown,
  natural?: 1 | -1,
): Plan {
  const hinted = hintedIndex(coll, hint);
  if (hinted === 'natural' || natural !== undefined) return { kind: 'collscan', reverse: natural === -1 };
  if (hinted) {
    if (!impliesPartial(filter, hinted.spec.partialFilterExpression)) {
      // Scanning it would silently skip the documents the partial index leaves out.
      throw new MongoError(
        ErrorCodes.BadValue,
        `hint provided does not correspond to an eligible index: ${hinted.name} is partial and the query is not limited to its filter`,
      );
    }
    const c = candidateFor(hinted, filter, sort);
    if (c) return c.plan;
    const bounds = hinted.fields.map(() => [ALL_VALUES]);
    return { kind: 'ixscan', index: hinted, bounds, reverse: false, providesSort: false };
  }
  const best = bestCandidate(coll, filter, sort);
  if (best?.bounded) return best.plan;
  return orPlan(coll, filter) ?? best?.plan ?? { kind: 'collscan', reverse: false };
}

function bestCandidate(coll: Collection, filter: Document, sort: KeyField[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const ix of coll.indexes.values()) {
    const c = candidateFor(ix, filter, sort);
    if (c && (!best || c.score > best.score)) best = c;
  }
  return best;
}

/** Plans each `$or` branch (with the filter's other conditions) on its own index; undefined if any cannot. */
function orPlan(coll: Collection, filter: Document): OrPlan | undefined {
  const branches = filter.$or;
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const rest: Document = { ...filter };
  delete rest.$or;
  const plans: IndexPlan[] = [];
  for (const branch of branches) {
    if (!isPlainObject(branch)) return undefined;
    const c = bestCandidate(coll, { $and: [rest, branch] }, []);
    if (!c?.bounded) return undefined;
    plans.push(c.plan);
  }
  return { kind: 'or', branches: plans };
}
