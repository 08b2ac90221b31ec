/**
 * The stage specifications MongoDB refuses before running anything, refused here the same way. Stages after
 * the native prefix run in mingo, which answers many malformed ones instead: `{$addFields: {a: 1, 'a.b': 2}}`
 * as `{a: 1}`, `{$limit: -1}` as no limit, `{$unwind: 'a'}` (no `$`) as nothing, `{$set: {$a: 1}}` with a
 * field named `$a`. A wrong answer where MongoDB fails is worse than the failure, so each is checked here, in a
 * pipeline and in a pipeline update alike, with MongoDB's codes and messages.
 */
import type { Document } from 'bson';
import { MongoError } from '../errors.ts';
import { checkCollision, flatten } from './projection.ts';
import { isNumeric, isPlainObject, toJsNumber } from './values.ts';

const invalid = (stage: string, code: number, message: string) =>
  new MongoError(code, `Invalid ${stage} :: caused by :: ${message}`);

/** A field path as MongoDB's FieldPath accepts it: no empty part, none starting with `$`. */
function checkFieldPath(path: string): void {
  if (path === '') throw new MongoError(40352, 'FieldPath cannot be constructed with empty string');
  if (path.endsWith('.')) throw new MongoError(40353, "FieldPath must not end with a '.'.");
  for (const part of path.split('.')) {
    if (part === '') throw new MongoError(15998, 'FieldPath field names may not be empty strings.');
    if (part.startsWith('$'))
      throw new MongoError(
        16410,
        "FieldPath field names may not start with '$'. Consider using $getField or $setField.",
      );
  }
}

/** The paths a stage writes or keeps must be field paths that do not collide (a field and a path inside it). */
function checkPaths(stage: string, paths: readonly string[]): void {
  const seen = { paths: new Set<string>(), parents: new Set<string>() };
  for (const [i, path] of paths.entries()) {
    try {
      checkFieldPath(path);
      checkCollision(seen, path);
    } catch (err) {
      if (!(err instanceof MongoError)) throw err;
      // A collision in $addFields/$set is MongoDB's older check (40176); the rest as thrown.
      const collision = err.code === 31249 || err.code === 31250;
      if (!collision || stage === '$project' || stage === '$unset')
        throw invalid(stage, err.code, err.message);
      const other = paths
        .slice(0, i)
        .find((p) => p === path || p.startsWith(path + '.') || path.startsWith(p + '.'));
      throw invalid(
        stage,
        40176,
        `specification contains two conflicting paths. Cannot specify both '${path}' and '${other}'`,
      );
    }
  }
}

function specPaths(spec: Document): string[] {
  const entries: [string, unknown][] = [];
  flatten(spec, '', entries);
  return entries.map(([path]) => path);
}

function checkUnset(arg: unknown): void {
  const paths = typeof arg === 'string' ? [arg] : Array.isArray(arg) ? arg : null;
  if (!paths || paths.length === 0)
    throw new MongoError(31119, '$unset specification must be a string or an array with at least one field');
  if (paths.some((p) => typeof p !== 'string'))
    throw new MongoError(
      31120,
      '$unset specification must be a string or an array containing only string values',
    );
  checkPaths('$unset', paths as string[]);
}

function checkLimit(arg: unknown): void {
  if (!isNumeric(arg)) throw new MongoError(15957, 'the limit must be specified as a number');
  const n = toJsNumber(arg);
  if (!Number.isInteger(n))
    throw new MongoError(
      5107201,
      `invalid argument to $limit stage: Cannot represent as a 64-bit integer: $limit: ${n}`,
    );
  if (n <= 0) throw new MongoError(15958, 'the limit must be positive');
}

function checkSkip(arg: unknown): void {
  if (!isNumeric(arg)) throw new MongoError(15972, 'Argument to $skip must be a number');
  const n = toJsNumber(arg);
  if (!Number.isInteger(n) || n < 0)
    throw new MongoError(
      5107200,
      `invalid argument to $skip stage: Expected a non-negative number in: $skip: ${n}`,
    );
}

function checkUnwind(arg: unknown): void {
  const path = isPlainObject(arg) ? arg.path : arg;
  if (path === undefined || path === '') throw new MongoError(28812, 'no path specified to $unwind stage');
  if (typeof path !== 'string' || !path.startsWith('$'))
    throw new MongoError(
      28818,
      `path option to $unwind stage should be prefixed with a '$': ${String(path)}`,
    );
  checkFieldPath(path.slice(1));
}

function checkGroup(arg: unknown): void {
  if (!isPlainObject(arg)) return;
  for (const [name, value] of Object.entries(arg)) {
    if (name === '_id') continue;
    if (name.includes('.')) throw new MongoError(40235, `The field name '${name}' cannot contain '.'`);
    if (name.startsWith('$'))
      throw new MongoError(40236, `The field name '${name}' cannot be an operator name`);
    if (!isPlainObject(value))
      throw new MongoError(40234, `The field '${name}' must be an accumulator object`);
    if (Object.keys(value).length !== 1)
      throw new MongoError(40238, `The field '${name}' must specify one accumulator`);
  }
}

function checkLookup(arg: unknown): void {
  if (!isPlainObject(arg)) return;
  if (typeof arg.as !== 'string') throw new MongoError(9, "must specify 'as' field for a $lookup");
  if (arg.pipeline === undefined && (arg.localField === undefined || arg.foreignField === undefined))
    throw new MongoError(
      9,
      "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified",
    );
}

/** Throws the MongoError MongoDB would answer this stage with before running it; nothing otherwise. */
export function checkStageSpec(name: string, arg: unknown): void {
  switch (name) {
    case '$project':
      if (isPlainObject(arg) && Object.keys(arg).length === 0)
        throw invalid(name, 51272, 'projection specification must have at least one field');
      if (isPlainObject(arg)) checkPaths(name, specPaths(arg));
      return;
    case '$addFields':
    case '$set':
      if (isPlainObject(arg)) checkPaths(name, specPaths(arg));
      return;
    case '$unset':
      return checkUnset(arg);
    case '$sort':
      if (isPlainObject(arg) && Object.keys(arg).length === 0)
        throw new MongoError(15976, '$sort stage must have at least one sort key');
      if (isPlainObject(arg)) for (const path of Object.keys(arg)) checkFieldPath(path);
      return;
    case '$limit':
      return checkLimit(arg);
    case '$skip':
      return checkSkip(arg);
    case '$unwind':
      return checkUnwind(arg);
    case '$group':
      return checkGroup(arg);
    case '$lookup':
      return checkLookup(arg);
  }
}
