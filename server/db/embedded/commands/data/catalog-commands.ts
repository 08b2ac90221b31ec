/**
 * Catalog commands: list/create/drop/rename collections and databases, and create/list/drop indexes. Each
 * change is recorded as a Change and committed before the reply, like document writes.
 */
import type { Document } from 'bson';
import type { Change, CommandContext, CommandHandler } from '../../contract.ts';
import { ErrorCodes, MongoError, notSupported } from '../../errors.ts';
import { checkCollectionOptions, splitNs, validateCollectionName } from '../../engine/catalog.ts';
import type { Collection } from '../../engine/collection.ts';
import { defaultIndexName, parseKeyPattern, type IndexSpec } from '../../engine/index-keys.ts';
import type { Engine } from '../../engine/index.ts';
import { compileFilter } from '../../engine/matcher.ts';
import { ensureCollection } from '../../engine/writes.ts';
import { canonicalDoc, flag, isNumeric, isPlainObject, toJsNumber } from '../../engine/values.ts';
import { batchSizeOf, optionalDoc, targetNs, write } from './shared.ts';

function collectionInfo(c: Collection): Document {
  return {
    name: splitNs(c.ns).coll,
    type: 'collection',
    options: c.options,
    info: { readOnly: false },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

export function listCollectionsCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const filter = compileFilter(optionalDoc(cmd.filter, 'filter'));
    const infos = engine.catalog.collections(ctx.db).map(collectionInfo).filter(filter);
    const docs = flag(cmd.nameOnly) ? infos.map((i) => ({ name: i.name, type: i.type })) : infos;
    const batchSize = batchSizeOf(optionalDoc(cmd.cursor, 'cursor')?.batchSize);
    return { cursor: ctx.cursors.open(`${ctx.db}.$cmd.listCollections`, docs[Symbol.iterator](), { batchSize, connectionId: ctx.connectionId }) };
  };
}

export function listIndexesCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    const coll = engine.catalog.get(ns);
    if (!coll) throw new MongoError(ErrorCodes.NamespaceNotFound, `ns does not exist: ${ns}`);
    const specs = [...coll.indexes.values()].map((ix) => ({ ...ix.spec }));
    const batchSize = batchSizeOf(optionalDoc(cmd.cursor, 'cursor')?.batchSize);
    return { cursor: ctx.cursors.open(ns, specs[Symbol.iterator](), { batchSize, connectionId: ctx.connectionId }) };
  };
}

export function listDatabasesCommand(engine: Engine): CommandHandler {
  return (cmd: Document) => {
    const filter = compileFilter(optionalDoc(cmd.filter, 'filter'));
    const dbs = engine.catalog.databases().map((name) => {
      const empty = engine.catalog.collections(name).every((c) => c.size === 0);
      return { name, sizeOnDisk: 0, empty };
    });
    const databases = dbs.filter(filter).map((d) => (flag(cmd.nameOnly) ? { name: d.name } : d));
    return flag(cmd.nameOnly) ? { databases } : { databases, totalSize: 0, totalSizeMb: 0 };
  };
}

export function createCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    const options = checkCollectionOptions(cmd);
    return write(ctx, (changes: Change[]) => {
      engine.catalog.create(ns, options);
      changes.push({ op: 'createCollection', ns, options });
      return {};
    });
  };
}

export function dropCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    return write(ctx, (changes: Change[]) => {
      const coll = engine.catalog.get(ns);
      if (!coll) return {};
      const nIndexesWas = coll.indexes.size;
      engine.catalog.drop(ns);
      changes.push({ op: 'dropCollection', ns });
      return { ns, nIndexesWas };
    });
  };
}

export function dropDatabaseCommand(engine: Engine): CommandHandler {
  return (_cmd: Document, ctx: CommandContext) =>
    write(ctx, (changes: Change[]) => {
      engine.catalog.dropDatabase(ctx.db);
      changes.push({ op: 'dropDatabase', db: ctx.db });
      return { dropped: ctx.db };
    });
}

export function renameCollectionCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const from = String(cmd.renameCollection);
    const to = String(cmd.to);
    const src = splitNs(from);
    const dst = splitNs(to);
    validateCollectionName(src.db, src.coll);
    validateCollectionName(dst.db, dst.coll);
    if (from === to) throw new MongoError(ErrorCodes.IllegalOperation, "Can't rename a collection to itself");
    const dropTarget = flag(cmd.dropTarget);
    return write(ctx, (changes: Change[]) => {
      engine.catalog.rename(from, to, dropTarget);
      changes.push({ op: 'renameCollection', from, to, dropTarget });
      return {};
    });
  };
}

const INDEX_OPTIONS = new Set(['key', 'name', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'background', 'v', 'ns', 'collation']);

