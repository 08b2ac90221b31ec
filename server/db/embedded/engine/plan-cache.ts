/**
 * The plan cache: per collection, the candidate that won the trial for each query shape (the filter's
 * structure with its values stripped, the sort, the projection, and whether there is a skip or a limit), with
 * the works it needed. Queries of a cached shape run that candidate without a trial, rebuilt with their own
 * values, and are replanned when it needs more than 10x those works to produce its first batch (query.ts).
 *
 * A collection's entries are dropped together when its indexes change (one is created or dropped, or a field
 * becomes multikey, which changes what the indexes can do) and when its document count has moved by more than
 * 10% (at least 1,000 documents) since they were cached: the data a choice was measured on has changed
 * enough to measure again. Updates that only shift values are caught by the replan rule instead.
 */
import type { Document } from 'bson';
import type { Collection } from './collection.ts';
import { bsonTypeOf, isPlainObject, typeOrder } from './values.ts';

export interface CacheEntry {
  /** The winning candidate's id (planner.ts): index names and strategy, never values. */
  id: string;
  /** The works it needed in its trial; the yardstick for replanning. */
  works: number;
}

/** At most this many shapes per collection; the oldest entry goes first. */
const MAX_ENTRIES = 1000;
const MIN_DRIFT = 1000;
const DRIFT_RATIO = 0.1;

export class PlanCache {
  private readonly entries = new Map<string, CacheEntry>();
  private signature = '';
  private sizeAtFlush = 0;

  /** Drops every entry when the collection's indexes or size moved too far since they were cached. */
  validate(coll: Collection): void {
    const signature = indexSignature(coll);
    const drift = Math.abs(coll.size - this.sizeAtFlush);
    if (signature !== this.signature || drift > Math.max(MIN_DRIFT, DRIFT_RATIO * this.sizeAtFlush)) {
      this.clear();
      this.signature = signature;
      this.sizeAtFlush = coll.size;
    }
  }

  get(shape: string): CacheEntry | undefined {
    return this.entries.get(shape);
  }

  set(shape: string, entry: CacheEntry): void {
    this.entries.delete(shape);
    this.entries.set(shape, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(shape: string): void {
    this.entries.delete(shape);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached shapes and their choices (tests, diagnostics). */
  list(): [string, CacheEntry][] {
    return [...this.entries];
  }
}

const caches = new WeakMap<Collection, PlanCache>();

/** The collection's plan cache, already validated against its current indexes and size. */
export function planCacheOf(coll: Collection): PlanCache {
  let cache = caches.get(coll);
  if (!cache) {
    cache = new PlanCache();
    caches.set(coll, cache);
  }
  cache.validate(coll);
  return cache;
}

/** What the planner can do with the collection: its index names and which of their fields are multikey. */
function indexSignature(coll: Collection): string {
  let s = '';
  for (const ix of coll.indexes.values()) {
    s += ix.name + ':';
    for (const m of ix.multikeyFields ?? [ix.multikey]) s += m ? '1' : '0';
    s += '|';
  }
  return s;
}

/** A value's shape: its type class, and for regexes whether they are an anchored prefix (those bound scans). */
function valueShape(v: unknown): string {
  if (v instanceof RegExp) return /^\^/.test(v.source) && !v.flags.includes('i') ? 're^' : 're';
  if (bsonTypeOf(v) === 'BSONRegExp') return 're';
  if (Array.isArray(v)) return 'a';
  if (isPlainObject(v)) return isOperators(v) ? operatorsShape(v) : 'o';
  return 't' + typeOrder(v);
}

const isOperators = (d: Document): boolean => Object.keys(d).some((k) => k.startsWith('$'));

function operatorShape(op: string, v: unknown, parent: Document): string {
  switch (op) {
    case '$in':
    case '$nin':
      // One value, several (a sort-merge becomes possible) or none: different plans.
      return Array.isArray(v) ? `n${Math.min(v.length, 2)}${v.some((x) => !isScalar(x)) ? 'x' : ''}` : 'n?';
    case '$and':
    case '$or':
    case '$nor':
      return Array.isArray(v)
        ? `[${v.map((b) => (isPlainObject(b) ? filterShape(b) : '?')).join(',')}]`
        : '?';
    case '$regex': {
      const source = v instanceof RegExp ? v.source : String(v);
      const flags = (v instanceof RegExp ? v.flags : '') + String(parent.$options ?? '');
      return source.startsWith('^') && !/[imx]/.test(flags) ? '^' : '~';
    }
    case '$exists':
      return v ? '1' : '0';
    case '$options':
    case '$comment':
      return '';
  }
  return valueShape(v);
}

const isScalar = (v: unknown): boolean => !Array.isArray(v) && !isPlainObject(v) && !(v instanceof RegExp);

function operatorsShape(d: Document): string {
  return `{${Object.keys(d)
    .map((op) => `${op}:${operatorShape(op, d[op], d)}`)
    .join(',')}}`;
}

/** A filter's structure without its values. */
export function filterShape(filter: Document): string {
  return `{${Object.keys(filter)
    .map((k) => `${k}:${k.startsWith('$') ? operatorShape(k, filter[k], filter) : valueShape(filter[k])}`)
    .join(',')}}`;
}

/** The plan cache key of a query. */
export function queryShape(
  filter: Document,
  sort: Document | undefined,
  projection: Document | undefined,
  skip: number,
  limit: number,
): string {
  const sortShape = sort ? JSON.stringify(sort) : '';
  const projectionShape = projection ? Object.keys(projection).join(',') : '';
  return `${filterShape(filter)}|s${sortShape}|p${projectionShape}|${skip > 0 ? 'k' : ''}${limit > 0 ? 'l' : ''}`;
}
