/**
 * Order-preserving string keys for index entries (the idea of MongoDB's KeyString): every BSON value becomes
 * one JS string, and plain `<` on two strings (UTF-16 code units) orders them exactly as `compareValues`
 * does. Index entries built this way are one compact, flat string each instead of an array of bson wrappers
 * compared by a function, which at 10^6 documents x 13 indexes saves gigabytes of heap and most comparison time.
 *
 * Guarantees (the index and scan code rely on all of them):
 * - `encodeValue(a) === encodeValue(b)` exactly when `compareValues(a, b) === 0`; `dir = -1` reverses the order.
 * - No encoding is a proper prefix of another, so concatenated fields (`encodeTuple`) order field by field.
 * - Every encoding starts with a char in 0x01..0xFE, so for a prefix P made of whole field keys every key
 *   that extends P lies in [P, P + KEY_MAX]: "P then v inclusive" is [P + enc(v), P + enc(v) + KEY_MAX].
 *   Not for a P that ends inside a field: an ascending string may itself contain U+FFFF.
 * - Keys are one-byte (every char <= 0xFF) unless an ascending string holds a code unit above 0xFF.
 *
 * Layout (ascending; `dir = -1` replaces every byte b of the value by 0xFF - b, strings in the byte form).
 * Type class t owns the first chars 16t .. 16t+15: 16t is "before all of t", 16t+15 "after all of t".
 *
 *   first  value                 then
 *   0x01   bracket 0 low         -  (0x0F: bracket 0 high; both below every value)
 *   0x11   MinKey                -
 *   0x21   null, undefined       -
 *   0x31   NaN (every NaN)       -
 *   0x32   -Infinity             -
 *   0x33   negative finite       the positive magnitude's bytes, each complemented
 *   0x34   zero (+0, -0, 0E+n)   -
 *   0x35   positive finite       E + 0x8000 (2 bytes; 2^E <= x < 2^(E+1)), mantissa
 *   0x36   +Infinity             -
 *   0x41   string, symbol        body, 0x00
 *   0x51   object                per field: its value's class t (1 byte), name body, 0x00, value; then 0x00
 *   0x61   array                 the elements, then 0x00
 *   0x71   binData               length (4 bytes), subtype (1 byte), the bytes
 *   0x81   ObjectId              the 12 bytes
 *   0x91   false                 -  (0x92: true)
 *   0xA1   Date                  floor(ms / 2^32) + 2^21 (3 bytes), ms mod 2^32 (4 bytes)
 *   0xB1   Timestamp             t (4 bytes), i (4 bytes)
 *   0xC1   regex                 pattern body, 0x00, flags body, 0x00
 *   0xD1   Code                  code body, 0x00 (any scope is ignored, as compareValues ignores it)
 *   0xE1   MaxKey                -
 *   0xF0   bracket 99 low        -  (0xFE: bracket 99 high; both above every value)
 *
 * String body (key-string-writer.ts): units 0 and 1 as 0x01 0x01 and 0x01 0x02, every other unit as itself;
 * in the byte form a unit >= 0xFF is 0xFF, high byte, low byte. Mantissa (key-string-number.ts): the
 * fraction bits in 7-bit groups, a byte (group << 1 | more) each; a Decimal128 that needs more than 119
 * bits keeps 119 and ends with `more` set and a 0x00.
 *
 * An index entry is tuple + idKey + the idKey's length (one char below 0xF0, else its base-256 digits and
 * then 0xF0 + their count), so `entryIdKey` recovers the _id key in O(1) and equal tuples order by _id.
 */
import type { Binary, BSONRegExp, Code, Decimal128, Document, Long, ObjectId, Timestamp } from 'bson';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { writeBigInt, writeDecimal, writeDouble, writeLong } from './key-string-number.ts';
import {
  begin,
  complementFrom,
  END,
  mark,
  put,
  putBytes,
  putKey,
  putString,
  putUint,
  take,
} from './key-string-writer.ts';
import { BracketBound, bsonTypeOf, isPlainObject, typeOrder } from './values.ts';

/** Above the first char of every encoding: P + KEY_MAX closes the range of keys extending P. */
export const KEY_MAX = '\uffff';

export type Dir = 1 | -1;

const TAG = {
  MinKey: 0x11,
  Null: 0x21,
  String: 0x41,
  Object: 0x51,
  Array: 0x61,
  Binary: 0x71,
  ObjectId: 0x81,
  False: 0x91,
  True: 0x92,
  Date: 0xa1,
  Timestamp: 0xb1,
  RegExp: 0xc1,
  Code: 0xd1,
  MaxKey: 0xe1,
} as const;

/** Trailing length chars of an index entry: below this, the char is the idKey length itself. */
const LENGTH_WIDE = 0xf0;

