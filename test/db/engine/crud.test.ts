import { expect } from 'chai';
import { Double, Int32, Long, ObjectId, type Document } from 'bson';
import { harness } from './harness.ts';

const ids = (docs: Document[]) => docs.map((d) => Number(d._id));

describe('engine: insert', () => {
  it('adds an ObjectId _id first when missing and journals the post-image', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ a: 1 }] });
    const [doc] = await h.find('c');
    expect(Object.keys(doc)).to.deep.equal(['_id', 'a']);
    expect(doc._id).to.be.instanceOf(ObjectId);
    const kinds = h.persistence.changes.map((c) => c.op);
    expect(kinds).to.deep.equal(['createCollection', 'insert']);
  });

  it('moves a given _id to the front', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ a: 1, _id: 'x' }] });
    expect(Object.keys((await h.find('c'))[0])).to.deep.equal(['_id', 'a']);
  });

  it('ordered insert stops at the first duplicate and reports its index', async () => {
    const h = harness();
    const r = await h.run({ insert: 'c', documents: [{ _id: 1 }, { _id: 1 }, { _id: 2 }] });
    expect(r.n).to.equal(1);
    expect(r.writeErrors).to.have.length(1);
    expect(r.writeErrors[0]).to.include({ index: 1, code: 11000 });
    expect(r.writeErrors[0].errmsg).to.equal(
      'E11000 duplicate key error collection: test.c index: _id_ dup key: { _id: 1 }',
    );
    expect(ids(await h.find('c'))).to.deep.equal([1]);
  });

  it('unordered insert continues after errors', async () => {
    const h = harness();
    const r = await h.run({
      insert: 'c',
      ordered: false,
      documents: [{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }],
    });
    expect(r.n).to.equal(2);
    expect(r.writeErrors.map((e: { index: number }) => e.index)).to.deep.equal([1, 3]);
  });

  it('reports keyPattern and keyValue on a unique secondary index violation', async () => {
    const h = harness();
    await h.run({ createIndexes: 'users', indexes: [{ key: { name: 1 }, name: 'name_1', unique: true }] });
    await h.run({ insert: 'users', documents: [{ name: 'x' }] });
    const r = await h.run({ insert: 'users', documents: [{ name: 'x' }] });
    const e = r.writeErrors[0];
    expect(e.errmsg).to.equal(
      'E11000 duplicate key error collection: test.users index: name_1 dup key: { name: "x" }',
    );
    expect(e.keyValue).to.deep.equal({ name: 'x' });
    expect(Object.keys(e.keyPattern)).to.deep.equal(['name']);
    expect(Number(e.keyPattern.name)).to.equal(1);
    expect((await h.find('users')).length).to.equal(1);
  });

  it('refuses an array _id', async () => {
    const h = harness();
    const r = await h.run({ insert: 'c', documents: [{ _id: [1] }] });
    expect(r.writeErrors[0].code).to.equal(53);
  });
});

