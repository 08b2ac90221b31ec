/**
 * Sort specifications and in-memory sorting with MongoDB's rules: BSON type order across types, missing
 * sorts as null, and an array sorts by its smallest element ascending and by its largest descending.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { compareValues } from './compare.ts';
import type { KeyField } from './index-keys.ts';
import { leafValues } from './paths.ts';
import { isNumeric, isPlainObject, toJsNumber } from './values.ts';

/** Parses `{a: 1, b: -1}`; `$natural` is returned separately. Metadata sorts are not supported. */
export function parseSort(sort: unknown): { fields: KeyField[]; natural?: 1 | -1 } {
  if (sort === undefined || sort === null) return { fields: [] };
  if (!isPlainObject(sort)) throw new MongoError(ErrorCodes.BadValue, 'sort must be an object');
  const fields: KeyField[] = [];
  let natural: 1 | -1 | undefined;
  for (const path of Object.keys(sort)) {
    const d = sort[path];
    if (isPlainObject(d)) throw notSupported('Sorting by $meta');
    if (!isNumeric(d) || (toJsNumber(d) !== 1 && toJsNumber(d) !== -1)) {
      throw new MongoError(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    }
    const dir = toJsNumber(d) as 1 | -1;
    if (path === '$natural') natural = dir;
    else fields.push({ path, dir });
  }
  return { fields, natural };
}

function sortKey(doc: Document, path: string, dir: 1 | -1): unknown {
  let best: unknown;
  let first = true;
  for (const leaf of leafValues(doc, path)) {
    const candidates = Array.isArray(leaf) ? (leaf.length ? leaf : [undefined]) : [leaf];
    for (const v of candidates) {
      if (first || compareValues(v, best) * dir < 0) best = v;
      first = false;
    }
  }
  return best;
}

/** The values `doc` sorts by under `fields` (arrays give their smallest element ascending, largest descending). */
export function sortKeysOf(doc: Document, fields: KeyField[]): unknown[] {
  return fields.map((f) => sortKey(doc, f.path, f.dir));
}

/** Compares two `sortKeysOf` results under `fields`. */
export function compareSortKeys(a: unknown[], b: unknown[], fields: KeyField[]): number {
  for (let i = 0; i < fields.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c) return c * fields[i].dir;
  }
  return 0;
}

/** Sorts documents in place (stable), computing each document's sort keys once. */
export function sortDocs(docs: Document[], fields: KeyField[]): Document[] {
  return sortBy(docs, (d) => d, fields);
}

/** Sorts items in place (stable) by the sort keys of the document each one stands for. */
export function sortBy<T>(items: T[], docOf: (item: T) => Document, fields: KeyField[]): T[] {
  if (fields.length === 0) return items;
  const keyed = items.map((item) => ({ item, keys: sortKeysOf(docOf(item), fields) }));
  keyed.sort((a, b) => compareSortKeys(a.keys, b.keys, fields));
  for (let i = 0; i < items.length; i++) items[i] = keyed[i].item;
  return items;
}
