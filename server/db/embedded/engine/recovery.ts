/**
 * The engine's side of start-up recovery and checkpoints (contract.ts EngineHandle).
 *
 * Replay only touches the document stores: each document's BSON goes into its collection's store under its
 * encoded _id (insert and replace set the key, which keeps its insertion position, exactly as a live replace
 * does; delete removes it), and index definitions are registered empty. Nothing is decoded but the _id. Once
 * the whole snapshot and journal are in, `rebuildIndexes` builds every index in one pass per collection:
 * decode just the indexed fields of each final document, collect the string keys, sort each index's keys
 * once and bulk-load its B+tree. It checks nothing: the final state of a replay is a state the live server
 * had, so its unique constraints already held.
 *
 * `dumpChanges` is a fuzzy checkpoint: it fixes the list of collections, index definitions and document keys
 * when it starts and then yields each of those documents as it is when reached (stored bytes are never
 * modified in place), so it finishes however fast writers insert. Everything written after the checkpoint
 * start is replayed from the journal.
 */
import type { Change } from '../contract.ts';
import { ErrorCodes, MongoError } from '../errors.ts';
import { readId } from './bson-raw.ts';
import type { Catalog } from './catalog.ts';
import { Collection, ID_INDEX, idKeyOf } from './collection.ts';
import { defaultIndexName, type IndexSpec } from './index-keys.ts';
import { OrderedIndex } from './ordered-index.ts';
import { canonicalDoc } from './values.ts';

/** Applies one replayed change to the catalog without maintaining index entries. */
export function applyRecoveredChange(c: Catalog, change: Change): void {
  switch (change.op) {
    case 'insert':
    case 'replace': {
      // The store copies the bytes out of the journal's read buffer.
      (c.get(change.ns) ?? c.create(change.ns)).docs.set(idKeyOf(readId(change.doc)), change.doc);
      return;
    }
    case 'delete':
      c.get(change.ns)?.docs.delete(idKeyOf(change.id));
      return;
    case 'createCollection':
      if (!c.has(change.ns)) c.create(change.ns, change.options);
      return;
    case 'dropCollection':
      c.drop(change.ns);
      return;
    case 'dropDatabase':
      c.dropDatabase(change.db);
      return;
    case 'renameCollection':
      if (c.has(change.from)) renameWithoutKeys(c, change.from, change.to);
      return;
    case 'createIndex': {
      const coll = c.get(change.ns) ?? c.create(change.ns);
      const existing = coll.indexes.get(String(change.spec.name));
      if (existing && !existing.sameDefinition(change.spec as IndexSpec)) coll.indexes.delete(existing.name);
      registerIndex(coll, canonicalDoc(change.spec) as IndexSpec);
      return;
    }
    case 'dropIndex':
      c.get(change.ns)?.indexes.delete(change.name);
      return;
  }
}

/**
 * `Collection.createIndex` without building: the same name and key-pattern rules (a no-op for an identical
 * index, 85/86 for a conflicting one), but the new index stays empty until `rebuildIndexes`.
 */
function registerIndex(coll: Collection, spec: IndexSpec): void {
  const name = spec.name ?? defaultIndexName(spec.key);
  const full: IndexSpec = { ...spec, name };
  const existing = coll.indexes.get(name);
  const conflict = (code: number, what: string, other: IndexSpec) =>
    new MongoError(
      code,
      `${what} Requested index: ${JSON.stringify(full)}, existing index: ${JSON.stringify(other)}`,
    );
  if (existing) {
    if (existing.sameDefinition(full)) return;
    const sameKey = JSON.stringify(existing.spec.key) === JSON.stringify(full.key);
    throw conflict(
      sameKey ? ErrorCodes.IndexOptionsConflict : ErrorCodes.IndexKeySpecsConflict,
      'An existing index has the same name as the requested index.',
      existing.spec,
    );
  }
  for (const ix of coll.indexes.values()) {
    if (JSON.stringify(ix.spec.key) !== JSON.stringify(full.key)) continue;
    if (ix.sameDefinition(full)) return;
    throw conflict(
      ErrorCodes.IndexOptionsConflict,
      'An equivalent index already exists with a different name and options.',
      ix.spec,
    );
  }
  coll.registerIndex(new OrderedIndex(coll.ns, full));
}

/** `Catalog.rename(from, to, dropTarget = true)` without copying index entries (they are rebuilt at the end). */
function renameWithoutKeys(c: Catalog, from: string, to: string): void {
  const src = c.get(from)!;
  if (c.has(to)) c.drop(to);
  const dst = c.create(to, src.options);
  dst.indexes.clear();
  for (const ix of src.indexes.values()) dst.registerIndex(new OrderedIndex(to, ix.spec));
  for (const [k, bytes] of src.docs.entries()) dst.docs.set(k, bytes);
  c.drop(from);
}

/** Builds every index of every collection from its documents: collect keys, sort once, bulk-load. */
export function rebuildIndexes(c: Catalog): void {
  for (const coll of c.all()) coll.rebuildIndexes();
}

/** The changes that rebuild the state as it was when iteration started (see the header). */
export function* dumpChanges(c: Catalog): Generator<Change> {
  const fixed = c.all().map((coll) => ({
    coll,
    ns: coll.ns,
    options: coll.options,
    specs: [...coll.indexes.values()].filter((ix) => ix.name !== ID_INDEX).map((ix) => ix.spec),
    keys: [...coll.docs.keys()],
  }));
  for (const { coll, ns, options, specs, keys } of fixed) {
    yield { op: 'createCollection', ns, options };
    for (const spec of specs) yield { op: 'createIndex', ns, spec };
    for (const key of keys) {
      // Stored bytes are never modified; a document replaced or deleted since the start is replayed from
      // the journal, which holds every change after the checkpoint start.
      const doc = coll.docs.get(key);
      if (doc) yield { op: 'insert', ns, doc };
    }
  }
}
