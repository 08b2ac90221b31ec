/**
 * One collection: its documents as BSON bytes (doc-store.ts, keyed by the order-preserving encoding of the
 * _id) and its indexes. Every mutation computes and validates every index entry first and only then touches
 * anything, so a failed write (say, E11000 on the third index) leaves no trace, and a reader never sees a
 * document whose index entries are half-updated. A replace re-indexes only the indexes whose entries change.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError } from '../errors.ts';
import { asBuffer, decodeDoc, encodeDoc, FieldSet, readFields, readId, topLevelOf } from './bson-raw.ts';
import { leadingBytes, unpack, type PackDict, type PackDicts } from './doc-pack.ts';
import { DocStore, MAX_SLAB_BYTES } from './doc-store.ts';
import {
  defaultIndexName,
  duplicateKeyError,
  KeyMemo,
  parseKeyPattern,
  type IndexSpec,
} from './index-keys.ts';
import { encodeValue, entryIdKey, entryTuple } from './key-string.ts';
import { KeyRuns } from './key-runs.ts';
import { OrderedIndex, type IndexKey } from './ordered-index.ts';
import type { LoadedIndex } from './recovery.ts';
import { filterFields } from './filter-fields.ts';
import type { SlabSource } from './slab-reserve.ts';

export const ID_INDEX = '_id_';

/** The document-store key of an _id: equal exactly when the _ids compare equal. */
export const idKeyOf = (id: unknown): string => encodeValue(id, 1);

/**
 * What an update's touched indexes read of one version: the fields they index, or the whole document when one
 * of them reads whole documents (a module function: a closure made per update was compiled again and again).
 */
function indexedView(bytes: Uint8Array, fields: FieldSet | null): Document {
  return fields ? readFields(bytes, fields) : decodeDoc(bytes);
}

/** key-string.ts's first char of an ObjectId, which is followed by its 12 bytes. */
const OBJECT_ID_KEY = String.fromCharCode(0x81);

/**
 * `idKeyOf` of a document's _id, from its BSON or its stored copy (doc-store.ts). An ObjectId _id in first
 * place (every document the driver inserts) is read straight off the bytes, packed or not, which recovery
 * does for every document; anything else is decoded.
 */
export function idKeyOfDoc(bytes: Uint8Array, dicts?: PackDicts): string {
  const b = leadingBytes(asBuffer(bytes));
  if (b.length >= 21 && b[4] === 0x07 && b[5] === 0x5f && b[6] === 0x69 && b[7] === 0x64 && b[8] === 0) {
    return OBJECT_ID_KEY + b.toString('latin1', 9, 21);
  }
  return idKeyOf(readId(unpack(asBuffer(bytes), dicts)));
}

export class Collection {
  readonly docs: DocStore;
  readonly indexes = new Map<string, OrderedIndex>();
  /** Set once the collection leaves the catalog (drop, rename): open cursors on it end. */
  dropped = false;
  /** The top-level fields any index reads (keys and partial filters), to decode only those; null: all. */
  private indexedFields: FieldSet | null | undefined;
  /** indexesReading's answers, by the touched fields; cleared whenever the indexes change. */
  private readonly readers = new Map<string, { indexes: OrderedIndex[]; fields: FieldSet | null }>();
  /** The last insert command's batch, empty again, for the next one while the indexes stay the same. */
  private batch: InsertBatch | undefined;

  constructor(
    public ns: string,
    readonly options: Document = {},
    slabs?: SlabSource,
    dicts?: PackDicts,
  ) {
    this.docs = new DocStore(MAX_SLAB_BYTES, slabs, dicts);
    this.indexes.set(ID_INDEX, new OrderedIndex(ns, { v: 2, key: { _id: 1 }, name: ID_INDEX }));
  }

  get size(): number {
    return this.docs.size;
  }

  get(id: unknown): Document | undefined {
    const bytes = this.docs.get(idKeyOf(id));
    return bytes && decodeDoc(bytes);
  }

  /** Just what the indexes need of a stored document. */
  indexView(bytes: Uint8Array): Document {
    if (this.indexedFields === undefined) {
      const names = new Set<string>(['_id']);
      for (const ix of this.indexes.values()) {
        const reads = indexReads(ix);
        if (reads === null) {
          this.indexedFields = null;
          break;
        }
        for (const f of reads) names.add(f);
      }
      if (this.indexedFields === undefined) this.indexedFields = new FieldSet(names);
    }
    return this.indexedFields === null ? decodeDoc(bytes) : readFields(bytes, this.indexedFields);
  }

