/**
 * Reading stored documents without decoding all of them. The engine keeps every document as its BSON bytes
 * (doc-store.ts), so most reads only need a few top-level fields: the filter's, the sort's, an index's. A
 * BSON document is a flat list of elements (type, name, value) whose sizes can be read without decoding the
 * values, so `readFields` walks that list and decodes only the wanted elements, and `projectTopLevel` copies
 * whole elements to answer a top-level projection without decoding anything (and an inclusion of paths inside
 * embedded documents, element by element inside them).
 *
 * Every decoded value is in the engine's canonical form (values.ts): numbers as Int32/Double/Long/Decimal128
 * wrappers, bson classes for the other BSON types.
 */
import { BSON, Double, Int32, Long, ObjectId, type Document } from 'bson';
import { ErrorCodes, MongoError } from '../errors.ts';

const CANONICAL = { promoteValues: false, promoteBuffers: false, bsonRegExp: false } as const;
const SERIALIZE = { ignoreUndefined: true } as const;
/** Canonical, with regular expressions as stored (a JS RegExp would re-escape a `/` of the pattern). */
const EXACT = { ...CANONICAL, bsonRegExp: true } as const;

/** A document's BSON, as a Buffer view (no copy) so strings decode without a wrapper. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a whole stored document into canonical form. */
export function decodeDoc(bytes: Uint8Array): Document {
  return BSON.deserialize(bytes, CANONICAL);
}

/** Encodes a document for storage (`undefined` fields are left out, as the wire codec does). */
export function encodeDoc(doc: Document): Buffer {
  return asBuffer(BSON.serialize(doc, SERIALIZE));
}

/** Names of the top-level fields a set of dotted paths reaches: `a.b.c` needs `a`. */
export function topLevelOf(paths: Iterable<string>, out = new Set<string>()): Set<string> {
  for (const p of paths) {
    const dot = p.indexOf('.');
    out.add(dot < 0 ? p : p.slice(0, dot));
  }
  return out;
}

/** Byte size of an element's value, given its type and where the value starts. */
function valueSize(buf: Buffer, type: number, at: number): number {
  switch (type) {
    case 0x01: // double
    case 0x09: // date
    case 0x11: // timestamp
    case 0x12: // int64
      return 8;
    case 0x02: // string
    case 0x0d: // code
    case 0x0e: // symbol
      return 4 + buf.readInt32LE(at);
    case 0x03: // document
    case 0x04: // array
    case 0x0f: // code with scope
      return buf.readInt32LE(at);
    case 0x05: // binary
      return 5 + buf.readInt32LE(at);
    case 0x06: // undefined
    case 0x0a: // null
    case 0x7f: // maxKey
    case 0xff: // minKey
      return 0;
    case 0x07: // ObjectId
      return 12;
    case 0x08: // bool
      return 1;
    case 0x0b: {
      // regex: two cstrings
      const a = buf.indexOf(0, at);
      return buf.indexOf(0, a + 1) + 1 - at;
    }
    case 0x0c: // DBPointer
      return 4 + buf.readInt32LE(at) + 12;
    case 0x10: // int32
      return 4;
    case 0x13: // decimal128
      return 16;
  }
  throw new MongoError(
    ErrorCodes.InternalError,
    `stored document holds unknown BSON type 0x${type.toString(16)}`,
  );
}

/**
 * An embedded document's bytes. A plain function, not a closure in decodeValue: the app runs through tsx,
 * whose keep-names transform gives every closure a `defineProperty` call each time it is created, which was
 * 5 % of the database thread's time in the escalation sweep.
 */
function nestedBytes(buf: Buffer, at: number, size: number, detach: boolean): Buffer {
  const bytes = buf.subarray(at, at + size);
  return detach ? Buffer.from(bytes) : bytes;
}

/**
 * Decodes one element value; uncommon types go through the bson library on a one-element document. With
 * `detach`, nothing decoded shares memory with `buf` (the bson library's Binary values are views of their
 * input), so `buf` may be reused afterwards.
 */
