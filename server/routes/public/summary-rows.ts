// The QR summary's rows read straight from the bytes of the database's reply. The summary projects nine
// fields of each issue (qr-page.query.ts, SUMMARY_FIELDS), and BSON's general decoder built every row as a
// whole object tree, with a copy of its options for each embedded document: most of what a page's rows cost
// the main thread (bench/LOG.md, "The QR page at 100,000: the summary's rows read from their bytes"). This
// reader, made from the read's projection, walks a row once and keeps only those fields' values. A row with
// anything else in it (a field the projection does not name, a type the summary never stores there) is handed
// to the general decoder, so the reader is never wrong, only sometimes no faster.
import { deserialize, ObjectId } from 'bson';

/** What the summary reads of an issue, as the general decoder would have returned it. */
export interface SummaryRowValues {
  _id?: ObjectId;
  enterpriseId?: ObjectId;
  number?: string;
  state?: string;
  unitName?: string | null;
  createdAt?: Date;
  classProblemId?: ObjectId | null;
  deadlines?: { resolveBy?: Date | null; pausedAt?: Date | null } | null;
  rating?: { verification?: string | null } | null;
}

type Value = string | Date | ObjectId | null;

const STRING = 0x02;
const DOCUMENT = 0x03;
const OBJECT_ID = 0x07;
const DATE = 0x09;
const NULL = 0x0a;

/** Reading a row stopped at something the summary never stores: decode it in full instead. */
const OTHER = Symbol('other');

const int32 = (b: Buffer, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);

/** Where the element read last ends (valueAt sets it: a tuple per value would be garbage of its own). */
let after = 0;

/** The element's value at `i` (setting `after`), or OTHER for a type not read here. */
function valueAt(b: Buffer, type: number, i: number): Value | typeof OTHER {
  switch (type) {
    case STRING: {
      const length = int32(b, i);
      after = i + 4 + length;
      return b.toString('utf8', i + 4, after - 1);
    }
    case OBJECT_ID:
      after = i + 12;
      return new ObjectId(b.subarray(i, after));
    case DATE:
      after = i + 8;
      return new Date(int32(b, i + 4) * 0x1_0000_0000 + (int32(b, i) >>> 0));
    case NULL:
      after = i;
      return null;
    default:
      return OTHER;
  }
}

const asBytes = (names: readonly string[]) => names.map((n) => Buffer.from(n, 'latin1'));

/** Which of `names` the element name at [start, end) is, or -1. */
function nameIndex(b: Buffer, start: number, end: number, names: readonly Buffer[]): number {
  next: for (let n = 0; n < names.length; n += 1) {
    const name = names[n];
    if (name.length !== end - start) continue;
    for (let k = 0; k < name.length; k += 1) if (b[start + k] !== name[k]) continue next;
    return n;
  }
  return -1;
}

/** Where the element name starting at `i` ends (its NUL byte). */
function nameEnd(b: Buffer, i: number): number {
  let end = i;
  while (b[end] !== 0) end += 1;
  return end;
}

/** The names an embedded document's read keeps: as strings for the row, as bytes to compare with the reply's. */
interface Names {
  strings: readonly string[];
  bytes: readonly Buffer[];
}
const namesOf = (strings: readonly string[]): Names => ({ strings, bytes: asBytes(strings) });

/** An embedded document of the projection's (deadlines, rating): its named values, or OTHER. */
function embedded(b: Buffer, start: number, names: Names): Record<string, Value> | typeof OTHER {
  const out: Record<string, Value> = {};
  const last = start + int32(b, start) - 1;
  let i = start + 4;
  while (i < last) {
    const type = b[i];
    const end = nameEnd(b, i + 1);
    const n = nameIndex(b, i + 1, end, names.bytes);
    const value = n < 0 ? OTHER : valueAt(b, type, end + 1);
    if (value === OTHER) return OTHER;
    out[names.strings[n]] = value;
    i = after;
  }
  return out;
}

/**
 * A reader of the rows of a read with this inclusion projection (top-level fields and paths one level inside
 * embedded documents, `_id` always returned), decoding each row as the general decoder would. The names come
 * from the projection itself, so a field added to it is read here too (or, of a type not read here, decoded whole).
 */
export function rowReader(projection: Readonly<Record<string, 1>>): (bytes: Uint8Array) => SummaryRowValues {
  const top = new Set(['_id']);
  const inside = new Map<string, string[]>();
  for (const path of Object.keys(projection)) {
    const [field, child] = path.split('.');
    if (child === undefined) top.add(field);
    else inside.set(field, [...(inside.get(field) ?? []), child]);
  }
  const plain = [...top];
  const embeddedNames = [...inside.keys()];
  const topNames = asBytes([...plain, ...embeddedNames]);
  const insideNames = embeddedNames.map((f) => namesOf(inside.get(f)!));

  return function readRow(bytes) {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const row: Record<string, unknown> = {};
    const last = int32(b, 0) - 1;
    let i = 4;
    while (i < last) {
      const type = b[i];
      const end = nameEnd(b, i + 1);
      const n = nameIndex(b, i + 1, end, topNames);
      if (n < 0) return deserialize(b);
      if (n < plain.length) {
        const value = valueAt(b, type, end + 1);
        if (value === OTHER) return deserialize(b);
        row[plain[n]] = value;
        i = after;
      } else {
        const field = embeddedNames[n - plain.length];
        if (type === NULL) {
          row[field] = null;
          i = end + 1;
          continue;
        }
        const inner = type === DOCUMENT ? embedded(b, end + 1, insideNames[n - plain.length]) : OTHER;
        if (inner === OTHER) return deserialize(b);
        row[field] = inner;
        i = end + 1 + int32(b, end + 1);
      }
    }
    return row as SummaryRowValues;
  };
}
