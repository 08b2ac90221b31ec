/**
 * How documents cross the wire boundary, chosen so that every BSON number type round-trips exactly.
 *
 * The engine sees plain JS numbers wherever `bson.serialize` would write them back with the same type:
 *  - Int32            -> number (an integer in int32 range, which re-encodes as Int32);
 *  - Double           -> number, EXCEPT an integral value in int32 range (e.g. 5.0), which stays a `Double`
 *                        wrapper because a plain 5 would re-encode as Int32;
 *  - Int64            -> always `Long` (never promoted: a small Long would otherwise come back as Int32);
 *  - Decimal128, ObjectId, Binary, Timestamp, MinKey/MaxKey, Code -> their bson classes; regex -> RegExp.
 * Replies are encoded with plain `bson.serialize`, so whatever the engine stores comes back as it came in.
 */
import { BSON, Double, Int32, Long, Decimal128, type Document } from 'bson';
import { RawDoc } from '../raw-doc.ts';
import { ProtocolError } from './protocol-error.ts';

const DECODE_OPTIONS = { promoteValues: false, promoteBuffers: false, bsonRegExp: false } as const;

/** Decodes one BSON document (the bytes must hold exactly one) into the engine's representation. */
export function decodeDocument(bytes: Uint8Array): Document {
  let doc: Document;
  try {
    doc = BSON.deserialize(bytes, DECODE_OPTIONS);
  } catch (err) {
    throw new ProtocolError(`invalid BSON: ${(err as Error).message}`, 9, 'FailedToParse');
  }
  return normalize(doc) as Document;
}

const SERIALIZE = { ignoreUndefined: true } as const;

/**
 * Encodes a reply document. `undefined` fields are omitted rather than written as null. Documents that are
 * already BSON (`RawDoc`, e.g. a cursor batch of stored documents) are copied in as they are.
 */
export function encodeDocument(doc: Document): Uint8Array {
  return holdsRaw(doc, 3) ? writeDocument(doc, false) : BSON.serialize(doc, SERIALIZE);
}

/** The size `encodeDocument` would produce, without allocating it. */
export function encodedSize(doc: Document | RawDoc): number {
  return doc instanceof RawDoc ? doc.bytes.length : BSON.calculateObjectSize(doc, SERIALIZE);
}

/** Whether a RawDoc sits within `depth` levels (replies put them in `cursor.firstBatch` or `value`). */
function holdsRaw(v: unknown, depth: number): boolean {
  if (v instanceof RawDoc) return true;
  if (depth === 0 || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => holdsRaw(x, depth - 1));
  if (!isPlainObject(v)) return false;
  for (const key of Object.keys(v)) if (holdsRaw((v as Document)[key], depth - 1)) return true;
  return false;
}

/** One element `name: value` as BSON bytes (type, name, value), via the library for ordinary values. */
function element(name: string, value: unknown): Buffer {
  if (value instanceof RawDoc) return typed(0x03, name, value.bytes);
  if (Array.isArray(value) && holdsRaw(value, 1)) return typed(0x04, name, writeDocument(value, true));
  if (value !== null && typeof value === 'object' && isPlainObject(value) && holdsRaw(value, 2)) {
    return typed(0x03, name, writeDocument(value as Document, false));
  }
  const one = BSON.serialize({ [name]: value }, SERIALIZE);
  return Buffer.from(one.buffer, one.byteOffset + 4, one.length - 5);
}

function typed(type: number, name: string, body: Uint8Array): Buffer {
  const head = Buffer.allocUnsafe(1 + Buffer.byteLength(name) + 1);
  head[0] = type;
  head.write(name, 1, 'utf8');
  head[head.length - 1] = 0;
  return Buffer.concat([head, body]);
}

function writeDocument(doc: Document | unknown[], array: boolean): Buffer {
  const parts: Buffer[] = [];
  const keys = array ? (doc as unknown[]).map((_, i) => String(i)) : Object.keys(doc);
  for (let i = 0; i < keys.length; i++) {
    const value = array ? (doc as unknown[])[i] : (doc as Document)[keys[i]];
    if (value !== undefined) parts.push(element(keys[i], value));
  }
  let size = 5;
  for (const p of parts) size += p.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32LE(size, 0);
  let at = 4;
  for (const p of parts) at += p.copy(out, at);
  out[at] = 0;
  return out;
}

function normalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Int32) return value.value;
  if (value instanceof Double) return needsDoubleWrapper(value.value) ? value : value.value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalize(value[i]);
    return value;
  }
  if (isPlainObject(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) obj[key] = normalize(obj[key]);
  }
  return value;
}

/** True when a plain JS number would re-encode as Int32 although the value arrived as a Double. */
function needsDoubleWrapper(n: number): boolean {
  return Number.isSafeInteger(n) && n <= 0x7fffffff && n >= -0x80000000 && !Object.is(n, -0);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Reads a numeric command argument (batchSize, limit, cursor id...) whatever BSON number type the client used.
 * Returns undefined for anything that is not a number.
 */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Double || value instanceof Int32) return value.value;
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  return undefined;
}
