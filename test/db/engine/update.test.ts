import { expect } from 'chai';
import { Decimal128, Double, Int32, Long } from 'bson';
import { harness } from './harness.ts';

async function one(h: ReturnType<typeof harness>, coll = 'c') {
  return (await h.findRaw(coll))[0];
}

describe('engine: update', () => {
  it('updates one or many and reports n / nModified', async () => {
    const h = harness();
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, a: 1 },
        { _id: 2, a: 1 },
        { _id: 3, a: 2 },
      ],
    });
    const single = await h.run({ update: 'c', updates: [{ q: { a: 1 }, u: { $set: { b: true } } }] });
    expect(single).to.deep.equal({ n: 1, nModified: 1 });
    const multi = await h.run({
      update: 'c',
      updates: [{ q: { a: 1 }, u: { $set: { b: true } }, multi: true }],
    });
    expect(multi).to.deep.equal({ n: 2, nModified: 1 });
    const none = await h.run({ update: 'c', updates: [{ q: { a: 9 }, u: { $set: { b: 1 } } }] });
    expect(none).to.deep.equal({ n: 0, nModified: 0 });
  });

  it('journals one replace post-image per modified document', async () => {
    const h = harness();
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, a: 1 },
        { _id: 2, a: 1 },
      ],
    });
    await h.run({ update: 'c', updates: [{ q: {}, u: { $inc: { a: 1 } }, multi: true }] });
    const last = h.persistence.commits.at(-1)!;
    expect(last.map((c) => c.op)).to.deep.equal(['replace', 'replace']);
    expect(last[0]).to.deep.include({ ns: 'test.c' });
  });

  it('upserts with a seed built from equality fields including dotted paths, applying $setOnInsert', async () => {
    const h = harness();
    const r = await h.run({
      update: 'c',
      updates: [
        {
          q: { 'a.b': 1, c: { $eq: 'x' }, d: { $gt: 5 }, $and: [{ e: 2 }] },
          u: { $set: { f: 1 }, $setOnInsert: { g: 'new' } },
          upsert: true,
        },
      ],
    });
    expect(r.n).to.equal(1);
    expect(r.nModified).to.equal(0);
    expect(r.upserted).to.have.length(1);
    expect(r.upserted[0].index).to.equal(0);
    const doc = (await h.find('c'))[0];
    expect(doc._id).to.deep.equal(r.upserted[0]._id);
    const { _id, ...rest } = doc;
    expect(rest).to.deep.equal({ a: { b: 1 }, c: 'x', e: 2, f: 1, g: 'new' });
    void _id;
    await h.run({
      update: 'c',
      updates: [{ q: { c: 'x' }, u: { $set: { f: 2 }, $setOnInsert: { g: 'again' } }, upsert: true }],
    });
    expect((await h.find('c'))[0].g).to.equal('new');
  });

  it('upsert takes _id from the query', async () => {
    const h = harness();
    const r = await h.run({
      update: 'c',
      updates: [{ q: { _id: 'k' }, u: { $inc: { n: 1 } }, upsert: true }],
    });
    expect(r.upserted[0]._id).to.equal('k');
    expect(await h.find('c')).to.deep.equal([{ _id: 'k', n: 1 }]);
  });

  it('replacement keeps _id; changing _id is error 66', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, a: 1, b: 2 }] });
    await h.run({ update: 'c', updates: [{ q: { _id: 1 }, u: { z: 9 } }] });
    expect(await h.find('c')).to.deep.equal([{ _id: 1, z: 9 }]);
    const r = await h.run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { _id: 2 } } }] });
    expect(r.writeErrors[0].code).to.equal(66);
    const r2 = await h.run({ update: 'c', updates: [{ q: { _id: 1 }, u: { _id: 3, z: 1 } }] });
    expect(r2.writeErrors[0].code).to.equal(66);
    expect(await h.find('c')).to.deep.equal([{ _id: 1, z: 9 }]);
  });

  it('applies arrayFilters, $[] and positional $', async () => {
    const h = harness();
    await h.run({
      insert: 'c',
      documents: [
        {
          _id: 1,
          grades: [
            { g: 80, n: 0 },
            { g: 95, n: 0 },
            { g: 99, n: 0 },
          ],
          tags: ['a', 'b', 'c'],
        },
      ],
    });
    await h.run({
      update: 'c',
      updates: [{ q: {}, u: { $set: { 'grades.$[hi].n': 1 } }, arrayFilters: [{ 'hi.g': { $gte: 90 } }] }],
    });
    await h.run({ update: 'c', updates: [{ q: { tags: 'b' }, u: { $set: { 'tags.$': 'B' } } }] });
    await h.run({ update: 'c', updates: [{ q: {}, u: { $inc: { 'grades.$[].g': 1 } } }] });
    const doc = (await h.find('c'))[0];
    expect(doc.grades).to.deep.equal([
      { g: 81, n: 0 },
      { g: 96, n: 1 },
      { g: 100, n: 1 },
    ]);
    expect(doc.tags).to.deep.equal(['a', 'B', 'c']);
  });

  it('applies pipeline updates and keeps untouched field types', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, a: 2, b: 3, d: new Double(5) }] });
    await h.run({
      update: 'c',
      updates: [{ q: {}, u: [{ $set: { sum: { $add: ['$a', '$b'] } } }, { $unset: 'b' }] }],
    });
    const doc = await one(h);
    expect(Number(doc.sum)).to.equal(5);
    expect(doc.b).to.equal(undefined);
    expect(doc.d).to.be.instanceOf(Double);
  });

  it('supports $unset, $rename, $min, $max, $mul, $push modifiers, $addToSet, $pull, $pullAll, $pop, $currentDate', async () => {
    const h = harness();
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, a: 5, old: 'x', arr: [3, 1], set: [1], p: [1, 2, 3, 2], q: [{ k: 1 }, { k: 2 }] },
      ],
    });
    await h.run({
      update: 'c',
      updates: [
        {
          q: {},
          u: {
            $unset: { a: '' },
            $rename: { old: 'renamed' },
            $min: { lo: 3 },
            $max: { hi: 7 },
            $push: { arr: { $each: [5, 4], $sort: 1, $slice: 3 } },
            $addToSet: { set: { $each: [1, 2] } },
            $pull: { p: 2, q: { k: 2 } },
            $currentDate: { at: true },
          },
        },
      ],
    });
    await h.run({
      update: 'c',
      updates: [{ q: {}, u: { $pullAll: { set: [1] }, $pop: { arr: -1 }, $mul: { hi: 2 } } }],
    });
    const doc = (await h.find('c'))[0];
    expect(doc).to.deep.include({ renamed: 'x', lo: 3, hi: 14 });
    expect(doc.a).to.equal(undefined);
    expect(doc.arr).to.deep.equal([3, 4]);
    expect(doc.set).to.deep.equal([2]);
    expect(doc.p).to.deep.equal([1, 3]);
    expect(doc.q).to.deep.equal([{ k: 1 }]);
    expect(doc.at).to.be.instanceOf(Date);
    expect(doc.at.getTime()).to.equal(h.now.getTime());
  });

  it('applies $bit on ints and longs, refusing doubles', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, i: 12, l: Long.fromNumber(5) }] });
    await h.run({
      update: 'c',
      updates: [{ q: {}, u: { $bit: { i: { and: 10 }, l: { or: Long.fromNumber(2) } } } }],
    });
    const doc = await one(h);
    expect(doc.i).to.be.instanceOf(Int32);
    expect(doc.i.value).to.equal(8);
    expect(doc.l.toString()).to.equal('7');
    const bad = await h.run({ update: 'c', updates: [{ q: {}, u: { $bit: { i: { and: 1.5 } } } }] });
    expect(bad.writeErrors[0].code).to.equal(2);
  });

  it('rejects unknown update operators, conflicting paths and unused array filters', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, a: [1] }] });
    const bad = await h.run({ update: 'c', updates: [{ q: {}, u: { $bogus: { a: 1 } } }] });
    expect(bad.writeErrors[0].code).to.equal(2);
    expect(bad.writeErrors[0].errmsg).to.contain('$bogus');
    const conflict = await h.run({
      update: 'c',
      updates: [{ q: {}, u: { $set: { a: 1 }, $inc: { 'a.b': 1 } } }],
    });
    expect(conflict.writeErrors[0].code).to.equal(40);
    const unused = await h.run({
      update: 'c',
      updates: [{ q: {}, u: { $set: { x: 1 } }, arrayFilters: [{ i: 1 }] }],
    });
    expect(unused.writeErrors[0].code).to.equal(9);
  });

  it('refuses the operator arguments MongoDB refuses when it parses the update, matched or not', async () => {
    const h = harness();
    const stored = { _id: 1, n: 5, arr: [1, 2] };
    await h.run({ insert: 'c', documents: [stored] });
    for (const [u, code] of [
      [{ $pop: { arr: 2 } }, 9],
      [{ $pop: { arr: true } }, 9],
      [{ $currentDate: { d: 'x' } }, 2],
      [{ $currentDate: { d: { $type: 'now' } } }, 2],
      [{ $currentDate: { d: { $type: 'date', tz: 1 } } }, 2],
      [{ $inc: { n: 'x' } }, 14],
      [{ $mul: { n: null } }, 14],
      [{ $push: { arr: { $each: [3], $slice: 'x' } } }, 2],
      [{ $push: { arr: { $each: [3], $slice: 1.5 } } }, 2],
      [{ $push: { arr: { $each: [3], $position: '0' } } }, 2],
      [{ $push: { arr: { $each: [3], $sort: 2 } } }, 2],
      [{ $push: { arr: { $each: [3], $sort: {} } } }, 2],
      [{ $push: { arr: { $each: [3], $sort: { k: 0 } } } }, 2],
      [{ $push: { arr: { $each: 3 } } }, 2],
      [{ $push: { arr: { $each: [3], $bogus: 1 } } }, 2],
      [{ $addToSet: { arr: { $each: [3], $slice: 1 } } }, 2],
      [{ $pullAll: { arr: 1 } }, 2],
      [{ $bit: { n: 1 } }, 2],
      [{ $rename: { n: 'n.m' } }, 2],
      [{ $rename: { n: 5 } }, 2],
      [{ $rename: { n: '' } }, 2],
      [{ $rename: { 'arr.$': 'b' } }, 2],
      [{ $rename: { n: 'm.$[]' } }, 2],
      [{ $rename: { 'o.p': 'o' } }, 2],
    ] as const) {
      for (const q of [{ _id: 1 }, { _id: 'none' }]) {
        const r = await h.run({ update: 'c', updates: [{ q, u }] });
        expect(r.writeErrors?.[0]?.code, `${JSON.stringify(u)} with ${JSON.stringify(q)}`).to.equal(code);
      }
    }
    expect(await h.find('c')).to.deep.equal([stored]);
  });

  it('applies the well-formed neighbours of those arguments', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, arr: [3, 1, 2], set: [1] }] });
    const r = await h.run({
      update: 'c',
      updates: [
        {
          q: {},
          u: {
            $pop: { arr: -1 },
            $currentDate: { d: true, t: { $type: 'timestamp' } },
            $addToSet: { set: { $each: [1, 2] } },
          },
        },
      ],
    });
    expect(r.nModified).to.equal(1);
    let doc = await one(h);
    expect(doc.arr.map(Number)).to.deep.equal([1, 2]);
    expect(doc.d).to.be.instanceOf(Date);
    expect(doc.t._bsontype).to.equal('Timestamp');
    expect(doc.set.map(Number)).to.deep.equal([1, 2]);
    await h.run({
      update: 'c',
      updates: [{ q: {}, u: { $push: { arr: { $each: [0, 9], $position: 0, $sort: -1, $slice: 3 } } } }],
    });
    doc = await one(h);
    expect(doc.arr.map(Number)).to.deep.equal([9, 2, 1]);
  });

  it("refuses a $-prefixed field set on a stored document, and takes it on an upsert's insert", async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1 }] });
    const r = await h.run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { $price: 1 } } }] });
    expect(r.writeErrors[0].code).to.equal(52);
    expect(await h.find('c')).to.deep.equal([{ _id: 1 }]);
    const up = await h.run({
      update: 'c',
      updates: [{ q: { _id: 2 }, u: { $set: { $price: 1 } }, upsert: true }],
    });
    expect(up.n).to.equal(1);
    expect((await h.find('c', { _id: 2 }))[0]).to.deep.equal({ _id: 2, $price: 1 });
  });

  it('rejects a bad update even when nothing matches', async () => {
    const h = harness();
    const r = await h.run({
      update: 'c',
      updates: [{ q: { _id: 'none' }, u: { $set: { a: 1 }, $unset: { a: '' } } }],
    });
    expect(r.writeErrors[0].code).to.equal(40);
  });

  it('applies modifications in field-path order, whatever the operator order', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1 }] });
    await h.run({ update: 'c', updates: [{ q: {}, u: { $set: { z: 1 }, $inc: { b: 1 }, $max: { a: 1 } } }] });
    expect(Object.keys((await h.find('c'))[0])).to.deep.equal(['_id', 'a', 'b', 'z']);
  });

  it('refuses multi with a replacement document', async () => {
    const h = harness();
    const r = await h.run({ update: 'c', updates: [{ q: {}, u: { a: 1 }, multi: true }] });
    expect(r.writeErrors[0].code).to.equal(9);
  });

  it('a unique violation by an update leaves the document unchanged', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { e: 1 }, name: 'e_1', unique: true }] });
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, e: 'a', n: 1 },
        { _id: 2, e: 'b', n: 1 },
      ],
    });
    const r = await h.run({ update: 'c', updates: [{ q: { _id: 2 }, u: { $set: { e: 'a', n: 2 } } }] });
    expect(r.writeErrors[0].code).to.equal(11000);
    expect((await h.find('c', { _id: 2 }))[0]).to.deep.equal({ _id: 2, e: 'b', n: 1 });
    expect((await h.find('c', { e: 'b' })).length).to.equal(1);
  });
});

