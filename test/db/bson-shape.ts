// A comparable rendering of a stored document that keeps the BSON types apart (an id string is not an
// ObjectId, a date string is not a Date) and ignores key order: for tests holding a document written past
// mongoose equal to the one mongoose would have written.
import { Types } from 'mongoose';

export function bsonShape(v: unknown): unknown {
  if (v instanceof Types.ObjectId) return `ObjectId(${v.toHexString()})`;
  if (v instanceof Date) return `Date(${v.toISOString()})`;
  if (Array.isArray(v)) return v.map(bsonShape);
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return Object.fromEntries(
      entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, bsonShape(x)]),
    );
  }
  return `${typeof v}(${String(v)})`;
}