function decodeValue(buf: Buffer, type: number, at: number, size: number, detach = false): unknown {
  switch (type) {
    case 0x01:
      return new Double(buf.readDoubleLE(at));
    case 0x02:
      return buf.toString('utf8', at + 4, at + size - 1);
    case 0x03:
      return BSON.deserialize(nestedBytes(buf, at, size, detach), CANONICAL);
    case 0x04:
      return Object.values(BSON.deserialize(nestedBytes(buf, at, size, detach), CANONICAL));
    case 0x07:
      return new ObjectId(buf.subarray(at, at + 12));
    case 0x08:
      return buf[at] === 1;
    case 0x09:
      return new Date(buf.readInt32LE(at + 4) * 4294967296 + buf.readUInt32LE(at));
    case 0x0a:
      return null;
    case 0x10:
      return new Int32(buf.readInt32LE(at));
    case 0x12:
      return Long.fromBits(buf.readInt32LE(at), buf.readInt32LE(at + 4));
  }
  // [int32 size][type]["x\0"][value][0]
  const mini = Buffer.allocUnsafe(4 + 1 + 2 + size + 1);
  mini.writeInt32LE(mini.length, 0);
  mini[4] = type;
  mini[5] = 0x78;
  mini[6] = 0;
  buf.copy(mini, 7, at, at + size);
  mini[mini.length - 1] = 0;
  return BSON.deserialize(mini, CANONICAL).x;
}

/** Wanted names grouped by their UTF-8 byte length, so most elements are skipped without reading a name. */
export class FieldSet {
  readonly names: ReadonlySet<string>;
  private readonly byLength = new Map<number, Buffer[]>();
  private readonly strings = new Map<Buffer, string>();

  /**
   * @param bytes whether the reader also wants each matching document's BSON (a scan's `Hit.bytes`); a count
   *   does not, and its scan then unpacks nothing it keeps.
   * @param later fields a scan reads only from the documents that pass its filter (the sort's, the caller's),
   *   so testing the filter need not unpack as far as them.
   * @param shape what of a matching document's BSON the reader wants, when not all of it (a find's top-level
   *   projection): a scan then keeps only that (`Hit.shaped`), not a copy of the whole document.
   */
  constructor(
    names: Iterable<string>,
    readonly bytes = true,
    readonly later?: FieldSet,
    readonly shape?: (bson: Buffer, more?: (need: number) => number) => Buffer,
  ) {
    this.names = new Set(names);
    for (const name of this.names) {
      const bytes = Buffer.from(name, 'utf8');
      const list = this.byLength.get(bytes.length) ?? [];
      list.push(bytes);
      this.byLength.set(bytes.length, list);
      this.strings.set(bytes, name);
    }
  }

  /** The wanted name stored at buf[at, at + len), if any (compared in JS: names are short). */
  match(buf: Buffer, at: number, len: number): string | undefined {
    const candidates = this.byLength.get(len);
    if (!candidates) return undefined;
    for (const c of candidates) {
      let i = 0;
      while (i < len && c[i] === buf[at + i]) i++;
      if (i === len) return this.strings.get(c);
    }
    return undefined;
  }
}

/**
 * The wanted top-level fields of a stored document, decoded; the others are skipped. Field order follows the
 * stored document, and missing fields are simply absent (as in a full decode). With `detach`, the result
 * shares no memory with `bytes` (see decodeValue). With `more`, only the first bytes of `bytes` are there
 * at first: `more(need)` makes at least `need` of them available (doc-pack `Peek`), and reading stops as
 * soon as every wanted field is found.
 */
export function readFields(
  bytes: Uint8Array,
  fields: FieldSet,
  detach = false,
  more?: (need: number) => number,
): Document {
  const buf = asBuffer(bytes);
  const out: Document = {};
  let remaining = fields.names.size;
  let avail = more ? more(4) : buf.length;
  let p = 4;
  const end = buf.readInt32LE(0) - 1;
  while (p < end && remaining > 0) {
    // An element's type, name and (up to) 16 bytes of its value or length.
    if (more && avail < p + 18) avail = more(p + 18);
    const type = buf[p];
    let nameEnd = p + 1;
    for (;;) {
      while (nameEnd < avail && buf[nameEnd] !== 0) nameEnd++;
      if (nameEnd < avail || !more || avail >= buf.length) break;
      avail = more(nameEnd + 64);
    }
    const at = nameEnd + 1;
    if (more && avail < at + 16) avail = more(type === 0x0b ? Infinity : at + 16);
    const size = valueSize(buf, type, at);
    const name = fields.match(buf, p + 1, nameEnd - p - 1);
    if (name !== undefined) {
      if (more && avail < at + size) avail = more(at + size);
      out[name] = decodeValue(buf, type, at, size, detach);
      remaining--;
    }
    p = at + size;
  }
  return out;
}

/** The fields `fields` names (its `later` ones too) of a document's BSON; every field for null. */
export function decodeReads(bytes: Uint8Array, fields: FieldSet | null): Document {
  if (fields === null) return decodeDoc(bytes);
  const doc = readFields(bytes, fields);
  return fields.later ? Object.assign(doc, readFields(bytes, fields.later)) : doc;
}

/** Where one top-level element lies in a document's bytes: its type byte at `start`, its value at `valueAt`. */
export interface ElementSpan {
  type: number;
  start: number;
  valueAt: number;
  end: number;
}

