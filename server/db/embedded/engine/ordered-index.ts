/**
 * One ordered index: a B+tree of `[...keyValues, _id]` tuples, so lookups and range scans cost O(log n + k).
 * It enforces uniqueness, sparseness and partial filters, and remembers which of its fields ever held an array
 * (the planner must not intersect ranges on those fields or trust them for sorting).
 */
import * as btree from 'sorted-btree';
import * as bulk from 'sorted-btree/extended/bulkLoad.js';
import type { Document } from 'bson';
import { compareValues, valueKey } from './compare.ts';
import { docKeys, duplicateKeyError, parseKeyPattern, type IndexSpec, type KeyField } from './index-keys.ts';
import { compileFilter, type Predicate } from './matcher.ts';
import { BracketBound } from './values.ts';

export type IndexKey = unknown[];

/** Sorts below / above every value; used as the `_id` component of range bounds. */
export const LOWEST = new BracketBound(0, false);
export const HIGHEST = new BracketBound(99, true);

type BTree<_K, _V> = InstanceType<typeof btree.default.default>;
// sorted-btree is CommonJS: under Node's ESM loader the class sits on `.default` of the default export.
const BTreeCtor = ((btree as any).default?.default ?? (btree as any).default) as new <K, V>(
  entries: undefined,
  compare: (a: K, b: K) => number,
) => BTree<K, V>;
const bulkLoadTree = ((bulk as any).bulkLoad ?? (bulk as any).default?.bulkLoad) as <K, V>(
  keys: K[],
  values: V[],
  maxNodeSize: number,
  compare: (a: K, b: K) => number,
) => BTree<K, V>;

export class OrderedIndex {
  readonly fields: KeyField[];
  /** Replaced wholesale only by `loadSorted` (recovery's bulk build); scans re-read it at every chunk. */
  tree: BTree<IndexKey, true>;
  readonly partial: Predicate | undefined;
  /** Tree order: key fields by their direction, then _id. */
  readonly compareKeys: (a: IndexKey, b: IndexKey) => number;
  multikey = false;
  /**
   * Per key field: has any document held an array along its path (MongoDB's multikeyPaths)? Only those fields
   * make the planner cautious; the others still intersect ranges and deliver sorts. Recomputed from the
   * documents whenever the index is rebuilt (clear, then keysFor).
   */
  readonly multikeyFields: boolean[];
  /**
   * Unique indexes other than `_id_` (the collection's document map answers that one) also hash every entry
   * by its key values, so an equality on all fields (findOne by a unique key) and the unique check cost one
   * lookup instead of a tree descent, which at 10^5 keys is dominated by cache misses. It holds exactly the
   * tree's entries: normally one per key, more only while recovery replays without unique checks.
   */
  readonly points: Map<string, IndexKey[]> | undefined;

  constructor(
    readonly ns: string,
    readonly spec: IndexSpec,
  ) {
    this.fields = parseKeyPattern(spec.key);
    this.multikeyFields = this.fields.map(() => false);
    const dirs = this.fields.map((f) => f.dir);
    const n = dirs.length;
    this.compareKeys = (a, b) => {
      for (let i = 0; i < n; i++) {
        const c = compareValues(a[i], b[i]);
        if (c) return c * dirs[i];
      }
      return compareValues(a[n], b[n]);
    };
    this.tree = new BTreeCtor<IndexKey, true>(undefined, this.compareKeys);
    this.points = spec.unique && spec.name !== '_id_' ? new Map() : undefined;
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return Boolean(this.spec.unique) || this.spec.name === '_id_';
  }

  /** Key tuples `doc` contributes, with its _id appended; empty when sparse/partial exclude it. */
  keysFor(doc: Document): IndexKey[] {
    if (this.partial && !this.partial(doc)) return [];
    const k = docKeys(doc, this.fields);
    if (this.spec.sparse && k.allMissing) return [];
    if (k.multikey) {
      this.multikey = true;
      if (k.multiField >= 0) this.multikeyFields[k.multiField] = true;
    }
    for (const t of k.tuples) t.push(doc._id);
    return k.tuples;
  }

