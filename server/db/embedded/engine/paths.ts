/**
 * Dotted-path access with MongoDB's array semantics, shared by the matcher and the index key generator.
 * `a.b` on `{a: [{b: 1}, {c: 2}]}` reaches 1 and a missing value; numeric parts index into arrays.
 */
import type { Document } from 'bson';
import { isPlainObject } from './values.ts';

const isIndex = (s: string): boolean => /^\d+$/.test(s);

function collect(v: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    out.push(v);
    return;
  }
  const key = parts[i];
  if (Array.isArray(v)) {
    if (isIndex(key)) {
      collect(v[Number(key)], parts, i + 1, out);
      return;
    }
    let any = false;
    for (const e of v) {
      if (isPlainObject(e)) {
        collect(e, parts, i, out);
        any = true;
      }
    }
    if (!any) out.push(undefined);
    return;
  }
  if (isPlainObject(v)) {
    collect(Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined, parts, i + 1, out);
    return;
  }
  out.push(undefined);
}

/** Every value the path reaches (arrays at the leaf are NOT expanded); `[undefined]` when it reaches none. */
export function leafValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out.length ? out : [undefined];
}

/** Leaf values plus the elements of leaf arrays: what equality and range predicates test. */
export function expandedValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  for (const v of leafValues(doc, path)) {
    out.push(v);
    if (Array.isArray(v)) for (const e of v) out.push(e);
  }
  return out;
}

/** The single value at a path without array traversal (numeric parts still index arrays). */
export function getPath(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const key of path.split('.')) {
    if (Array.isArray(v) && isIndex(key)) v = v[Number(key)];
    else if (isPlainObject(v)) v = Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
    else return undefined;
  }
  return v;
}

/** Sets a dotted path on plain objects, creating intermediate objects (used to seed upserts). */
export function setPathCreating(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Document = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (!isPlainObject(next)) cur[parts[i]] = {};
    cur = cur[parts[i]] as Document;
  }
  cur[parts[parts.length - 1]] = value;
}
