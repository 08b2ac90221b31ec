/**
 * A read of one collection: plan (by trial or from the plan cache), scan, sort (unless the plan already
 * delivers the order), skip, limit and project, as a lazy iterator. Used by find, count, distinct,
 * findAndModify, update/delete and aggregate's leading $match/$sort, and it reports what explain needs.
 *
 * It decodes as little as it can: the scans read only the fields the filter and the sort need (unless the
 * caller asks for whole documents), and `present` answers a find from the stored bytes when the projection
 * allows.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError } from '../errors.ts';
import { RawDoc } from '../raw-doc.ts';
import { FieldSet, projectTopLevel, topLevelOf } from './bson-raw.ts';
import type { Collection } from './collection.ts';
import { filterFields } from './filter-fields.ts';
import { compileFilter, type Predicate } from './matcher.ts';
import {
  answersWhole,
  cachedCandidate,
  enumeratePlans,
  hintedPlan,
  idHack,
  type Candidate,
  type Plan,
} from './planner.ts';
import { planCacheOf, queryShape } from './plan-cache.ts';
import { positionalResolver } from './positional.ts';
import { compileProjection, presentBytes, type Projection } from './projection.ts';
import { countKeys, execute, fullDoc, newStats, type Hit, type Reads, type ScanStats } from './scan.ts';
import { PAUSE, withoutPauses, type Pause } from './pause.ts';
import { Contestant, FIRST_BATCH, provesItself, runTrial, type Ranked } from './trial.ts';
import { parseSort, sortBy } from './sort.ts';
import type { KeyField } from './index-keys.ts';
import { isNumeric, isPlainObject, toJsNumber } from './values.ts';

export interface QuerySpec {
  filter?: Document;
  sort?: Document;
  projection?: Document;
  skip?: number;
  /** 0 means no limit. */
  limit?: number;
  hint?: unknown;
}

export interface QueryOptions {
  /** Top-level fields the caller reads from `hits` besides the filter's and the sort's; 'all' for whole documents. */
  reads?: Iterable<string> | 'all';
  /** Explain: always run the trial (to report the rejected plans) and leave the plan cache alone. */
  explain?: boolean;
  /**
   * False when the caller never reads the hits' BSON (`Hit.bytes`), only their decoded fields (counts,
   * distinct, a leading `$group`): the scan then keeps no copy of what it tests. Default true.
   */
  bytes?: boolean;
  /**
   * True when the caller reads the hits only through `present` (a find's batches): a scan that keeps matches
   * then keeps only their top-level projection, when the projection is one, not a copy of the whole document.
   */
  presentOnly?: boolean;
  /**
   * The caller only counts the hits (`QueryRun.count`): a candidate that counts from index keys alone is taken
   * without a trial.
   */
  count?: boolean;
}

export interface QueryRun {
  /** The compiled filter, for callers that re-check documents later. */
  predicate: Predicate;
  plan: Plan;
  /** How the plan was chosen (trial, cache, hint) and what was rejected. */
  choice: PlanChoice;
  stats: ScanStats;
  /** Whether an in-memory SORT stage was needed. */
  blockingSort: boolean;
  /** The matching documents after sort, skip and limit (the projection is not applied). */
  hits: Iterator<Hit>;
  /**
   * `hits` for a find cursor's batches: the same documents, with PAUSE where a batch's deadline passed between
   * two matches (./pause.ts). Read one or the other, never both.
   */
  pausable: Iterator<Hit | Pause>;
  /** The same results as whole decoded documents, projected; reading it consumes `hits`. */
  readonly docs: Iterator<Document>;
  /** A hit as a find returns it: its stored bytes when the projection allows, else the projected document. */
  present(hit: Hit): Document | RawDoc;
  /** A count reads index keys only: the plan answers the whole filter (`answersWhole`). */
  readonly countsKeys: boolean;
  /** How many hits remain (after skip and limit), consuming them: by index keys alone when `countsKeys`. */
  count(): number;
}

export function nonNegative(v: unknown, name: string): number {
  if (v === undefined || v === null) return 0;
  if (!isNumeric(v)) throw new MongoError(ErrorCodes.TypeMismatch, `${name} must be a number`);
  const n = toJsNumber(v);
  if (n < 0)
    throw new MongoError(ErrorCodes.BadValue, `${name} value must be non-negative, but received: ${n}`);
  return Math.trunc(n);
}

