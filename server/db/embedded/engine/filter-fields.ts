/**
 * Which top-level fields a query filter reads. Stored documents are BSON bytes, and a filter that names its
 * fields can be tested on just those fields, decoded (bson-raw.ts readFields); a filter that could read
 * anything ($expr, or an operator this module does not know) asks for the whole document.
 */
import type { Document } from 'bson';
import { isPlainObject } from './values.ts';

const LOGICAL = new Set(['$and', '$or', '$nor']);

/** The top-level field names `filter` reads, added to `out`; null when it may read any field. */
export function filterFields(filter: Document, out = new Set<string>()): Set<string> | null {
  for (const key of Object.keys(filter)) {
    if (LOGICAL.has(key)) {
      const branches = filter[key];
      if (!Array.isArray(branches)) return null;
      for (const b of branches) if (!isPlainObject(b) || filterFields(b, out) === null) return null;
    } else if (key === '$comment') continue;
    else if (key.startsWith('$')) return null;
    else {
      const dot = key.indexOf('.');
      out.add(dot < 0 ? key : key.slice(0, dot));
    }
  }
  return out;
}
