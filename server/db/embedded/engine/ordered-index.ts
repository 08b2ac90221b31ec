/**
 * One ordered index: a sorted set of order-preserving string keys (key-string.ts), one per (key values, _id)
 * entry, kept packed outside the JS heap (packed-keys.ts), so lookups and range scans cost O(log n + k) and the
 * garbage collector never walks the entries. It enforces uniqueness, sparseness and
 * partial filters, and remembers which of its fields ever held an array (the planner must not intersect
 * ranges on those fields or trust them for sorting).
 */
import { EJSON, type Document } from 'bson';
import { docKeys, duplicateKeyError, parseKeyPattern, type IndexSpec, type KeyField } from './index-keys.ts';
import { encodeEntry, encodeTuple, encodeValue, entryIdKey, entryOfKeys, entryTuple } from './key-string.ts';
import { topLevelOf } from './bson-raw.ts';
import { filterFields } from './filter-fields.ts';
import { compileFilter, type Predicate } from './matcher.ts';
import { PackedKeys } from './packed-keys.ts';

/** An index entry: the encoded key values followed by the encoded _id (see key-string.ts). */
export type IndexKey = string;

/**
 * What one document's entries for several indexes share: each top-level field's encoded value per direction
 * and each distinct partial filter's verdict, computed once. The issues' 44 indexes read `createdAt`, `state`,
 * `unitId` … many times over, and 23 of them test a handful of filters.
 */
export class KeyMemo {
  private readonly filters = new Map<string, boolean>();
  private readonly asc = new Map<string, string>();
  private readonly desc = new Map<string, string>();
  private readonly ascLists = new Map<string, string[]>();
  private readonly descLists = new Map<string, string[]>();

  constructor(readonly doc: Document) {}

  passes(filter: string, test: Predicate): boolean {
    let ok = this.filters.get(filter);
    if (ok === undefined) this.filters.set(filter, (ok = test(this.doc)));
    return ok;
  }

  /** The key of top-level field `path` holding `v` (not an array; undefined for missing) in direction `dir`. */
  field(path: string, dir: 1 | -1, v: unknown): string {
    const seen = dir === 1 ? this.asc : this.desc;
    let k = seen.get(path);
    if (k === undefined) seen.set(path, (k = encodeValue(v === undefined ? null : v, dir)));
    return k;
  }

  /**
   * The distinct keys of the elements of the array `a` at top-level field `path`, first occurrences in order
   * (equal keys are exactly compareValues-equal values, which docKeys keeps once); null for an empty array.
   */
  elements(path: string, dir: 1 | -1, a: unknown[]): readonly string[] {
    const seen = dir === 1 ? this.ascLists : this.descLists;
    let keys = seen.get(path);
    if (keys === undefined) {
      const distinct = new Set<string>();
      for (const v of a) distinct.add(encodeValue(v === undefined ? null : v, dir));
      if (a.length === 0) distinct.add(encodeValue(null, dir));
      seen.set(path, (keys = [...distinct]));
    }
    return keys;
  }
}

/** The fields' keys of one entry being assembled (keysFor is never re-entrant). */
const parts: string[] = [];

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
  /** The partial filter in canonical extended JSON: indexes with equal filters share a KeyMemo verdict. */
  private readonly filterKey: string;
  /** Every key path is a top-level field, so a document without arrays there has one entry. */
  private readonly topLevel: boolean;

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
    this.filterKey = spec.partialFilterExpression
      ? EJSON.stringify(spec.partialFilterExpression, { relaxed: false })
      : '';
    this.topLevel = this.fields.every((f) => !f.path.includes('.'));
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

  /**
   * The entries of `doc`, whose document-store key is `idKey`. With `memo` (of this `doc`), field values and
   * partial filters other indexes already encoded or tested are reused; the entries are the same.
   */
  keysFor(doc: Document, idKey: string, memo?: KeyMemo): IndexKey[] {
    if (memo && this.topLevel) {
      const one = this.memoKeys(memo, idKey);
      if (one !== undefined) return one;
    }
    const tuples = this.tuplesFor(doc);
    const out: IndexKey[] = new Array(tuples.length);
    for (let i = 0; i < tuples.length; i++) out[i] = encodeEntry(tuples[i], this.dirs, idKey);
    return out;
  }

  /**
   * `keysFor` through `memo` when the key fields are top-level and at most one holds an array (then one entry
   * per distinct element, in the order of their first occurrence, as docKeys gives them); undefined otherwise
   * (parallel arrays: the caller walks them and throws).
   */
  private memoKeys(memo: KeyMemo, idKey: string): IndexKey[] | undefined {
    if (this.partial && !memo.passes(this.filterKey, this.partial)) return [];
    const { doc } = memo;
    const { fields } = this;
    let allMissing = true;
    let arrayAt = -1;
    for (let i = 0; i < fields.length; i++) {
      const path = fields[i].path;
      const v = Object.prototype.hasOwnProperty.call(doc, path) ? doc[path] : undefined;
      if (v !== undefined) allMissing = false;
      if (!Array.isArray(v)) parts[i] = memo.field(path, fields[i].dir, v);
      else if (arrayAt >= 0) return undefined;
      else arrayAt = i;
    }
    if (this.spec.sparse && allMissing) return [];
    if (arrayAt < 0) return [entryOfKeys(parts, fields.length, idKey)];
    this.multikey = true;
    this.multikeyFields[arrayAt] = true;
    const elements = memo.elements(fields[arrayAt].path, fields[arrayAt].dir, doc[fields[arrayAt].path]);
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