function* pipelineOf(
  source: Iterator<Hit | Pause>,
  skip: number,
  limit: number,
  stats: ScanStats,
): Generator<Hit | Pause> {
  let skipped = 0;
  let returned = 0;
  for (let r = source.next(); !r.done; r = source.next()) {
    if (r.value === PAUSE) {
      yield PAUSE;
      continue;
    }
    if (skipped < skip) {
      skipped++;
      continue;
    }
    if (limit > 0 && returned >= limit) return;
    returned++;
    stats.nReturned++;
    yield r.value;
    if (limit > 0 && returned >= limit) return;
  }
}

/**
 * Sorts everything the source yields. With a limit only the best `keep` documents are retained, re-sorting
 * whenever the buffer doubles, so memory stays O(keep) and time O(n log keep).
 */
function blockingSort(source: Iterator<Hit>, fields: KeyField[], keep: number): Hit[] {
  const byDoc = (h: Hit) => h.doc;
  let buf: Hit[] = [];
  for (let r = source.next(); !r.done; r = source.next()) {
    buf.push(r.value);
    if (keep > 0 && buf.length >= 2 * keep + 64) buf = sortBy(buf, byDoc, fields).slice(0, keep);
  }
  buf = sortBy(buf, byDoc, fields);
  return keep > 0 ? buf.slice(0, keep) : buf;
}

/**
 * What the scans must decode: the filter's fields, then (from the documents that pass it) the sort's and the
 * caller's; null for everything.
 */
function readsOf(
  filter: Document,
  sort: KeyField[],
  options: QueryOptions,
  shape: NonNullable<Reads>['shape'],
): Reads {
  if (options.reads === 'all') return null;
  const fields = filterFields(filter);
  if (fields === null) return null;
  const later = topLevelOf(sort.map((f) => f.path));
  for (const f of options.reads ?? []) later.add(f);
  for (const f of fields) later.delete(f);
  return new FieldSet(fields, options.bytes ?? true, later.size ? new FieldSet(later) : undefined, shape);
}

/** How a plan was chosen, for explain. */
export interface PlanChoice {
  candidate: Candidate;
  /** The winner's trial, or the cached run (undefined when there was nothing to choose). */
  contestant?: Contestant;
  /** The winner's trial score. */
  score?: number;
  /** The other candidates, ranked, with what they did in the trial. */
  rejected: Ranked[];
  /** Served by the plan cache (no trial). */
  fromCache: boolean;
  /** The cached plan needed more than 10x its works and the shape was planned again. */
  replanned: boolean;
}

/** A cached plan gets this many times the works it won with before the shape is planned again. */
export const REPLAN_RATIO = 10;

/** A trial ends once a candidate could fill the first batch: the limit (after the skip), at most 101. */
function trialTarget(skip: number, limit: number): number {
  return skip + (limit > 0 ? Math.min(limit, FIRST_BATCH) : FIRST_BATCH);
}

/**
 * Picks the plan: a hint or `_id` equality decides outright, a single candidate needs no trial, a cached shape
 * runs its cached winner (replanning when it degrades), anything else runs the trial and caches the winner.
 * Explain always runs the trial and never touches the cache, so it can report the rejected plans.
 */
function choosePlan(
  coll: Collection,
  spec: QuerySpec,
  filter: Document,
  predicate: Predicate,
  explain: boolean,
  reads: Reads,
  counting: boolean,
) {
  const sort = parseSort(spec.sort);
  const outright =
    hintedPlan(coll, filter, sort.fields, spec.hint, sort.natural) ?? idHack(coll, filter, sort.fields);
  const none: PlanChoice = { candidate: outright!, rejected: [], fromCache: false, replanned: false };
  if (outright) return none;
  const skip = spec.skip ?? 0;
  const limit = spec.limit ?? 0;
  const target = trialTarget(skip, limit);
  const shape = queryShape(filter, spec.sort, spec.projection, skip, limit);
  const cache = explain ? undefined : planCacheOf(coll);
  const cached = cache?.get(shape);
  const proven = (candidate: Candidate): PlanChoice | undefined => {
    const contestant = new Contestant(coll, candidate, predicate, reads);
    if (!provesItself(contestant, target, REPLAN_RATIO * cached!.works)) return undefined;
    return { candidate, contestant, rejected: [], fromCache: true, replanned: false };
  };
  // A cached shape builds its winner alone, without enumerating the rest (a tenth of a list's query on the
  // database thread). Not for a count: it first asks whether some index answers from its keys alone.
  const rebuilt = cached && !counting ? cachedCandidate(coll, filter, sort.fields, cached.id) : undefined;
  const fast = rebuilt && proven(rebuilt);
  if (fast) return fast;
  const candidates = enumeratePlans(coll, filter, sort.fields);
  if (candidates.length === 1) return { ...none, candidate: candidates[0] };
  // A count some index answers from its keys alone reads exactly the matching keys: no plan reads fewer.
  const keysOnly = counting ? candidates.find((c) => answersWhole(c.plan, filter)) : undefined;
  if (keysOnly) return { ...none, candidate: keysOnly };
  const again = !rebuilt && cached ? candidates.find((c) => c.id === cached.id) : undefined;
  const cachedRun = again && proven(again);
  if (cachedRun) return cachedRun;
  const ranked = runTrial(
    candidates.map((c) => new Contestant(coll, c, predicate, reads)),
    target,
  );
  const winner = ranked[0].contestant;
  cache?.set(shape, { id: winner.candidate.id, works: Math.max(winner.works, 1) });
  return {
    candidate: winner.candidate,
    contestant: winner,
    score: ranked[0].score,
    rejected: ranked.slice(1),
    fromCache: false,
    replanned: Boolean(rebuilt ?? again),
  };
}

