/**
 * Turns a filter into per-field index bounds. Bounds are always a superset of what matches (the full filter
 * is re-checked on every fetched document), so anything not understood simply yields no bound.
 */
import type { Document } from 'bson';
import { compareValues, valueKey } from './compare.ts';
import { BracketBound, bsonTypeOf, isPlainObject, typeOrder } from './values.ts';

/** An inclusive interval in value order (lo <= hi). */
export interface Interval {
  lo: unknown;
  hi: unknown;
  /** $gt / $lt: the bound itself is outside (the scan skips those keys without fetching documents). */
  loExcl?: boolean;
  hiExcl?: boolean;
}

export interface FieldBounds {
  intervals: Interval[];
  /** True when every interval is a single point (equality or $in). */
  points: boolean;
}

export const ALL_VALUES: Interval = { lo: new BracketBound(0, false), hi: new BracketBound(99, true) };

/** Collects the conditions on each dotted path from top-level fields and `$and` branches. */
export function conditionsByPath(
  filter: Document,
  out = new Map<string, unknown[]>(),
): Map<string, unknown[]> {
  for (const key of Object.keys(filter)) {
    if (key === '$and' && Array.isArray(filter.$and)) {
      for (const branch of filter.$and) if (isPlainObject(branch)) conditionsByPath(branch, out);
    } else if (!key.startsWith('$')) {
      const list = out.get(key) ?? [];
      list.push(filter[key]);
      out.set(key, list);
    }
  }
  return out;
}

function pointable(v: unknown, sparse: boolean): boolean {
  if (v === undefined || Array.isArray(v) || v instanceof RegExp || bsonTypeOf(v) === 'BSONRegExp')
    return false;
  return !(sparse && v === null);
}

function isOperatorObject(c: unknown): c is Document {
  return isPlainObject(c) && Object.keys(c).length > 0 && Object.keys(c)[0].startsWith('$');
}

function rangeOf(op: string, v: unknown): Interval | undefined {
  if (v === null || v === undefined || Array.isArray(v)) return undefined;
  const order = typeOrder(v);
  if (op === '$gt' || op === '$gte')
    return { lo: v, hi: new BracketBound(order, true), loExcl: op === '$gt' };
  if (op === '$lt' || op === '$lte')
    return { lo: new BracketBound(order, false), hi: v, hiExcl: op === '$lt' };
  return undefined;
}

const META = new Set('\\^$.|?*+()[]{}'.split(''));

/** `/^abc/` (without the i, m or x flags) only matches strings in ['abc', 'abd'). */
function regexRange(re: unknown, options = ''): Interval | undefined {
  const source = re instanceof RegExp ? re.source : typeof re === 'string' ? re : undefined;
  const flags = (re instanceof RegExp ? re.flags : '') + options;
  if (source === undefined || !source.startsWith('^') || source.includes('|') || /[imx]/.test(flags)) {
    return undefined;
  }
  let prefix = '';
  for (let i = 1; i < source.length && !META.has(source[i]); i++) prefix += source[i];
  const next = source[prefix.length + 1];
  if (next === '?' || next === '*' || next === '{') prefix = prefix.slice(0, -1);
  if (!prefix) return undefined;
  const hi = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return { lo: prefix, hi, hiExcl: true };
}

function sortedPoints(values: unknown[]): Interval[] {
  const seen = new Set<string>();
  const uniq = values.filter((v) => {
    const k = valueKey(v);
    return seen.has(k) ? false : (seen.add(k), true);
  });
  uniq.sort(compareValues);
  return uniq.map((v) => ({ lo: v, hi: v }));
}

function intersect(ranges: Interval[]): Interval[] {
  const out: Interval = { ...ranges[0] };
  for (const r of ranges.slice(1)) {
    const l = compareValues(r.lo, out.lo);
    if (l > 0 || (l === 0 && r.loExcl)) [out.lo, out.loExcl] = [r.lo, r.loExcl];
    const h = compareValues(r.hi, out.hi);
    if (h < 0 || (h === 0 && r.hiExcl)) [out.hi, out.hiExcl] = [r.hi, r.hiExcl];
  }
  return compareValues(out.lo, out.hi) > 0 ? [] : [out];
}

/** False when a key sits exactly on an exclusive bound of a single-interval field. */
export function keyWithinBounds(key: unknown[], bounds: Interval[][]): boolean {
  for (let i = 0; i < bounds.length; i++) {
    if (bounds[i].length !== 1) continue;
    const iv = bounds[i][0];
    if (iv.loExcl && compareValues(key[i], iv.lo) === 0) return false;
    if (iv.hiExcl && compareValues(key[i], iv.hi) === 0) return false;
  }
  return true;
}

/**
 * Bounds for one indexed path, or undefined when the conditions give none. On a multikey index two range
 * conditions may be satisfied by different elements, so only one of them is used.
 */
export function boundsFor(conds: unknown[], multikey: boolean, sparse: boolean): FieldBounds | undefined {
  const ranges: Interval[] = [];
  let points: unknown[] | undefined;
  for (const c of conds) {
    if (!isOperatorObject(c)) {
      if (pointable(c, sparse) && !points) points = [c];
      const r = c instanceof RegExp ? regexRange(c) : undefined;
      if (r) ranges.push(r);
      continue;
    }
    for (const op of Object.keys(c)) {
      const v = c[op];
      if (op === '$regex') {
        const r = regexRange(v, typeof c.$options === 'string' ? c.$options : '');
        if (r) ranges.push(r);
      } else if (op === '$eq' && pointable(v, sparse) && !points) points = [v];
      else if (op === '$in' && Array.isArray(v) && v.every((x) => pointable(x, sparse)) && !points)
        points = v;
      else {
        const r = rangeOf(op, v);
        if (r) ranges.push(r);
      }
    }
  }
  if (points) return { intervals: sortedPoints(points), points: true };
  if (ranges.length === 0) return undefined;
  return { intervals: multikey ? [ranges[0]] : intersect(ranges), points: false };
}
