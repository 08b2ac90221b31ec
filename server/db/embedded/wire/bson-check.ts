/**
 * Structural validation of a BSON document without decoding it: every length fits, every name and string is
 * terminated, strings are UTF-8, types are known, nested documents are valid. Inserts keep the documents a
 * driver sends as their bytes (stored as they came), so this is what stands in for the checks a full decode
 * would have made; a document that fails is refused exactly like one the decoder rejects.
 */
import { isUtf8 } from 'node:buffer';
import { ProtocolError } from './protocol-error.ts';

const MAX_DEPTH = 100;
/** Bytes of a string checked in JavaScript before the rest goes to `isUtf8`. */
const ASCII_SCAN = 64;

function fail(reason: string): never {
  throw new ProtocolError(`invalid BSON: ${reason}`, 9, 'FailedToParse');
}

/** Checks the document at buf[start, end) (end must be its exact end). */
export function checkBson(buf: Buffer, start = 0, end = buf.length, depth = 0): void {
  if (depth > MAX_DEPTH) fail('nesting too deep');
  if (end - start < 5) fail('document too short');
  if (buf.readInt32LE(start) !== end - start) fail('document length does not match');
  if (buf[end - 1] !== 0) fail('document is not terminated');
  let p = start + 4;
  while (p < end - 1) {
    const type = buf[p];
    const nameEnd = buf.indexOf(0, p + 1);
    if (nameEnd < 0 || nameEnd >= end - 1) fail('field name is not terminated');
    p = checkValue(buf, type, nameEnd + 1, end - 1, depth);
  }
  if (p !== end - 1) fail('elements overrun the document');
}

function fixed(p: number, size: number, limit: number): number {
  if (p + size > limit) fail('value overruns the document');
  return p + size;
}

function checkString(buf: Buffer, p: number, limit: number): number {
  if (p + 4 > limit) fail('value overruns the document');
  const len = buf.readInt32LE(p);
  if (len < 1 || p + 4 + len > limit) fail('bad string length');
  const end = p + 4 + len - 1;
  if (buf[end] !== 0) fail('string is not terminated');
  // An ASCII prefix is valid UTF-8 by itself and ends on a character boundary, so only the rest needs the
  // native check: most of an issue's strings (states, codes, ids, numbers) are ASCII, and a view and a call
  // per string were about a third of checking an insert.
  let i = p + 4;
  const scanned = Math.min(end, i + ASCII_SCAN);
  while (i < scanned && buf[i] < 0x80) i++;
  if (i < end && !isUtf8(buf.subarray(i, end))) fail('string is not valid UTF-8');
  return end + 1;
}

function checkNested(buf: Buffer, p: number, limit: number, depth: number): number {
  if (p + 5 > limit) fail('value overruns the document');
  const len = buf.readInt32LE(p);
  if (len < 5 || p + len > limit) fail('bad embedded document length');
  checkBson(buf, p, p + len, depth + 1);
  return p + len;
}

function checkCString(buf: Buffer, p: number, limit: number): number {
  const nul = buf.indexOf(0, p);
  if (nul < 0 || nul >= limit) fail('regex is not terminated');
  return nul + 1;
}

/** Checks one element value starting at `p`; returns where the next element starts. */
function checkValue(buf: Buffer, type: number, p: number, limit: number, depth: number): number {
  switch (type) {
    case 0x01: // double
    case 0x09: // date
    case 0x11: // timestamp
    case 0x12: // int64
      return fixed(p, 8, limit);
    case 0x02: // string
    case 0x0d: // code
    case 0x0e: // symbol
      return checkString(buf, p, limit);
    case 0x03: // document
    case 0x04: // array
      return checkNested(buf, p, limit, depth);
    case 0x05: {
      // binary: length, subtype, bytes
      if (p + 5 > limit) fail('value overruns the document');
      const len = buf.readInt32LE(p);
      if (len < 0) fail('bad binary length');
      return fixed(p, 5 + len, limit);
    }
    case 0x06: // undefined
    case 0x0a: // null
    case 0x7f: // maxKey
    case 0xff: // minKey
      return p;
    case 0x07: // ObjectId
      return fixed(p, 12, limit);
    case 0x08: {
      fixed(p, 1, limit);
      if (buf[p] > 1) fail('bad boolean');
      return p + 1;
    }
    case 0x0b: // regex: pattern, options
      return checkCString(buf, checkCString(buf, p, limit), limit);
    case 0x0c: // DBPointer
      return fixed(checkString(buf, p, limit), 12, limit);
    case 0x0f: {
      // code with scope: total length, code string, scope document
      if (p + 4 > limit) fail('value overruns the document');
      const total = buf.readInt32LE(p);
      if (total < 14 || p + total > limit) fail('bad code-with-scope length');
      const scope = checkString(buf, p + 4, p + total);
      if (checkNested(buf, scope, p + total, depth) !== p + total) fail('bad code-with-scope length');
      return p + total;
    }
    case 0x10: // int32
      return fixed(p, 4, limit);
    case 0x13: // decimal128
      return fixed(p, 16, limit);
  }
  return fail(`unknown element type 0x${type.toString(16)}`);
}
