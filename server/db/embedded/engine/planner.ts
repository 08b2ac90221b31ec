/**
 * Enumerates the ways to read a collection for a filter and sort, as MongoDB's query planner does before its
 * trial: one candidate per usable index (bounds from equality, $in, ranges, $ne, anchored regexes, a compound
 * prefix), a sort-merge of per-point scans when an `$in` prefix sits before the sort fields ("explode for
 * sort"), and unions or sort-merges of per-branch scans for an `$or` (plan-or.ts). Which candidate runs is
 * decided by trial (trial.ts) and cached per query shape (plan-cache.ts); a `hint` or an `_id` equality
 * decides without one. Correctness never depends on the choice: the full filter is re-applied to every
 * fetched document, so bounds only affect speed.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError } from '../errors.ts';
import { valueKey } from './compare.ts';
import type { Collection } from './collection.ts';
import {
  ALL_VALUES,
  boundsFor,
  conditionsByPath,
  intervalsWithin,
  isPoint,
  type FieldBounds,
  type Interval,
} from './bounds.ts';
import type { KeyField } from './index-keys.ts';
import type { OrderedIndex } from './ordered-index.ts';
import { orCandidateById, orCandidates } from './plan-or.ts';
import { MAX_RANGES, rangePrefix } from './scan.ts';
import { bsonTypeOf, isPlainObject } from './values.ts';

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

/**
 * Scans that each deliver `sort`, merged by it with every document once (MongoDB's SORT_MERGE): the points of
 * an `$in` prefix ("explode for sort"), or the branches of an `$or`.
 */
export interface MergePlan {
  kind: 'merge';
  children: IndexPlan[];
  sort: KeyField[];
}

export type Plan = IndexPlan | CollScanPlan | OrPlan | MergePlan;

/** A plan before trial, with what ranking and the plan cache need to know about it. */
export interface Candidate {
  /** Stable across queries of one shape (index names and strategy, never values): the plan cache's key. */
  id: string;
  plan: Plan;
  /** The plan does not deliver the requested sort, so a blocking SORT must follow it. */
  blockingSort: boolean;
  /** Rule-based preference: orders the trial (ties go to the first) and picks plans for `$or` branches. */
  score: number;
}

/** MongoDB's internalQueryMaxScansToExplode: beyond this many point scans a blocking sort is cheaper. */
export const MAX_EXPLODE = 200;

/** Conditions on each dotted path, with the sparse/partial facts a candidate must respect. */
export interface PlanInput {
  filter: Document;
  conds: Map<string, unknown[]>;
  sort: KeyField[];
}

export function planInput(filter: Document, sort: KeyField[]): PlanInput {
  return { filter, conds: conditionsByPath(filter), sort };
}

const isMultikeyField = (ix: OrderedIndex, i: number): boolean => ix.multikeyFields?.[i] ?? ix.multikey;

/**
 * Does the filter certainly exclude every document outside a partial index? (conservative) Per field of the
 * partial filter, some condition must be the same, or select only values its bounds admit (`{w: {$in:
 * ['red']}}` implies `{w: {$gt: 'none'}}`; each condition is judged alone, as if the field held arrays), or
 * rule out a missing field where the partial filter asks for `$exists: true`.
 */
function impliesPartial(conds: Map<string, unknown[]>, partial: Document | undefined): boolean {
  if (!partial) return true;
  for (const key of Object.keys(partial)) {
    if (key.startsWith('$')) return false;
    const have = conds.get(key) ?? [];
    const want = partial[key];
    if (have.some((c) => valueKey(c) === valueKey(want))) continue;
    if (isExistsTrue(want)) {
      // Bounds that skip null on a sparse index rule out a missing field.
      if (boundsFor(have, false, true)) continue;
      return false;
    }
    const admitted = boundsFor([want], true, false);
    const within = (c: unknown) => {
      const b = boundsFor([c], true, false);
      return Boolean(admitted && b && intervalsWithin(b.intervals, admitted.intervals));
    };
    if (!have.some(within)) return false;
  }
  return true;
}

