/**
 * A read of one collection: plan, scan, sort (unless the index already delivers the order), skip, limit and
 * project, as a lazy iterator. Used by find, count, distinct, findAndModify, update/delete and aggregate's
 * leading $match/$sort, and it reports what explain needs.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError } from '../errors.ts';
import type { Collection } from './collection.ts';
import { compileFilter, type Predicate } from './matcher.ts';
import { planQuery, type Plan } from './planner.ts';
import { positionalResolver } from './positional.ts';
import { compileProjection } from './projection.ts';
import { execute, newStats, type ScanStats } from './scan.ts';
import { parseSort, sortDocs } from './sort.ts';
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

export interface QueryRun {
  /** The compiled filter, for callers that re-check documents later. */
  predicate: Predicate;
  plan: Plan;
  stats: ScanStats;
  /** Whether an in-memory SORT stage was needed. */
  blockingSort: boolean;
  docs: Iterator<Document>;
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
  source: Iterator<Document>,
  skip: number,
  limit: number,
  project: ((d: Document) => Document) | undefined,
  stats: ScanStats,
): Generator<Document> {
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
    yield project ? project(r.value) : r.value;
    if (limit > 0 && returned >= limit) return;
  }
}

/**
 * Sorts everything the source yields. With a limit only the best `keep` documents are retained, re-sorting
 * whenever the buffer doubles, so memory stays O(keep) and time O(n log keep).
 */
function blockingSort(source: Iterator<Document>, fields: KeyField[], keep: number): Document[] {
  let buf: Document[] = [];
  for (let r = source.next(); !r.done; r = source.next()) {
    buf.push(r.value);
    if (keep > 0 && buf.length >= 2 * keep + 64) buf = sortDocs(buf, fields).slice(0, keep);
  }
  buf = sortDocs(buf, fields);
  return keep > 0 ? buf.slice(0, keep) : buf;
}

/** Runs a query lazily; nothing is read until the iterator is pulled (except for a blocking sort). */
export function runQuery(coll: Collection | undefined, spec: QuerySpec): QueryRun {
  const filter = spec.filter ?? {};
  if (!isPlainObject(filter)) throw new MongoError(ErrorCodes.TypeMismatch, 'filter must be an object');
  const predicate = compileFilter(filter);
  const sort = parseSort(spec.sort);
  const projection = compileProjection(spec.projection, positionalResolver(filter));
  const plan: Plan = coll
    ? planQuery(coll, filter, sort.fields, spec.hint, sort.natural)
    : { kind: 'collscan', reverse: false };
  const stats = newStats();
  let source = execute(coll, plan, predicate, stats);
  const needsSort = sort.fields.length > 0 && !(plan.kind === 'ixscan' && plan.providesSort);
  const skip = spec.skip ?? 0;
  const limit = spec.limit ?? 0;
  if (needsSort) source = blockingSort(source, sort.fields, limit > 0 ? skip + limit : 0)[Symbol.iterator]();
  return {
    predicate,
    plan,
    stats,
    blockingSort: needsSort,
    docs: pipelineOf(source, skip, limit, projection?.apply, stats),
  };
}

/** Drains an iterator into an array. */
export function collect(it: Iterator<Document>, max = Infinity): Document[] {
  const out: Document[] = [];
  while (out.length < max) {
    const r = it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}