describe('engine: numeric promotion in $inc and $mul', () => {
  async function incOf(start: unknown, by: unknown, op = '$inc') {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, v: start }] });
    const r = await h.run({ update: 'c', updates: [{ q: {}, u: { [op]: { v: by } } }] });
    if (r.writeErrors)
      throw Object.assign(new Error(r.writeErrors[0].errmsg), { code: r.writeErrors[0].code });
    return (await one(h)).v;
  }

  it('int + int stays int, and overflows into long', async () => {
    const a = await incOf(new Int32(1), new Int32(2));
    expect(a).to.be.instanceOf(Int32);
    expect(a.value).to.equal(3);
    const b = await incOf(new Int32(2147483647), new Int32(1));
    expect(b).to.be.instanceOf(Long);
    expect(b.toString()).to.equal('2147483648');
  });

  it('int + double is double, even when integral', async () => {
    const v = await incOf(new Int32(1), new Double(1));
    expect(v).to.be.instanceOf(Double);
    expect(v.value).to.equal(2);
  });

  it('long + double is double; long + int is long with exact arithmetic beyond 2^53', async () => {
    expect(await incOf(Long.fromNumber(5), new Double(0.5))).to.be.instanceOf(Double);
    const big = await incOf(Long.fromString('9007199254740993'), new Int32(1));
    expect(big).to.be.instanceOf(Long);
    expect(big.toString()).to.equal('9007199254740994');
  });

  it('anything + decimal is an exact decimal', async () => {
    const v = await incOf(new Double(0.1), Decimal128.fromString('0.2'));
    expect(v).to.be.instanceOf(Decimal128);
    expect(Number(v.toString())).to.equal(0.3);
    const m = await incOf(Decimal128.fromString('1.5'), new Int32(3), '$mul');
    expect(m.toString()).to.match(/^4\.50*$/);
  });

  it('refuses Decimal128 arithmetic that would round', async () => {
    try {
      await incOf(Decimal128.fromString('1234567890123456789012345678901234'), Decimal128.fromString('0.1'));
      expect.fail('should refuse');
    } catch (e) {
      expect((e as { code: number }).code).to.equal(238);
    }
  });

  async function incError(start: unknown, by: unknown): Promise<number> {
    try {
      await incOf(start, by);
    } catch (e) {
      return (e as { code: number }).code;
    }
    throw new Error('expected the update to fail');
  }

  it('$inc on a string is TypeMismatch (14); long overflow is an error (2), not a wrap', async () => {
    expect(await incError('x', 1)).to.equal(14);
    expect(await incError(Long.MAX_VALUE, Long.fromNumber(1))).to.equal(2);
    expect(await incError(new Int32(1), 'one')).to.equal(14);
  });

  it('$mul on a missing field sets zero of the multiplier type; $inc sets the increment', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1 }] });
    await h.run({
      update: 'c',
      updates: [{ q: {}, u: { $mul: { m: new Double(2.5) }, $inc: { i: Long.fromNumber(4) } } }],
    });
    const doc = await one(h);
    expect(doc.m).to.be.instanceOf(Double);
    expect(doc.m.value).to.equal(0);
    expect(doc.i).to.be.instanceOf(Long);
  });
});
