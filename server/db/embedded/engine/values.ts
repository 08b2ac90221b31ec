/**
 * How BSON values look in memory, and the few questions every other engine module asks about them.
 *
 * Stored documents are kept in the *canonical form*: numbers are always bson wrappers (Int32, Double, Long,
 * Decimal128) so that an integral double such as 5.0 stays a Double, and every other BSON type keeps its bson
 * class (ObjectId, Binary, Timestamp, ...). Strings, booleans, null, Date, RegExp, arrays and plain objects are
 * native. `canonicalize` turns whatever the wire layer (or a test) hands us into that form.
 */
import { Binary, Decimal128, Double, Int32, Long, type Document } from 'bson';

/** BSON canonical sort order of type classes (MongoDB's "comparison/sort order"). */
export const TypeOrder = {
  MinKey: 1,
  Null: 2,
  Number: 3,
  String: 4,
  Object: 5,
  Array: 6,
  Binary: 7,
  ObjectId: 8,
  Boolean: 9,
  Date: 10,
  Timestamp: 11,
  RegExp: 12,
  Code: 13,
  MaxKey: 14,
} as const;

export function bsonTypeOf(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
}

export function isPlainObject(v: unknown): v is Document {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isNumeric(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  const t = bsonTypeOf(v);
  return t === 'Int32' || t === 'Double' || t === 'Long' || t === 'Decimal128';
}

/** The type class used for ordering; `undefined` (missing) sorts with null. */
export function typeOrder(v: unknown): number {
  if (v === null || v === undefined) return TypeOrder.Null;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return TypeOrder.Number;
    case 'string':
      return TypeOrder.String;
    case 'boolean':
      return TypeOrder.Boolean;
  }
  if (Array.isArray(v)) return TypeOrder.Array;
  if (v instanceof Date) return TypeOrder.Date;
  if (v instanceof RegExp) return TypeOrder.RegExp;
  if (v instanceof Uint8Array) return TypeOrder.Binary;
  if (v instanceof BracketBound) return v.order;
  switch (bsonTypeOf(v)) {
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return TypeOrder.Number;
    case 'BSONSymbol':
      return TypeOrder.String;
    case 'Binary':
      return TypeOrder.Binary;
    case 'ObjectId':
      return TypeOrder.ObjectId;
    case 'Timestamp':
      return TypeOrder.Timestamp;
    case 'BSONRegExp':
      return TypeOrder.RegExp;
    case 'Code':
      return TypeOrder.Code;
    case 'MinKey':
      return TypeOrder.MinKey;
    case 'MaxKey':
      return TypeOrder.MaxKey;
  }
  return TypeOrder.Object;
}

/**
 * A sentinel that sorts just before (`high=false`) or just after (`high=true`) every value of a type class.
 * Index range bounds use it for MongoDB's type bracketing: `{$gt: 5}` scans up to the end of the numbers.
 */
export class BracketBound {
  constructor(
    readonly order: number,
    readonly high: boolean,
  ) {}
}

/** The BSON type name MongoDB reports for `$type`. */
export function bsonTypeName(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? 'int' : 'double';
    case 'bigint':
      return 'long';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (v instanceof Uint8Array) return 'binData';
  const names: Record<string, string> = {
    Int32: 'int',
    Double: 'double',
    Long: 'long',
    Decimal128: 'decimal',
    ObjectId: 'objectId',
    Binary: 'binData',
    Timestamp: 'timestamp',
    BSONRegExp: 'regex',
    BSONSymbol: 'symbol',
    Code: 'javascript',
    MinKey: 'minKey',
    MaxKey: 'maxKey',
    DBRef: 'object',
  };
  return names[bsonTypeOf(v) ?? ''] ?? 'object';
}

/** Converts a JS number the way the bson serializer would: int32-range integers are Int32, the rest Double. */
export function wrapNumber(n: number): Int32 | Double {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 && !Object.is(n, -0)
    ? new Int32(n)
    : new Double(n);
}

/**
 * Returns `v` in canonical form (see the header). Values already canonical are returned as they are, so the
 * common case allocates only for plain objects and arrays.
 */
export function canonicalize(v: unknown): unknown {
  if (typeof v === 'number') return wrapNumber(v);
  if (typeof v === 'bigint') return Long.fromBigInt(v);
  if (v === undefined) return null;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(canonicalize);
  if (v instanceof Date || v instanceof RegExp) return v;
  if (v instanceof Uint8Array) return new Binary(v);
  if (bsonTypeOf(v) !== undefined) return v;
  const out: Document = {};
  for (const k of Object.keys(v)) {
    const x = (v as Document)[k];
    if (x !== undefined) out[k] = canonicalize(x);
  }
  return out;
}

export function canonicalDoc(doc: Document): Document {
  return canonicalize(doc) as Document;
}

/**
 * Copies plain objects and arrays (the only mutable parts of a canonical document); bson values are
 * immutable and shared. Updates work on a copy so readers never see a half-applied document.
 */
export function cloneValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneValue) as T;
  if (isPlainObject(v)) {
    const out: Document = {};
    for (const k of Object.keys(v)) out[k] = cloneValue(v[k]);
    return out as T;
  }
  return v;
}

/** Truthiness of a command flag or `$exists` argument; a numeric wrapper is true unless zero. */
export function flag(v: unknown): boolean {
  return isNumeric(v) ? toJsNumber(v) !== 0 : Boolean(v);
}

/** A JS number view of any numeric value (lossy for huge Long and Decimal128), NaN for non-numbers. */
export function toJsNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  switch (bsonTypeOf(v)) {
    case 'Int32':
    case 'Double':
      return (v as Int32 | Double).value;
    case 'Long':
      return (v as Long).toNumber();
    case 'Decimal128':
      return Number((v as Decimal128).toString());
  }
  return NaN;
}
