/**
 * Where an update operator writes: expands `$`, `$[]` and `$[id]` into concrete paths for one document,
 * and reads, creates and removes values along a concrete path with MongoDB's errors (28 PathNotViable).
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError } from '../../errors.ts';
import { compileFilter, type Predicate } from '../matcher.ts';
import { isPlainObject } from '../values.ts';

export interface UpdateContext {
  /** Index of the element the query matched in the array at `path`, or -1. */
  positional: (doc: Document, path: string) => number;
  arrayFilters: Map<string, Predicate>;
}

/** Compiles `arrayFilters` into one element predicate per identifier. */
export function compileArrayFilters(filters: unknown): Map<string, Predicate> {
  const out = new Map<string, Predicate>();
  if (filters === undefined) return out;
  if (!Array.isArray(filters)) throw new MongoError(ErrorCodes.TypeMismatch, 'arrayFilters must be an array');
  for (const f of filters) {
    if (!isPlainObject(f) || Object.keys(f).length === 0)
      throw new MongoError(
        ErrorCodes.FailedToParse,
        'Cannot use an expression without a top-level field name in arrayFilters',
      );
    const id = Object.keys(f)[0].split('.')[0];
    if (!/^[a-z][a-zA-Z0-9]*$/.test(id))
      throw new MongoError(
        ErrorCodes.BadValue,
        `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`,
      );
    if (out.has(id))
      throw new MongoError(
        ErrorCodes.FailedToParse,
        `Found multiple array filters with the same top-level field name ${id}`,
      );
    const pred = compileFilter(f);
    out.set(id, (elem) => pred({ [id]: elem }));
  }
  return out;
}

const pathNotViable = (part: string, at: unknown) =>
  new MongoError(
    ErrorCodes.PathNotViable,
    `Cannot create field '${part}' in element {${JSON.stringify(at)}}`,
  );

/** Expands positional parts of `path` against `doc` into concrete dotted paths. */
export function expandPath(doc: Document, path: string, ctx: UpdateContext): string[][] {
  let results: { parts: string[]; value: unknown }[] = [{ parts: [], value: doc }];
  for (const part of path.split('.')) {
    const next: { parts: string[]; value: unknown }[] = [];
    for (const r of results) {
      if (part === '$' || part.startsWith('$[')) {
        const arr = r.value;
        const at = r.parts.join('.');
        if (!Array.isArray(arr))
          throw new MongoError(
            ErrorCodes.BadValue,
            `The path '${at}' must exist in the document in order to apply array updates.`,
          );
        for (const i of arrayIndexes(doc, arr, at, part, ctx))
          next.push({ parts: [...r.parts, String(i)], value: arr[i] });
      } else {
        next.push({ parts: [...r.parts, part], value: child(r.value, part) });
      }
    }
    results = next;
  }
  return results.map((r) => r.parts);
}

function arrayIndexes(doc: Document, arr: unknown[], at: string, part: string, ctx: UpdateContext): number[] {
  if (part === '$') {
    const i = ctx.positional(doc, at);
    if (i < 0)
      throw new MongoError(
        ErrorCodes.BadValue,
        'The positional operator did not find the match needed from the query.',
      );
    return [i];
  }
  if (part === '$[]') return arr.map((_, i) => i);
  const id = part.slice(2, -1);
  const pred = ctx.arrayFilters.get(id);
  if (!pred)
    throw new MongoError(
      ErrorCodes.BadValue,
      `No array filter found for identifier '${id}' in path '${at}.${part}'`,
    );
  return arr.flatMap((e, i) => (pred(e as Document) ? [i] : []));
}

function child(v: unknown, part: string): unknown {
  if (Array.isArray(v)) return /^\d+$/.test(part) ? v[Number(part)] : undefined;
  return isPlainObject(v) ? v[part] : undefined;
}

export function getAt(doc: Document, parts: string[]): unknown {
  let v: unknown = doc;
  for (const p of parts) {
    v = child(v, p);
    if (v === undefined) return undefined;
  }
  return v;
}

/** Sets a value, creating missing objects; arrays are padded with null like MongoDB. */
export function setAt(doc: Document, parts: string[], value: unknown): void {
  let cur: any = doc;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const last = i === parts.length - 1;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(p)) throw pathNotViable(p, cur);
      const idx = Number(p);
      while (cur.length < idx) cur.push(null);
      if (last) cur[idx] = value;
      else if (cur[idx] === undefined) cur = cur[idx] = {};
      else cur = cur[idx];
    } else if (isPlainObject(cur)) {
      if (last) cur[p] = value;
      else if (cur[p] === undefined) cur = cur[p] = {};
      else cur = cur[p];
    } else {
      throw pathNotViable(p, cur);
    }
    if (!last && !Array.isArray(cur) && !isPlainObject(cur)) throw pathNotViable(parts[i + 1], cur);
  }
}

/** Removes a field (sets an array slot to null, as MongoDB's $unset does). Returns whether anything changed. */
export function unsetAt(doc: Document, parts: string[]): boolean {
  const parent = getAt(doc, parts.slice(0, -1));
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    if (!/^\d+$/.test(last) || Number(last) >= parent.length) return false;
    parent[Number(last)] = null;
    return true;
  }
  if (isPlainObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    delete parent[last];
    return true;
  }
  return false;
}
