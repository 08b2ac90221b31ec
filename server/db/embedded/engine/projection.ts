/**
 * Find projections: inclusion and exclusion with dotted paths through arrays, `_id` defaults, $slice,
 * $elemMatch, the positional `field.$`, and computed fields (evaluated by mingo on the numeric view).
 * Output keeps the stored document's field order and value types.
 */
import type { Document } from 'bson';
import { evalExpr } from 'mingo/core';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { RawDoc } from '../raw-doc.ts';
import { decodeDoc, FieldSet, projectTopLevel, type Within } from './bson-raw.ts';
import { asMongoError, compileFilter, mingoOptions, type Predicate } from './matcher.ts';
import { bsonTypeName, isNumeric, isPlainObject, toJsNumber } from './values.ts';
import { fromView, referencedFields, toView } from './view.ts';

type Leaf =
  | { kind: 'include' }
  | { kind: 'exclude' }
  | { kind: 'slice'; skip: number | undefined; limit: number }
  | { kind: 'elemMatch'; pred: Predicate }
  | { kind: 'positional' }
  | { kind: 'expr'; expr: unknown };
interface Node {
  children: Map<string, Node | Leaf>;
}
const isNode = (x: Node | Leaf): x is Node => 'children' in x;

/** Returns the index of the array element that satisfied the query, for `field.$` projections. */
export type PositionalResolver = (doc: Document, arrayPath: string) => number;

export interface Projection {
  apply(doc: Document): Document;
  /**
   * Set when the projection only includes or excludes top-level fields, or only includes paths (`a.b`): it
   * can then be applied to stored BSON by copying elements (bson-raw.ts projectTopLevel) without decoding the
   * document (the QR summary reads two dates of an issue's deadlines and its rating's verification).
   */
  raw?: { fields: FieldSet; include: boolean; keepId: boolean; within?: ReadonlyMap<string, Within> };
}

function leafOf(path: string, v: unknown): Leaf {
  if (path.endsWith('.$')) return { kind: 'positional' };
  if (typeof v === 'boolean' || isNumeric(v))
    return (typeof v === 'boolean' ? v : toJsNumber(v) !== 0) ? { kind: 'include' } : { kind: 'exclude' };
  if (isPlainObject(v)) {
    const op = Object.keys(v)[0];
    if (op === '$slice') return sliceLeaf(v);
    if (op === '$elemMatch') {
      // MongoDB's codes; mingo would project a nested path's match or skip a non-document argument.
      if (!isPlainObject(v.$elemMatch))
        throw new MongoError(
          31274,
          `elemMatch: Invalid argument, object required, but got ${bsonTypeName(v.$elemMatch)}`,
        );
      if (path.includes('.'))
        throw new MongoError(31275, 'Cannot use $elemMatch projection on a nested field.');
      return { kind: 'elemMatch', pred: compileFilter({ x: { $elemMatch: v.$elemMatch } }) };
    }
    if (op === '$meta') throw notSupported('$meta projection');
  }
  return { kind: 'expr', expr: v };
}

/**
 * `$slice: n` or `$slice: [skip, limit]` (numbers, a positive limit): find's own slice. Any other array is the
 * aggregation `$slice` expression (`['$arr', 2]`), as MongoDB reads it when the find form does not parse; any
 * other argument is neither, and MongoDB refuses it as the expression's missing arguments (28667).
 */
function sliceLeaf(v: Document): Leaf {
  const s = v.$slice;
  if (isNumeric(s)) return { kind: 'slice', skip: undefined, limit: Math.trunc(toJsNumber(s)) };
  if (!Array.isArray(s))
    throw new MongoError(
      28667,
      'Invalid $slice syntax: find() takes a number or [skip, limit]; the expression $slice takes at least 2 arguments, and at most 3, but 1 were passed in.',
    );
  if (s.length === 2 && isNumeric(s[0]) && isNumeric(s[1]) && Math.trunc(toJsNumber(s[1])) > 0)
    return { kind: 'slice', skip: Math.trunc(toJsNumber(s[0])), limit: Math.trunc(toJsNumber(s[1])) };
  return { kind: 'expr', expr: v };
}

