/**
 * The engine's side of start-up recovery and checkpoints (contract.ts EngineHandle).
 *
 * Replay only touches the document stores: each document's BSON goes into its collection's store under its
 * encoded _id (insert and replace set the key, which keeps its insertion position, exactly as a live replace
 * does; delete removes it), and index definitions are registered empty. Nothing is decoded but the _id.
 *
 * A snapshot written by `snapshotEntries` ends with every index's entries in order (`indexKeys`); replay keeps
 * them in `LoadedIndexes` and notes every document changed after them (the journal since the checkpoint start).
 * Once the whole snapshot and journal are in, `Collection.restoreIndexes` loads each index from its saved
 * entries, minus those of the changed documents plus their current ones, and builds any index without saved
 * entries in one pass: decode just the indexed fields of each final document, collect the string keys, sort
 * once and pack them. It checks nothing: the final state of a replay is a state the live server had,
 * so its unique constraints already held.
 *
 * `dumpChanges` is a fuzzy checkpoint: it fixes the list of collections, index definitions and document keys
 * when it starts and then yields each of those documents as it is when reached (stored bytes are never
 * modified in place), so it finishes however fast writers insert. Everything written after the checkpoint
 * start is replayed from the journal. The index section is read after it, in slices that resume after the
 * last entry read: an entry of a document nobody wrote to since the checkpoint start is in the index the whole
 * time, so it is saved exactly once and in order; entries of any other document may be stale, and recovery
 * replaces them because the journal names that document.
 */
import type { Binary } from 'bson';
import type { Change, IndexKeysEntry, PackDictionaryEntry, RecoveredEntry } from '../contract.ts';
import { ErrorCodes, MongoError } from '../errors.ts';
import type { Catalog } from './catalog.ts';
import { Collection, ID_INDEX, idKeyOf, idKeyOfDoc } from './collection.ts';
import { defaultIndexName, type IndexSpec } from './index-keys.ts';
import { forEachPacked, SectionWriter } from './index-section.ts';
import { decode, PackedKeysBuilder } from './packed-keys.ts';
import { OrderedIndex, type IndexKey } from './ordered-index.ts';
import { canonicalDoc } from './values.ts';

/** An index's entries as the snapshot saved them (packed as they arrive), with its multikey flags. */
export interface LoadedIndex {
  keys: PackedKeysBuilder;
  multikey: boolean;
  multikeyFields: boolean[];
}

/**
 * The index entries a snapshot carried, per namespace and index name, and the documents (by _id key) that
 * changed after them. Anything that could make saved entries wrong for a whole collection or index (drop,
 * rename, a redefined index) forgets them, and that index is rebuilt instead.
 */
export class LoadedIndexes {
  private readonly byNs = new Map<string, Map<string, LoadedIndex>>();
  private readonly dirty = new Map<string, Set<string>>();

  add(entry: IndexKeysEntry): void {
    let indexes = this.byNs.get(entry.ns);
    if (!indexes) this.byNs.set(entry.ns, (indexes = new Map()));
    let loaded = indexes.get(entry.name);
    if (!loaded) {
      loaded = { keys: new PackedKeysBuilder(), multikey: false, multikeyFields: [] };
      indexes.set(entry.name, loaded);
    }
    const raw = entry.keys as Uint8Array | Binary;
    const keys = loaded.keys;
    forEachPacked(
      raw instanceof Uint8Array ? raw : raw.buffer.subarray(0, raw.position),
      (buf, at, end, wide) => keys.push(buf, at, end, wide),
    );
    loaded.multikey ||= Boolean(entry.multikey);
    (entry.multikeyFields ?? []).forEach((f, i) => {
      if (f) loaded.multikeyFields[i] = true;
    });
  }

  /** A document written after the snapshot's index section: its saved entries cannot be trusted. */
  touched(ns: string, idKey: string): void {
    if (!this.byNs.has(ns)) return;
    let set = this.dirty.get(ns);
    if (!set) this.dirty.set(ns, (set = new Set()));
    set.add(idKey);
  }

  forgetIndex(ns: string, name: string): void {
    this.byNs.get(ns)?.delete(name);
  }

