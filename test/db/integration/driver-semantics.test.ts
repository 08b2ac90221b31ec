// MongoDB semantics a real application leans on, checked end to end through the driver: BSON sort order,
// numeric promotion, update operators, index edge cases (missing keys, multikey, sparse, partial), and the
// server clock behind $currentDate. Each expectation is what mongod 7.0 answers.
import { expect } from 'chai';
import {
  Decimal128,
  Int32,
  Long,
  MaxKey,
  MinKey,
  MongoBulkWriteError,
  MongoServerError,
  ObjectId,
  type Db,
  type Document,
} from 'mongodb';
import { startHarness, type Harness } from './harness.ts';

describe('integration (driver): MongoDB semantics', () => {
  let h: Harness;
  let db: Db;
  before(async () => {
    h = await startHarness();
    db = h.client.db('semantics');
  });
  after(async () => {
    await h.stop();
  });
  const raw = { promoteValues: false, promoteLongs: false } as const;
  const typeOf = (v: unknown) => (v as { _bsontype?: string })?._bsontype ?? typeof v;

  it('sorts mixed types in BSON order', async () => {
    const c = db.collection('mixed');
    await c.insertMany([
      { k: 'date', v: new Date(0) },
      { k: 'bool', v: true },
      { k: 'oid', v: new ObjectId('000000000000000000000001') },
      { k: 'arr', v: [] },
      { k: 'obj', v: { a: 1 } },
      { k: 'str', v: 'a' },
      { k: 'num', v: 2 },
      { k: 'null', v: null },
      { k: 'max', v: new MaxKey() },
      { k: 'min', v: new MinKey() },
    ]);
    const order = (await c.find({}).sort({ v: 1, k: 1 }).toArray()).map((d) => d.k);
    // An empty array sorts as less than null in MongoDB (it has no elements to compare).
    expect(order).to.deep.equal(['min', 'arr', 'null', 'num', 'str', 'obj', 'oid', 'bool', 'date', 'max']);
  });

  it('promotes Int32 arithmetic that overflows to Long, and keeps Decimal128 exact', async () => {
    const c = db.collection('numeric');
    const { insertedId } = await c.insertOne({
      i: new Int32(2 ** 30),
      m: new Int32(2 ** 30),
      dec: Decimal128.fromString('0.1'),
    });
    await c.updateOne(
      { _id: insertedId },
      { $inc: { i: new Int32(2 ** 30), dec: Decimal128.fromString('0.2') }, $mul: { m: new Int32(4) } },
    );
    const doc = await c.findOne({ _id: insertedId }, raw);
    expect([typeOf(doc!.i), doc!.i.toString()]).to.deep.equal(['Long', String(2 ** 31)]);
    expect([typeOf(doc!.m), doc!.m.toString()]).to.deep.equal(['Long', String(2 ** 32)]);
    expect(doc!.dec.toString()).to.equal('0.3');
  });

  it('tells Longs above 2^53 apart', async () => {
    const c = db.collection('longs');
    await c.insertMany([
      { v: Long.fromString('9007199254740992') },
      { v: Long.fromString('9007199254740993') },
    ]);
    const hits = await c.find({ v: Long.fromString('9007199254740993') }, raw).toArray();
    expect(hits.map((d) => d.v.toString())).to.deep.equal(['9007199254740993']);
  });

  it('applies $currentDate from the server clock', async () => {
    const c = db.collection('clock');
    const { insertedId } = await c.insertOne({ x: 1 });
    await c.updateOne({ _id: insertedId }, { $currentDate: { touched: true } });
    expect((await c.findOne({ _id: insertedId }))?.touched).to.deep.equal(h.clock.now);
  });

  it('supports positional $, $push with $each/$sort/$slice, $rename, $unset, $min and $max', async () => {
    const c = db.collection('ops');
    const { insertedId: id } = await c.insertOne({
      scores: [3, 9, 5],
      items: [{ n: 'a', q: 1 }],
      old: 1,
      lo: 5,
      hi: 5,
    });
    await c.updateOne({ _id: id, 'items.n': 'a' }, { $inc: { 'items.$.q': 2 } });
    const pushSorted: Document = { $push: { scores: { $each: [7, 1], $sort: -1, $slice: 3 } } };
    await c.updateOne({ _id: id }, pushSorted);
    await c.updateOne(
      { _id: id },
      { $rename: { old: 'renamed' }, $unset: { lo: '' }, $max: { hi: 8 }, $min: { x: 2 } },
    );
    const doc = await c.findOne({ _id: id }, { projection: { _id: 0 } });
    expect(doc).to.deep.equal({ scores: [9, 7, 5], items: [{ n: 'a', q: 3 }], hi: 8, renamed: 1, x: 2 });
  });

  it('runs pipeline-style updates', async () => {
    const c = db.collection('pipeline_updates');
    const { insertedId } = await c.insertOne({ a: 2, b: 3 });
    await c.updateOne({ _id: insertedId }, [{ $set: { sum: { $add: ['$a', '$b'] } } }, { $unset: 'a' }]);
    expect(await c.findOne({ _id: insertedId }, { projection: { _id: 0 } })).to.deep.equal({ b: 3, sum: 5 });
  });

  it('findOneAndReplace and findOneAndDelete honour sort', async () => {
    const c = db.collection('fam');
    await c.insertMany([
      { g: 1, v: 'a' },
      { g: 1, v: 'b' },
    ]);
    const replaced = await c.findOneAndReplace(
      { g: 1 },
      { g: 1, v: 'z' },
      { sort: { v: -1 }, returnDocument: 'before' },
    );
    expect(replaced?.v).to.equal('b');
    const deleted = await c.findOneAndDelete({ g: 1 }, { sort: { v: 1 } });
    expect(deleted?.v).to.equal('a');
    expect((await c.find({}).toArray()).map((d) => d.v)).to.deep.equal(['z']);
  });

  it('stops an ordered bulk write at its first error and reports its index', async () => {
    const c = db.collection('bulk');
    await c.createIndex({ k: 1 }, { unique: true });
    const err = await c
      .bulkWrite([
        { insertOne: { document: { k: 1 } } },
        { updateOne: { filter: { k: 1 }, update: { $set: { s: 1 } } } },
        { insertOne: { document: { k: 1 } } },
        { insertOne: { document: { k: 2 } } },
      ])
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MongoBulkWriteError);
    const writeErrors = [(err as MongoBulkWriteError).writeErrors].flat();
    expect(writeErrors.map((w) => [w.index, w.code])).to.deep.equal([[2, 11000]]);
    expect(await c.countDocuments({})).to.equal(1);
    expect((await c.findOne({ k: 1 }))?.s).to.equal(1);
  });

  it('treats a missing key as null in a unique index, unless the index is sparse or partial', async () => {
    const plain = db.collection('uniq_plain');
    await plain.createIndex({ tax: 1 }, { unique: true });
    await plain.insertOne({ name: 'a' });
    const dup = await plain.insertOne({ name: 'b' }).catch((e: unknown) => e);
    expect(dup).to.be.instanceOf(MongoServerError);
    expect((dup as MongoServerError).code).to.equal(11000);
    expect((dup as MongoServerError).keyValue).to.deep.equal({ tax: null });

    const sparse = db.collection('uniq_sparse');
    await sparse.createIndex({ tax: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ name: 'a' }, { name: 'b' }, { tax: 'T1' }]);
    expect(
      (await sparse.insertOne({ tax: 'T1' }).catch((e: unknown) => e)) as MongoServerError,
    ).to.have.property('code', 11000);

    const partial = db.collection('uniq_partial');
    await partial.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await partial.insertMany([
      { email: 'x', active: false },
      { email: 'x', active: false },
      { email: 'x', active: true },
    ]);
    const err = await partial.insertOne({ email: 'x', active: true }).catch((e: unknown) => e);
    expect(err).to.have.property('code', 11000);
  });

  it('indexes array elements (multikey) and returns each matching document once', async () => {
    const c = db.collection('multikey');
    await c.createIndex({ tags: 1 });
    await c.insertMany([
      { n: 1, tags: ['x', 'y', 'x'] },
      { n: 2, tags: ['y'] },
      { n: 3, tags: 'x' },
    ]);
    const hits = await c
      .find({ tags: { $in: ['x', 'y'] } })
      .sort({ n: 1 })
      .toArray();
    expect(hits.map((d) => d.n)).to.deep.equal([1, 2, 3]);
    const plan = JSON.stringify(await c.find({ tags: 'x' }).explain('queryPlanner'));
    expect(plan).to.include('tags_1');
    const uniq = db.collection('multikey_unique');
    await uniq.createIndex({ tags: 1 }, { unique: true });
    await uniq.insertOne({ tags: ['a', 'a'] });
    expect(await uniq.insertOne({ tags: ['b', 'a'] }).catch((e: unknown) => e)).to.have.property(
      'code',
      11000,
    );
  });

  it('serves sort + limit from a compound index in either direction', async () => {
    const c = db.collection('topn');
    await c.createIndex({ city: 1, at: -1 });
    await c.insertMany(Array.from({ length: 300 }, (_, i) => ({ city: i % 3 === 0 ? 'hz' : 'nb', at: i })));
    const latest = await c.find({ city: 'hz' }).sort({ at: -1 }).limit(3).toArray();
    expect(latest.map((d) => d.at)).to.deep.equal([297, 294, 291]);
    const earliest = await c.find({ city: 'hz' }).sort({ at: 1 }).limit(2).toArray();
    expect(earliest.map((d) => d.at)).to.deep.equal([0, 3]);
    const plan = JSON.stringify(
      await c.find({ city: 'hz' }).sort({ at: -1 }).limit(3).explain('queryPlanner'),
    );
    expect(plan).to.include('city_1_at_-1');
    expect(plan).not.to.include('"SORT"');
  });

  it('lets the server assign _id when the driver does not (forceServerObjectId)', async () => {
    const c = db.collection('server_ids');
    h.resetCommands();
    await c.insertOne({ v: 1 }, { forceServerObjectId: true });
    const sent = h.commands.find((e) => e.commandName === 'insert');
    expect(sent?.command.documents[0]).to.not.have.property('_id');
    const doc = await c.findOne({ v: 1 });
    expect(doc?._id).to.be.instanceOf(ObjectId);
  });

  it('counts and distincts', async () => {
    const c = db.collection('agg_small');
    await c.insertMany([{ t: 'a' }, { t: 'b' }, { t: 'a' }, { t: ['c', 'a'] }]);
    expect(await c.estimatedDocumentCount()).to.equal(4);
    expect(await c.countDocuments({ t: 'a' })).to.equal(3);
    expect((await c.distinct('t')).sort()).to.deep.equal(['a', 'b', 'c']);
  });

  // Regression: this test found the find command treating { _id: 1 } as "no projection" (whole documents
  // returned); fixed in the engine by 22365d4.
  it('projects { _id: 1 } down to the _id alone', async () => {
    const c = db.collection('projection_id');
    await c.insertMany([
      { _id: 1 as never, a: 1, b: 2 },
      { _id: 2 as never, b: 3 },
    ]);
    const docs = await c
      .find({}, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .toArray();
    expect(docs).to.deep.equal([{ _id: 1 }, { _id: 2 }]);
  });

  // Regression: this test found $group's $push/$addToSet accumulating null for missing fields (mongod skips
  // them); fixed in the engine by 22365d4.
  it('skips missing values in $push and $addToSet, but keeps explicit nulls', async () => {
    const c = db.collection('accumulate_missing');
    await c.insertMany([{ a: 1 }, { b: 1 }, { a: null }]);
    const [row] = await c
      .aggregate([{ $group: { _id: null, pushed: { $push: '$a' }, set: { $addToSet: '$a' } } }])
      .toArray();
    expect(row.pushed).to.deep.equal([1, null]);
    expect([...row.set].sort()).to.deep.equal([1, null].sort());
  });
});