/** Validates one requested index and returns the spec to store. */
export function normalizeIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw)) throw new MongoError(ErrorCodes.TypeMismatch, 'index specification must be an object');
  for (const k of Object.keys(raw)) {
    if (!INDEX_OPTIONS.has(k)) {
      if (['weights', 'default_language', 'language_override', 'textIndexVersion', '2dsphereIndexVersion', 'bits', 'min', 'max', 'wildcardProjection', 'hidden', 'clustered'].includes(k)) throw notSupported(`The index option "${k}"`);
      throw new MongoError(197, `The field '${k}' is not valid for an index specification. Specification: ${JSON.stringify(raw)}`);
    }
  }
  if (raw.collation !== undefined && (!isPlainObject(raw.collation) || raw.collation.locale !== 'simple')) throw notSupported('Non-simple collation');
  parseKeyPattern(raw.key);
  const spec: IndexSpec = { v: 2, key: canonicalDoc(raw.key), name: typeof raw.name === 'string' ? raw.name : defaultIndexName(raw.key) };
  if (flag(raw.unique)) spec.unique = true;
  if (flag(raw.sparse)) spec.sparse = true;
  if (raw.partialFilterExpression !== undefined) {
    spec.partialFilterExpression = optionalDoc(raw.partialFilterExpression, 'partialFilterExpression');
    compileFilter(spec.partialFilterExpression);
  }
  if (raw.expireAfterSeconds !== undefined) {
    if (!isNumeric(raw.expireAfterSeconds) || toJsNumber(raw.expireAfterSeconds) < 0) throw new MongoError(ErrorCodes.InvalidOptions, 'TTL index \'expireAfterSeconds\' option must be a non-negative number');
    spec.expireAfterSeconds = Math.trunc(toJsNumber(raw.expireAfterSeconds));
    // MongoDB expires by one date field; a compound TTL index is refused, not swept by its first field.
    if (Object.keys(spec.key).length > 1) throw new MongoError(ErrorCodes.CannotCreateIndex, 'TTL indexes are single-field indexes, compound indexes do not support TTL');
  }
  if (spec.name === '_id_' && (Object.keys(spec.key).join() !== '_id' || spec.unique === false)) throw new MongoError(ErrorCodes.BadValue, 'The index name _id_ is reserved for the _id index');
  return spec;
}

export function createIndexesCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0) throw new MongoError(ErrorCodes.BadValue, 'Must specify at least one index to create');
    const specs = cmd.indexes.map(normalizeIndexSpec);
    return write(ctx, (changes: Change[]) => {
      const existed = engine.catalog.has(ns);
      const coll = ensureCollection(engine.catalog, ns, changes);
      const before = coll.indexes.size;
      const created = coll.createIndexes(specs.filter((spec: IndexSpec) => spec.name !== '_id_'));
      for (const spec of created) changes.push({ op: 'createIndex', ns, spec });
      const reply: Document = { createdCollectionAutomatically: !existed, numIndexesBefore: before, numIndexesAfter: coll.indexes.size };
      if (before === coll.indexes.size) reply.note = 'all indexes already exist';
      return reply;
    });
  };
}

function indexNamesToDrop(coll: Collection, which: unknown): string[] {
  if (which === '*') return [...coll.indexes.keys()].filter((n) => n !== '_id_');
  if (typeof which === 'string') return [which];
  if (Array.isArray(which)) return which.map(String);
  if (isPlainObject(which)) {
    const want = JSON.stringify(canonicalDoc(which));
    const hit = [...coll.indexes.values()].find((ix) => JSON.stringify(ix.spec.key) === want);
    if (!hit) throw new MongoError(ErrorCodes.IndexNotFound, `can't find index with key: ${JSON.stringify(which)}`);
    return [hit.name];
  }
  throw new MongoError(ErrorCodes.TypeMismatch, 'dropIndexes: index must be a name, a key pattern, an array of names or "*"');
}

export function dropIndexesCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    const coll = engine.catalog.get(ns);
    if (!coll) throw new MongoError(ErrorCodes.NamespaceNotFound, `ns not found ${ns}`);
    const names = indexNamesToDrop(coll, cmd.index);
    for (const name of names) if (!coll.indexes.has(name)) throw new MongoError(ErrorCodes.IndexNotFound, `index not found with name [${name}]`);
    if (names.includes('_id_')) throw new MongoError(ErrorCodes.InvalidOptions, 'cannot drop _id index');
    return write(ctx, (changes: Change[]) => {
      const nIndexesWas = coll.indexes.size;
      for (const name of names) {
        coll.dropIndex(name);
        changes.push({ op: 'dropIndex', ns, name });
      }
      return { nIndexesWas };
    });
  };
}