  /** The entries of `doc` for each index, in the order of `indexes`. */
  private keysByIndex(doc: Document, idKey: string): { list: OrderedIndex[]; keys: IndexKey[][] } {
    const list: OrderedIndex[] = [];
    const keys: IndexKey[][] = [];
    const memo = new KeyMemo(doc);
    for (const ix of this.indexes.values()) {
      list.push(ix);
      keys.push(ix.keysFor(doc, idKey, memo));
    }
    return { list, keys };
  }

  /**
   * Inserts a new document (`doc` decoded, `bytes` its BSON); throws E11000 (without side effects) if its _id
   * or a unique key is taken.
   */
  insert(doc: Document, bytes: Uint8Array = encodeDoc(doc), checkUnique = true): Buffer {
    const idKey = idKeyOf(doc._id);
    const { list, keys } = this.keysByIndex(doc, idKey);
    if (checkUnique) {
      if (this.docs.has(idKey)) {
        const idIndex = this.indexes.get(ID_INDEX)!;
        throw duplicateKeyError(this.ns, idIndex.spec, idIndex.fields, [doc._id]);
      }
      for (let i = 0; i < list.length; i++) list[i].checkUnique(keys[i], doc);
    }
    for (let i = 0; i < list.length; i++) list[i].add(keys[i]);
    this.docs.set(idKey, bytes);
    this.docs.compact();
    return this.docs.storedOf(idKey);
  }

  /** Forgets what was worked out from the list of indexes (a dropped index is not held on to either). */
  private indexesChanged(): void {
    this.indexedFields = undefined;
    this.readers.clear();
    this.batch = undefined;
  }

  /** The packing dictionary this collection made since the last call (the journal carries it first). */
  newDictionary(): PackDict | undefined {
    return this.docs.takeNewDictionary();
  }

  /** A batch of inserts into this collection (an insert command's documents); see InsertBatch. */
  insertBatch(): InsertBatch {
    // A batch's lists per index cost more than the insert of a document or two (most insert commands).
    if (!this.batch?.reusableFor(this.indexes))
      this.batch = new InsertBatch(this, [...this.indexes.values()]);
    return this.batch;
  }

  /**
   * Replaces the stored document `prev` by `next` (same _id), all or nothing. `touched` names the top-level
   * fields the update may have changed (undefined: any): indexes that read none of them keep their entries
   * without their keys even being computed.
   */
  replace(
    prev: Document,
    next: Document,
    nextBytes: Uint8Array,
    checkUnique = true,
    touched?: ReadonlySet<string>,
  ): void {
    this.swap(idKeyOf(next._id), [prev, next], nextBytes, checkUnique, touched);
  }

  /**
   * `replace` for a write that knows only the bytes (update/patch.ts): the indexes that read a touched field
   * get their old and new keys from just the indexed fields of each version.
   */
  replaceBytes(
    idKey: string,
    prevBytes: Uint8Array,
    nextBytes: Uint8Array,
    touched: ReadonlySet<string>,
  ): void {
    const { indexes, fields } = this.indexesReading(touched);
    const versions: [Document, Document] = [indexedView(prevBytes, fields), indexedView(nextBytes, fields)];
    this.swap(idKey, versions, nextBytes, true, touched, indexes);
  }

  /**
   * The indexes that read any of `touched` and the top-level fields they read (null: whole documents),
   * remembered per set of fields: the same writes come again and again.
   */
  private indexesReading(touched: ReadonlySet<string>): { indexes: OrderedIndex[]; fields: FieldSet | null } {
    const key = [...touched].join('\0');
    let found = this.readers.get(key);
    if (!found) {
      const indexes = [...this.indexes.values()].filter((ix) => !ix.reads || readsAny(ix.reads, touched));
      const names = new Set<string>(['_id']);
      let whole = false;
      for (const ix of indexes) {
        if (!ix.reads) whole = true;
        else for (const f of ix.reads) names.add(f);
      }
      found = { indexes, fields: whole ? null : new FieldSet(names) };
      if (this.readers.size >= 1000) this.readers.clear();
      this.readers.set(key, found);
    }
    return found;
  }

