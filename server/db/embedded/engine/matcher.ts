/**
 * Query matching. mingo parses the filter and supplies the logical operators ($and/$or/$nor/$not,
 * $elemMatch, $regex, $exists); the comparison operators are replaced with BSON-aware ones because stored
 * documents hold bson wrappers (see values.ts) that mingo would compare by class name. Unsupported operators
 * fail loudly instead of matching wrongly, and arguments MongoDB refuses when it parses a filter (an empty
 * `$or`, an unknown `$type` alias, `$not: 1`) are refused when it is compiled, where mingo read them its own way.
 */
import type { Document } from 'bson';
import { Context } from 'mingo/core';
import * as mingoQueryOps from 'mingo/operators/query';
import * as mingoExprOps from 'mingo/operators/expression';
import * as mingoAccOps from 'mingo/operators/accumulator';
import * as mingoProjOps from 'mingo/operators/projection';
import * as mingoPipeOps from 'mingo/operators/pipeline';
import { Query } from 'mingo/query';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { compareValues, valueKey, valuesEqual } from './compare.ts';
import { expandedValues, leafValues } from './paths.ts';
import { bsonTypeName, bsonTypeOf, flag, isNumeric, isPlainObject, toJsNumber, typeOrder } from './values.ts';
import { referencedFields, toView } from './view.ts';
import { accumulators } from './accumulators.ts';
import { EXPRESSION_OVERRIDES } from './expressions.ts';

export type Predicate = (doc: Document) => boolean;
type Pred = (values: unknown[], expanded: unknown[]) => boolean;

function isRegex(v: unknown): boolean {
  return v instanceof RegExp || bsonTypeOf(v) === 'BSONRegExp';
}

function regexTest(re: unknown, v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const r =
    re instanceof RegExp
      ? re
      : new RegExp((re as { pattern: string }).pattern, (re as { options: string }).options);
  r.lastIndex = 0;
  return r.test(v);
}

function eqAny(expanded: unknown[], q: unknown): boolean {
  for (const v of expanded) if (valuesEqual(v, q)) return true;
  return false;
}

function rangeAny(expanded: unknown[], q: unknown, ok: (c: number) => boolean): boolean {
  const qt = typeOrder(q);
  for (const v of expanded) if (typeOrder(v) === qt && ok(compareValues(v, q))) return true;
  return false;
}

function inAny(expanded: unknown[], list: unknown[]): boolean {
  for (const q of list) {
    if (isRegex(q) ? expanded.some((v) => regexTest(q, v)) : eqAny(expanded, q)) return true;
  }
  return false;
}

/** Lists longer than this are matched through a hash of their values (a sweep's `_id: {$in: [500 ids]}`). */
const HASHED_IN = 8;

/**
 * `$in` compiled once: a short list is compared value by value; a long one becomes a set of `valueKey`s (equal
 * exactly when compareValues says equal), so each document costs a lookup per value instead of a scan.
 */
function inMatcher(list: unknown): (expanded: unknown[]) => boolean {
  if (!Array.isArray(list)) throw new MongoError(ErrorCodes.BadValue, '$in needs an array');
  if (list.length <= HASHED_IN) return (expanded) => inAny(expanded, list);
  const regexes = list.filter(isRegex);
  const keys = new Set(list.filter((q) => !isRegex(q)).map((q) => valueKey(q)));
  return (expanded) => {
    for (const v of expanded) if (keys.has(valueKey(v))) return true;
    return regexes.length > 0 && expanded.some((v) => regexes.some((q) => regexTest(q, v)));
  };
}

const TYPE_CODES: Record<number, string> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  13: 'javascript',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  [-1]: 'minKey',
  127: 'maxKey',
};

/** The aliases MongoDB's `$type` accepts; the few this engine cannot store simply match nothing. */
const TYPE_ALIASES = new Set([
  ...Object.values(TYPE_CODES),
  'number',
  'undefined',
  'dbPointer',
  'symbol',
  'javascriptWithScope',
]);

/** `$type`'s argument (a code, an alias or a non-empty list of them) as type names, checked when compiled. */
function typeNames(arg: unknown): string[] {
  const list = Array.isArray(arg) ? arg : [arg];
  if (list.length === 0) throw new MongoError(ErrorCodes.BadValue, '$type must match at least one type');
  return list.map((t) => {
    if (isNumeric(t)) {
      const name = TYPE_CODES[toJsNumber(t)];
      if (!name) throw new MongoError(ErrorCodes.BadValue, `Invalid numerical type code: ${toJsNumber(t)}`);
      return name;
    }
    if (typeof t !== 'string' || !TYPE_ALIASES.has(t))
      throw new MongoError(ErrorCodes.BadValue, `Unknown type name alias: ${String(t)}`);
    return t;
  });
}

const typeMatches = (v: unknown, name: string) =>
  name === 'number' ? isNumeric(v) : bsonTypeName(v) === name;

