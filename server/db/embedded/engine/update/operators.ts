/**
 * The update operators, each applied at one concrete path of a working copy of the document. Arithmetic
 * goes through numeric.ts so types promote like MongoDB's; a value is never silently left unchanged. Their
 * arguments were checked with the update, before any document (arguments.ts).
 */
import { Int32, Long, Timestamp, type Document } from 'bson';
import { ErrorCodes, MongoError, notSupported } from '../../errors.ts';
import { compareValues, valuesEqual } from '../compare.ts';
import { compileFilter } from '../matcher.ts';
import { arith, zeroLike } from '../numeric.ts';
import { sortDocs } from '../sort.ts';
import { bsonTypeName, canonicalize, cloneValue, isNumeric, isPlainObject, toJsNumber } from '../values.ts';
import { getAt, setAt, unsetAt } from './target.ts';

export interface OpEnv {
  now: Date;
  isInsert: boolean;
  id: unknown;
}

export type OpFn = (doc: Document, parts: string[], arg: unknown, env: OpEnv) => void;

const typeErr = (msg: string) => new MongoError(ErrorCodes.TypeMismatch, msg);
const path = (parts: string[]) => parts.join('.');

function arithmetic(op: 'add' | 'mul', name: string): OpFn {
  return (doc, parts, arg, env) => {
    const cur = getAt(doc, parts);
    if (cur === undefined) {
      setAt(doc, parts, op === 'add' ? canonicalize(arg) : zeroLike(canonicalize(arg)));
      return;
    }
    if (!isNumeric(cur)) {
      throw typeErr(
        `Cannot apply ${name} to a value of non-numeric type. {_id: ${String(env.id)}} has the field '${parts[parts.length - 1]}' of non-numeric type ${bsonTypeName(cur)}`,
      );
    }
    setAt(doc, parts, arith(op, cur, canonicalize(arg)));
  };
}

function minMax(sign: 1 | -1): OpFn {
  return (doc, parts, arg) => {
    const cur = getAt(doc, parts);
    const v = canonicalize(arg);
    if (cur === undefined || compareValues(v, cur) * sign > 0) setAt(doc, parts, v);
  };
}

function arrayAt(doc: Document, parts: string[], op: string): unknown[] | undefined {
  const cur = getAt(doc, parts);
  if (cur === undefined) return undefined;
  if (!Array.isArray(cur)) {
    throw new MongoError(
      ErrorCodes.BadValue,
      `The field '${path(parts)}' must be an array but is of type ${bsonTypeName(cur)} in document {_id: ...} (${op})`,
    );
  }
  return cur;
}

function eachOf(arg: unknown): { items: unknown[]; mods: Document } {
  if (isPlainObject(arg) && '$each' in arg) return { items: canonicalize(arg.$each) as unknown[], mods: arg };
  return { items: [canonicalize(arg)], mods: {} };
}

const push: OpFn = (doc, parts, arg) => {
  const { items, mods } = eachOf(arg);
  const arr = [...(arrayAt(doc, parts, '$push') ?? [])];
  let pos = mods.$position === undefined ? arr.length : toJsNumber(mods.$position);
  if (pos < 0) pos = Math.max(0, arr.length + pos);
  arr.splice(Math.min(pos, arr.length), 0, ...items);
  let out = arr;
  if (mods.$sort !== undefined) out = sortArray(out, mods.$sort);
  if (mods.$slice !== undefined) {
    const n = toJsNumber(mods.$slice);
    out = n >= 0 ? out.slice(0, n) : out.slice(Math.max(0, out.length + n));
  }
  setAt(doc, parts, out);
};

function sortArray(arr: unknown[], spec: unknown): unknown[] {
  if (isNumeric(spec)) {
    const dir = toJsNumber(spec) >= 0 ? 1 : -1;
    return [...arr].sort((a, b) => compareValues(a, b) * dir);
  }
  const fields = Object.keys(spec as Document).map((p) => ({
    path: p,
    dir: (toJsNumber((spec as Document)[p]) >= 0 ? 1 : -1) as 1 | -1,
  }));
  return sortDocs([...(arr as Document[])], fields);
}

