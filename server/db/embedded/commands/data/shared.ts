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
 * How much a multi-document write applies before it commits and waits for the commit: 1,000 documents or
 * 16 MiB of post-images, whichever comes first. Holding a whole `updateMany` until its end took 16 KB an issue
 * (the match's copy, the post-image and its journal record): 2.2 GB for 100,000 issues (bench/LOG.md).
 */
export const WRITE_CHUNK = { changes: 1_000, bytes: 16 * 1024 * 1024 };

/**
 * Runs the synchronous in-memory part of a write, then makes its changes durable before the reply. Changes
 * already applied when `apply` throws are committed too (they are visible to other commands already).
 */
export function write<T>(ctx: CommandContext, apply: (changes: Change[]) => T): Promise<T> {
  return writeInChunks(ctx, (changes) => ({ next: () => ({ done: true, value: apply(changes) }) }));
}

/**
 * `write` for a write that may touch any number of documents: `steps` applies them and yields where the
 * engine is consistent (after a whole document and its index entries). Once a chunk's worth of changes has
 * piled up at such a point they are committed and awaited before it goes on, so memory holds one chunk and
 * other commands run in between: they may see some of the matches written and others not yet, never part of a
 * document, as in MongoDB, whose multi-document writes are not atomic either. The reply still waits for every
 * chunk to be durable, and a crash keeps a prefix of the chunks, each document whole (every journal record is
 * one document's post-image).
 */
export async function writeInChunks<T>(
  ctx: CommandContext,
  steps: (changes: Change[]) => Iterator<void, T, void>,
): Promise<T> {
  const changes: Change[] = [];
  const run = steps(changes);
  let bytes = 0;
  let sized = 0;
  let result: T;
  try {
    for (let r = run.next(); ; r = run.next()) {
      if (r.done) {
        result = r.value;
        break;
      }
      for (; sized < changes.length; sized++) bytes += changeBytes(changes[sized]);
      if (changes.length < WRITE_CHUNK.changes && bytes < WRITE_CHUNK.bytes) continue;
      await ctx.persistence.commit(changes.splice(0));
      bytes = sized = 0;
    }
  } catch (e) {
    if (changes.length) await ctx.persistence.commit(changes);
    throw e;
  }
  if (changes.length) await ctx.persistence.commit(changes);
  return result;
}

function changeBytes(change: Change): number {
  return 'doc' in change ? change.doc.length : 0;
}

/** A write error entry as MongoDB reports it inside `writeErrors`. */
export function writeError(index: number, e: unknown): Document {
  if (e instanceof MongoError) return { index, code: e.code, codeName: e.codeName, errmsg: e.message, ...e.extra };
  const msg = e instanceof Error ? e.message : String(e);
  return { index, code: ErrorCodes.InternalError, codeName: 'InternalError', errmsg: msg };
}