/** The spans of the wanted top-level elements of a document (the first of each name); nothing is decoded. */
export function locateFields(bytes: Uint8Array, fields: FieldSet): Map<string, ElementSpan> {
  const buf = asBuffer(bytes);
  const out = new Map<string, ElementSpan>();
  let p = 4;
  const end = buf.readInt32LE(0) - 1;
  while (p < end) {
    const type = buf[p];
    const nameEnd = buf.indexOf(0, p + 1);
    const valueAt = nameEnd + 1;
    const next = valueAt + valueSize(buf, type, valueAt);
    const name = fields.match(buf, p + 1, nameEnd - p - 1);
    if (name !== undefined && !out.has(name)) out.set(name, { type, start: p, valueAt, end: next });
    p = next;
  }
  return out;
}

/** How many elements the embedded document or array whose value starts at `at` holds. */
export function countElements(bytes: Uint8Array, at: number): number {
  const buf = asBuffer(bytes);
  const end = at + buf.readInt32LE(at) - 1;
  let n = 0;
  for (let p = at + 4; p < end; n++) {
    const valueAt = buf.indexOf(0, p + 1) + 1;
    p = valueAt + valueSize(buf, buf[p], valueAt);
  }
  return n;
}

/** Where the element whose type byte is at `start` and whose name ends at `nameEnd` ends. */
export function elementEnd(buf: Buffer, start: number, nameEnd: number): number {
  return nameEnd + 1 + valueSize(buf, buf[start], nameEnd + 1);
}

/** Calls `each` with every top-level element of a document: its name's position and its byte range. */
export function forEachElement(
  bytes: Uint8Array,
  each: (nameAt: number, nameLength: number, start: number, end: number) => void,
): void {
  const buf = asBuffer(bytes);
  const end = buf.readInt32LE(0) - 1;
  for (let p = 4; p < end;) {
    const nameEnd = buf.indexOf(0, p + 1);
    const next = elementEnd(buf, p, nameEnd);
    each(p + 1, nameEnd - p - 1, p, next);
    p = next;
  }
}

/** The `_id` of a stored document (the first element, as in every document the engine writes). */
export function readId(bytes: Uint8Array): unknown {
  const buf = asBuffer(bytes);
  const type = buf[4];
  const nameEnd = buf.indexOf(0, 5);
  if (nameEnd !== 8 || buf[5] !== 0x5f || buf[6] !== 0x69 || buf[7] !== 0x64) return decodeDoc(buf)._id;
  return decodeValue(buf, type, 9, valueSize(buf, type, 9));
}

/**
 * What an inclusion keeps inside one of its named fields (`{'deadlines.resolveBy': 1}` keeps `resolveBy` of
 * `deadlines`): the names there, deeper ones the same way, and the projection of a decoded value, for an array
 * (each of its documents projected, anything else dropped) or a document the decoder reads as a DBRef.
 */
export interface Within {
  fields: FieldSet;
  within?: ReadonlyMap<string, Within>;
  projectDecoded: (value: unknown) => unknown;
}

/**
 * A top-level projection answered on the bytes: with `include`, `_id` (unless `keepId` is false) and the named
 * fields in stored order; otherwise every field but the named ones. Values are copied, never decoded.
 * With `more` (a packed copy unpacked as far as asked, doc-pack `Peek`), an inclusion stops reading once it
 * has every named field: the rest of the document (an issue's timeline, stored last) is never unpacked.
 * With `within`, an inclusion keeps only those paths of a named field: an embedded document is projected on
 * its bytes in turn, an array is decoded and projected, and any other value is left out.
 */
