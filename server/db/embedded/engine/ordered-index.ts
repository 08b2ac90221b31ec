/**
 * One ordered index: a sorted set of order-preserving string keys (key-string.ts), one per (key values, _id)
 * entry, kept packed outside the JS heap (packed-keys.ts), so lookups and range scans cost O(log n + k) and the
 * garbage collector never walks the entries. It enforces uniqueness, sparseness and
 * partial filters, and remembers which of its fields ever held an array (the planner must not intersect
 * ranges on those fields or trust them for sorting).
 */
import type { Document } from 'bson';
import { docKeys, duplicateKeyError, parseKeyPattern, type IndexSpec, type KeyField } from './index-keys.ts';
import { encodeEntry, encodeTuple, entryIdKey, entryTuple } from './key-string.ts';
import { topLevelOf } from './bson-raw.ts';
import { filterFields } from './filter-fields.ts';
import { compileFilter, type Predicate } from './matcher.ts';
import { PackedKeys } from './packed-keys.ts';

/** An index entry: the encoded key values followed by the encoded _id (see key-string.ts). */
export type IndexKey = string;

export class OrderedIndex {
  readonly fields: KeyField[];
  readonly dirs: (1 | -1)[];
  /** The entries, in order. Scans re-seek at every chunk, so nothing holds an iterator across a write. */
  readonly entries = new PackedKeys();
  readonly partial: Predicate | undefined;
  multikey = false;
  /**
   * Per key field: has any document held an array along its path (MongoDB's multikeyPaths)? Only those fields
   * make the planner cautious; the others still intersect ranges and deliver sorts. Recomputed from the
   * documents whenever the index is rebuilt (clear, then keysFor).
   */
  readonly multikeyFields: boolean[];
  /**
   * Unique indexes other than `_id_` (the collection's document store answers that one) answer an equality on
   * every field (findOne by a unique key) and the unique check from the entries that start with the key value,
   * found by one binary search. (A hash of the key values used to answer these in one lookup; at 1,000,000
   * issues it cost about 160 MB of heap and 3 s of every start, for a microsecond per lookup.)
   */
  readonly points: boolean;
  /** The top-level fields its entries depend on (key paths, partial filter); null when that is unknown. */
  readonly reads: ReadonlySet<string> | null;

  constructor(
    readonly ns: string,
    readonly spec: IndexSpec,
  ) {
    this.fields = parseKeyPattern(spec.key);
    this.dirs = this.fields.map((f) => f.dir);
    this.multikeyFields = this.fields.map(() => false);
    this.points = Boolean(spec.unique) && spec.name !== '_id_';
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
    this.reads = readsOf(this.fields, spec.partialFilterExpression);
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return Boolean(this.spec.unique) || this.spec.name === '_id_';
  }

  /** The key value tuples `doc` contributes (empty when sparse/partial exclude it). */
  tuplesFor(doc: Document): unknown[][] {
    if (this.partial && !this.partial(doc)) return [];
    const k = docKeys(doc, this.fields);
    if (this.spec.sparse && k.allMissing) return [];
    if (k.multikey) {
      this.multikey = true;
      if (k.multiField >= 0) this.multikeyFields[k.multiField] = true;
    }
    return k.tuples;
  }

  /** The entries of `doc`, whose document-store key is `idKey`. */
  keysFor(doc: Document, idKey: string): IndexKey[] {
    const tuples = this.tuplesFor(doc);
    const out: IndexKey[] = new Array(tuples.length);
    for (let i = 0; i < tuples.length; i++) out[i] = encodeEntry(tuples[i], this.dirs, idKey);
    return out;
  }

  /**
   * Throws E11000 if any of `keys` collides with an entry of another document. `doc` is only read to word
   * the error.
   */
  checkUnique(keys: IndexKey[], doc: Document): void {
    if (!this.points) return;
    for (const key of keys) {
      const mine = entryIdKey(key);
      for (const other of this.entriesOf(entryTuple(key))) {
        if (entryIdKey(other) !== mine) throw this.duplicate(key, doc);
      }
    }
  }

  /**
   * `checkUnique` against the entries not added yet of a batch's earlier documents: `taken` holds their key
   * values (`entryTuple`), which a unique index allows once.
   */
  checkPending(keys: IndexKey[], doc: Document, taken: ReadonlySet<string>): void {
    for (const key of keys) if (taken.has(entryTuple(key))) throw this.duplicate(key, doc);
  }

  private duplicate(key: IndexKey, doc: Document) {
    const wanted = entryTuple(key);
    const tuple = this.tuplesFor(doc).find((t) => encodeTuple(t, this.dirs) === wanted) ?? [];
    return duplicateKeyError(this.ns, this.spec, this.fields, tuple);
  }

  /** The entries whose key values encode to `tuple`, for unique indexes (undefined for the others). */
  pointEntries(tuple: string): readonly IndexKey[] | undefined {
    return this.points ? this.entriesOf(tuple) : undefined;
  }

  /**
   * The entries whose key values encode to `tuple`: they sort together, right after `tuple` itself (every
   * entry is its tuple followed by the _id's encoding). Normally one; several only while recovery replays
   * without unique checks.
   */
  private entriesOf(tuple: string): IndexKey[] {
    const out: IndexKey[] = [];
    for (const k of this.entries.keysFrom(tuple)) {
      if (!k.startsWith(tuple)) break;
      if (entryTuple(k) === tuple) out.push(k);
    }
    return out;
  }

  /** Adds entries the index does not hold: a new document's, or the new ones of an updated document. */
  add(keys: IndexKey[]): void {
    for (const k of keys) this.entries.insertNew(k);
  }

  /** `add` for the entries of many new documents, strictly ascending. */
  addSorted(keys: readonly IndexKey[]): void {
    this.entries.insertNewSorted(keys);
  }

  remove(keys: IndexKey[]): void {
    for (const k of keys) this.entries.delete(k);
  }

  /** Replaces every entry by `keys`, which must be strictly ascending. */
  loadSorted(keys: Iterable<IndexKey>): void {
    this.entries.loadSorted(keys);
  }

  clear(): void {
    this.entries.clear();
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

function readsOf(fields: KeyField[], partial: Document | undefined): Set<string> | null {
  const names = topLevelOf(
    fields.map((f) => f.path),
    new Set(['_id']),
  );
  if (!partial) return names;
  const more = filterFields(partial);
  if (more === null) return null;
  for (const f of more) names.add(f);
  return names;
}
