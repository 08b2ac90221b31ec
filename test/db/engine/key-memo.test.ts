// Every index's entries come from one KeyMemo per document (each path walked and encoded once, each distinct
// partial filter tested once). They must be exactly the entries a plain reference computes for each index
// alone, the way MongoDB defines them: walk each key path (paths.ts), expand arrays, deduplicate equal values,
// refuse parallel arrays, take the cross product and encode each tuple. Hand-picked documents against the
// issues' kinds of indexes, then random documents against random index specs.
import { expect } from 'chai';
import { Decimal128, Double, Int32, Long, ObjectId, type Document } from 'bson';
import { encodeDoc } from '../../../server/db/embedded/engine/bson-raw.ts';
import { Collection, idKeyOf } from '../../../server/db/embedded/engine/collection.ts';
import { valueKey } from '../../../server/db/embedded/engine/compare.ts';
import { KeyMemo } from '../../../server/db/embedded/engine/index-keys.ts';
import { encodeEntry, type Dir } from '../../../server/db/embedded/engine/key-string.ts';
import { compileFilter } from '../../../server/db/embedded/engine/matcher.ts';
import { OrderedIndex } from '../../../server/db/embedded/engine/ordered-index.ts';
import { leafValues } from '../../../server/db/embedded/engine/paths.ts';
import { isPlainObject } from '../../../server/db/embedded/engine/values.ts';

type Spec = { key: Document; partialFilterExpression?: Document; sparse?: boolean };

/** The entries of `doc` for `spec`, and which key field was multikey (-1: none); throws for parallel arrays. */
function reference(doc: Document, spec: Spec, idKey: string): { entries: string[]; multiField: number } {
  const none = { entries: [], multiField: -1 };
  if (spec.partialFilterExpression && !compileFilter(spec.partialFilterExpression)(doc)) return none;
  const paths = Object.keys(spec.key);
  const dirs = paths.map((p) => (spec.key[p] > 0 ? 1 : -1) as Dir);
  let tuples: unknown[][] = [[]];
  let multiField = -1;
  let allMissing = true;
  paths.forEach((path, i) => {
    const leaves = leafValues(doc, path);
    if (leaves.some((v) => v !== undefined)) allMissing = false;
    const values = leaves.flatMap((v) =>
      (Array.isArray(v) ? (v.length ? v : [null]) : [v]).map((e) => e ?? null),
    );
    if (leaves.length > 1 || leaves.some(Array.isArray)) {
      if (multiField >= 0) throw new Error(`cannot index parallel arrays [${path}] [${paths[multiField]}]`);
      multiField = i;
    }
    const distinct = values.filter((v, j) => values.findIndex((w) => valueKey(w) === valueKey(v)) === j);
    tuples = tuples.flatMap((t) => distinct.map((v) => [...t, v]));
  });
  if (spec.sparse && allMissing) return none;
  return { entries: tuples.map((t) => encodeEntry(t, dirs, idKey)), multiField };
}

/** The entries, or the message of the error thrown. */
function attempt(keys: () => string[]): string[] | string {
  try {
    return keys();
  } catch (e) {
    return (e as Error).message;
  }
}

/** Every document against every spec, one memo per document shared by all specs, as the collection does. */
function expectSameAsReference(specs: readonly Spec[], docs: readonly Document[]) {
  const indexes = specs.map((s, i) => new OrderedIndex('db.c', { v: 2, name: `ix${i}`, ...s }));
  const multikey = specs.map((s) => Object.keys(s.key).map(() => false));
  const seen = { entries: 0, skipped: 0, refused: 0 };
  docs.forEach((doc, i) => {
    const idKey = idKeyOf(doc._id);
    const memo = new KeyMemo(doc);
    specs.forEach((spec, j) => {
      let multiField = -1;
      const expected = attempt(() => {
        const r = reference(doc, spec, idKey);
        multiField = r.multiField;
        return r.entries;
      });
      const actual = attempt(() => indexes[j].keysFor(doc, idKey, memo));
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        expect(actual, `doc ${i} ${JSON.stringify(doc)} index ${JSON.stringify(spec)}`).to.deep.equal(
          expected,
        );
      }
      if (typeof expected === 'string') seen.refused++;
      else if (expected.length === 0) seen.skipped++;
      else seen.entries += expected.length;
      if (multiField >= 0) multikey[j][multiField] = true;
    });
  });
  indexes.forEach((ix, j) => {
    expect(ix.multikeyFields, JSON.stringify(specs[j])).to.deep.equal(multikey[j]);
    expect(ix.multikey).to.equal(multikey[j].includes(true));
  });
  return seen;
}

const OPEN = { state: { $in: ['dispatched', 'in_progress'] } };
const SPECS: Spec[] = [
  { key: { _id: 1 } },
  { key: { state: 1 } },
  { key: { state: -1, createdAt: -1 } },
  { key: { unitId: 1, state: 1, createdAt: -1 } },
  { key: { createdAt: -1 }, partialFilterExpression: OPEN },
  { key: { unitId: 1, dueAt: 1 }, partialFilterExpression: OPEN },
  { key: { dueAt: -1 }, partialFilterExpression: { state: { $in: ['dispatched', 'in_progress'] } } },
  { key: { dueAt: 1 }, partialFilterExpression: { dueAt: { $gt: new Date(1000) } } },
  { key: { dueAt: 1, n: -1 }, partialFilterExpression: { dueAt: { $gt: '1970-01-01T00:00:01.000Z' } } },
  { key: { warning: 1 }, sparse: true },
  { key: { warning: -1, n: 1 }, sparse: true },
  { key: { tags: 1, createdAt: -1 } },
  { key: { 'contact.phone': 1, state: 1 } },
  { key: { 'contact.phone': -1 }, partialFilterExpression: { 'contact.phone': { $exists: true } } },
  { key: { 'sources.contact.phone': 1, updatedAt: -1 }, sparse: true },
  { key: { n: 1, text: -1 } },
];