function allMatch(values: unknown[], expanded: unknown[], list: unknown): boolean {
  if (!Array.isArray(list)) throw new MongoError(ErrorCodes.BadValue, '$all needs an array');
  if (list.length === 0) return false;
  return list.every((q) => {
    if (isPlainObject(q) && '$elemMatch' in q) {
      const sub = compileFilter({ x: q });
      return values.some((v) => Array.isArray(v) && sub({ x: v }));
    }
    return isRegex(q) ? expanded.some((v) => regexTest(q, v)) : eqAny(expanded, q);
  });
}

function modMatch(expanded: unknown[], arg: unknown): boolean {
  if (!Array.isArray(arg) || arg.length !== 2) {
    throw new MongoError(ErrorCodes.BadValue, 'malformed mod, needs to be an array of [divisor, remainder]');
  }
  const d = Math.trunc(toJsNumber(arg[0]));
  const r = Math.trunc(toJsNumber(arg[1]));
  if (d === 0) throw new MongoError(ErrorCodes.BadValue, 'divisor cannot be 0');
  return expanded.some((v) => isNumeric(v) && Math.trunc(toJsNumber(v)) % d === r);
}

/** `$elemMatch`: some element of an array at the path satisfies every condition at once. */
function elemMatcher(criteria: unknown): (e: unknown) => boolean {
  if (!isPlainObject(criteria)) throw new MongoError(ErrorCodes.BadValue, '$elemMatch needs an Object');
  const keys = Object.keys(criteria);
  const operatorsOnly =
    keys.length > 0 && keys.every((k) => k.startsWith('$') && !['$and', '$or', '$nor', '$expr'].includes(k));
  if (operatorsOnly) {
    const p = compileFilter({ e: criteria });
    return (e) => p({ e });
  }
  const p = compileFilter(criteria);
  return (e) => isPlainObject(e) && p(e);
}

function pathOp(pred: (arg: any) => Pred) {
  return (selector: string, arg: unknown) => {
    const p = pred(arg);
    return (doc: Document) => {
      const values = leafValues(doc, selector);
      const expanded =
        values.length === 1 && !Array.isArray(values[0]) ? values : expandedValues(doc, selector);
      return p(values, expanded);
    };
  };
}

const refuse = (name: string) => () => {
  throw notSupported(`The ${name} query operator`);
};

const overrides = {
  $eq: pathOp((q) => (_v, e) => eqAny(e, q)),
  $ne: pathOp((q) => (_v, e) => !eqAny(e, q)),
  $gt: pathOp((q) => (_v, e) => rangeAny(e, q, (c) => c > 0)),
  $gte: pathOp((q) => (_v, e) => rangeAny(e, q, (c) => c >= 0)),
  $lt: pathOp((q) => (_v, e) => rangeAny(e, q, (c) => c < 0)),
  $lte: pathOp((q) => (_v, e) => rangeAny(e, q, (c) => c <= 0)),
  $in: pathOp((q) => {
    const matches = inMatcher(q);
    return (_v, e) => matches(e);
  }),
  $nin: pathOp((q) => {
    const matches = inMatcher(q);
    return (_v, e) => !matches(e);
  }),
  $exists: pathOp((q) => (v) => v.some((x) => x !== undefined) === flag(q)),
  $type: pathOp((q) => {
    const names = typeNames(q);
    return (_v, e) => names.some((t) => e.some((x) => typeMatches(x, t)));
  }),
  $size: pathOp((q) => {
    const n = toJsNumber(q);
    if (!isNumeric(q) || !Number.isInteger(n) || n < 0) {
      throw new MongoError(ErrorCodes.BadValue, '$size needs a non-negative whole number');
    }
    return (v) => v.some((x) => Array.isArray(x) && x.length === n);
  }),
  $all: pathOp((q) => (v, e) => allMatch(v, e, q)),
  $mod: pathOp((q) => (_v, e) => modMatch(e, q)),
  $elemMatch: pathOp((q) => {
    const match = elemMatcher(q);
    return (v) => v.some((leaf) => Array.isArray(leaf) && leaf.some(match));
  }),
  $not: (selector: string, arg: unknown, options: any) => {
    if (!isRegex(arg) && !isPlainObject(arg))
      throw new MongoError(ErrorCodes.BadValue, '$not needs a regex or a document');
    if (isPlainObject(arg) && Object.keys(arg).length === 0)
      throw new MongoError(ErrorCodes.BadValue, '$not cannot be empty');
    return (mingoQueryOps as any).$not(selector, arg, options);
  },
  $expr: (_s: string, expr: unknown, options: any) => {
    const inner = (mingoQueryOps as any).$expr(_s, expr, options);
    const refs = referencedFields(expr);
    return (doc: Document) => inner(toView(doc, refs));
  },
  $where: refuse('$where'),
  $text: refuse('$text'),
  $near: refuse('$near'),
  $nearSphere: refuse('$nearSphere'),
  $geoWithin: refuse('$geoWithin'),
  $geoIntersects: refuse('$geoIntersects'),
  $within: refuse('$within'),
  $jsonSchema: refuse('$jsonSchema'),
  $bitsAllSet: refuse('$bitsAllSet'),
  $bitsAllClear: refuse('$bitsAllClear'),
  $bitsAnySet: refuse('$bitsAnySet'),
  $bitsAnyClear: refuse('$bitsAnyClear'),
};