/** Runs a query lazily; nothing is read until the iterator is pulled (except the trial and a blocking sort). */
export function runQuery(
  coll: Collection | undefined,
  spec: QuerySpec,
  options: QueryOptions = {},
): QueryRun {
  const filter = spec.filter ?? {};
  if (!isPlainObject(filter)) throw new MongoError(ErrorCodes.TypeMismatch, 'filter must be an object');
  const predicate = compileFilter(filter);
  const sort = parseSort(spec.sort);
  const projection = compileProjection(spec.projection, positionalResolver(filter));
  const raw = projection?.raw;
  const shape = raw && options.presentOnly ? rawShape(raw) : undefined;
  const reads = readsOf(filter, sort.fields, options, shape);
  const skip = spec.skip ?? 0;
  const limit = spec.limit ?? 0;
  let choice: PlanChoice;
  let stats: ScanStats;
  let source: Iterator<Hit | Pause>;
  if (coll) {
    choice = choosePlan(
      coll,
      spec,
      filter,
      predicate,
      options.explain ?? false,
      reads,
      options.count ?? false,
    );
    stats = choice.contestant?.stats ?? newStats();
    source = choice.contestant?.results() ?? execute(coll, choice.candidate.plan, predicate, stats, reads);
  } else {
    const candidate: Candidate = {
      id: 'collscan',
      plan: { kind: 'collscan', reverse: false },
      blockingSort: false,
      score: 0,
    };
    choice = { candidate, rejected: [], fromCache: false, replanned: false };
    stats = newStats();
    source = [][Symbol.iterator]();
  }
  const needsSort = sort.fields.length > 0 && choice.candidate.blockingSort;
  if (needsSort) {
    source = blockingSort(withoutPauses(source), sort.fields, limit > 0 ? skip + limit : 0)[
      Symbol.iterator
    ]();
  }
  const pausable = pipelineOf(source, skip, limit, stats);
  const hits = withoutPauses(pausable);
  const plan = choice.candidate.plan;
  let countsKeys: boolean | undefined; // decided when a count asks, not for every find
  const whole = (hit: Hit) => (projection ? projection.apply(fullDoc(hit)) : fullDoc(hit));
  return {
    predicate,
    plan,
    choice,
    stats,
    blockingSort: needsSort,
    hits,
    pausable,
    get docs() {
      return mapIterator(hits, whole);
    },
    get countsKeys() {
      return (countsKeys ??= !needsSort && answersWhole(plan, filter));
    },
    count() {
      if (this.countsKeys && plan.kind === 'ixscan') {
        const keys = countKeys(plan, stats);
        const n = Math.max(0, keys - skip);
        stats.nReturned = limit > 0 ? Math.min(n, limit) : n;
        return stats.nReturned;
      }
      let n = 0;
      for (let r = hits.next(); !r.done; r = hits.next()) n++;
      return n;
    },
    present(hit) {
      if (hit.shaped) return new RawDoc(hit.bytes);
      return presentBytes(projection, hit.bytes, () => fullDoc(hit));
    },
  };
}

/** A top-level projection as a scan's `Reads.shape`. */
function rawShape(raw: NonNullable<Projection['raw']>): NonNullable<Reads>['shape'] {
  return (bson, more) => projectTopLevel(bson, raw.fields, raw.include, raw.keepId, more, raw.within);
}

function* mapIterator<T, U>(it: Iterator<T>, f: (t: T) => U): Generator<U> {
  for (let r = it.next(); !r.done; r = it.next()) yield f(r.value);
}

/** Drains an iterator into an array. */
export function collect<T>(it: Iterator<T>, max = Infinity): T[] {
  const out: T[] = [];
  while (out.length < max) {
    const r = it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}
