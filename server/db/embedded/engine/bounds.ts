/**
 * Turns a filter into per-field index bounds. Bounds are always a superset of what matches (the full filter
 * is re-checked on every fetched document), so anything not understood simply yields no bound.
 */
import type { Document } from 'bson';
import { compareValues, valueKey } from './compare.ts';
import { BracketBound, bsonTypeOf, isPlainObject, TypeOrder, typeOrder } from './values.ts';

/** An inclusive interval in value order (lo <= hi). */
export interface Interval {
  lo: unknown;
  hi: unknown;
  /** $gt / $lt: the bound itself is outside (the scan skips those keys without fetching documents). */
  loExcl?: boolean;
  hiExcl?: boolean;
}

/** An interval of one value (an equality). */
export const isPoint = (iv: Interval) => iv.lo === iv.hi && !iv.loExcl && !iv.hiExcl;

/** Bounds that pin a field to one value. */
export const onePoint = (ivs: readonly Interval[] | undefined) => ivs?.length === 1 && isPoint(ivs[0]);

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
  // The strings starting with the prefix end before the prefix with its last unit incremented; a trailing
  // U+FFFF cannot be incremented, so it is dropped (a wider range: the filter re-checks every document).
  const stem = prefix.replace(/\uffff+$/, '');
  if (!stem) return undefined;
  const hi = stem.slice(0, -1) + String.fromCharCode(stem.charCodeAt(stem.length - 1) + 1);
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

/** The intersection of two interval lists, each sorted and disjoint; the result is too. */
function intersectLists(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const r = intersectTwo(x, y);
      if (r) out.push(r);
    }
  }
  return out;
}

function intersectTwo(x: Interval, y: Interval): Interval | undefined {
  const out: Interval = { ...x };
  const l = compareValues(y.lo, out.lo);
  if (l > 0 || (l === 0 && y.loExcl)) [out.lo, out.loExcl] = [y.lo, y.loExcl];
  const h = compareValues(y.hi, out.hi);
  if (h < 0 || (h === 0 && y.hiExcl)) [out.hi, out.hiExcl] = [y.hi, y.hiExcl];
  const c = compareValues(out.lo, out.hi);
  if (c > 0 || (c === 0 && (out.loExcl || out.hiExcl))) return undefined;
  return out;
}

function contains(iv: Interval, v: unknown): boolean {
  const l = compareValues(v, iv.lo);
  if (l < 0 || (l === 0 && iv.loExcl)) return false;
  const h = compareValues(v, iv.hi);
  return h < 0 || (h === 0 && !iv.hiExcl);
}

/** Is every interval of `inner` inside one of `outer`'s? (Both sorted and disjoint.) */
export function intervalsWithin(inner: Interval[], outer: Interval[]): boolean {
  return inner.every((iv) =>
    outer.some((o) => {
      const l = compareValues(iv.lo, o.lo);
      const h = compareValues(iv.hi, o.hi);
      return (
        (l > 0 || (l === 0 && (!o.loExcl || iv.loExcl))) && (h < 0 || (h === 0 && (!o.hiExcl || iv.hiExcl)))
      );
    }),
  );
}

/**
 * `$ne: v` as the intervals either side of v (MongoDB's [MinKey, v) ∪ (v, MaxKey]). Null is cut out exactly
 * with type brackets (nothing sorts between null and the first number), so an index walk never passes over
 * the null keys of documents without the field. Undefined when the complement would be wrong: a sparse index
 * lacks the documents missing the field (which `$ne: 5` matches), and on a multikey field `$ne: null` matches
 * an empty array, whose key is null.
 */
function complementOf(v: unknown, multikey: boolean, sparse: boolean): Interval[] | undefined {
  if (v === null) {
    if (multikey) return undefined;
    return [
      { lo: ALL_VALUES.lo, hi: new BracketBound(TypeOrder.Null, false) },
      { lo: new BracketBound(TypeOrder.Null, true), hi: ALL_VALUES.hi },
    ];
  }
  if (sparse || !pointable(v, false) || isPlainObject(v)) return undefined;
  return [
    { lo: ALL_VALUES.lo, hi: v, hiExcl: true },
    { lo: v, hi: ALL_VALUES.hi, loExcl: true },
  ];
}

/** `$exists`: true is every key of a sparse index (it holds only documents with the field); false is null. */
function existsBounds(
  want: unknown,
  sparse: boolean,
): { intervals: Interval[]; points: boolean } | undefined {
  if (want === true || (want !== false && want !== 0 && want !== null && want !== undefined)) {
    return sparse ? { intervals: [ALL_VALUES], points: false } : undefined;
  }
  return sparse ? undefined : { intervals: [{ lo: null, hi: null }], points: true };
}

/**
 * Bounds for one indexed path, or undefined when the conditions give none. Equalities and ranges on one field
 * intersect (a contradiction gives empty bounds, so nothing is scanned); on a multikey field each condition
 * may be met by a different element, so only the first equality (or else range) is used there.
 */
export function boundsFor(conds: unknown[], multikey: boolean, sparse: boolean): FieldBounds | undefined {
  const ranges: Interval[][] = [];
  const pointSets: unknown[][] = [];
  for (const c of conds) {
    if (!isOperatorObject(c)) {
      if (pointable(c, sparse)) pointSets.push([c]);
      const r = c instanceof RegExp ? regexRange(c) : undefined;
      if (r) ranges.push([r]);
      continue;
    }
    for (const op of Object.keys(c)) {
      const v = c[op];
      if (op === '$regex') {
        const r = regexRange(v, typeof c.$options === 'string' ? c.$options : '');
        if (r) ranges.push([r]);
      } else if (op === '$eq' && pointable(v, sparse)) pointSets.push([v]);
      else if (op === '$in' && Array.isArray(v) && v.every((x) => pointable(x, sparse))) pointSets.push(v);
      else if (op === '$ne') {
        const r = complementOf(v, multikey, sparse);
        if (r) ranges.push(r);
      } else if (op === '$exists') {
        const e = existsBounds(v, sparse);
        if (e?.points) pointSets.push([null]);
        else if (e) ranges.push(e.intervals);
      } else {
        const r = rangeOf(op, v);
        if (r) ranges.push([r]);
      }
    }
  }
  // On a multikey field each condition may be met by a different element: keep one, and no intersection.
  if (multikey) {
    if (pointSets.length) return { intervals: sortedPoints(pointSets[0]), points: true };
    return ranges.length ? { intervals: ranges[0], points: false } : undefined;
  }
  const range = ranges.length ? ranges.reduce(intersectLists) : undefined;
  if (pointSets.length) {
    const points = pointSets
      .reduce(intersectPoints)
      .filter((p) => !range || range.some((iv) => contains(iv, p)));
    return { intervals: sortedPoints(points), points: true };
  }
  return range && { intervals: range, points: false };
}

/** The values in both lists (a field equal to one value of each). */
function intersectPoints(a: unknown[], b: unknown[]): unknown[] {
  const keys = new Set(b.map(valueKey));
  return a.filter((v) => keys.has(valueKey(v)));
}
