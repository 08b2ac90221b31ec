/**
 * findAndModify: finds one document (by sort), then updates, upserts or removes it in one synchronous step,
 * returning the pre- or post-image. Reply shape: `{lastErrorObject: {n, updatedExisting, upserted?}, value}`.
 */
import type { Document } from 'bson';
import type { Change, CommandContext, CommandHandler } from '../../contract.ts';
import { ErrorCodes, MongoError } from '../../errors.ts';
import type { Engine } from '../../engine/index.ts';
import { positionalResolver } from '../../engine/positional.ts';
import { compileProjection, presentBytes } from '../../engine/projection.ts';
import { deleteDocs, updateDocs } from '../../engine/writes.ts';
import { flag } from '../../engine/values.ts';
import { optionalDoc, refuseCollation, targetNs, writeInChunks } from './shared.ts';

export function findAndModifyCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    refuseCollation(cmd.collation);
    const query = optionalDoc(cmd.query, 'query') ?? {};
    const sort = optionalDoc(cmd.sort, 'sort');
    const remove = flag(cmd.remove);
    if (remove && cmd.update !== undefined) throw new MongoError(ErrorCodes.FailedToParse, 'Cannot specify both an update and remove=true');
    if (!remove && cmd.update === undefined) throw new MongoError(ErrorCodes.FailedToParse, 'Either an update or remove=true must be specified');
    if (remove && (flag(cmd.new) || flag(cmd.upsert))) throw new MongoError(ErrorCodes.FailedToParse, 'Cannot specify both new=true and remove=true; remove=true cannot be used with upsert or new');
    const projection = compileProjection(optionalDoc(cmd.fields, 'fields'), positionalResolver(query));
    const present = (d: Document | undefined) => (d === undefined ? null : projection ? projection.apply(d) : d);
    // One document: the write never yields, so it commits once.
    return writeInChunks(ctx, function* (changes: Change[]) {
      if (remove) {
        const gone = (yield* deleteDocs(engine.catalog, ns, query, 1, changes, sort, cmd.hint)).removed;
        return { lastErrorObject: { n: gone ? 1 : 0 }, value: gone ? presentBytes(projection, gone) : null };
      }
      const r = yield* updateDocs(engine.catalog, ns, {
        filter: query,
        update: cmd.update,
        multi: false,
        upsert: flag(cmd.upsert),
        arrayFilters: cmd.arrayFilters,
        sort,
        hint: cmd.hint,
        images: true,
      }, ctx.now(), changes);
      const lastErrorObject: Document = { n: r.n, updatedExisting: r.upserted === undefined && r.n > 0 };
      if (r.upserted !== undefined) lastErrorObject.upserted = r.upserted;
      // An image patched on the bytes goes out as bytes (decoded only for a projection inside a field).
      if (r.afterBytes && r.beforeBytes) {
        return { lastErrorObject, value: presentBytes(projection, flag(cmd.new) ? r.afterBytes : r.beforeBytes) };
      }
      const value = flag(cmd.new) ? r.after : r.upserted !== undefined ? undefined : r.before;
      return { lastErrorObject, value: present(value) };
    });
  };
}
