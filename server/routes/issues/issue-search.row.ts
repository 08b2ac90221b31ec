// A text search's window row read from its raw BSON. The window is thousands of rows of which a page keeps a
// few; the driver's generic decoding of each (objects, ObjectIds, Dates, through its on-demand parser) cost the
// app's main thread about as much as the database spent reading them. A row read with TEXT_FIELDS and the
// order's key holds only strings, an ObjectId, a date or null at its top level, so this reads those and
// nothing else: the strings the match tests, the `_id` as hex and the key as a Date. Pure.
import { deserialize } from 'bson';

export interface RawTextRow {
  /** The `_id` as 24 hex digits (what `positionOf` and the page's read by `_id` take). */
  _id: string;
  [field: string]: string | Date | null | undefined;
}

const STRING = 0x02;
const OBJECT_ID = 0x07;
const DATE = 0x09;
const NULL = 0x0a;

/** The row's fields; a row holding any other BSON type (none is stored today) is decoded whole instead. */
export function readTextRow(bson: Uint8Array): RawTextRow {
  const row = readPlainRow(bson);
  if (row) return row;
  const doc = deserialize(bson) as Record<string, unknown>;
  return { ...doc, _id: String(doc._id) } as RawTextRow;
}

function readPlainRow(bson: Uint8Array): RawTextRow | undefined {
  const buf = Buffer.isBuffer(bson) ? bson : Buffer.from(bson.buffer, bson.byteOffset, bson.byteLength);
  const row: Record<string, string | Date | null> = {};
  const end = buf.readInt32LE(0) - 1;
  let i = 4;
  while (i < end) {
    const type = buf[i++];
    const nameEnd = buf.indexOf(0, i);
    const name = buf.toString('latin1', i, nameEnd);
    i = nameEnd + 1;
    if (type === STRING) {
      const len = buf.readInt32LE(i);
      row[name] = buf.toString('utf8', i + 4, i + 4 + len - 1);
      i += 4 + len;
    } else if (type === OBJECT_ID) {
      row[name] = buf.toString('hex', i, i + 12);
      i += 12;
    } else if (type === DATE) {
      row[name] = new Date(Number(buf.readBigInt64LE(i)));
      i += 8;
    } else if (type === NULL) {
      row[name] = null;
    } else {
      return undefined;
    }
  }
  return typeof row._id === 'string' ? (row as RawTextRow) : undefined;
}