  /**
   * Throws E11000 if any of `keys` collides with an existing entry. `selfId` is the _id of the document
   * being replaced (its own old entries are not collisions); undefined for an insert.
   */
  checkUnique(keys: IndexKey[], selfId: unknown): void {
    if (!this.unique) return;
    const n = this.fields.length;
    if (this.points) {
      for (const key of keys) {
        for (const other of this.points.get(this.pointKey(key)) ?? []) {
          if (selfId === undefined || compareValues(other[n], selfId) !== 0)
            throw duplicateKeyError(this.ns, this.spec, this.fields, key);
        }
      }
      return;
    }
    for (const key of keys) {
      const probe = [...key.slice(0, n), LOWEST];
      const found = this.tree.getPairOrNextHigher(probe);
      for (let pair = found; pair; pair = this.tree.nextHigherPair(pair[0])) {
        const other = pair[0] as IndexKey;
        let same = true;
        for (let i = 0; i < n && same; i++) same = compareValues(other[i], key[i]) === 0;
        if (!same) break;
        if (selfId === undefined || compareValues(other[n], selfId) !== 0)
          throw duplicateKeyError(this.ns, this.spec, this.fields, key);
      }
    }
  }

  /** The hash of a key's values (without the _id): equal exactly when every field compares equal. */
  pointKey(key: IndexKey): string {
    const n = this.fields.length;
    return n === 1 ? valueKey(key[0]) : valueKey(key.slice(0, n));
  }

  /** The entries whose key values equal `key`'s, for unique indexes (undefined for the others). */
  pointEntries(key: IndexKey): readonly IndexKey[] | undefined {
    return this.points ? (this.points.get(this.pointKey(key)) ?? []) : undefined;
  }

  add(keys: IndexKey[]): void {
    for (const k of keys) {
      this.tree.set(k, true);
      if (this.points) this.addPoint(k);
    }
  }

  remove(keys: IndexKey[]): void {
    for (const k of keys) {
      this.tree.delete(k);
      if (this.points) this.removePoint(k);
    }
  }

  /** Mirrors `tree.set`: an entry equal to `k` (same values and _id) is replaced, not duplicated. */
  private addPoint(k: IndexKey): void {
    const n = this.fields.length;
    const pk = this.pointKey(k);
    const list = this.points!.get(pk);
    if (!list) {
      this.points!.set(pk, [k]);
      return;
    }
    const at = list.findIndex((other) => compareValues(other[n], k[n]) === 0);
    if (at >= 0) list[at] = k;
    else list.push(k);
  }

  private removePoint(k: IndexKey): void {
    const n = this.fields.length;
    const pk = this.pointKey(k);
    const list = this.points!.get(pk);
    if (!list) return;
    const at = list.findIndex((other) => compareValues(other[n], k[n]) === 0);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.points!.delete(pk);
  }

  /** Replaces every entry by `keys`, which must be strictly ascending by `compareKeys`. */
  loadSorted(keys: IndexKey[]): void {
    const values = new Array<true>(keys.length).fill(true);
    this.tree = bulkLoadTree(keys, values, this.tree.maxNodeSize, this.compareKeys);
    this.points?.clear();
    if (this.points) for (const k of keys) this.addPoint(k);
  }

  clear(): void {
    this.tree.clear();
    this.points?.clear();
    this.multikey = false;
    this.multikeyFields.fill(false);
  }

  /** Does this index have the same definition (key and semantic options) as `spec`? */
  sameDefinition(spec: IndexSpec): boolean {
    const norm = (s: IndexSpec) =>
      JSON.stringify([
        s.key && Object.entries(s.key).map(([k, v]) => [k, Number(v)]),
        Boolean(s.unique),
        Boolean(s.sparse),
        s.partialFilterExpression ?? null,
        s.expireAfterSeconds === undefined ? null : Number(s.expireAfterSeconds),
      ]);
    return norm(this.spec) === norm(spec);
  }
}