  forgetCollection(ns: string): void {
    this.byNs.delete(ns);
    this.dirty.delete(ns);
  }

  forgetDatabase(db: string): void {
    for (const ns of [...this.byNs.keys()]) if (ns.startsWith(db + '.')) this.forgetCollection(ns);
  }

  forgetAll(): void {
    this.byNs.clear();
    this.dirty.clear();
  }

  /** Hands over (and forgets) what was loaded for `ns`. */
  take(ns: string): { indexes: Map<string, LoadedIndex>; dirty: Set<string> } | undefined {
    const indexes = this.byNs.get(ns);
    if (!indexes) return undefined;
    const dirty = this.dirty.get(ns) ?? new Set<string>();
    this.forgetCollection(ns);
    return { indexes, dirty };
  }
}

/** Applies one replayed entry to the catalog without maintaining index entries. */
export function applyRecoveredChange(c: Catalog, change: RecoveredEntry, loaded: LoadedIndexes): void {
  switch (change.op) {
    case 'insert':
    case 'replace': {
      // The store copies the bytes out of the journal's read buffer (stored copies are kept as they are; BSON,
      // a replace's or an older journal's, is packed as it is stored).
      const idKey = idKeyOfDoc(change.doc, c.dicts);
      loaded.touched(change.ns, idKey);
      (c.get(change.ns) ?? c.create(change.ns)).docs.restore(idKey, change.doc);
      return;
    }
    case 'delete': {
      const idKey = idKeyOf(change.id);
      loaded.touched(change.ns, idKey);
      c.get(change.ns)?.docs.delete(idKey);
      return;
    }
    case 'createCollection':
      if (!c.has(change.ns)) c.create(change.ns, change.options);
      return;
    case 'dropCollection':
      loaded.forgetCollection(change.ns);
      c.drop(change.ns);
      return;
    case 'dropDatabase':
      loaded.forgetDatabase(change.db);
      c.dropDatabase(change.db);
      return;
    case 'renameCollection':
      loaded.forgetCollection(change.from);
      loaded.forgetCollection(change.to);
      if (c.has(change.from)) renameWithoutKeys(c, change.from, change.to);
      return;
    case 'createIndex': {
      const coll = c.get(change.ns) ?? c.create(change.ns);
      const existing = coll.indexes.get(String(change.spec.name));
      if (!existing?.sameDefinition(change.spec as IndexSpec)) {
        loaded.forgetIndex(change.ns, String(change.spec.name));
      }
      if (existing && !existing.sameDefinition(change.spec as IndexSpec)) coll.indexes.delete(existing.name);
      registerIndex(coll, canonicalDoc(change.spec) as IndexSpec);
      return;
    }
    case 'dropIndex':
      loaded.forgetIndex(change.ns, change.name);
      c.get(change.ns)?.indexes.delete(change.name);
      return;
    case 'indexKeys':
      if (c.get(change.ns)?.indexes.has(change.name)) loaded.add(change);
      return;
    case 'discardIndexKeys':
      loaded.forgetAll();
      return;
    case 'packDictionary': {
      // Saved or journaled before the copies that use it; the collection packs its new copies against it.
      const raw = change.bytes as Uint8Array | Binary;
      const dict = c.dicts.add(
        Number(change.id),
        raw instanceof Uint8Array ? raw : raw.buffer.subarray(0, raw.position),
      );
      (c.get(change.ns) ?? c.create(change.ns)).docs.useDictionary(dict);
      return;
    }
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
  dst.docs.useDictionary(src.docs.dictionary);
  for (const [k, stored] of src.docs.storedEntries()) dst.docs.restore(k, stored);
  c.drop(from);
}

/** How the indexes came back after a recovery. */
export interface IndexRestoreStats {
  /** Indexes loaded from the snapshot's saved entries. */
  loaded: number;
  /** Indexes built from the documents (no saved entries, or saved entries that failed a check). */
  rebuilt: number;
}

/** Loads or builds every index of every collection (see the header). */
export function restoreIndexes(c: Catalog, loaded: LoadedIndexes): IndexRestoreStats {
  const stats: IndexRestoreStats = { loaded: 0, rebuilt: 0 };
  for (const coll of c.all()) {
    const saved = loaded.take(coll.ns);
    const n = coll.restoreIndexes(saved?.indexes, saved?.dirty);
    stats.loaded += n;
    stats.rebuilt += coll.indexes.size - n;
  }
  loaded.forgetAll();
  return stats;
}

/**
 * The changes that rebuild the state as it was when iteration started (see the header). With `stored`, the
 * inserts carry the stored copies (packed or not, doc-store.ts), as a snapshot saves them, each collection's
 * packing dictionary comes before its copies, and a copy that needs a dictionary the snapshot does not
 * carry is repacked (`DocStore.snapshotCopy`); otherwise the inserts carry BSON.
 */
export function dumpChanges(c: Catalog): Generator<Change>;
export function dumpChanges(c: Catalog, stored: true): Generator<Change | PackDictionaryEntry>;
export function* dumpChanges(c: Catalog, stored = false): Generator<Change | PackDictionaryEntry> {
  const fixed = c.all().map((coll) => ({
    coll,
    ns: coll.ns,
    options: coll.options,
    specs: [...coll.indexes.values()].filter((ix) => ix.name !== ID_INDEX).map((ix) => ix.spec),
    keys: [...coll.docs.keys()],
    dict: coll.docs.dictionary,
  }));
  const saved = new Set<number>();
  for (const { coll, ns, options, specs, keys, dict } of fixed) {
    yield { op: 'createCollection', ns, options };
    for (const spec of specs) yield { op: 'createIndex', ns, spec };
    if (stored && dict) {
      yield { op: 'packDictionary', ns, id: dict.id, bytes: dict.bytes };
      saved.add(dict.id);
    }
    for (const key of keys) {
      // Stored bytes are never modified; a document replaced or deleted since the start is replayed from
      // the journal, which holds every change after the checkpoint start.
      const doc = stored ? coll.docs.snapshotCopy(key, saved, dict) : coll.docs.get(key);
      if (doc) yield { op: 'insert', ns, doc };
    }
  }
}

/** Entries per `indexKeys` slice: about 1 MiB of the app's keys, a few milliseconds to read and pack. */
const SECTION_KEYS = 16_384;
/** Chars per slice, so long keys (large indexed strings) still make records far below the 48 MiB limit. */
const SECTION_CHARS = 4 * 1024 * 1024;

/**
 * The index section: every index's entries in ascending order, in slices read from the live index. A slice
 * resumes after the last entry of the one before, so writes in between never make it repeat or reorder.
 */
export function* dumpIndexKeys(c: Catalog): Generator<IndexKeysEntry> {
  const fixed = c.all().map((coll) => ({ coll, indexes: [...coll.indexes.values()] }));
  for (const { coll, indexes } of fixed) {
    for (const ix of indexes) {
      let from: IndexKey | undefined;
      // A dropped index or collection is in the journal after the checkpoint start, which forgets it.
      while (!coll.dropped && coll.indexes.get(ix.name) === ix) {
        const slice = readSlice(ix, from);
        yield {
          op: 'indexKeys',
          ns: coll.ns,
          name: ix.name,
          multikey: ix.multikey,
          multikeyFields: [...ix.multikeyFields],
          keys: slice.keys,
        };
        if (slice.last === undefined) break;
        from = slice.last;
      }
    }
  }
}

/**
 * Up to a slice's worth of entries after `after`, packed straight from the index's bytes; `last` is the last
 * entry when the slice stopped at a limit (more may follow), undefined when it reached the end.
 */
function readSlice(
  ix: OrderedIndex,
  after: IndexKey | undefined,
): { keys: Buffer; last: IndexKey | undefined } {
  const out = new SectionWriter();
  let n = 0;
  let chars = 0;
  let full = false;
  let last: [Buffer, number, number, boolean] | undefined;
  ix.entries.forEachRawAfter(after, (bytes, a, b, wide) => {
    out.push(bytes, a, b, wide);
    n++;
    chars += wide ? (b - a) / 2 : b - a;
    if (n < SECTION_KEYS && chars < SECTION_CHARS) return true;
    full = true;
    last = [bytes, a, b, wide];
    return false;
  });
  return { keys: out.bytes(), last: full && last ? decode(...last) : undefined };
}
