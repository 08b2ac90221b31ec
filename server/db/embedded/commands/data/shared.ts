/**
 * Helpers every data command shares: reading the target namespace and common options, refusing features
 * that are not implemented, and the write discipline (apply in memory, then commit before replying).
 */
import type { Document } from 'bson';
import type { Change, CommandContext } from '../../contract.ts';
import { ErrorCodes, MongoError, notSupported } from '../../errors.ts';
import { validateCollectionName } from '../../engine/catalog.ts';
import { isNumeric, isPlainObject, toJsNumber } from '../../engine/values.ts';

/** The collection a command targets: the value of its first field. */
export function targetNs(cmd: Document, ctx: CommandContext): string {
  const name = cmd[Object.keys(cmd)[0]];
  return validateCollectionName(ctx.db, name);
}

export function collName(cmd: Document): string {
  return String(cmd[Object.keys(cmd)[0]]);
}

/** Non-simple collations change comparison semantics we do not implement. */
export function refuseCollation(collation: unknown): void {
  if (collation === undefined || collation === null) return;
  if (!isPlainObject(collation) || collation.locale !== 'simple') throw notSupported('Non-simple collation');
}

export function optionalDoc(v: unknown, name: string): Document | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) throw new MongoError(ErrorCodes.TypeMismatch, `BSON field '${name}' is the wrong type, expected an object`);
  return v;
}

export function optionalInt(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isNumeric(v)) throw new MongoError(ErrorCodes.TypeMismatch, `BSON field '${name}' is the wrong type, expected a number`);
  return Math.trunc(toJsNumber(v));
}

export function batchSizeOf(v: unknown): number | undefined {
  const n = optionalInt(v, 'batchSize');
  if (n !== undefined && n < 0) throw new MongoError(ErrorCodes.BadValue, `BatchSize value must be non-negative, but received: ${n}`);
  return n;
}

/**
 * Runs the synchronous in-memory part of a write, then makes its changes durable before the reply. Changes
 * already applied when `apply` throws are committed too (they are visible to other commands already).
 */
export async function write<T>(ctx: CommandContext, apply: (changes: Change[]) => T): Promise<T> {
  const changes: Change[] = [];
  let result: T;
  try {
    result = apply(changes);
  } catch (e) {
    if (changes.length) await ctx.persistence.commit(changes);
    throw e;
  }
  if (changes.length) await ctx.persistence.commit(changes);
  return result;
}

/** A write error entry as MongoDB reports it inside `writeErrors`. */
export function writeError(index: number, e: unknown): Document {
  if (e instanceof MongoError) return { index, code: e.code, codeName: e.codeName, errmsg: e.message, ...e.extra };
  const msg = e instanceof Error ? e.message : String(e);
  return { index, code: ErrorCodes.InternalError, codeName: 'InternalError', errmsg: msg };
}