function bytesOf(v: Uint8Array | Binary): Uint8Array {
  return v instanceof Uint8Array ? v : v.buffer.subarray(0, v.position);
}

function writeBinary(v: Uint8Array | Binary): void {
  const b = bytesOf(v);
  put(TAG.Binary);
  putUint(b.length, 4);
  put(v instanceof Uint8Array ? 0 : v.sub_type);
  putBytes(b);
}

type OidWords = { i0?: number; i1: number; i2: number; i3: number };

function writeObjectId(v: ObjectId): void {
  put(TAG.ObjectId);
  const w = v as unknown as OidWords;
  if (typeof w.i0 !== 'number') {
    for (const b of v.id) put(b); // bson before 7 kept the bytes, not the 24-bit words
    return;
  }
  putUint(w.i0, 3);
  putUint(w.i1, 3);
  putUint(w.i2, 3);
  putUint(w.i3, 3);
}

function writeDate(v: Date): void {
  const ms = v.getTime();
  // compareValues calls an invalid date equal to every date, which no key order can reproduce.
  if (Number.isNaN(ms)) throw notSupported('Indexing an invalid Date');
  const high = Math.floor(ms / 2 ** 32);
  put(TAG.Date);
  putUint(high + 2 ** 21, 3);
  putUint(ms - high * 2 ** 32, 4);
}

function writeTimestamp(v: Timestamp): void {
  put(TAG.Timestamp);
  putUint(v.t, 4);
  putUint(v.i, 4);
}

function writeRegExp(v: RegExp | BSONRegExp, narrow: boolean): void {
  put(TAG.RegExp);
  if (v instanceof RegExp) {
    putString(v.source, narrow);
    putString(v.flags, narrow);
  } else {
    putString(v.pattern, narrow);
    putString(v.options, narrow);
  }
}

/** Inside the class region: 16t before all of class t, 16t + 15 after; 0 and 99 bound everything. */
function bracketByte(b: BracketBound): number {
  if (b.order === 0) return b.high ? 0x0f : 0x01;
  if (b.order === 99) return b.high ? 0xfe : 0xf0;
  if (Number.isInteger(b.order) && b.order >= 1 && b.order <= 14) return b.order * 16 + (b.high ? 15 : 0);
  throw new MongoError(ErrorCodes.InternalError, `no key for a bracket of type class ${b.order}`);
}

function writeArray(a: unknown[], narrow: boolean): void {
  put(TAG.Array);
  for (let i = 0; i < a.length; i++) writeValue(a[i], narrow);
  put(END);
}

/** compareValues' object order: per field the value's type class, then the name, then the value. */
function writeObject(o: Document, narrow: boolean): void {
  put(TAG.Object);
  for (const k of Object.keys(o)) {
    const v = o[k];
    put(typeOrder(v));
    putString(k, narrow);
    writeValue(v, narrow);
  }
  put(END);
}

function writeValue(v: unknown, narrow: boolean): void {
  switch (typeof v) {
    case 'string':
      put(TAG.String);
      return putString(v, narrow);
    case 'number':
      return writeDouble(v);
    case 'boolean':
      return put(v ? TAG.True : TAG.False);
    case 'bigint':
      return writeBigInt(v);
    case 'undefined':
      return put(TAG.Null);
    case 'object':
      return writeObjectValue(v, narrow);
  }
  throw notSupported(`Indexing a JavaScript ${typeof v}`);
}

/** Classifies in typeOrder's order, so a value always lands in the class compareValues gives it. */
function writeObjectValue(v: object | null, narrow: boolean): void {
  if (v === null) return put(TAG.Null);
  if (Array.isArray(v)) return writeArray(v, narrow);
  if (v instanceof Date) return writeDate(v);
  if (v instanceof RegExp) return writeRegExp(v, narrow);
  if (v instanceof Uint8Array) return writeBinary(v);
  if (v instanceof BracketBound) {
    throw new MongoError(ErrorCodes.InternalError, 'a type bracket can only be a whole key field');
  }
  const type = bsonTypeOf(v);
  if (type === undefined && isPlainObject(v)) return writeObject(v, narrow);
  // A document with its own `_bsontype` field would be classified as that bson type by compareValues.
  if (isPlainObject(v)) throw notSupported('Indexing a document with a _bsontype field');
  writeBsonValue(v, type, narrow);
}