describe('engine: find', () => {
  async function seeded() {
    const h = harness();
    const documents = Array.from({ length: 10 }, (_, i) => ({
      _id: i,
      n: i % 3,
      s: `s${i}`,
      tags: i % 2 ? ['odd'] : ['even', 'x'],
    }));
    await h.run({ insert: 'c', documents });
    return h;
  }

  it('filters, sorts on several keys, skips and limits', async () => {
    const h = await seeded();
    const docs = await h.find('c', { n: { $gte: 1 } }, { sort: { n: -1, _id: 1 }, skip: 1, limit: 3 });
    expect(ids(docs)).to.deep.equal([5, 8, 1]);
  });

  it('a negative limit returns a single batch', async () => {
    const h = await seeded();
    const r = await h.run({ find: 'c', limit: -2 });
    expect(r.cursor.firstBatch).to.have.length(2);
    expect(Number(r.cursor.id)).to.equal(0);
  });

  it('honours batchSize and continues with getMore', async () => {
    const h = await seeded();
    const r = await h.run({ find: 'c', batchSize: 4 });
    expect(r.cursor.firstBatch).to.have.length(4);
    expect(Number(r.cursor.id)).to.not.equal(0);
    expect(h.cursors.getMore(Number(r.cursor.id))).to.have.length(6);
  });

  it('singleBatch closes the cursor after the first batch', async () => {
    const h = await seeded();
    const r = await h.run({ find: 'c', batchSize: 3, singleBatch: true });
    expect(r.cursor.firstBatch).to.have.length(3);
    expect(Number(r.cursor.id)).to.equal(0);
  });

  it('projects inclusion, exclusion, dotted paths, $slice and $elemMatch', async () => {
    const h = harness();
    await h.run({
      insert: 'c',
      documents: [
        {
          _id: 1,
          a: { b: 1, c: 2 },
          arr: [1, 2, 3, 4],
          items: [
            { k: 1, v: 'a' },
            { k: 2, v: 'b' },
          ],
          z: 0,
        },
      ],
    });
    expect((await h.find('c', {}, { projection: { 'a.b': 1 } }))[0]).to.deep.equal({ _id: 1, a: { b: 1 } });
    expect((await h.find('c', {}, { projection: { a: 0, arr: 0, items: 0 } }))[0]).to.deep.equal({
      _id: 1,
      z: 0,
    });
    expect((await h.find('c', {}, { projection: { _id: 0, z: 1 } }))[0]).to.deep.equal({ z: 0 });
    const sliced = (await h.find('c', {}, { projection: { arr: { $slice: -2 }, items: 0, a: 0 } }))[0];
    expect(sliced.arr.map(Number)).to.deep.equal([3, 4]);
    const em = (await h.find('c', {}, { projection: { items: { $elemMatch: { k: 2 } } } }))[0];
    expect(em.items).to.have.length(1);
    expect(em.items[0].v).to.equal('b');
    expect(Object.keys(em)).to.deep.equal(['_id', 'items']);
    const pos = (await h.find('c', { 'items.k': 2 }, { projection: { 'items.$': 1 } }))[0];
    expect(pos.items[0].v).to.equal('b');
  });

  it('projects { _id: 1 } down to the _id alone', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, a: 1 }] });
    expect(await h.find('c', {}, { projection: { _id: 1 } })).to.deep.equal([{ _id: 1 }]);
    expect(await h.find('c', {}, { projection: { _id: 0 } })).to.deep.equal([{ a: 1 }]);
  });

  it("refuses a sort direction other than 1 or -1 with MongoDB's code", async () => {
    const h = await seeded();
    for (const sort of [{ a: 0 }, { a: 2 }, { a: 'x' }])
      expect((await h.fail({ find: 'c', sort })).code, JSON.stringify(sort)).to.equal(15975);
  });

  it('refuses mixing inclusion and exclusion', async () => {
    const h = await seeded();
    const e = await h.fail({ find: 'c', projection: { a: 1, b: 0 } });
    expect(e.code).to.equal(31254);
  });

  it('refuses the $slice and $elemMatch projections MongoDB refuses, and reads other $slice arrays as the expression', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, arr: [1, 2, 3], o: { list: [{ k: 1 }] } }] });
    for (const [projection, code] of [
      [{ arr: { $slice: 'x' } }, 28667],
      [{ arr: { $slice: { n: 1 } } }, 28667],
      [{ arr: { $elemMatch: 1 } }, 31274],
      [{ 'o.list': { $elemMatch: { k: 1 } } }, 31275],
      [{ o: { list: { $elemMatch: { k: 1 } } } }, 31275],
    ] as const) {
      // Refused when the projection is parsed: an empty result does not hide it.
      for (const filter of [{}, { _id: 'none' }]) {
        const e = await h.fail({ find: 'c', filter, projection });
        expect(e.code, JSON.stringify(projection)).to.equal(code);
      }
    }
    const find = async (projection: Document) => (await h.find('c', {}, { projection }))[0].arr.map(Number);
    expect(await find({ arr: { $slice: [1, 1] } })).to.deep.equal([2]);
    expect(await find({ arr: { $slice: -1 } })).to.deep.equal([3]);
    // Not find's [skip, limit]: the aggregation expression, as MongoDB reads it.
    expect(await find({ arr: { $slice: ['$arr', 2] } })).to.deep.equal([1, 2]);
    expect(await find({ arr: { $slice: ['$arr', 1, 1] } })).to.deep.equal([2]);
  });

  it('refuses a projection that names a field and a path inside it, as MongoDB 4.4+ does', async () => {
    const h = await seeded();
    const inner = await h.fail({ find: 'c', projection: { a: 1, 'a.b': 1 } });
    expect([inner.code, inner.message]).to.deep.equal([31249, 'Path collision at a.b remaining portion b']);
    const outer = await h.fail({ find: 'c', projection: { 'a.b': 1, a: 1 } });
    expect([outer.code, outer.message]).to.deep.equal([31250, 'Path collision at a']);
    const twice = await h.fail({ find: 'c', projection: { a: { b: 1 }, 'a.b': 1 } });
    expect(twice.code).to.equal(31250);
    // Siblings under one parent are no collision.
    expect(await h.find('c', { _id: 0 }, { projection: { 'a.b': 1, 'a.c': 1, ab: 1 } })).to.have.length(1);
  });

  it('matches array fields by element and supports $elemMatch, $all, $size, $exists, $type, $regex, $in, $nin, $not, $or, $nor', async () => {
    const h = await seeded();
    expect(ids(await h.find('c', { tags: 'x' }))).to.deep.equal([0, 2, 4, 6, 8]);
    expect(ids(await h.find('c', { tags: { $all: ['even', 'x'] }, _id: { $lt: 3 } }))).to.deep.equal([0, 2]);
    expect(ids(await h.find('c', { tags: { $size: 1 }, _id: { $lte: 3 } }))).to.deep.equal([1, 3]);
    expect(ids(await h.find('c', { s: /^s[12]$/ }))).to.deep.equal([1, 2]);
    expect(ids(await h.find('c', { s: { $regex: 'S9', $options: 'i' } }))).to.deep.equal([9]);
    expect(ids(await h.find('c', { _id: { $in: [3, 4] } }))).to.deep.equal([3, 4]);
    expect(ids(await h.find('c', { _id: { $nin: [0, 1, 2, 3, 4, 5, 6] } }))).to.deep.equal([7, 8, 9]);
    expect(ids(await h.find('c', { _id: { $not: { $gt: 1 } } }))).to.deep.equal([0, 1]);
    expect(ids(await h.find('c', { $or: [{ _id: 1 }, { s: 's2' }] }))).to.deep.equal([1, 2]);
    expect(ids(await h.find('c', { $nor: [{ n: 0 }, { n: 1 }] }))).to.deep.equal([2, 5, 8]);
    expect(ids(await h.find('c', { missing: { $exists: false }, _id: 1 }))).to.deep.equal([1]);
    expect(ids(await h.find('c', { _id: { $type: 'int' }, n: { $type: 'number' }, s: 's0' }))).to.deep.equal([
      0,
    ]);
  });

  it('null matches missing fields and explicit nulls', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, a: null }, { _id: 2 }, { _id: 3, a: 0 }] });
    expect(ids(await h.find('c', { a: null }))).to.deep.equal([1, 2]);
    expect(ids(await h.find('c', { a: { $exists: true } }))).to.deep.equal([1, 3]);
  });

  it('rejects unknown operators with BadValue', async () => {
    const h = await seeded();
    const e = await h.fail({ find: 'c', filter: { a: { $foo: 1 } } });
    expect(e.code).to.equal(2);
    expect(e.message).to.contain('$foo');
  });

  it('refuses unsupported features instead of answering', async () => {
    const h = await seeded();
    expect((await h.fail({ find: 'c', filter: { $text: { $search: 'x' } } })).code).to.equal(238);
    expect((await h.fail({ find: 'c', filter: { loc: { $near: [0, 0] } } })).code).to.equal(238);
    expect((await h.fail({ find: 'c', filter: { $where: 'true' } })).code).to.equal(238);
    expect((await h.fail({ find: 'c', collation: { locale: 'fr' } })).code).to.equal(238);
  });

  it('supports $expr comparing two fields', async () => {
    const h = harness();
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, a: 5, b: 3 },
        { _id: 2, a: 1, b: new Double(2.5) },
      ],
    });
    expect(ids(await h.find('c', { $expr: { $gt: ['$a', '$b'] } }))).to.deep.equal([1]);
  });

  it('find on a missing collection returns nothing', async () => {
    expect(await harness().find('nope')).to.deep.equal([]);
  });
});

describe('engine: count and distinct', () => {
  it('counts with query, skip and limit', async () => {
    const h = harness();
    await h.run({
      insert: 'c',
      documents: Array.from({ length: 10 }, (_, i) => ({ _id: i, even: i % 2 === 0 })),
    });
    expect((await h.run({ count: 'c' })).n).to.equal(10);
    expect((await h.run({ count: 'c', query: { even: true } })).n).to.equal(5);
    expect((await h.run({ count: 'c', query: { even: true }, skip: 1, limit: 2 })).n).to.equal(2);
    expect((await h.run({ count: 'missing' })).n).to.equal(0);
  });

  it('distinct unwinds arrays and treats 1, 1.0 and Long 1 as one value', async () => {
    const h = harness();
    await h.run({
      insert: 'c',
      documents: [
        { v: new Int32(1) },
        { v: new Double(1) },
        { v: Long.fromNumber(1) },
        { v: [2, 'a'] },
        { v: null },
        {},
      ],
    });
    const { values } = await h.run({ distinct: 'c', key: 'v' });
    expect(values.length).to.equal(4);
    expect(values[0]).to.equal(null);
    expect(values.slice(1, 3).map(Number)).to.deep.equal([1, 2]);
    expect(values[3]).to.equal('a');
  });
});
