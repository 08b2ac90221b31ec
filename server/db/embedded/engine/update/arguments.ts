/**
 * What MongoDB refuses in an update operator's argument when it parses the update, before any document: a
 * `$pop` of 2, a `$currentDate` of a string, a `$push` modifier of the wrong type, a `$inc` by a string. The
 * operators (operators.ts) would otherwise apply their nearest reading of such an argument (popping the last
 * element, setting the date), or refuse it only when a document matched; MongoDB refuses the update either way.
 */
import { ErrorCodes, MongoError } from '../../errors.ts';
import { bsonTypeName, isNumeric, isPlainObject, toJsNumber } from '../values.ts';

const badValue = (message: string) => new MongoError(ErrorCodes.BadValue, message);

/** A value as MongoDB's messages quote it (near enough: strings quoted, documents as JSON). */
function show(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  if (isNumeric(v) || typeof v === 'boolean' || v === null) return String(isNumeric(v) ? toJsNumber(v) : v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

const isIntegral = (v: unknown) => isNumeric(v) && Number.isInteger(toJsNumber(v));

/** Throws the MongoError MongoDB answers for a malformed argument of `op` at `path`; returns for a good one. */
export function checkArgument(op: string, path: string, arg: unknown): void {
  switch (op) {
    case '$inc':
    case '$mul':
      if (!isNumeric(arg))
        throw new MongoError(
          ErrorCodes.TypeMismatch,
          `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${show(arg)}}`,
        );
      return;
    case '$pop':
      if (!isNumeric(arg))
        throw new MongoError(ErrorCodes.FailedToParse, `Expected a number in: ${path}: ${show(arg)}`);
      if (toJsNumber(arg) !== 1 && toJsNumber(arg) !== -1)
        throw new MongoError(ErrorCodes.FailedToParse, `$pop expects 1 or -1, found: ${toJsNumber(arg)}`);
      return;
    case '$currentDate':
      return checkCurrentDate(path, arg);
    case '$push':
      if (isPlainObject(arg) && '$each' in arg) checkPushModifiers(arg);
      return;
    case '$addToSet':
      if (isPlainObject(arg) && '$each' in arg) checkAddToSetEach(arg);
      return;
    case '$pullAll':
      if (!Array.isArray(arg))
        throw badValue(`$pullAll requires an array argument but was given a ${bsonTypeName(arg)}`);
      return;
    case '$rename':
      return checkRename(path, arg);
    case '$bit':
      if (!isPlainObject(arg))
        throw badValue(
          `The $bit modifier is not compatible with a ${bsonTypeName(arg)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`,
        );
      return;
  }
}

/** `$rename`: a plain field path to move to, neither the source itself nor a path inside or above it. */
function checkRename(from: string, to: unknown): void {
  if (typeof to !== 'string' || to === '')
    throw badValue(`The 'to' field for $rename must be a string: ${from}: ${show(to)}`);
  if (from.split('.').some((p) => p.startsWith('$')))
    throw badValue(`The source field for $rename may not be dynamic: ${from}`);
  if (to.split('.').some((p) => p === '' || p.startsWith('$')))
    throw badValue(`The destination field for $rename may not be dynamic: ${to}`);
  if (to === from) throw badValue(`The source and target field for $rename must differ: ${from}: "${to}"`);
  if (to.startsWith(from + '.') || from.startsWith(to + '.'))
    throw badValue(`The source and target field for $rename must not be on the same path: ${from}: "${to}"`);
}

function checkCurrentDate(path: string, arg: unknown): void {
  if (typeof arg === 'boolean') return;
  if (!isPlainObject(arg))
    throw badValue(
      `{${path}: ${show(arg)}} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`,
    );
  for (const key of Object.keys(arg)) {
    if (key !== '$type') throw badValue(`Unrecognized $currentDate option: ${key}`);
    if (arg.$type !== 'date' && arg.$type !== 'timestamp')
      throw badValue(
        `The '$type' string field is required to be 'date' or 'timestamp': {$type: ${show(arg.$type)}}`,
      );
  }
}

function checkPushModifiers(arg: Record<string, unknown>): void {
  for (const key of Object.keys(arg)) {
    const v = arg[key];
    switch (key) {
      case '$each':
        if (!Array.isArray(v))
          throw badValue(
            `The argument to $each in $push must be an array but it was of type: ${bsonTypeName(v)}`,
          );
        break;
      case '$slice':
        if (!isIntegral(v))
          throw badValue(
            `The value for $slice must be an integer value but was given type: ${bsonTypeName(v)}`,
          );
        break;
      case '$position':
        if (!isIntegral(v))
          throw badValue(`The value for $position must be an integer value, not of type: ${bsonTypeName(v)}`);
        break;
      case '$sort':
        checkPushSort(v);
        break;
      default:
        throw badValue(`Unrecognized clause in $push: ${key}`);
    }
  }
}

/** `$sort`: 1 or -1 for the elements themselves, or a non-empty `{path: 1 | -1}` for embedded fields. */
function checkPushSort(spec: unknown): void {
  const direction = (v: unknown) => {
    if (!isNumeric(v) || (toJsNumber(v) !== 1 && toJsNumber(v) !== -1))
      throw badValue('The $sort element value must be either 1 or -1');
  };
  if (isNumeric(spec)) return direction(spec);
  if (!isPlainObject(spec))
    throw badValue(
      'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields',
    );
  const keys = Object.keys(spec);
  if (keys.length === 0) throw badValue('The $sort pattern is empty when it should be a set of fields.');
  for (const key of keys) {
    if (key === '' || key.startsWith('$') || key.split('.').includes(''))
      throw badValue('The $sort field is a special identifier, which is not allowed for sorting');
    direction(spec[key]);
  }
}

function checkAddToSetEach(arg: Record<string, unknown>): void {
  if (!Array.isArray(arg.$each))
    throw badValue(
      `The argument to $each in $addToSet must be an array but it was of type ${bsonTypeName(arg.$each)}`,
    );
  const extra = Object.keys(arg).filter((k) => k !== '$each');
  if (extra.length) throw badValue(`Found unexpected fields after $each in $addToSet: ${extra.join(', ')}`);
}