const isExistsTrue = (c: unknown): boolean =>
  isPlainObject(c) && Object.keys(c).join() === '$exists' && c.$exists === true;

/** Is field `i` of `ix` the start of `sort`, with every earlier field pinned to points? */
function sortStart(ix: OrderedIndex, bounds: (FieldBounds | undefined)[], sort: KeyField[]): number {
  if (sort.length === 0) return -1;
  const start = ix.fields.findIndex((f) => f.path === sort[0].path);
  if (start < 0 || start + sort.length > ix.fields.length) return -1;
  for (let i = 0; i < start; i++) if (!bounds[i]?.points) return -1;
  for (let j = 0; j < sort.length; j++) if (isMultikeyField(ix, start + j)) return -1;
  return start;
}

/** 1 / -1 when scanning forward / backward yields `sort` (given one point per earlier field), else 0. */
function sortDirection(ix: OrderedIndex, start: number, sort: KeyField[]): 1 | -1 | 0 {
  if (start < 0) return 0;
  const ratio = (sort[0].dir * ix.fields[start].dir) as 1 | -1;
  for (let j = 0; j < sort.length; j++) {
    const f = ix.fields[start + j];
    if (f.path !== sort[j].path || sort[j].dir * f.dir !== ratio) return 0;
  }
  return ratio;
}

/** The bounds `conds` give each leading field of `ix`, up to and including its first range. */
function fieldBoundsOf(ix: OrderedIndex, conds: Map<string, unknown[]>): (FieldBounds | undefined)[] {
  const out: (FieldBounds | undefined)[] = [];
  for (let i = 0; i < ix.fields.length; i++) {
    const c = conds.get(ix.fields[i].path);
    const b = c ? boundsFor(c, isMultikeyField(ix, i), Boolean(ix.spec.sparse)) : undefined;
    if (!b) break;
    out.push(b);
    if (!b.points) break;
  }
  return out;
}

/** One scan per combination of the points of fields [0, start), each delivering the sort. */
function explode(ix: OrderedIndex, bounds: Interval[][], start: number, reverse: boolean): IndexPlan[] {
  let combos: Interval[][][] = [[]];
  for (let i = 0; i < start; i++) combos = combos.flatMap((c) => bounds[i].map((iv) => [...c, [iv]]));
  return combos.map((prefix) => ({
    kind: 'ixscan' as const,
    index: ix,
    bounds: [...prefix, ...bounds.slice(start)],
    reverse,
    providesSort: true,
  }));
}

/** The candidate `ix` offers for the input, or undefined when it offers nothing (or may not be used). */
export function indexCandidate(ix: OrderedIndex, input: PlanInput): Candidate | undefined {
  if (!impliesPartial(input.conds, ix.spec.partialFilterExpression)) return undefined;
  const fb = fieldBoundsOf(ix, input.conds);
  const eq = fb.filter((b) => b?.points).length;
  const range = fb.length - eq;
  const start = sortStart(ix, fb, input.sort);
  const dir = sortDirection(ix, start, input.sort);
  if (eq + range === 0 && (dir === 0 || ix.spec.sparse)) return undefined;
  const bounds = ix.fields.map((_, i) => fb[i]?.intervals ?? [ALL_VALUES]);
  let streams = 1;
  for (let i = 0; i < Math.max(start, 0); i++) streams *= bounds[i].length;
  const allEq = eq === ix.fields.length && bounds.every((b) => b.length === 1);
  const score = eq * 4 + range * 2 + (dir ? 3 : 0) + (ix.unique && allEq ? 10 : 0) - ix.fields.length * 0.01;
  const scan: IndexPlan = { kind: 'ixscan', index: ix, bounds, reverse: dir === -1, providesSort: false };
  // No stream at all (an `$in: []` or contradictory equalities) reads nothing, in any order.
  if (dir !== 0 && streams <= 1) {
    return { id: `ix:${ix.name}`, plan: { ...scan, providesSort: true }, blockingSort: false, score };
  }
  if (dir !== 0 && streams > 1 && streams <= MAX_EXPLODE) {
    const children = explode(ix, bounds, start, dir === -1);
    const plan: MergePlan = { kind: 'merge', children, sort: input.sort };
    return { id: `merge:${ix.name}`, plan, blockingSort: false, score: score - streams * 0.001 };
  }
  const blockingSort = input.sort.length > 0;
  return { id: `ix:${ix.name}`, plan: scan, blockingSort, score: score - (dir ? 3 : 0) };
}