function insert(root: Node, path: string, leaf: Leaf): void {
  const parts = (leaf.kind === 'positional' ? path.slice(0, -2) : path).split('.');
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    let next = node.children.get(parts[i]);
    if (!next || !isNode(next)) node.children.set(parts[i], (next = { children: new Map() }));
    node = next;
  }
  node.children.set(parts[parts.length - 1], leaf);
}

export function flatten(spec: Document, prefix: string, out: [string, unknown][]): void {
  for (const k of Object.keys(spec)) {
    const v = spec[k];
    if (isPlainObject(v) && Object.keys(v).length > 0 && !Object.keys(v)[0].startsWith('$'))
      flatten(v, prefix + k + '.', out);
    else out.push([prefix + k, v]);
  }
}

function sliceArray(arr: unknown[], leaf: Extract<Leaf, { kind: 'slice' }>): unknown[] {
  if (leaf.skip === undefined) return leaf.limit >= 0 ? arr.slice(0, leaf.limit) : arr.slice(leaf.limit);
  const start = leaf.skip < 0 ? Math.max(0, arr.length + leaf.skip) : leaf.skip;
  return arr.slice(start, start + leaf.limit);
}

function applyNode(value: unknown, node: Node, include: boolean): unknown {
  if (Array.isArray(value)) {
    const mapped = value.map((e) =>
      isPlainObject(e) ? applyNode(e, node, include) : include ? undefined : e,
    );
    return mapped.filter((e) => e !== undefined);
  }
  if (!isPlainObject(value)) return include ? undefined : value;
  const out: Document = {};
  for (const key of Object.keys(value)) {
    const rule = node.children.get(key);
    const v = value[key];
    if (!rule) {
      if (!include) out[key] = v;
      continue;
    }
    if (isNode(rule)) {
      const sub = applyNode(v, rule, include);
      if (sub !== undefined) out[key] = sub;
    } else if (rule.kind === 'include') out[key] = v;
    else if (rule.kind === 'slice') out[key] = Array.isArray(v) ? sliceArray(v, rule) : v;
  }
  return out;
}

/**
 * MongoDB 4.4+ refuses a projection that names a field and also a path inside it, in either order
 * (`{contact: 1, 'contact.openid': 1}`), or the same path twice; so does this server, with the same codes.
 */
export function checkCollision(seen: { paths: Set<string>; parents: Set<string> }, path: string): void {
  if (seen.paths.has(path) || seen.parents.has(path))
    throw new MongoError(31250, `Path collision at ${path}`);
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1)) {
    const parent = path.slice(0, dot);
    if (seen.paths.has(parent)) {
      throw new MongoError(31249, `Path collision at ${path} remaining portion ${path.slice(dot + 1)}`);
    }
    seen.parents.add(parent);
  }
  seen.paths.add(path);
}

/** Compiles a find projection. */
export function compileProjection(
  spec: Document | undefined,
  positional?: PositionalResolver,
): Projection | undefined {
  if (!spec || Object.keys(spec).length === 0) return undefined;
  const entries: [string, unknown][] = [];
  flatten(spec, '', entries);
  const root: Node = { children: new Map() };
  let include = false;
  let exclude = false;
  let idExcluded = false;
  let idIncluded = false;
  const extras: [string, Leaf][] = [];
  const seen = { paths: new Set<string>(), parents: new Set<string>() };
  for (const [path, v] of entries) {
    const leaf = leafOf(path, v);
    checkCollision(seen, leaf.kind === 'positional' ? path.slice(0, -2) : path);
    if (path === '_id' && leaf.kind !== 'expr') {
      idExcluded = leaf.kind === 'exclude';
      idIncluded = leaf.kind === 'include';
      if (idIncluded) insert(root, path, leaf);
      continue;
    }
    if (leaf.kind === 'exclude') exclude = true;
    else if (leaf.kind !== 'slice') include = true;
    if (leaf.kind === 'elemMatch' || leaf.kind === 'expr' || leaf.kind === 'positional')
      extras.push([path, leaf]);
    else insert(root, path, leaf);
  }
  // `{_id: 1}` alone is an inclusion projection of just the _id.
  if (idIncluded && !exclude) include = true;
  if (include && exclude) {
    throw new MongoError(31254, 'Cannot do exclusion on a field in an inclusion projection');
  }
  if (include && !idExcluded && !root.children.has('_id')) root.children.set('_id', { kind: 'include' });
  if (!include && idExcluded) root.children.set('_id', { kind: 'exclude' });
  return {
    apply: (doc) => project(doc, root, include, extras, positional),
    raw: extras.length === 0 ? rawPlan(root, include) : undefined,
  };
}