const values = [
  undefined,
  null,
  'dispatched',
  'in_progress',
  'closed',
  '',
  '问题\u0000\u0001\uffff',
  new Date(0),
  new Date(1_700_000_000_000),
  new ObjectId('65a0000000000000000000aa'),
  3,
  -2.5,
  new Int32(3),
  new Long(3),
  new Double(-0),
  Decimal128.fromString('3.0'),
  true,
  { a: 1, b: 'x' },
  [],
  ['a', 'b', 'a'],
  [1, [2], null],
];

function docOf(i: number): Document {
  const doc: Document = { _id: i % 4 === 0 ? new ObjectId() : i };
  const pick = (salt: number) => values[(i * 5 + salt * 13) % values.length];
  for (const [salt, f] of ['state', 'createdAt', 'unitId', 'dueAt', 'warning', 'n', 'text'].entries()) {
    const v = pick(salt);
    if (v !== undefined) doc[f] = v;
  }
  if (i % 3 === 0) doc.state = ['dispatched', 'in_progress', 'closed'][i % 9 === 0 ? 0 : 2];
  if (i % 5 !== 0) doc.tags = [['x', 'y', 'x'], 'x', []][i % 3];
  if (i % 4 === 1) doc.contact = { phone: pick(9) };
  else if (i % 4 === 2) doc.contact = [{ phone: '1' }, { phone: '2' }, { phone: '1' }, {}];
  if (i % 6 === 1) doc.sources = [{ contact: { phone: pick(2) } }, { contact: [{ phone: '9' }] }, {}];
  else if (i % 6 === 4) doc.sources = [{}, { contact: {} }];
  return doc;
}

/** A small deterministic generator (mulberry32), so a failure names a reproducible document. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('KeyMemo', () => {
  it("gives the issues' kinds of indexes, sharing one memo, exactly the reference's entries and multikey fields", () => {
    const docs = Array.from({ length: 400 }, (_, i) => docOf(i));
    const seen = expectSameAsReference(SPECS, docs);
    // The documents reach both sides of the partial and sparse tests, and parallel arrays.
    expect(seen.skipped).to.be.greaterThan(100);
    expect(seen.entries).to.be.greaterThan(4000);
    expect(seen.refused).to.be.greaterThan(10);
  });

  it('gives random index specs over random nested documents exactly the reference entries', () => {
    const next = random(20261207);
    const int = (n: number) => Math.floor(next() * n);
    const oneOf = <T>(xs: readonly T[]): T => xs[int(xs.length)];
    const names = ['a', 'b', 'c'];
    const scalars = values.filter((v) => !Array.isArray(v) && !isPlainObject(v)).concat([1, 'x', 'x']);
    const valueOf = (depth: number): unknown => {
      const r = next();
      if (depth === 0 || r < 0.45) return oneOf(scalars);
      if (r < 0.7) {
        const o: Document = {};
        for (const n of names) if (next() < 0.5) o[n] = valueOf(depth - 1);
        return o;
      }
      return Array.from({ length: int(4) }, () => valueOf(depth - 1));
    };
    const paths = ['a', 'b', 'c', 'a.b', 'a.c', 'b.a', 'a.b.c', 'a.0', 'a.0.b', 'b.1', 'c.a.b'];
    const filters = [{ a: { $exists: true } }, { 'a.b': 'x' }, { c: { $gt: 0 } }];
    const seen = { entries: 0, skipped: 0, refused: 0 };
    for (let round = 0; round < 40; round++) {
      const specs = Array.from({ length: 8 }, (): Spec => {
        const key: Document = {};
        for (let n = 1 + int(3); n > 0; n--) key[oneOf(paths)] = next() < 0.5 ? 1 : -1;
        const spec: Spec = { key };
        if (next() < 0.25) spec.sparse = true;
        if (next() < 0.2) spec.partialFilterExpression = oneOf(filters);
        return spec;
      });
      const docs = Array.from({ length: 60 }, (_, i) => {
        const doc: Document = { _id: i };
        for (const n of names) if (next() < 0.8) doc[n] = valueOf(3);
        return doc;
      });
      const r = expectSameAsReference(specs, docs);
      seen.entries += r.entries;
      seen.skipped += r.skipped;
      seen.refused += r.refused;
    }
    expect(seen.entries).to.be.greaterThan(10_000);
    expect(seen.skipped).to.be.greaterThan(1000);
    expect(seen.refused).to.be.greaterThan(100);
  });

  it('names the key values of the colliding element of a dotted multikey unique index', () => {
    const c = new Collection('db.c');
    c.createIndex({ v: 2, key: { 'tags.k': 1, n: -1 }, name: 'tags', unique: true });
    c.insert({ _id: 1, tags: [{ k: 'x' }, { k: 'y' }], n: 2 });
    expect(() => c.insert({ _id: 2, tags: [{ k: 'z' }, { k: 'y' }, { k: 'z' }], n: 2 })).to.throw(
      'E11000 duplicate key error collection: db.c index: tags dup key: { tags.k: "y", n: 2 }',
    );
    const batch = c.insertBatch();
    const third = { _id: 3, tags: [{ k: 'w' }, {}], n: 1 };
    batch.insert(third, encodeDoc(third));
    const fourth = { _id: 4, tags: { k: null }, n: 1 };
    expect(() => batch.insert(fourth, encodeDoc(fourth))).to.throw('dup key: { tags.k: null, n: 1 }');
  });
});