/**
 * A value an equality matches exactly the index keys of (no array, document, regex or NaN to widen it). Null
 * only where `nullExact`: on a field of a non-sparse index that never held an array, the key is null exactly
 * for the documents whose field is null or missing, which is what an equality to null matches.
 */
function exactPoint(v: unknown, nullExact: boolean): boolean {
  if (v === null) return nullExact;
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return !Number.isNaN(v);
  if (v instanceof Date) return !Number.isNaN(v.getTime());
  const type = bsonTypeOf(v);
  if (type === 'Double') return !Number.isNaN((v as { value: number }).value);
  return type === 'ObjectId' || type === 'Int32' || type === 'Long';
}

/** The values one top-level condition pins a field to, when it is only an equality or an `$in` of exact points. */
function exactPoints(cond: unknown, nullExact: boolean): unknown[] | undefined {
  const exact = (v: unknown) => exactPoint(v, nullExact);
  if (!isPlainObject(cond)) return exact(cond) ? [cond] : undefined;
  const ops = Object.keys(cond);
  if (ops.length !== 1) return undefined;
  if (ops[0] === '$eq') return exact(cond.$eq) ? [cond.$eq] : undefined;
  if (ops[0] === '$in' && Array.isArray(cond.$in) && cond.$in.every(exact)) return cond.$in;
  return undefined;
}

/**
 * Does every document with a key in the plan's ranges match `filter`, and every match have a key there? Then a
 * count is the number of documents those keys name (MongoDB's COUNT_SCAN), with no document read. True when
 * each condition of the filter is either stated verbatim by the index's partial filter (every document the
 * index holds meets it) or an equality or `$in` of exact values on one of the index's leading fields, each
 * pinned by the plan to those points, so the key ranges are exactly the filter. (A partial index is only
 * planned when the filter implies its filter.) On a multikey index a document can have several keys in the
 * ranges: the count then takes each document once (`countKeys`).
 */
export function answersWhole(plan: Plan, filter: Document): boolean {
  if (plan.kind !== 'ixscan' || plan.index.name === '_id_') return false;
  const ix = plan.index;
  const partial = ix.spec.partialFilterExpression;
  const stated = (path: string) =>
    Boolean(partial && Object.hasOwn(partial, path) && valueKey(partial[path]) === valueKey(filter[path]));
  // The leading index fields the filter pins to exactly its points.
  const pinned = new Set<string>();
  for (let i = 0; i < ix.fields.length; i++) {
    const path = ix.fields[i].path;
    const nullExact = !ix.spec.sparse && !ix.multikeyFields[i];
    const points = Object.hasOwn(filter, path) ? exactPoints(filter[path], nullExact) : undefined;
    const bounds = plan.bounds[i];
    if (!points || bounds.length !== points.length || !bounds.every(isPoint)) break;
    pinned.add(path);
  }
  // Beyond MAX_RANGES combinations the scan widens its ranges, which would count keys outside the filter.
  const exact = rangePrefix(plan.bounds).combinations <= MAX_RANGES;
  const paths = Object.keys(filter);
  return exact && paths.length > 0 && paths.every((p) => pinned.has(p) || stated(p));
}

function byScore(a: Candidate, b: Candidate): number {
  return b.score - a.score;
}