const addToSet: OpFn = (doc, parts, arg) => {
  const { items } = eachOf(arg);
  const arr = [...(arrayAt(doc, parts, '$addToSet') ?? [])];
  for (const item of items) if (!arr.some((e) => valuesEqual(e, item))) arr.push(item);
  setAt(doc, parts, arr);
};

function pullPredicate(cond: unknown): (e: unknown) => boolean {
  if (isPlainObject(cond)) {
    const keys = Object.keys(cond);
    if (keys.length > 0 && keys[0].startsWith('$') && !['$and', '$or', '$nor'].includes(keys[0])) {
      const p = compileFilter({ x: cond });
      return (e) => p({ x: e });
    }
    const p = compileFilter(cond);
    return (e) => isPlainObject(e) && p(e);
  }
  return (e) => valuesEqual(e, cond);
}

const pull: OpFn = (doc, parts, arg) => {
  const arr = arrayAt(doc, parts, '$pull');
  if (!arr) return;
  const match = pullPredicate(arg);
  setAt(
    doc,
    parts,
    arr.filter((e) => !match(e)),
  );
};

const pullAll: OpFn = (doc, parts, arg) => {
  const arr = arrayAt(doc, parts, '$pullAll');
  if (arr)
    setAt(
      doc,
      parts,
      arr.filter((e) => !(arg as unknown[]).some((x) => valuesEqual(e, x))),
    );
};

const pop: OpFn = (doc, parts, arg) => {
  const arr = arrayAt(doc, parts, '$pop');
  if (!arr || arr.length === 0) return;
  setAt(doc, parts, toJsNumber(arg) >= 0 ? arr.slice(0, -1) : arr.slice(1));
};

const currentDate: OpFn = (doc, parts, arg, env) => {
  const wantTs = isPlainObject(arg) && arg.$type === 'timestamp';
  const secs = Math.floor(env.now.getTime() / 1000);
  setAt(doc, parts, wantTs ? new Timestamp({ t: secs, i: 1 }) : new Date(env.now.getTime()));
};

const bit: OpFn = (doc, parts, spec) => {
  const arg = spec as Document;
  let cur = getAt(doc, parts) ?? new Int32(0);
  for (const op of Object.keys(arg)) {
    const kind = bsonTypeName(cur);
    if (kind !== 'int' && kind !== 'long')
      throw typeErr(`Cannot apply $bit to a value of non-integral type ${kind}`);
    const argKind = bsonTypeName(canonicalize(arg[op]));
    if (argKind !== 'int' && argKind !== 'long')
      throw new MongoError(
        ErrorCodes.BadValue,
        `The $bit modifier field must be an Integer(32/64 bit); a '${argKind}' is not supported here`,
      );
    const a = BigInt(String(cur));
    const b = BigInt(String(arg[op]));
    const r = op === 'and' ? a & b : op === 'or' ? a | b : op === 'xor' ? a ^ b : undefined;
    if (r === undefined)
      throw new MongoError(
        ErrorCodes.BadValue,
        `The $bit modifier only supports 'and', 'or', and 'xor', not '${op}'`,
      );
    const long = kind === 'long' || bsonTypeName(canonicalize(arg[op])) === 'long';
    cur = long ? Long.fromBigInt(BigInt.asIntN(64, r)) : new Int32(Number(BigInt.asIntN(32, r)));
  }
  setAt(doc, parts, cur);
};

export const OPERATORS: Record<string, OpFn> = {
  $set: (doc, parts, arg) => setAt(doc, parts, canonicalize(cloneValue(arg))),
  $setOnInsert: (doc, parts, arg, env) => {
    if (env.isInsert) setAt(doc, parts, canonicalize(cloneValue(arg)));
  },
  $unset: (doc, parts) => void unsetAt(doc, parts),
  $inc: arithmetic('add', '$inc'),
  $mul: arithmetic('mul', '$mul'),
  $min: minMax(-1),
  $max: minMax(1),
  $push: push,
  $addToSet: addToSet,
  $pull: pull,
  $pullAll: pullAll,
  $pop: pop,
  $currentDate: currentDate,
  $bit: bit,
};

export function unsupportedOperator(op: string): MongoError {
  if (op === '$pushAll') return notSupported('$pushAll');
  return new MongoError(
    ErrorCodes.BadValue,
    `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
  );
}
