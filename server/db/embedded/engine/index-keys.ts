/**
 * Index specifications and what a document gives an index's keys: one key per array element of a multikey
 * field (at most one array field per compound key, as in MongoDB), null for a missing field, each path walked
 * and encoded once per document for all its indexes (KeyMemo).
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { encodeValue, type Dir } from './key-string.ts';
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

/**
 * What one path of a document gives every index that names it: its distinct values (a missing one as null,
 * each array's elements in its stead, an empty array as null; the first of compareValues-equal values), each
 * value's key per direction, whether an array was met along the way (multikey) and whether anything was there
 * (sparse). `values[i]` is the value of `keys(dir)[i]`.
 */
export class PathKeys {
  private asc: readonly string[] | undefined;
  private desc: readonly string[] | undefined;

  constructor(
    readonly values: readonly unknown[],
    readonly multi: boolean,
    readonly present: boolean,
    asc?: readonly string[],
  ) {
    this.asc = asc;
  }

  keys(dir: Dir): readonly string[] {
    if (dir === 1) return (this.asc ??= this.values.map((v) => encodeValue(v, 1)));
    return (this.desc ??= this.values.map((v) => encodeValue(v, -1)));
  }
}

/** `path` of `doc` walked with MongoDB's array semantics (paths.ts), its values deduplicated by their keys. */
function walk(doc: Document, path: string): PathKeys {
  // Through plain objects alone a path reaches one value (an array there is expanded below); an array on the
  // way (`a.b` on `{a: [{b: 1}, {b: 2}]}`) takes the general walk.
  let v: unknown = doc;
  for (let at = 0; at <= path.length;) {
    if (!isPlainObject(v)) {
      if (Array.isArray(v)) return expand(leafValues(doc, path));
      v = undefined;
      break;
    }
    const dot = path.indexOf('.', at);
    const name = dot < 0 ? path.slice(at) : path.slice(at, dot);
    v = Object.prototype.hasOwnProperty.call(v, name) ? v[name] : undefined;
    at = dot < 0 ? path.length + 1 : dot + 1;
  }
  if (!Array.isArray(v)) return new PathKeys([v === undefined ? null : v], false, v !== undefined);
  return expand([v]);
}

/** The values the leaves of a path give, arrays expanded (paths.ts `leafValues`). */
function expand(leaves: readonly unknown[]): PathKeys {
  let multi = leaves.length > 1;
  let present = false;
  // Equal keys are exactly compareValues-equal values (key-string.ts), and either direction's keys tell the
  // same values apart, so the ascending keys deduplicate for both.
  const seen = new Set<string>();
  const values: unknown[] = [];
  const asc: string[] = [];
  const add = (v: unknown): void => {
    const k = encodeValue(v === undefined ? null : v, 1);
    if (seen.has(k)) return;
    seen.add(k);
    values.push(v === undefined ? null : v);
    asc.push(k);
  };
  for (const leaf of leaves) {
    if (leaf !== undefined) present = true;
    if (!Array.isArray(leaf)) add(leaf);
    else {
      multi = true;
      if (leaf.length === 0) add(null);
      for (const v of leaf) add(v);
    }
  }
  return new PathKeys(values, multi, present, asc);
}

/**
 * One document's paths walked and encoded once for all its indexes, and each distinct partial filter tested
 * once: the issues' 44 indexes read `createdAt`, `state`, `unitId` … many times over, and 23 of them test a
 * handful of filters. Every index's entries come from here (ordered-index.ts `keysFor`).
 */
export class KeyMemo {
  private readonly filters = new Map<string, boolean>();
  private readonly paths = new Map<string, PathKeys>();

  constructor(readonly doc: Document) {}

  passes(filter: string, test: (doc: Document) => boolean): boolean {
    let ok = this.filters.get(filter);
    if (ok === undefined) this.filters.set(filter, (ok = test(this.doc)));
    return ok;
  }

  path(path: string): PathKeys {
    let p = this.paths.get(path);
    if (p === undefined) this.paths.set(path, (p = walk(this.doc, path)));
    return p;
  }
}

export function parallelArrays(path: string, other: string): MongoError {
  return new MongoError(171, `cannot index parallel arrays [${path}] [${other}]`);
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
