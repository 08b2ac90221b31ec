/**
 * The engine's side of start-up recovery and checkpoints (contract.ts EngineHandle).
 *
 * Replay only touches the primary store: each document goes into its collection's `_id` map (insert and
 * replace set the key, which keeps its insertion position, exactly as a live replace does; delete removes
 * it), and index definitions are registered empty. Once the whole snapshot and journal are in,
 * `rebuildIndexes` builds every index in one pass per index: collect the keys of the final documents, sort
 * them once with the index's BSON order, and bulk-load the B+tree. That replaces one tree descent (and, for
 * replaced or deleted documents, a removal) per key with one sort, and checks nothing: the final state of a
 * replay is a state the live server had, so its unique constraints already held.
 *
 * `dumpChanges` is a fuzzy checkpoint: it fixes the list of collections, index definitions and documents
 * when it starts (copying references is cheap; documents are never mutated in place, a write swaps in a new
 * object) and then yields exactly those, so it finishes however fast writers insert. Everything written after
 * the checkpoint start is replayed from the journal.
 */
import { Double, Int32, type Document } from 'bson';
import type { Change } from '../contract.ts';
import { ErrorCodes, MongoError } from '../errors.ts';
import type { Catalog } from './catalog.ts';
import { Collection, ID_INDEX } from './collection.ts';
import { valueKey } from './compare.ts';
import { defaultIndexName, type IndexSpec } from './index-keys.ts';
import { OrderedIndex, type IndexKey } from './ordered-index.ts';
import { canonicalDoc } from './values.ts';

/** Applies one replayed change to the catalog without maintaining index entries. */
export function applyRecoveredChange(c: Catalog, change: Change): void {
  switch (change.op) {
    case 'insert':
    case 'replace': {
      // Recovered documents come through the wire codec (plain JS numbers): make them canonical again.
      const doc = canonicalDoc(change.doc);
      (c.get(change.ns) ?? c.create(change.ns)).docs.set(valueKey(doc._id), doc);
      return;
    }
    case 'delete':
      c.get(change.ns)?.docs.delete(valueKey(change.id));
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
  coll.indexes.set(name, new OrderedIndex(coll.ns, full));
}

/** `Catalog.rename(from, to, dropTarget = true)` without copying index entries (they are rebuilt at the end). */
function renameWithoutKeys(c: Catalog, from: string, to: string): void {
  const src = c.get(from)!;
  if (c.has(to)) c.drop(to);
  const dst = c.create(to, src.options);
  dst.indexes.clear();
  for (const [name, ix] of src.indexes) dst.indexes.set(name, new OrderedIndex(to, ix.spec));
  for (const [k, d] of src.docs) dst.docs.set(k, d);
  c.drop(from);
}

/** Builds every index of every collection from its documents: collect keys, sort once, bulk-load. */
export function rebuildIndexes(c: Catalog): void {
  for (const coll of c.all()) for (const ix of coll.indexes.values()) buildIndex(ix, coll.docs.values());
}

/** Replaces `ix`'s entries with the keys of `docs` (no unique check; multikey is recomputed). */
export function buildIndex(ix: OrderedIndex, docs: Iterable<Document>): void {
  ix.clear();
  let keys: IndexKey[] = [];
  for (const doc of docs) {
    const ks = ix.keysFor(doc);
    for (let i = 0; i < ks.length; i++) keys.push(ks[i]);
  }
  const compare = ix.compareKeys;
  keys = sortKeys(keys, compare, ix.fields[0].dir);
  // Keys end with the _id, so only a document repeating a key could duplicate one; the live path's
  // `tree.set` would keep one entry, and bulk loading needs strictly ascending keys.
  let n = 0;
  for (let i = 0; i < keys.length; i++)
    if (n === 0 || compare(keys[n - 1], keys[i]) !== 0) keys[n++] = keys[i];
  keys.length = n;
  ix.loadSorted(keys);
}

/**
 * A number that orders like the BSON order for the values it is defined for (Int32, Double and null, which
 * sorts below every number), or undefined. Ties (null against -Infinity, 0 against -0) are left to the full
 * comparison, so only a strict difference is trusted.
 */
function primary(v: unknown): number | undefined {
  if (v instanceof Int32 || v instanceof Double) return Number.isNaN(v.value) ? undefined : v.value;
  if (v === null) return -Infinity;
  return undefined;
}

/**
 * Sorts index keys by `compare`. When every key starts with a number (or null), the first component is read
 * once into a Float64Array and compared as a plain number; `compare` only breaks ties. The order is the same.
 */
function sortKeys(keys: IndexKey[], compare: (a: IndexKey, b: IndexKey) => number, dir: 1 | -1): IndexKey[] {
  const n = keys.length;
  const first = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = primary(keys[i][0]);
    if (p === undefined) return keys.sort(compare);
    first[i] = p;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const x = first[a];
    const y = first[b];
    return x < y ? -dir : x > y ? dir : compare(keys[a], keys[b]);
  });
  const sorted = new Array<IndexKey>(n);
  for (let i = 0; i < n; i++) sorted[i] = keys[order[i]];
  return sorted;
}

/** The changes that rebuild the state as it was when iteration started (see the header). */
export function* dumpChanges(c: Catalog): Generator<Change> {
  const fixed = c.all().map((coll) => ({
    ns: coll.ns,
    options: coll.options,
    specs: [...coll.indexes.values()].filter((ix) => ix.name !== ID_INDEX).map((ix) => ix.spec),
    docs: [...coll.docs.values()],
  }));
  for (const coll of fixed) {
    yield { op: 'createCollection', ns: coll.ns, options: coll.options };
    for (const spec of coll.specs) yield { op: 'createIndex', ns: coll.ns, spec };
    for (const doc of coll.docs) yield { op: 'insert', ns: coll.ns, doc };
  }
}