/** The mingo context every engine module uses: mingo's operators with the BSON-aware query operators. */
export const mingoContext = Context.init({
  query: { ...(mingoQueryOps as any), ...overrides },
  expression: { ...(mingoExprOps as any), ...EXPRESSION_OVERRIDES },
  accumulator: { ...(mingoAccOps as any), ...accumulators },
  projection: mingoProjOps as any,
  pipeline: mingoPipeOps as any,
});

let shared: unknown;

/**
 * mingo options carrying `mingoContext`, built once. Handing mingo a ready options object spares it copying
 * its whole operator table (hundreds of entries) on every compile; the only way to obtain one is to let a
 * query operator receive it.
 */
export function mingoOptions(): any {
  if (!shared) {
    const capture = () => (_s: string, _v: unknown, options: unknown) => {
      shared = options;
      return () => true;
    };
    const probe = Context.from(Context.init({ query: { $captureOptions: capture() } as any }), mingoContext);
    new Query({ x: { $captureOptions: 1 } }, { context: probe } as any);
  }
  return shared;
}

/**
 * Wraps mingo's parse errors as MongoDB's: BadValue, or the codes MongoDB gives a pattern or options that do not
 * compile (JavaScript's RegExp refuses them here; its `x` flag, which MongoDB has, is refused as unsupported).
 */
export function asMongoError(e: unknown): unknown {
  if (e instanceof MongoError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const unknown = /unknown (?:query|top level) operator:? (\$\w+)/.exec(msg);
  if (unknown) return new MongoError(ErrorCodes.BadValue, `unknown operator: ${unknown[1]}`);
  if (e instanceof SyntaxError) {
    const flags = /^Invalid flags supplied to RegExp constructor '(.*)'$/.exec(msg);
    if (flags && /^[imsux]*$/.test(flags[1])) return notSupported(`The regex options '${flags[1]}'`);
    if (flags) return new MongoError(51108, `invalid flag in regex options: ${flags[1]}`);
    if (msg.startsWith('Invalid regular expression'))
      return new MongoError(51091, `Regular expression is invalid: ${msg}`);
  }
  return new MongoError(ErrorCodes.BadValue, msg);
}

/**
 * What mingo would read its own way at the top of a filter: the operators it lacks (refused by name before it
 * misreports them) and logical lists MongoDB refuses (mingo matches everything for an empty `$and`).
 */
function refuseTopLevel(filter: Document): void {
  for (const key of ['$text', '$where']) if (key in filter) throw notSupported(`The ${key} query operator`);
  for (const key of ['$and', '$or', '$nor']) {
    const branches = filter[key];
    if (!Array.isArray(branches)) continue;
    if (branches.length === 0)
      throw new MongoError(ErrorCodes.BadValue, '$and/$or/$nor must be a nonempty array');
    for (const b of branches) {
      if (!isPlainObject(b))
        throw new MongoError(ErrorCodes.BadValue, '$or/$and/$nor entries need to be full objects');
      refuseTopLevel(b);
    }
  }
}

function stripComment(filter: Document): Document {
  refuseTopLevel(filter);
  if (!('$comment' in filter)) return filter;
  const copy = { ...filter };
  delete copy.$comment;
  return copy;
}

/**
 * `{field: literal, ...}` (findOne / update / delete by a key) is what mingo compiles to one `$eq` per field;
 * building those `$eq` predicates directly spares parsing a Query. Anything else (operators, regexes, embedded
 * documents, arrays) returns undefined and goes through mingo.
 */
function literalEqualities(filter: Document): ((doc: Document) => boolean)[] | undefined {
  const preds: ((doc: Document) => boolean)[] = [];
  for (const key of Object.keys(filter)) {
    const v = filter[key];
    if (key.startsWith('$') || v === undefined) return undefined;
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      // Only bson scalars: plain objects, arrays, RegExp and Uint8Array have no _bsontype.
      const t = bsonTypeOf(v);
      if (t === undefined || t === 'BSONRegExp' || t === 'DBRef' || t === 'Code') return undefined;
    }
    preds.push(overrides.$eq(key, v));
  }
  return preds;
}

/** Compiles a filter into a predicate over canonical documents. Throws MongoError for bad or unsupported filters. */
export function compileFilter(filter: Document | undefined): Predicate {
  if (!filter || Object.keys(filter).length === 0) return () => true;
  if (!isPlainObject(filter)) throw new MongoError(ErrorCodes.BadValue, 'filter must be an object');
  const equalities = literalEqualities(filter);
  if (equalities) return (doc) => equalities.every((p) => p(doc));
  let q: Query;
  try {
    q = new Query(stripComment(filter), mingoOptions());
  } catch (e) {
    throw asMongoError(e);
  }
  return (doc) => {
    try {
      return q.test(doc);
    } catch (e) {
      throw asMongoError(e);
    }
  };
}
