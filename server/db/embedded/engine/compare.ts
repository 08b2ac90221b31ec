/**
 * The one total order over BSON values that sorting, range queries and indexes share: first the canonical
 * type class (MinKey < null < numbers < string < object < array < binData < ObjectId < bool < Date <
 * Timestamp < regex < MaxKey), then the value within the class. Numbers compare by value across types.
 */
import {
  Double,
  Int32,
  ObjectId,
  type Binary,
  type BSONRegExp,
  type Code,
  type Document,
  type Timestamp,
} from 'bson';
import { compareNumbers, numberKey } from './numeric.ts';
import { BracketBound, bsonTypeOf, isPlainObject, TypeOrder, typeOrder } from './values.ts';

const cmp = <T>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const b = v as Binary;
  return b.buffer.subarray(0, b.position);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return cmp(a.length, b.length);
}

function compareBinary(a: unknown, b: unknown): number {
  const x = bytesOf(a);
  const y = bytesOf(b);
  if (x.length !== y.length) return cmp(x.length, y.length);
  const sa = a instanceof Uint8Array ? 0 : (a as Binary).sub_type;
  const sb = b instanceof Uint8Array ? 0 : (b as Binary).sub_type;
  return sa !== sb ? cmp(sa, sb) : compareBytes(x, y);
}

function compareObjects(a: Document, b: Document): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i]];
    const vb = b[kb[i]];
    const t = cmp(typeOrder(va), typeOrder(vb));
    if (t) return t;
    const k = cmp(ka[i], kb[i]);
    if (k) return k;
    const v = compareValues(va, vb);
    if (v) return v;
  }
  return cmp(ka.length, kb.length);
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c) return c;
  }
  return cmp(a.length, b.length);
}

function regexParts(v: unknown): [string, string] {
  if (v instanceof RegExp) return [v.source, v.flags];
  const r = v as BSONRegExp;
  return [r.pattern, r.options];
}

function stringOf(v: unknown): string {
  return typeof v === 'string' ? v : (v as { value: string }).value;
}

function compareSameClass(order: number, a: unknown, b: unknown): number {
  switch (order) {
    case TypeOrder.Number:
      return compareNumbers(a, b);
    case TypeOrder.String:
      return cmp(stringOf(a), stringOf(b));
    case TypeOrder.Object:
      return compareObjects(a as Document, b as Document);
    case TypeOrder.Array:
      return compareArrays(a as unknown[], b as unknown[]);
    case TypeOrder.Binary:
      return compareBinary(a, b);
    case TypeOrder.ObjectId:
      return compareObjectIds(a as ObjectId, b as ObjectId);
    case TypeOrder.Boolean:
      return cmp(a as boolean, b as boolean);
    case TypeOrder.Date:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case TypeOrder.Timestamp: {
      const x = a as Timestamp;
      const y = b as Timestamp;
      return cmp(x.t, y.t) || cmp(x.i, y.i);
    }
    case TypeOrder.RegExp: {
      const [pa, fa] = regexParts(a);
      const [pb, fb] = regexParts(b);
      return cmp(pa, pb) || cmp(fa, fb);
    }
    case TypeOrder.Code:
      return cmp((a as Code).code, (b as Code).code);
  }
  return 0;
}

type OidWords = { i0?: number; i1: number; i2: number; i3: number };

/** ObjectId byte order. bson 7 keeps an id as four 24-bit words (`id` would allocate a fresh buffer). */
function compareObjectIds(a: ObjectId, b: ObjectId): number {
  const x = a as unknown as OidWords;
  const y = b as unknown as OidWords;
  if (x.i0 === undefined || y.i0 === undefined) return compareBytes(a.id, b.id);
  return cmp(x.i0, y.i0) || cmp(x.i1, y.i1) || cmp(x.i2, y.i2) || cmp(x.i3, y.i3);
}

/** The common same-type cases without classifying both values (index comparators call this a lot). */
function fastCompare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'string') return typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : undefined;
  if (a instanceof Int32 || a instanceof Double) {
    if (!(b instanceof Int32 || b instanceof Double)) return undefined;
    const x = a.value;
    const y = b.value;
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : undefined;
  }
  if (a instanceof ObjectId) return b instanceof ObjectId ? compareObjectIds(a, b) : undefined;
  if (a instanceof Date) return b instanceof Date ? cmp(a.getTime(), b.getTime()) : undefined;
  return undefined;
}

/** Total order over BSON values; missing (undefined) compares equal to null. */
export function compareValues(a: unknown, b: unknown): number {
  const fast = fastCompare(a, b);
  if (fast !== undefined) return fast;
  const ta = typeOrder(a);
  const tb = typeOrder(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ba = a instanceof BracketBound;
  const bb = b instanceof BracketBound;
  if (ba || bb) {
    if (ba && bb) return cmp(+(a as BracketBound).high, +(b as BracketBound).high);
    return ba ? ((a as BracketBound).high ? 1 : -1) : (b as BracketBound).high ? -1 : 1;
  }
  return compareSameClass(ta, a, b);
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/** A string that is equal for exactly the values `compareValues` calls equal; used for hashing. */
export function valueKey(v: unknown): string {
  const order = typeOrder(v);
  switch (order) {
    case TypeOrder.Null:
      return 'N';
    case TypeOrder.Number:
      return 'n' + numberKey(v);
    case TypeOrder.String:
      return 's' + JSON.stringify(stringOf(v));
    case TypeOrder.Array:
      return '[' + (v as unknown[]).map(valueKey).join(',') + ']';
    case TypeOrder.Object:
      if (isPlainObject(v) || bsonTypeOf(v) === 'DBRef') {
        const d = v as Document;
        return '{' + Object.keys(d).map((k) => JSON.stringify(k) + ':' + valueKey(d[k])) + '}';
      }
      return 'o' + String(v);
    case TypeOrder.Binary: {
      const sub = v instanceof Uint8Array ? 0 : (v as Binary).sub_type;
      return 'b' + sub + ':' + Buffer.from(bytesOf(v)).toString('hex');
    }
    case TypeOrder.ObjectId:
      return 'i' + (v as ObjectId).toHexString();
    case TypeOrder.Date:
      return 'd' + (v as Date).getTime();
    case TypeOrder.Timestamp:
      return 't' + (v as Timestamp).t + ':' + (v as Timestamp).i;
    case TypeOrder.RegExp:
      return 'r' + regexParts(v).join('/');
    case TypeOrder.Code:
      return 'c' + (v as Code).code;
  }
  return order + ':' + String(v);
}
