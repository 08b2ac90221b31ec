// An update whose filter names a plain `_id` value finds its document by the `_id` key alone, without the
// query planner (engine/writes.ts pointHits). It must do exactly what the general query does: checked by
// running every statement twice, once as it is and once hinted to `_id_` (a hint takes the general query),
// and comparing the replies, the errors, the documents and every index.
import { expect } from 'chai';
import { Double, Int32, Long, ObjectId, type Document } from 'bson';
import { pointHits } from '../../../server/db/embedded/engine/writes.ts';
import { harness, indexContents, plain } from './harness.ts';

const OID = new ObjectId('65a000000000000000000001');

async function seeded() {
  const h = harness();
  await h.run({
    createIndexes: 'c',
    indexes: [
      { key: { key: 1 }, name: 'key_1', unique: true },
      { key: { status: 1, at: 1 }, name: 'status_at' },
      { key: { tags: 1 }, name: 'tags_1' },
      { key: { 'who.name': 1 }, name: 'who_name' },
    ],
  });
  await h.run({
    insert: 'c',
    documents: [
      { _id: OID, key: 'k0', status: 'sending', at: 1, attempts: 0, claimId: 'c1', tags: ['a', 'b'] },
      { _id: 1, key: 'k1', status: 'sending', at: 2, who: { name: '张三' }, n: new Int32(1) },
      { _id: 'two', key: 'k2', status: 'sent', at: 3, list: [{ x: 1 }, { x: 2 }] },
      { _id: new Date('2026-01-01T00:00:00Z'), key: 'k3', status: 'pending' },
    ],
  });
  return h;
}

/** Statements of every kind the point path takes, and some it must leave alone. */
const STATEMENTS: Document[] = [
  // The outbox's settle: matched, modified, an index key changed, a field removed, a counter.
  {
    q: { _id: OID, status: 'sending' },
    u: { $set: { status: 'sent', lockedUntil: null }, $unset: { claimId: '' }, $inc: { attempts: 1 } },
  },
  // The same again: the filter no longer matches.
  { q: { _id: OID, status: 'sending' }, u: { $set: { status: 'sent' } } },
  // Matched, nothing changed.
  { q: { _id: 1 }, u: { $set: { status: 'sending' } } },
  // A number _id found by an equal number of another type.
  { q: { _id: new Double(1), at: 2 }, u: { $set: { at: 5 } } },
  { q: { _id: Long.fromNumber(1) }, u: { $inc: { n: new Int32(1) } } },
  // A filter on an array field and on a dotted path.
  { q: { _id: OID, tags: 'b' }, u: { $push: { tags: 'c' } } },
  { q: { _id: 1, 'who.name': '张三' }, u: { $set: { 'who.name': '李四' } } },
  // Array paths: positional and arrayFilters go through the same lookup.
  { q: { _id: 'two', 'list.x': 2 }, u: { $set: { 'list.$.x': 20 } } },
  { q: { _id: 'two' }, u: { $inc: { 'list.$[e].x': 1 } }, arrayFilters: [{ 'e.x': { $gte: 2 } }] },
  // A replacement and a pipeline (decoded whole).
  { q: { _id: new Date('2026-01-01T00:00:00Z') }, u: { key: 'k3', status: 'replaced' } },
  { q: { _id: 'two' }, u: [{ $set: { total: { $size: '$list' } } }] },
  // Missing, with and without upsert.
  { q: { _id: 99, status: 'x' }, u: { $set: { at: 9 } } },
  { q: { _id: 99, status: 'x' }, u: { $set: { at: 9, key: 'k99' } }, upsert: true },
  { q: { _id: 98 }, u: { $set: { key: 'k98' } }, upsert: true, multi: true },
  // A unique key taken by another document; an _id changed; a bad operator argument.
  { q: { _id: 1 }, u: { $set: { key: 'k2' } } },
  { q: { _id: 1 }, u: { $set: { _id: 2 } } },
  { q: { _id: 1 }, u: { $inc: { status: 1 } } },
  { q: { _id: 1 }, u: { $set: { 'a..b': 1 } } },
  // Filters the point path leaves to the general query.
  { q: { _id: { $in: [1, 'two'] } }, u: { $inc: { at: 1 } }, multi: true },
  { q: { _id: 1, $expr: { $gt: ['$at', 0] } }, u: { $inc: { at: 1 } } },
  { q: { _id: null }, u: { $set: { none: true } } },
];

async function outcome(h: Awaited<ReturnType<typeof seeded>>, s: Document): Promise<unknown> {
  try {
    return await h.run({ update: 'c', updates: [s], ordered: true });
  } catch (e) {
    return { error: String(e) };
  }
}

