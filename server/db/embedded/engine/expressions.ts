/**
 * Aggregation expression operators mingo answers differently from MongoDB, replaced in the engine's mingo
 * context (matcher.ts). mingo's comparisons are its query predicates: they look inside arrays
 * (`{$eq: [[1, 2], 2]}` was true), compare only values of one type (`{$gt: ['a', 5]}` was false) and take a
 * missing value for null. MongoDB compares whole values in BSON order, a missing value below null. mingo also
 * answered `$size` of a non-array and `$mod` by zero with null where MongoDB fails, counted `$indexOfBytes` in
 * UTF-16 units, and lacks `$indexOfCP`.
 */
import { evalExpr } from 'mingo/core';
import { MongoError } from '../errors.ts';
import { compareValues } from './compare.ts';
import { bsonTypeName, isNumeric, toJsNumber } from './values.ts';

type Operator = (obj: object, expr: unknown, options: any) => unknown;

/** Whole values in BSON order; a missing value (undefined in the view) sorts below null. */
export function compareExpressionValues(a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareValues(a, b);
}

function args(name: string, obj: object, expr: unknown, options: any, min: number, max = min): unknown[] {
  const list = Array.isArray(expr) ? expr : [expr];
  if (list.length < min || list.length > max) {
    const count = min === max ? `exactly ${min}` : `at least ${min}, and at most ${max}`;
    throw new MongoError(
      16020,
      `Expression ${name} takes ${count} arguments. ${list.length} were passed in.`,
    );
  }
  return evalExpr(obj, list as any, options) as unknown[];
}

function comparison(name: string, test: (c: number) => boolean): Operator {
  return (obj, expr, options) => {
    const [a, b] = args(name, obj, expr, options, 2);
    return test(compareExpressionValues(a, b));
  };
}

const isNullish = (v: unknown) => v === null || v === undefined;

/** A non-negative integer offset of the string index operators, or the error MongoDB gives. */
function offset(name: string, v: unknown, which: 'starting' | 'ending'): number {
  if (!isNumeric(v) || !Number.isInteger(toJsNumber(v)))
    throw new MongoError(
      40096,
      `${name} requires an integral ${which} index, found a value of type: ${bsonTypeName(v)}`,
    );
  if (toJsNumber(v) < 0)
    throw new MongoError(40097, `${name} requires a nonnegative ${which} index, found: ${toJsNumber(v)}`);
  return toJsNumber(v);
}

/** `$indexOfBytes` and `$indexOfCP`: the same search, in UTF-8 bytes or in code points. */
function indexOf(name: string, units: (s: string) => string[] | Buffer): Operator {
  return (obj, expr, options) => {
    const [s, sub, start, end] = args(name, obj, expr, options, 2, 4);
    if (isNullish(s)) return null;
    if (typeof s !== 'string')
      throw new MongoError(
        40091,
        `${name} requires a string as the first argument, found: ${bsonTypeName(s)}`,
      );
    if (typeof sub !== 'string')
      throw new MongoError(
        40092,
        `${name} requires a string as the second argument, found: ${bsonTypeName(sub)}`,
      );
    const hay = units(s);
    const needle = units(sub);
    const from = start === undefined ? 0 : offset(name, start, 'starting');
    const to = Math.min(end === undefined ? hay.length : offset(name, end, 'ending'), hay.length);
    for (let i = from; i + needle.length <= to; i++) {
      let k = 0;
      while (k < needle.length && hay[i + k] === needle[k]) k++;
      if (k === needle.length) return i;
    }
    return -1;
  };
}

export const EXPRESSION_OVERRIDES: Record<string, Operator> = {
  $eq: comparison('$eq', (c) => c === 0),
  $ne: comparison('$ne', (c) => c !== 0),
  $gt: comparison('$gt', (c) => c > 0),
  $gte: comparison('$gte', (c) => c >= 0),
  $lt: comparison('$lt', (c) => c < 0),
  $lte: comparison('$lte', (c) => c <= 0),
  $cmp: (obj, expr, options) => {
    const [a, b] = args('$cmp', obj, expr, options, 2);
    return Math.sign(compareExpressionValues(a, b));
  },
  $size: (obj, expr, options) => {
    const [v] = args('$size', obj, expr, options, 1);
    if (!Array.isArray(v))
      throw new MongoError(17124, `The argument to $size must be an array. Type: ${bsonTypeName(v)}`);
    return v.length;
  },
  $mod: (obj, expr, options) => {
    const [a, b] = args('$mod', obj, expr, options, 2);
    if (isNullish(a) || isNullish(b)) return null;
    if (!isNumeric(a) || !isNumeric(b))
      throw new MongoError(
        16611,
        `$mod only supports numeric types, not ${bsonTypeName(a)} and ${bsonTypeName(b)}`,
      );
    if (toJsNumber(b) === 0) throw new MongoError(16610, "can't $mod by zero");
    return toJsNumber(a) % toJsNumber(b);
  },
  $indexOfBytes: indexOf('$indexOfBytes', (s) => Buffer.from(s, 'utf8')),
  $indexOfCP: indexOf('$indexOfCP', (s) => [...s]),
};
