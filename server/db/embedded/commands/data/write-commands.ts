/**
 * insert, update and delete: batches of statements with MongoDB's ordered/unordered semantics. Each
 * statement is applied on its own; failures become `writeErrors` entries carrying the statement index. A
 * multi-document update or delete commits in chunks (shared.ts `writeInChunks`); an insert command's documents
 * are one chunk, since its index entries are merged after its last statement (the driver bounds a command at
 * 48 MB).
 */
import type { Document } from 'bson';
import type { Change, CommandContext, CommandHandler } from '../../contract.ts';
import { ErrorCodes, MongoError } from '../../errors.ts';
import type { Engine } from '../../engine/index.ts';
import { deleteDocs, ensureCollection, insertDoc, insertRawDoc, updateDocs } from '../../engine/writes.ts';
import { RawDoc } from '../../raw-doc.ts';
import { flag, isPlainObject, toJsNumber } from '../../engine/values.ts';
import { updateKind } from '../../engine/update/apply.ts';
import { optionalDoc, refuseCollation, targetNs, writeError, writeInChunks } from './shared.ts';

function statements(cmd: Document, field: string): Document[] {
  const list = cmd[field];
  if (!Array.isArray(list)) throw new MongoError(ErrorCodes.TypeMismatch, `BSON field '${field}' is missing or is not an array`);
  return list;
}

/**
 * Runs each statement, passing on where a multi-document one yields (writeInChunks); stops at the first error
 * when ordered.
 */
function* eachStatement(
  cmd: Document,
  list: Document[],
  run: (s: Document, i: number) => Generator<void, void, void> | void,
): Generator<void, Document[], void> {
  const ordered = cmd.ordered === undefined || flag(cmd.ordered);
  const errors: Document[] = [];
  for (let i = 0; i < list.length; i++) {
    try {
      const steps = run(list[i], i);
      if (steps) yield* steps;
    } catch (e) {
      errors.push(writeError(i, e));
      if (ordered) break;
    }
  }
  return errors;
}

function withErrors(reply: Document, errors: Document[]): Document {
  if (errors.length) reply.writeErrors = errors;
  return reply;
}

export function insertCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    const docs = statements(cmd, 'documents');
    return writeInChunks(ctx, function* (changes: Change[]) {
      let n = 0;
      // The documents' index entries are added together once every statement has run (InsertBatch).
      const batch = docs.length ? ensureCollection(engine.catalog, ns, changes).insertBatch() : undefined;
      try {
        const errors = yield* eachStatement(cmd, docs, (doc) => {
          if (doc instanceof RawDoc) insertRawDoc(batch!, doc, changes);
          else if (isPlainObject(doc)) insertDoc(batch!, doc, changes);
          else throw new MongoError(ErrorCodes.TypeMismatch, 'document to insert must be an object');
          n++;
        });
        return withErrors({ n }, errors);
      } finally {
        batch?.finish();
      }
    });
  };
}

export function updateCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    const list = statements(cmd, 'updates');
    return writeInChunks(ctx, function* (changes: Change[]) {
      let n = 0;
      let nModified = 0;
      const upserted: Document[] = [];
      const errors = yield* eachStatement(cmd, list, function* (s, index) {
        refuseCollation(s.collation);
        if (s.u === undefined) throw new MongoError(ErrorCodes.FailedToParse, "BSON field 'update.updates.u' is missing but a required field");
        if (flag(s.multi) && updateKind(s.u) === 'replacement') throw new MongoError(ErrorCodes.FailedToParse, 'multi update is not supported for replacement-style update');
        const r = yield* updateDocs(engine.catalog, ns, {
          filter: optionalDoc(s.q, 'q') ?? {},
          update: s.u,
          multi: flag(s.multi),
          upsert: flag(s.upsert),
          arrayFilters: s.arrayFilters,
          hint: s.hint,
          sort: optionalDoc(s.sort, 'sort'),
        }, ctx.now(), changes);
        n += r.n;
        nModified += r.nModified;
        if (r.upserted !== undefined) upserted.push({ index, _id: r.upserted });
      });
      const reply: Document = { n, nModified };
      if (upserted.length) reply.upserted = upserted;
      return withErrors(reply, errors);
    });
  };
}

export function deleteCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    const list = statements(cmd, 'deletes');
    return writeInChunks(ctx, function* (changes: Change[]) {
      let n = 0;
      const errors = yield* eachStatement(cmd, list, function* (s) {
        refuseCollation(s.collation);
        const limit = s.limit === undefined ? 0 : toJsNumber(s.limit);
        if (limit !== 0 && limit !== 1) throw new MongoError(ErrorCodes.FailedToParse, 'The limit field in delete objects must be 0 or 1.');
        n += (yield* deleteDocs(engine.catalog, ns, optionalDoc(s.q, 'q') ?? {}, limit, changes, undefined, s.hint)).n;
      });
      return withErrors({ n }, errors);
    });
  };
}