function writeBsonValue(v: object, type: string | undefined, narrow: boolean): void {
  switch (type) {
    case 'Int32':
    case 'Double':
      return writeDouble((v as { value: number }).value);
    case 'Long':
      return writeLong(v as Long);
    case 'Decimal128':
      return writeDecimal(v as Decimal128);
    case 'ObjectId':
      return writeObjectId(v as ObjectId);
    case 'Binary':
      return writeBinary(v as Binary);
    case 'Timestamp':
      return writeTimestamp(v as Timestamp);
    case 'BSONRegExp':
      return writeRegExp(v as BSONRegExp, narrow);
    case 'BSONSymbol':
      put(TAG.String);
      return putString((v as { value: string }).value, narrow);
    case 'Code':
      put(TAG.Code);
      return putString((v as Code).code, narrow);
    case 'MinKey':
      return put(TAG.MinKey);
    case 'MaxKey':
      return put(TAG.MaxKey);
    case 'DBRef':
      // compareValues orders a DBRef as the object of its own fields (collection, oid, db, fields).
      return writeObject(v as Document, narrow);
  }
  throw notSupported(`Indexing a ${type ?? v.constructor?.name ?? 'non-BSON'} object`);
}

/** One key field; descending fields are written in the narrow form and complemented. */
function writeField(v: unknown, dir: Dir): void {
  const from = mark();
  if (v instanceof BracketBound) put(bracketByte(v));
  else writeValue(v, dir === -1);
  if (dir === -1) complementFrom(from);
}

/** An entry's pieces, for `entryOfKeys` (never re-entrant). */
const pieces: string[] = [];
/** The one-char length suffix of an idKey shorter than LENGTH_WIDE, by its length (`writeLength`). */
const SHORT_LENGTHS = Array.from({ length: LENGTH_WIDE }, (_, n) => String.fromCharCode(n));

function writeLength(n: number): void {
  if (n < LENGTH_WIDE) return put(n);
  let digits = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) digits++;
  putUint(n, digits);
  put(LENGTH_WIDE + digits);
}

/** The key of one value; `dir = -1` sorts in exactly the reverse order. */
export function encodeValue(v: unknown, dir: Dir = 1): string {
  begin();
  writeField(v, dir);
  return take();
}

/** The key of a compound index tuple: the fields' keys concatenated, each in its own direction. */
export function encodeTuple(values: readonly unknown[], dirs: readonly Dir[]): string {
  begin();
  writeFields(values, dirs);
  return take();
}

function writeFields(values: readonly unknown[], dirs: readonly Dir[]): void {
  if (values.length !== dirs.length) {
    throw new MongoError(ErrorCodes.InternalError, `${values.length} key values for ${dirs.length} fields`);
  }
  for (let i = 0; i < values.length; i++) writeField(values[i], dirs[i]);
}

/** A stored index entry: the tuple, then `idKey` (= encodeValue(_id)), then idKey's length. Flat string. */
export function indexEntry(tuple: string, idKey: string): string {
  begin();
  putKey(tuple);
  putKey(idKey);
  writeLength(idKey.length);
  return take();
}

/** `indexEntry(encodeTuple(values, dirs), idKey)` in one pass, for callers that need no tuple string. */
export function encodeEntry(values: readonly unknown[], dirs: readonly Dir[], idKey: string): string {
  begin();
  writeFields(values, dirs);
  putKey(idKey);
  writeLength(idKey.length);
  return take();
}

/**
 * `encodeEntry` from the fields' keys already encoded (`encodeValue(values[i], dirs[i])` for the first `n` of
 * `keys`): the same string, for callers that encode a value once for several indexes.
 */
export function entryOfKeys(keys: readonly string[], n: number, idKey: string): string {
  if (idKey.length < LENGTH_WIDE) {
    // The same chars joined natively into one flat string: a JS copy of every char through the writer cost
    // about a tenth of an insert into the issues' 44 indexes. (Concatenated with `+`, the entries were cons
    // strings, which the batch's sort flattened at a higher cost: bench/LOG.md "One path for index keys…".)
    pieces.length = 0;
    for (let i = 0; i < n; i++) pieces.push(keys[i]);
    pieces.push(idKey, SHORT_LENGTHS[idKey.length]);
    return pieces.join('');
  }
  begin();
  for (let i = 0; i < n; i++) putKey(keys[i]);
  putKey(idKey);
  writeLength(idKey.length);
  return take();
}

/** Where the idKey of `entry` ends (its length suffix starts) and how long it is. */
function idKeySpan(entry: string): { end: number; length: number } {
  const last = entry.charCodeAt(entry.length - 1);
  if (last < LENGTH_WIDE) return { end: entry.length - 1, length: last };
  const digits = last - LENGTH_WIDE;
  const end = entry.length - 1 - digits;
  let length = 0;
  for (let i = end; i < entry.length - 1; i++) length = length * 256 + entry.charCodeAt(i);
  return { end, length };
}

/** The `idKey` an entry was built with, in O(1). */
export function entryIdKey(entry: string): string {
  const { end, length } = idKeySpan(entry);
  return entry.slice(end - length, end);
}

/** The tuple an entry was built with. */
export function entryTuple(entry: string): string {
  const { end, length } = idKeySpan(entry);
  return entry.slice(0, end - length);
}
