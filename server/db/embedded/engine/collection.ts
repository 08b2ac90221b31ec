/**
 * One collection: its documents (insertion-ordered map keyed by the canonical _id) and its indexes. Every
 * mutation validates every index first and only then touches anything, so a failed write (say, E11000 on
 * the third index) leaves no trace, and a reader never sees a document whose index entries are half-updated.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError } from '../errors.ts';
import { valueKey } from './compare.ts';
import { defaultIndexName, type IndexSpec } from './index-keys.ts';
import { OrderedIndex, type IndexKey } from './ordered-index.ts';

export const ID_INDEX = '_id_';

export class Collection {
  readonly docs = new Map<string, Document>();
  readonly indexes = new Map<string, OrderedIndex>();
  /** Set once the collection leaves the catalog (drop, rename): open cursors on it end. */
  dropped = false;

  constructor(
    public ns: string,
    readonly options: Document = {},
  ) {
    this.indexes.set(ID_INDEX, new OrderedIndex(ns, { v: 2, key: { _id: 1 }, name: ID_INDEX }));
  }

  get size(): number {
    return this.docs.size;
  }

  get(id: unknown): Document | undefined {
    return this.docs.get(valueKey(id));
  }

  /** The key tuples of `doc` for each index, in the order of `indexes` (plain arrays: this runs per write). */
  private keysByIndex(doc: Document): { list: OrderedIndex[]; keys: IndexKey[][] } {
    const list: OrderedIndex[] = [];
    const keys: IndexKey[][] = [];
    for (const ix of this.indexes.values()) {
      list.push(ix);
      keys.push(ix.keysFor(doc));
    }
    return { list, keys };
  }

  /** Inserts a new document; throws E11000 (without side effects) if its _id or a unique key is taken. */
  insert(doc: Document, checkUnique = true): void {
    const idKey = valueKey(doc._id);
    const { list, keys } = this.keysByIndex(doc);
    if (checkUnique) {
      for (let i = 0; i < list.length; i++) {
        // `docs` is keyed by the _id's valueKey, equal exactly when the _id_ index would find a collision, so
        // the tree is searched (to build the E11000 error) only when there is one.
        if (list[i].name === ID_INDEX && !this.docs.has(idKey)) continue;
        list[i].checkUnique(keys[i], undefined);
      }
    }
    for (let i = 0; i < list.length; i++) list[i].add(keys[i]);
    this.docs.set(idKey, doc);
  }

  /** Replaces the stored document with the same _id by `next`, all or nothing. */
  replace(prev: Document, next: Document, checkUnique = true): void {
    const old = this.keysByIndex(prev);
    const { list, keys } = this.keysByIndex(next);
    if (checkUnique) for (let i = 0; i < list.length; i++) list[i].checkUnique(keys[i], next._id);
    for (let i = 0; i < old.list.length; i++) old.list[i].remove(old.keys[i]);
    for (let i = 0; i < list.length; i++) list[i].add(keys[i]);
    this.docs.set(valueKey(next._id), next);
  }

  remove(id: unknown): Document | undefined {
    const key = valueKey(id);
    const doc = this.docs.get(key);
    if (!doc) return undefined;
    const { list, keys } = this.keysByIndex(doc);
    for (let i = 0; i < list.length; i++) list[i].remove(keys[i]);
    this.docs.delete(key);
    return doc;
  }

  /** Writes `doc` whatever is there, skipping unique checks (recovery from a fuzzy snapshot). */
  put(doc: Document): void {
    const prev = this.get(doc._id);
    if (prev) this.replace(prev, doc, false);
    else this.insert(doc, false);
  }

  /**
   * Builds a new index over the existing documents. Returns false when an identical index already exists;
   * throws 85/86 when the name or key pattern is taken with different options, E11000 when unique fails.
   */
  createIndex(spec: IndexSpec, checkUnique = true): boolean {
    const name = spec.name ?? defaultIndexName(spec.key);
    const full: IndexSpec = { ...spec, name };
    const existing = this.indexes.get(name);
    if (existing) {
      if (existing.sameDefinition(full)) return false;
      const sameKey = JSON.stringify(existing.spec.key) === JSON.stringify(full.key);
      throw new MongoError(
        sameKey ? ErrorCodes.IndexOptionsConflict : ErrorCodes.IndexKeySpecsConflict,
        `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(full)}, existing index: ${JSON.stringify(existing.spec)}`,
      );
    }
    for (const ix of this.indexes.values()) {
      if (JSON.stringify(ix.spec.key) !== JSON.stringify(full.key)) continue;
      if (ix.sameDefinition(full)) return false;
      throw new MongoError(
        ErrorCodes.IndexOptionsConflict,
        `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(full)}, existing index: ${JSON.stringify(ix.spec)}`,
      );
    }
    const ix = new OrderedIndex(this.ns, full);
    for (const doc of this.docs.values()) {
      const keys = ix.keysFor(doc);
      if (checkUnique) ix.checkUnique(keys, undefined);
      ix.add(keys);
    }
    this.indexes.set(name, ix);
    return true;
  }

  dropIndex(name: string): void {
    if (name === ID_INDEX) throw new MongoError(ErrorCodes.InvalidOptions, 'cannot drop _id index');
    if (!this.indexes.delete(name)) {
      throw new MongoError(ErrorCodes.IndexNotFound, `index not found with name [${name}]`);
    }
  }

  /** Renames the namespace (indexes keep their trees; only error messages use the ns). */
  rename(ns: string): Collection {
    const c = new Collection(ns, this.options);
    c.indexes.clear();
    for (const [name, ix] of this.indexes) {
      const copy = new OrderedIndex(ns, ix.spec);
      for (const doc of this.docs.values()) copy.add(copy.keysFor(doc));
      c.indexes.set(name, copy);
    }
    for (const [k, d] of this.docs) c.docs.set(k, d);
    return c;
  }
}
