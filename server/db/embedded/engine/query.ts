/**
 * A read of one collection: plan, scan, sort (unless the index already delivers the order), skip, limit and
 * project, as a lazy iterator. Used by find, count, distinct, findAndModify, update/delete and aggregate's
 * leading $match/$sort, and it reports what explain needs.
 *
 * It decodes as little as it can: the scan reads only the fields the filter and the sort need (unless the
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
import { planQuery, type Plan } from './planner.ts';
import { positionalResolver } from './positional.ts';
import { compileProjection } from './projection.ts';
import { execute, fullDoc, newStats, type Hit, type Reads, type ScanStats } from './scan.ts';
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
}

export interface QueryRun {
  /** The compiled filter, for callers that re-check documents later. */
  predicate: Predicate;
  plan: Plan;
  stats: ScanStats;
  /** Whether an in-memory SORT stage was needed. */
  blockingSort: boolean;
  /** The matching documents after sort, skip and limit (the projection is not applied). */
  hits: Iterator<Hit>;
  /** The same results as whole decoded documents, projected; reading it consumes `hits`. */
  readonly docs: Iterator<Document>;
  /** A hit as a find returns it: its stored bytes when the projection allows, else the projected document. */
  present(hit: Hit): Document | RawDoc;
}

export function nonNegative(v: unknown, name: string): number {
  if (v === undefined || v === null) return 0;
  if (!isNumeric(v)) throw new MongoError(ErrorCodes.TypeMismatch, `${name} must be a number`);
  const n = toJsNumber(v);
  if (n < 0)
    throw new MongoError(ErrorCodes.BadValue, `${name} value must be non-negative, but received: ${n}`);
  return Math.trunc(n);
}

function* pipelineOf(source: Iterator<Hit>, skip: number, limit: number, stats: ScanStats): Generator<Hit> {
  let skipped = 0;
  let returned = 0;
  for (let r = source.next(); !r.done; r = source.next()) {
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

/** What the scan must decode: the filter's fields, the sort's and the caller's; null for everything. */
function readsOf(filter: Document, sort: KeyField[], options: QueryOptions): Reads {
  if (options.reads === 'all') return null;
  const fields = filterFields(filter);
  if (fields === null) return null;
  topLevelOf(
    sort.map((f) => f.path),
    fields,
  );
  for (const f of options.reads ?? []) fields.add(f);
  return new FieldSet(fields);
}

/** Runs a query lazily; nothing is read until the iterator is pulled (except for a blocking sort). */
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
  const plan: Plan = coll
    ? planQuery(coll, filter, sort.fields, spec.hint, sort.natural)
    : { kind: 'collscan', reverse: false };
  const stats = newStats();
  let source = execute(coll, plan, predicate, stats, readsOf(filter, sort.fields, options));
  const needsSort = sort.fields.length > 0 && !(plan.kind === 'ixscan' && plan.providesSort);
  const skip = spec.skip ?? 0;
  const limit = spec.limit ?? 0;
  if (needsSort) source = blockingSort(source, sort.fields, limit > 0 ? skip + limit : 0)[Symbol.iterator]();
  const hits = pipelineOf(source, skip, limit, stats);
  const whole = (hit: Hit) => (projection ? projection.apply(fullDoc(hit)) : fullDoc(hit));
  const raw = projection?.raw;
  return {
    predicate,
    plan,
    stats,
    blockingSort: needsSort,
    hits,
    get docs() {
      return mapIterator(hits, whole);
    },
    present(hit) {
      if (!projection) return new RawDoc(hit.bytes);
      if (raw) return new RawDoc(projectTopLevel(hit.bytes, raw.fields, raw.include, raw.keepId));
      return whole(hit);
    },
  };
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