/**
 * A stored document (its BSON) as a reply carries it under `projection`: its bytes as they are, its top-level
 * fields copied from them, or, for a projection inside a field, decoded (`decode`, when the caller already
 * holds the decoded document) and projected.
 */
export function presentBytes(
  projection: Projection | undefined,
  bytes: Uint8Array,
  decode: () => Document = () => decodeDoc(bytes),
): Document | RawDoc {
  if (!projection) return new RawDoc(bytes);
  const raw = projection.raw;
  if (raw)
    return new RawDoc(projectTopLevel(bytes, raw.fields, raw.include, raw.keepId, undefined, raw.within));
  return projection.apply(decode());
}

/** The byte-level form of a projection (see `Projection.raw`), or undefined when it has none. */
function rawPlan(root: Node, include: boolean): Projection['raw'] {
  const names: string[] = [];
  const within = new Map<string, Within>();
  for (const [name, rule] of root.children) {
    if (isNode(rule)) {
      const inner = include ? withinPlan(rule) : undefined;
      if (!inner) return undefined;
      within.set(name, inner);
    } else if (rule.kind !== 'include' && rule.kind !== 'exclude') return undefined;
    if (name === '_id' && !isNode(rule) && (include || rule.kind === 'include')) continue;
    names.push(name);
  }
  const keepId = include ? root.children.has('_id') : true;
  return { fields: new FieldSet(names), include, keepId, ...(within.size > 0 && { within }) };
}

/** The paths an inclusion keeps inside a field, when they are plain inclusions all the way down. */
function withinPlan(node: Node): Within | undefined {
  const within = new Map<string, Within>();
  for (const [name, rule] of node.children) {
    if (isNode(rule)) {
      const inner = withinPlan(rule);
      if (!inner) return undefined;
      within.set(name, inner);
    } else if (rule.kind !== 'include') return undefined;
  }
  return {
    fields: new FieldSet(node.children.keys()),
    ...(within.size > 0 && { within }),
    projectDecoded: (value) => applyNode(value, node, true),
  };
}

function computeField(doc: Document, expr: unknown): unknown {
  try {
    return evalExpr(toView(doc, referencedFields(expr)), expr as any, mingoOptions());
  } catch (e) {
    throw asMongoError(e);
  }
}

function project(
  doc: Document,
  root: Node,
  include: boolean,
  extras: [string, Leaf][],
  positional?: PositionalResolver,
): Document {
  const out = applyNode(doc, root, include) as Document;
  for (const [path, leaf] of extras) {
    if (leaf.kind === 'elemMatch') {
      const arr = doc[path];
      if (!Array.isArray(arr)) continue;
      const hit = arr.find((e) => leaf.pred({ x: [e] }));
      if (hit !== undefined) out[path] = [hit];
    } else if (leaf.kind === 'positional') {
      const arrayPath = path.slice(0, -2);
      const arr = doc[arrayPath];
      const i = positional && Array.isArray(arr) ? positional(doc, arrayPath) : -1;
      if (i < 0)
        throw new MongoError(
          ErrorCodes.BadValue,
          'Executor error during find command :: caused by :: positional operator did not match',
        );
      out[arrayPath] = [(arr as unknown[])[i]];
    } else if (leaf.kind === 'expr') {
      const v = computeField(doc, leaf.expr);
      if (v !== undefined) out[path] = fromView(v);
    }
  }
  return out;
}