  private swap(
    idKey: string,
    docs: [Document, Document],
    nextBytes: Uint8Array,
    checkUnique: boolean,
    touched: ReadonlySet<string> | undefined,
    candidates: Iterable<OrderedIndex> = this.indexes.values(),
  ): void {
    const changed: { ix: OrderedIndex; old: IndexKey[]; keys: IndexKey[] }[] = [];
    let memos: [KeyMemo, KeyMemo] | undefined;
    for (const ix of candidates) {
      if (touched && ix.reads && !readsAny(ix.reads, touched)) continue;
      memos ??= [new KeyMemo(docs[0]), new KeyMemo(docs[1])];
      const old = ix.keysFor(docs[0], idKey, memos[0]);
      const keys = ix.keysFor(docs[1], idKey, memos[1]);
      if (!sameKeys(old, keys)) changed.push({ ix, old, keys });
    }
    if (checkUnique) for (const c of changed) c.ix.checkUnique(c.keys, docs[1]);
    for (const c of changed) {
      if (c.old.length <= 1 && c.keys.length <= 1) {
        c.ix.remove(c.old);
        c.ix.add(c.keys);
        continue;
      }
      // A multikey entry list (a master's sources) usually gains or loses one element: touch only those.
      const next = new Set(c.keys);
      const prev = new Set(c.old);
      c.ix.remove(c.old.filter((k) => !next.has(k)));
      c.ix.add(c.keys.filter((k) => !prev.has(k)));
    }
    this.docs.set(idKey, nextBytes);
    this.docs.compact();
  }

  /** Removes the document stored under `idKey`; returns its bytes. */
  remove(idKey: string): Uint8Array | undefined {
    const bytes = this.docs.get(idKey);
    if (!bytes) return undefined;
    const { list, keys } = this.keysByIndex(this.indexView(bytes), idKey);
    for (let i = 0; i < list.length; i++) list[i].remove(keys[i]);
    this.docs.delete(idKey);
    return bytes;
  }

  /**
   * Builds a new index over the existing documents. Returns false when an identical index already exists;
   * throws 85/86 when the name or key pattern is taken with different options, E11000 when unique fails.
   */
  createIndex(spec: IndexSpec, checkUnique = true): boolean {
    return this.createIndexes([spec], checkUnique).length > 0;
  }

  /**
   * Builds new indexes over the existing documents in one pass (each document unpacked once, only as far as
   * the fields they read), and returns the specs of those created; identical indexes that exist are skipped.
   * All or nothing: a conflict (85/86) or a unique violation (E11000) leaves every index as it was.
   */
  createIndexes(specs: readonly IndexSpec[], checkUnique = true): IndexSpec[] {
    const fresh: OrderedIndex[] = [];
    for (const spec of specs) {
      const full = this.newIndexSpec(spec, fresh);
      if (full) fresh.push(new OrderedIndex(this.ns, full));
    }
    if (!fresh.length) return [];
    let names: Set<string> | null = new Set();
    for (const ix of fresh) {
      const reads = indexReads(ix);
      if (reads === null) names = null;
      else if (names) for (const f of reads) names.add(f);
    }
    const fields = names && new FieldSet(names);
    // A unique index is checked entry by entry; any other is collected, sorted once and bulk-loaded.
    const oneByOne = fresh.map((ix) => checkUnique && ix.points);
    const keys = KeyRuns.group(fresh.length);
    for (const [idKey, stored] of this.docs.storedEntries()) {
      // The indexes' fields from a transient unpacking that stops once they are read (no copy per document).
      const peek = fields && this.docs.peek(stored);
      const doc = peek
        ? readFields(peek.view, fields, peek.transient, peek.more)
        : decodeDoc(this.docs.bsonOf(stored));
      const memo = new KeyMemo(doc);
      for (let i = 0; i < fresh.length; i++) {
        const mine = fresh[i].keysFor(doc, idKey, memo);
        if (oneByOne[i]) {
          fresh[i].checkUnique(mine, doc);
          fresh[i].add(mine);
        } else for (const k of mine) keys[i].push(k);
      }
    }
    for (let i = 0; i < fresh.length; i++) {
      if (!oneByOne[i]) fresh[i].loadSorted(keys[i].ascending());
      this.indexes.set(fresh[i].name, fresh[i]);
    }
    this.indexesChanged();
    return fresh.map((ix) => ix.spec);
  }

  /** The spec with its name when it is new; undefined when an identical index exists (or is being built). */
  private newIndexSpec(spec: IndexSpec, building: readonly OrderedIndex[]): IndexSpec | undefined {
    const name = spec.name ?? defaultIndexName(spec.key);
    const full: IndexSpec = { ...spec, name };
    parseKeyPattern(full.key);
    const others = [...this.indexes.values(), ...building];
    const existing = others.find((ix) => ix.name === name);
    if (existing) {
      if (existing.sameDefinition(full)) return undefined;
      const sameKey = JSON.stringify(existing.spec.key) === JSON.stringify(full.key);
      throw new MongoError(
        sameKey ? ErrorCodes.IndexOptionsConflict : ErrorCodes.IndexKeySpecsConflict,
        `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(full)}, existing index: ${JSON.stringify(existing.spec)}`,
      );
    }
    for (const ix of others) {
      if (JSON.stringify(ix.spec.key) !== JSON.stringify(full.key)) continue;
      if (ix.sameDefinition(full)) return undefined;
      throw new MongoError(
        ErrorCodes.IndexOptionsConflict,
        `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(full)}, existing index: ${JSON.stringify(ix.spec)}`,
      );
    }
    return full;
  }