describe('engine: updates by _id', () => {
  it('do what the hinted general query does: replies, errors, documents and indexes', async () => {
    const point = await seeded();
    const general = await seeded();
    for (const s of STATEMENTS) {
      const label = JSON.stringify(s);
      const a = await outcome(point, s);
      const b = await outcome(general, { ...s, hint: { _id: 1 } });
      expect(a, label).to.deep.equal(b);
      expect(await point.findRaw('c'), label).to.deep.equal(await general.findRaw('c'));
    }
    expect(indexContents(point.engine)).to.deep.equal(indexContents(general.engine));
    // What the statements did, in the counts the driver reads.
    const docs = await point.find('c', {}, { sort: { key: 1 } });
    expect(docs.map((d) => d.key)).to.deep.equal(['k0', 'k1', 'k2', 'k3', 'k98', 'k99']);
    expect(docs[0]).to.include({ status: 'sent', attempts: 1, lockedUntil: null });
    expect(docs[0]).to.not.have.property('claimId');
    expect(docs[0].tags).to.deep.equal(['a', 'b', 'c']);
    expect(docs[1]).to.deep.include({ at: 7, n: 2, who: { name: '李四' } });
    expect(docs[2].list).to.deep.equal([{ x: 1 }, { x: 21 }]);
  });

  it('report n and nModified per statement, and the upserted _id', async () => {
    const h = await seeded();
    const r = await h.run({
      update: 'c',
      updates: STATEMENTS.slice(0, 3).concat(STATEMENTS.slice(11, 13)),
      ordered: true,
    });
    expect(plain(r)).to.deep.equal({ n: 3, nModified: 1, upserted: [{ index: 4, _id: 99 }] });
  });

  it('refuse a unique key another document holds, leaving the document and its indexes as they were', async () => {
    const h = await seeded();
    const before = indexContents(h.engine);
    const r = await h.run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { key: 'k2', at: 7 } } }] });
    expect(r.n).to.equal(0);
    expect(r.writeErrors[0]).to.include({ index: 0, code: 11000 });
    expect(await h.find('c', { _id: 1 })).to.deep.equal([
      { _id: 1, key: 'k1', status: 'sending', at: 2, who: { name: '张三' }, n: 1 },
    ]);
    expect(indexContents(h.engine)).to.deep.equal(before);
  });

  it('find the document by its _id key, without the query planner', async () => {
    const h = await seeded();
    const coll = h.engine.catalog.get('test.c')!;
    const spec = (filter: Document, extra: Document = {}) => ({
      filter,
      update: { $set: { a: 1 } },
      multi: false,
      upsert: false,
      ...extra,
    });
    const hits = (filter: Document) => {
      const run = pointHits(coll, spec(filter), false)!;
      const out = [];
      for (let r = run.hits.next(); !r.done; r = run.hits.next()) out.push(r.value.doc);
      return out;
    };
    expect(hits({ _id: OID, status: 'sending' })).to.deep.equal([{ _id: OID, status: 'sending' }]);
    expect(hits({ _id: new Int32(1), 'who.name': '张三' })).to.deep.equal([
      { _id: new Int32(1), who: { name: '张三' } },
    ]);
    expect(hits({ _id: OID, status: 'sent' })).to.deep.equal([]);
    expect(hits({ _id: 404 })).to.deep.equal([]);
    for (const filter of [{ _id: { $in: [1] } }, { _id: null }, { _id: 1, $or: [{ a: 1 }] }, { status: 'x' }])
      expect(pointHits(coll, spec(filter), false), JSON.stringify(filter)).to.equal(undefined);
    expect(pointHits(coll, spec({ _id: 1 }, { hint: '_id_' }), false)).to.equal(undefined);
    expect(pointHits(coll, spec({ _id: 1 }, { sort: { at: 1 } }), false)).to.equal(undefined);
  });

  it('still refuse a bad update before looking at any document: empty path parts, conflicts, unused arrayFilters', async () => {
    const h = await seeded();
    const codes = async (u: Document, extra: Document = {}) => {
      const r = await h.run({ update: 'c', updates: [{ q: { _id: 404 }, u, ...extra }] });
      return [r.writeErrors?.[0].code, r.writeErrors?.[0].errmsg];
    };
    for (const path of ['', '.a', 'a.', 'a..b'])
      expect(await codes({ $set: { [path]: 1 } }), path).to.deep.equal([
        56,
        'An empty update path is not valid.',
      ]);
    expect(await codes({ $set: { a: 1 }, $inc: { 'a.b': 1 } })).to.deep.equal([
      40,
      "Updating the path 'a.b' would create a conflict at 'a'",
    ]);
    expect(await codes({ $set: { 'list.$.x': 1 }, $inc: { 'list.x': 1 } })).to.deep.equal([
      40,
      "Updating the path 'list.x' would create a conflict at 'list.x'",
    ]);
    expect(await codes({ $set: { 'list.$[e].x': 1, list: 1 } }, { arrayFilters: [{ e: 1 }] })).to.deep.equal([
      40,
      "Updating the path 'list.x' would create a conflict at 'list'",
    ]);
    const unused = await codes({ $set: { a: 1 } }, { arrayFilters: [{ e: 1 }] });
    expect(unused[0]).to.equal(9);
    expect(unused[1]).to.match(/^The array filter for identifier 'e' was not used in the update/);
    expect(await codes({ $set: { a: 1 }, $unset: { b: '' }, $inc: { c: 1 } })).to.deep.equal([
      undefined,
      undefined,
    ]);
  });
});
