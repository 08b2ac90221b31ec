/**
 * One ordered index: a sorted set of order-preserving string keys (key-string.ts), one per (key values, _id)
 * entry, kept packed outside the JS heap (packed-keys.ts), so lookups and range scans cost O(log n + k) and the
 * garbage collector never walks the entries. It enforces uniqueness, sparseness and
 * partial filters, and remembers which of its fields ever held an array (the planner must not intersect
 * ranges on those fields or trust them for sorting).
 */
import { EJSON, type Document } from 'bson';
import {
  duplicateKeyError,
  KeyMemo,
  parallelArrays,
  parseKeyPattern,
  type IndexSpec,
  type KeyField,
} from './index-keys.ts';
import { entryIdKey, entryOfKeys, entryTuple } from './key-string.ts';
import { topLevelOf } from './bson-raw.ts';
import { filterFields } from './filter-fields.ts';
import { compileFilter, type Predicate } from './matcher.ts';
import { PackedKeys } from './packed-keys.ts';

/** An index entry: the encoded key values followed by the encoded _id (see key-string.ts). */
export type IndexKey = string;

/** Per key field, its keys in the document being keyed, and one entry's keys (keysFor is never re-entrant). */
const lists: (readonly string[])[] = [];
const parts: string[] = [];

export class OrderedIndex {
  readonly fields: KeyField[];
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
  /** The partial filter in canonical extended JSON: indexes with equal filters share a KeyMemo verdict. */
  private readonly filterKey: string;

  constructor(
    readonly ns: string,
    readonly spec: IndexSpec,
  ) {
    this.fields = parseKeyPattern(spec.key);
    this.multikeyFields = this.fields.map(() => false);
    this.points = Boolean(spec.unique) && spec.name !== '_id_';
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
    this.reads = readsOf(this.fields, spec.partialFilterExpression);
    this.filterKey = spec.partialFilterExpression
      ? EJSON.stringify(spec.partialFilterExpression, { relaxed: false })
      : '';
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return Boolean(this.spec.unique) || this.spec.name === '_id_';
  }

  /**
   * The entries of `doc`, whose document-store key is `idKey`: none when the partial filter or sparseness
   * leaves it out, else one per distinct value of its (at most one) array field, in the order of their first
   * occurrence. With `memo` (of this `doc`), paths and partial filters other indexes already walked, encoded or
   * tested are reused. Throws 171 for parallel arrays.
   */
  keysFor(doc: Document, idKey: string, memo = new KeyMemo(doc)): IndexKey[] {
    if (this.partial && !memo.passes(this.filterKey, this.partial)) return [];
    const { fields } = this;
    let present = false;
    let arrayAt = -1;
    for (let i = 0; i < fields.length; i++) {
      const p = memo.path(fields[i].path);
      if (p.present) present = true;
      if (p.multi) {
        if (arrayAt >= 0) throw parallelArrays(fields[i].path, fields[arrayAt].path);
        arrayAt = i;
      }
      lists[i] = p.keys(fields[i].dir);
      parts[i] = lists[i][0];
    }
    if (this.spec.sparse && !present) return [];
    if (arrayAt < 0) return [entryOfKeys(parts, fields.length, idKey)];
    this.multikey = true;
    this.multikeyFields[arrayAt] = true;
    const elements = lists[arrayAt];
    const out: IndexKey[] = new Array(elements.length);
    for (let j = 0; j < elements.length; j++) {
      parts[arrayAt] = elements[j];
      out[j] = entryOfKeys(parts, fields.length, idKey);
    }
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

  /** E11000 for `key`, one of `doc`'s entries, naming the key values it holds. */
  private duplicate(key: IndexKey, doc: Document) {
    const memo = new KeyMemo(doc);
    const j = this.keysFor(doc, entryIdKey(key), memo).indexOf(key);
    // The entries follow the array field's values; every other field has one value.
    const tuple = this.fields.map(({ path }) => {
      const { values } = memo.path(path);
      return values.length > 1 ? values[j] : values[0];
    });
    return duplicateKeyError(this.ns, this.spec, this.fields, j < 0 ? [] : tuple);
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