  dropIndex(name: string): void {
    if (name === ID_INDEX) throw new MongoError(ErrorCodes.InvalidOptions, 'cannot drop _id index');
    if (!this.indexes.delete(name)) {
      throw new MongoError(ErrorCodes.IndexNotFound, `index not found with name [${name}]`);
    }
    this.indexesChanged();
  }

  /** Registers an index without building it (recovery builds every index at the end). */
  registerIndex(ix: OrderedIndex): void {
    this.indexes.set(ix.name, ix);
    this.indexesChanged();
  }

  /** Rebuilds every index from the documents in one pass: collect keys, sort once, bulk-load. */
  rebuildIndexes(): void {
    this.restoreIndexes();
  }

  /**
   * Fills every index after recovery and returns how many came from `saved`. An index with saved entries (a
   * snapshot's index section) keeps them, minus those of the documents in `changed` (written after the
   * snapshot) plus those documents' current entries; every other index is built from all documents in one
   * pass: collect keys, sort once, bulk-load. Saved entries that are out of order, or an `_id_` index whose
   * size differs from the document count, make the whole collection rebuild instead.
   */
  restoreIndexes(saved?: ReadonlyMap<string, LoadedIndex>, changed: ReadonlySet<string> = new Set()): number {
    const list = [...this.indexes.values()];
    const fromSnapshot = list.map((ix) => saved?.get(ix.name));
    const keys = KeyRuns.group(list.length);
    for (let i = 0; i < list.length; i++) {
      list[i].clear();
      const s = fromSnapshot[i];
      if (!s) continue;
      list[i].multikey = s.multikey;
      s.multikeyFields.forEach((f, j) => {
        if (f && j < list[i].multikeyFields.length) list[i].multikeyFields[j] = true;
      });
    }
    const collect = (idKey: string, bytes: Uint8Array, wanted: (i: number) => boolean): void => {
      const doc = this.indexView(bytes);
      const memo = new KeyMemo(doc);
      for (let i = 0; i < list.length; i++) {
        if (!wanted(i)) continue;
        const ks = list[i].keysFor(doc, idKey, memo);
        for (let j = 0; j < ks.length; j++) keys[i].push(ks[j]);
      }
    };
    if (fromSnapshot.some((s) => !s)) {
      for (const [idKey, bytes] of this.docs.entries()) collect(idKey, bytes, (i) => !fromSnapshot[i]);
    }
    if (fromSnapshot.some((s) => s)) {
      for (const idKey of changed) {
        const bytes = this.docs.get(idKey);
        if (bytes) collect(idKey, bytes, (i) => fromSnapshot[i] !== undefined);
      }
    }
    let restored = 0;
    for (let i = 0; i < list.length; i++) {
      const s = fromSnapshot[i];
      const own = keys[i].ascending();
      if (!s) {
        list[i].loadSorted(own);
        continue;
      }
      // Saved entries that fail a check are never trusted: the whole collection rebuilds.
      if (!s.keys.ascending) return this.restoreIndexes();
      const entries = list[i].entries;
      entries.adopt(s.keys);
      if (changed.size > 0) {
        const stale: IndexKey[] = [];
        for (const k of entries.keysFrom()) if (changed.has(entryIdKey(k))) stale.push(k);
        for (const k of stale) entries.delete(k);
        for (const k of own) entries.set(k);
      }
      if (list[i].name === ID_INDEX && entries.size !== this.docs.size) return this.restoreIndexes();
      restored++;
    }
    return restored;
  }

  /** A copy under another namespace, with its indexes rebuilt (only error messages use the ns). */
  rename(ns: string): Collection {
    const c = new Collection(ns, this.options, undefined, this.docs.dicts);
    c.docs.useDictionary(this.docs.dictionary);
    c.indexes.clear();
    for (const [name, ix] of this.indexes) c.indexes.set(name, new OrderedIndex(ns, ix.spec));
    for (const [k, stored] of this.docs.storedEntries()) c.docs.set(k, stored);
    c.rebuildIndexes();
    return c;
  }
}