export function projectTopLevel(
  bytes: Uint8Array,
  fields: FieldSet,
  include: boolean,
  keepId: boolean,
  more?: (need: number) => number,
  within?: ReadonlyMap<string, Within>,
): Buffer {
  const buf = asBuffer(bytes);
  let avail = more ? more(4) : buf.length;
  const end = buf.readInt32LE(0) - 1;
  // Byte ranges of `buf` to copy; a range starting at -1 stands for the next of `pieces` (a projected value).
  const ranges: number[] = [];
  const pieces: Buffer[] = [];
  let total = 5;
  // An inclusion is done once it has its named fields and the `_id` it keeps (stored first).
  let wanted = include ? fields.names.size + (keepId && !fields.names.has('_id') ? 1 : 0) : Infinity;
  let p = 4;
  while (p < end && wanted > 0) {
    if (more) avail = elementHeader(buf, p, avail, more);
    const nameEnd = buf.indexOf(0, p + 1);
    const next = nameEnd + 1 + valueSize(buf, buf[p], nameEnd + 1);
    const isId = nameEnd - p - 1 === 3 && buf[p + 1] === 0x5f && buf[p + 2] === 0x69 && buf[p + 3] === 0x64;
    const name = fields.match(buf, p + 1, nameEnd - p - 1);
    const named = name !== undefined;
    if (named || (isId && keepId)) wanted--;
    const keep = isId && !named ? keepId : include ? named : !named;
    const inner = named && include ? within?.get(name) : undefined;
    if (inner) {
      if (more && avail < next) avail = more(next);
      const piece = projectWithin(buf, p, nameEnd, next, inner);
      if (piece) {
        ranges.push(-1, -1);
        pieces.push(piece);
        total += piece.length;
      }
    } else if (keep) {
      if (more && avail < next) avail = more(next);
      ranges.push(p, next);
      total += next - p;
    }
    p = next;
  }
  const out = Buffer.allocUnsafe(total);
  out.writeInt32LE(total, 0);
  let w = 4;
  let k = 0;
  for (let i = 0; i < ranges.length; i += 2)
    w += ranges[i] < 0 ? pieces[k++].copy(out, w) : buf.copy(out, w, ranges[i], ranges[i + 1]);
  out[w] = 0;
  return out;
}

/** The element at `p` with only the paths `inner` keeps, or undefined when nothing of it is kept. */
function projectWithin(
  buf: Buffer,
  p: number,
  nameEnd: number,
  next: number,
  inner: Within,
): Buffer | undefined {
  const type = buf[p];
  if (type !== 0x03 && type !== 0x04) return undefined;
  const header = buf.subarray(p, nameEnd + 1);
  const value = buf.subarray(nameEnd + 1, next);
  // A plain embedded document (not one whose `$` names may make it a DBRef): projected on its bytes.
  if (type === 0x03 && value[5] !== 0x24)
    return Buffer.concat([
      header,
      projectTopLevel(value, inner.fields, true, false, undefined, inner.within),
    ]);
  const decoded = BSON.deserialize(value, EXACT);
  const projected = inner.projectDecoded(type === 0x04 ? Object.values(decoded) : decoded);
  if (projected === undefined) return undefined;
  const array = Array.isArray(projected);
  const out = Buffer.concat([header, encodeDoc(array ? { ...projected } : (projected as Document))]);
  out[0] = array ? 0x04 : 0x03;
  return out;
}

/**
 * Makes the element at `p` of a partly unpacked document readable as far as its name and the first 16 bytes
 * of its value (all of a regular expression, whose size only a scan finds); returns the bytes now available.
 */
function elementHeader(buf: Buffer, p: number, avail: number, more: (need: number) => number): number {
  if (avail < p + 18) avail = more(p + 18);
  let nameEnd = p + 1;
  for (;;) {
    while (nameEnd < avail && buf[nameEnd] !== 0) nameEnd++;
    if (nameEnd < avail || avail >= buf.length) break;
    avail = more(nameEnd + 64);
  }
  return avail < nameEnd + 17 ? more(buf[p] === 0x0b ? Infinity : nameEnd + 17) : avail;
}

/**
 * The document with its `_id` as the first element, as every stored document has it (MongoDB moves it there
 * too). Returns the bytes unchanged when it already is, and undefined when there is no `_id`.
 */
export function withIdFirst(bytes: Uint8Array): Buffer | undefined {
  const buf = asBuffer(bytes);
  const end = buf.readInt32LE(0) - 1;
  let p = 4;
  while (p < end) {
    const nameEnd = buf.indexOf(0, p + 1);
    const next = nameEnd + 1 + valueSize(buf, buf[p], nameEnd + 1);
    if (nameEnd - p - 1 === 3 && buf[p + 1] === 0x5f && buf[p + 2] === 0x69 && buf[p + 3] === 0x64) {
      if (p === 4) return buf;
      const out = Buffer.allocUnsafe(buf.length);
      buf.copy(out, 0, 0, 4);
      let w = 4 + buf.copy(out, 4, p, next);
      w += buf.copy(out, w, 4, p);
      buf.copy(out, w, next);
      return out;
    }
    p = next;
  }
  return undefined;
}

/** The document with a new `_id` element first. */
export function prependId(bytes: Uint8Array, id: ObjectId): Buffer {
  const buf = asBuffer(bytes);
  const out = Buffer.allocUnsafe(buf.length + 17);
  out.writeInt32LE(out.length, 0);
  out[4] = 0x07;
  out.write('_id\0', 5, 'latin1');
  out.set(id.id, 9);
  buf.copy(out, 21, 4);
  return out;
}