/** Every candidate for `filter` + `sort`, best rule score first (stable: index creation order breaks ties). */
export function enumeratePlans(coll: Collection, filter: Document, sort: KeyField[]): Candidate[] {
  const input = planInput(filter, sort);
  const out: Candidate[] = [];
  for (const ix of coll.indexes.values()) {
    const c = indexCandidate(ix, input);
    if (c) out.push(c);
  }
  out.push(...orCandidates(coll, filter, sort));
  out.sort(byScore);
  if (out.length === 0)
    out.push({ id: 'collscan', plan: collScan(false), blockingSort: sort.length > 0, score: 0 });
  return out;
}

const collScan = (reverse: boolean): CollScanPlan => ({ kind: 'collscan', reverse });

/**
 * The candidate a cached plan's id names, built for this query's values without enumerating the others (the
 * plan cache's hit path, query.ts): undefined for an id it cannot build alone (a collection scan) or one this
 * query's values no longer offer, which then go through the whole enumeration.
 */
export function cachedCandidate(
  coll: Collection,
  filter: Document,
  sort: KeyField[],
  id: string,
): Candidate | undefined {
  if (id.startsWith('ix:') || id.startsWith('merge:')) {
    const ix = coll.indexes.get(id.slice(id.indexOf(':') + 1));
    const c = ix && indexCandidate(ix, planInput(filter, sort));
    return c?.id === id ? c : undefined;
  }
  return id.startsWith('or') ? orCandidateById(coll, filter, sort, id) : undefined;
}

/**
 * `_id` equality or `$in` (MongoDB's IDHACK): the document map answers, so there is nothing to choose.
 * Undefined when the filter does not pin `_id` to points.
 */
export function idHack(coll: Collection, filter: Document, sort: KeyField[]): Candidate | undefined {
  const conds = filter._id === undefined ? undefined : [filter._id];
  const b = conds ? boundsFor(conds, false, false) : undefined;
  const ix = coll.indexes.get('_id_');
  if (!b?.points || !ix || sort.length > 0) return undefined;
  const bounds = [b.intervals];
  return {
    id: 'idhack',
    plan: { kind: 'ixscan', index: ix, bounds, reverse: false, providesSort: false },
    blockingSort: false,
    score: 100,
  };
}

/**
 * An index's key pattern as a hint names it, written once per index: a hinted query compared it with every
 * index of the collection (35 on the issues), 6 % of the database thread under the workbench's counts.
 */
const keyPatterns = new WeakMap<OrderedIndex, string>();
function keyPatternOf(ix: OrderedIndex): string {
  let pattern = keyPatterns.get(ix);
  if (pattern === undefined) keyPatterns.set(ix, (pattern = JSON.stringify(ix.spec.key)));
  return pattern;
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
    for (const ix of coll.indexes.values()) if (keyPatternOf(ix) === want) return ix;
  }
  throw new MongoError(
    ErrorCodes.BadValue,
    'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index',
  );
}

/**
 * The plan a `hint` (or a `$natural` sort) imposes, or undefined when there is none. A hinted index is used
 * with whatever bounds the filter gives it, and scanned whole otherwise.
 */
export function hintedPlan(
  coll: Collection,
  filter: Document,
  sort: KeyField[],
  hint: unknown,
  natural?: 1 | -1,
): Candidate | undefined {
  const hinted = hintedIndex(coll, hint);
  if (hinted === 'natural' || natural !== undefined) {
    return { id: 'collscan', plan: collScan(natural === -1), blockingSort: sort.length > 0, score: 0 };
  }
  if (!hinted) return undefined;
  const input = planInput(filter, sort);
  if (!impliesPartial(input.conds, hinted.spec.partialFilterExpression)) {
    // Scanning it would silently skip the documents the partial index leaves out.
    throw new MongoError(
      ErrorCodes.BadValue,
      `hint provided does not correspond to an eligible index: ${hinted.name} is partial and the query is not limited to its filter`,
    );
  }
  const c = indexCandidate(hinted, input);
  if (c) return c;
  const bounds = hinted.fields.map(() => [ALL_VALUES]);
  const plan: IndexPlan = { kind: 'ixscan', index: hinted, bounds, reverse: false, providesSort: false };
  return { id: `ix:${hinted.name}`, plan, blockingSort: sort.length > 0, score: 0 };
}