/** Where a write puts a new document: a collection, or a batch of inserts into one. */
export interface InsertTarget {
  readonly ns: string;
  indexView(bytes: Uint8Array): Document;
  /** Stores a new document; returns its stored copy (packed or not: what the journal records). */
  insert(doc: Document, bytes: Uint8Array): Uint8Array;
  newDictionary(): PackDict | undefined;
}

/**
 * The documents of one insert command, each checked as `Collection.insert` checks it (its _id and unique keys
 * against the stored documents and the batch's earlier ones) and stored at once, all or nothing, but whose
 * index entries wait for `finish`: there each index's entries of the whole batch are sorted and merged into
 * its segments in one pass (packed-keys.ts `insertNewSorted`), where one at a time each entry searched the
 * segments, searched and spliced a segment's added list, and a segment took a rewrite every 256 entries.
 * The indexes are incomplete until `finish`, so nothing may read them in between: the insert command runs the
 * batch synchronously and finishes it before any other command runs.
 */
export class InsertBatch implements InsertTarget {
  /** Per index, the batch's entries not added yet. */
  private readonly pending: IndexKey[][];
  /** Per unique index other than `_id_` (its entries answer for the others), the batch's key values. */
  private readonly taken: (Set<string> | undefined)[];
  /** Inserted into and not finished (a finish that threw leaves it so, and it is not reused). */
  private open = false;

  constructor(
    private readonly coll: Collection,
    private readonly list: readonly OrderedIndex[],
  ) {
    this.pending = list.map(() => []);
    this.taken = list.map((ix) => (ix.points ? new Set<string>() : undefined));
  }

  get ns(): string {
    return this.coll.ns;
  }

  indexView(bytes: Uint8Array): Document {
    return this.coll.indexView(bytes);
  }

  /** Finished, and over exactly `indexes` (in their order): an index made or dropped since needs a new batch. */
  reusableFor(indexes: ReadonlyMap<string, OrderedIndex>): boolean {
    if (this.open || indexes.size !== this.list.length) return false;
    let i = 0;
    for (const ix of indexes.values()) if (ix !== this.list[i++]) return false;
    return true;
  }

  /** Inserts a new document; throws E11000 (without side effects) if its _id or a unique key is taken. */
  insert(doc: Document, bytes: Uint8Array): Uint8Array {
    const { coll, list } = this;
    this.open = true;
    const idKey = idKeyOf(doc._id);
    const keys: IndexKey[][] = new Array(list.length);
    const memo = new KeyMemo(doc);
    for (let i = 0; i < list.length; i++) keys[i] = list[i].keysFor(doc, idKey, memo);
    if (coll.docs.has(idKey)) {
      const idIndex = coll.indexes.get(ID_INDEX)!;
      throw duplicateKeyError(coll.ns, idIndex.spec, idIndex.fields, [doc._id]);
    }
    for (let i = 0; i < list.length; i++) {
      const taken = this.taken[i];
      if (!taken) continue;
      list[i].checkUnique(keys[i], doc);
      list[i].checkPending(keys[i], doc, taken);
    }
    for (let i = 0; i < list.length; i++) {
      const mine = keys[i];
      const pending = this.pending[i];
      for (let j = 0; j < mine.length; j++) pending.push(mine[j]);
      const taken = this.taken[i];
      if (taken) for (const k of mine) taken.add(entryTuple(k));
    }
    coll.docs.set(idKey, bytes);
    coll.docs.compact();
    return coll.docs.storedOf(idKey);
  }

  newDictionary(): PackDict | undefined {
    return this.coll.newDictionary();
  }

  /** Adds the batch's entries to the indexes; the batch is empty again. */
  finish(): void {
    for (let i = 0; i < this.list.length; i++) {
      const keys = this.pending[i];
      if (!keys.length) continue;
      // A sort copies its list first, even of one entry: most indexes get one from a one-document insert.
      if (keys.length > 1) keys.sort();
      this.list[i].addSorted(keys);
      keys.length = 0;
      this.taken[i]?.clear();
    }
    this.open = false;
  }
}

/** The top-level fields an index reads (its key paths, its partial filter's fields); null: any. */
function indexReads(ix: OrderedIndex): Set<string> | null {
  const names = topLevelOf(
    ix.fields.map((f) => f.path),
    new Set(['_id']),
  );
  if (!ix.spec.partialFilterExpression) return names;
  const partial = filterFields(ix.spec.partialFilterExpression);
  if (partial === null) return null;
  for (const f of partial) names.add(f);
  return names;
}

function readsAny(reads: ReadonlySet<string>, touched: ReadonlySet<string>): boolean {
  for (const f of touched) if (reads.has(f)) return true;
  return false;
}

function sameKeys(a: IndexKey[], b: IndexKey[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
