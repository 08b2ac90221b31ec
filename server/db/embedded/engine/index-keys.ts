/**
 * Index specifications and the keys a document contributes to an index: one key per array element of a
 * multikey field (at most one array field per compound key, as in MongoDB), null for a missing field.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { valueKey } from './compare.ts';
import { leafValues } from './paths.ts';
import { bsonTypeOf, isNumeric, isPlainObject, toJsNumber } from './values.ts';

export interface IndexSpec {
  v: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
  [option: string]: unknown;
}

export interface KeyField {
  path: string;
  dir: 1 | -1;
}

/** Parses and validates a key pattern; only ascending/descending keys are supported. */
export function parseKeyPattern(key: unknown): KeyField[] {
  if (!isPlainObject(key) || Object.keys(key).length === 0) {
    throw new MongoError(ErrorCodes.BadValue, 'Index key pattern must be a non-empty object');
  }
  return Object.keys(key).map((path) => {
    const d = key[path];
    if (typeof d === 'string') throw notSupported(`Index type "${d}"`);
    if (!isNumeric(d) || toJsNumber(d) === 0) {
      throw new MongoError(
        ErrorCodes.CannotCreateIndex,
        `Values in the index key pattern must be non-zero numbers: ${path}`,
      );
    }
    return { path, dir: toJsNumber(d) > 0 ? 1 : -1 };
  });
}

/** The default index name MongoDB derives from a key pattern, e.g. `a_1_b_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.keys(key)
    .map((k) => `${k}_${String(toJsNumber(key[k]) || key[k])}`)
    .join('_');
}

function fieldValues(doc: Document, path: string): { values: unknown[]; multi: boolean } {
  const leaves = leafValues(doc, path);
  const values: unknown[] = [];
  let multi = leaves.length > 1;
  for (const v of leaves) {
    if (Array.isArray(v)) {
      multi = true;
      if (v.length === 0) values.push(undefined);
      else values.push(...v);
    } else values.push(v);
  }
  const seen = new Set<string>();
  const unique = values.filter((v) => {
    const k = valueKey(v ?? null);
    return seen.has(k) ? false : (seen.add(k), true);
  });
  return { values: unique.map((v) => (v === undefined ? null : v)), multi };
}

export interface DocKeys {
  /** Key value tuples (without the _id suffix). */
  tuples: unknown[][];
  multikey: boolean;
  /** Which key field held an array (or reached several values through one); -1 when none did. */
  multiField: number;
  /** True when every key field is missing (sparse indexes skip such documents). */
  allMissing: boolean;
}

/** The common case: top-level fields holding no arrays give exactly one tuple, without any path walking. */
function simpleKeys(doc: Document, fields: KeyField[]): DocKeys | undefined {
  const tuple: unknown[] = new Array(fields.length);
  let allMissing = true;
  for (let i = 0; i < fields.length; i++) {
    const path = fields[i].path;
    if (path.includes('.')) return undefined;
    const v = Object.prototype.hasOwnProperty.call(doc, path) ? doc[path] : undefined;
    if (Array.isArray(v)) return undefined;
    if (v !== undefined) allMissing = false;
    tuple[i] = v === undefined ? null : v;
  }
  return { tuples: [tuple], multikey: false, multiField: -1, allMissing };
}

/** Computes the key tuples of `doc` for the given key fields. */
export function docKeys(doc: Document, fields: KeyField[]): DocKeys {
  const simple = simpleKeys(doc, fields);
  if (simple) return simple;
  let tuples: unknown[][] = [[]];
  let multiField: string | undefined;
  let multiIndex = -1;
  let allMissing = true;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const { values, multi } = fieldValues(doc, f.path);
    if (leafValues(doc, f.path).some((v) => v !== undefined)) allMissing = false;
    if (multi) {
      if (multiField !== undefined && fields.length > 1) {
        throw new MongoError(171, `cannot index parallel arrays [${f.path}] [${multiField}]`);
      }
      multiField = f.path;
      multiIndex = i;
    }
    const next: unknown[][] = [];
    for (const t of tuples) for (const v of values) next.push([...t, v]);
    tuples = next;
  }
  return { tuples, multikey: multiField !== undefined, multiField: multiIndex, allMissing };
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return '[ ' + v.map(formatValue).join(', ') + ' ]';
  if (isPlainObject(v)) return formatDoc(v);
  switch (bsonTypeOf(v)) {
    case 'ObjectId':
      return `ObjectId('${(v as { toHexString(): string }).toHexString()}')`;
    case 'Long':
      return `${String(v)}`;
    case 'Decimal128':
      return `Decimal128("${String(v)}")`;
  }
  if (isNumeric(v)) return String(toJsNumber(v));
  return String(v);
}

/** Formats like the mongod log style used in E11000 messages: `{ name: "x" }`. */
export function formatDoc(d: Document): string {
  const keys = Object.keys(d);
  if (keys.length === 0) return '{}';
  return '{ ' + keys.map((k) => `${k}: ${formatValue(d[k])}`).join(', ') + ' }';
}

export function duplicateKeyError(
  ns: string,
  spec: IndexSpec,
  fields: KeyField[],
  tuple: unknown[],
): MongoError {
  const keyValue: Document = {};
  fields.forEach((f, i) => (keyValue[f.path] = tuple[i] ?? null));
  const keyPattern: Document = {};
  for (const k of Object.keys(spec.key)) keyPattern[k] = spec.key[k];
  return new MongoError(
    ErrorCodes.DuplicateKey,
    `E11000 duplicate key error collection: ${ns} index: ${spec.name} dup key: ${formatDoc(keyValue)}`,
    { keyPattern, keyValue },
  );
}
