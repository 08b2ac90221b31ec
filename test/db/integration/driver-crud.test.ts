// CRUD through the official driver: writes, findOneAndUpdate, upserts, arrayFilters, $lookup, duplicate keys,
// index use seen through explain, TTL expiry driven by the injected clock, and unacknowledged (w:0) writes.
import { expect } from 'chai';
import { MongoServerError, type Db } from 'mongodb';
import { startHarness, type Harness } from './harness.ts';

describe('integration (driver): CRUD and indexes', () => {
  let h: Harness;
  let db: Db;
  before(async () => {
    h = await startHarness();
    db = h.client.db('crud');
  });
  after(async () => {
    await h.stop();
  });

  it('inserts, finds, updates and deletes', async () => {
    const c = db.collection('basic');
    const one = await c.insertOne({ name: 'a', n: 1 });
    expect(one.acknowledged).to.equal(true);
    const many = await c.insertMany([
      { name: 'b', n: 2 },
      { name: 'c', n: 3 },
    ]);
    expect(many.insertedCount).to.equal(2);
    expect(await c.countDocuments({})).to.equal(3);
    const upd = await c.updateMany({ n: { $gte: 2 } }, { $set: { big: true } });
    expect(upd).to.include({ matchedCount: 2, modifiedCount: 2 });
    const found = await c
      .find({ big: true }, { projection: { _id: 0, name: 1 } })
      .sort({ name: -1 })
      .toArray();
    expect(found).to.deep.equal([{ name: 'c' }, { name: 'b' }]);
    const del = await c.deleteOne({ _id: one.insertedId });
    expect(del.deletedCount).to.equal(1);
    expect(await c.findOne({ name: 'a' })).to.equal(null);
  });

  it('findOneAndUpdate applies $set, $inc and $push atomically and returns the new document', async () => {
    const c = db.collection<{ _id: string; n: number; tags: string[]; label?: string }>('counters');
    await c.insertOne({ _id: 'x', n: 1, tags: ['a'] });
    const after = await c.findOneAndUpdate(
      { _id: 'x' },
      { $set: { label: 'X' }, $inc: { n: 5 }, $push: { tags: 'b' } },
      { returnDocument: 'after' },
    );
    expect(after).to.deep.equal({ _id: 'x', n: 6, tags: ['a', 'b'], label: 'X' });
    const before = await c.findOneAndUpdate({ _id: 'x' }, { $inc: { n: 1 } }, { returnDocument: 'before' });
    expect(before?.n).to.equal(6);
    expect((await c.findOne({ _id: 'x' }))?.n).to.equal(7);
  });

  it('upserts, seeding the new document from the query (dotted paths included) and $setOnInsert', async () => {
    const c = db.collection('upserts');
    const res = await c.updateOne(
      { key: 'k1', 'meta.region': 'north' },
      { $set: { v: 1 }, $setOnInsert: { createdBy: 'test' } },
      { upsert: true },
    );
    expect(res.upsertedCount).to.equal(1);
    const doc = await c.findOne({ key: 'k1' }, { projection: { _id: 0 } });
    expect(doc).to.deep.equal({ key: 'k1', meta: { region: 'north' }, v: 1, createdBy: 'test' });
    const again = await c.updateOne(
      { key: 'k1' },
      { $set: { v: 2 }, $setOnInsert: { createdBy: 'other' } },
      { upsert: true },
    );
    expect(again).to.include({ matchedCount: 1, upsertedCount: 0 });
    expect((await c.findOne({ key: 'k1' }))?.createdBy).to.equal('test');
  });

  it('updates only the array elements chosen by arrayFilters', async () => {
    const c = db.collection<{ _id: number; grades: Array<{ g: number; ok: boolean }> }>('grades');
    await c.insertOne({
      _id: 1,
      grades: [
        { g: 80, ok: false },
        { g: 95, ok: false },
        { g: 90, ok: false },
      ],
    });
    await c.updateOne(
      { _id: 1 },
      { $set: { 'grades.$[hi].ok': true } },
      { arrayFilters: [{ 'hi.g': { $gte: 90 } }] },
    );
    const doc = await c.findOne({ _id: 1 });
    expect(doc?.grades.map((x) => x.ok)).to.deep.equal([false, true, true]);
  });

  it('joins with $lookup in an aggregation', async () => {
    await db.collection<{ _id: number; name: string }>('authors').insertMany([
      { _id: 1, name: 'Lu Xun' },
      { _id: 2, name: 'Ba Jin' },
    ]);
    await db.collection('books').insertMany([
      { title: 'Call to Arms', authorId: 1 },
      { title: 'Family', authorId: 2 },
      { title: 'Wandering', authorId: 1 },
    ]);
    const rows = await db
      .collection('authors')
      .aggregate([
        { $lookup: { from: 'books', localField: '_id', foreignField: 'authorId', as: 'books' } },
        { $project: { _id: 0, name: 1, count: { $size: '$books' } } },
        { $sort: { name: 1 } },
      ])
      .toArray();
    expect(rows).to.deep.equal([
      { name: 'Ba Jin', count: 1 },
      { name: 'Lu Xun', count: 2 },
    ]);
  });

  it('reports a duplicate key as 11000 with keyPattern and keyValue', async () => {
    const c = db.collection('users');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@example.com' });
    const err = await c.insertOne({ email: 'a@example.com' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MongoServerError);
    const e = err as MongoServerError;
    expect(e.code).to.equal(11000);
    expect(e.message).to.match(
      /^E11000 duplicate key error collection: crud\.users index: email_1 dup key: \{/,
    );
    expect(e.keyPattern).to.deep.equal({ email: 1 });
    expect(e.keyValue).to.deep.equal({ email: 'a@example.com' });
  });

  it('reports unordered write errors with their batch indexes and keeps the other writes', async () => {
    const c = db.collection('unordered');
    await c.createIndex({ k: 1 }, { unique: true });
    const err = await c
      .insertMany([{ k: 1 }, { k: 1 }, { k: 2 }, { k: 2 }], { ordered: false })
      .catch((e: unknown) => e);
    const indexes = (err as { writeErrors: Array<{ index: number; code: number }> }).writeErrors.map((w) => [
      w.index,
      w.code,
    ]);
    expect(indexes).to.deep.equal([
      [1, 11000],
      [3, 11000],
    ]);
    expect(await c.countDocuments()).to.equal(2);
  });

  it("checks a batch's documents against the stored ones and the batch's earlier ones on multikey and partial unique indexes, ordered and unordered", async () => {
    // Each statement and what it meets: 1 a tag of 0's (multikey), 3 a code of 0's (partial: open ones only,
    // so 2, closed, may share it), 4 a stored tag, 5 the _id of 0; 2 and 6 take what failed statements held.
    const batch = [
      { _id: 1, n: 1, tags: ['a', 'b'], kind: 'open', code: 'B' },
      { _id: 2, n: 2, tags: ['c', 'a'], kind: 'open', code: 'Z' },
      { _id: 3, n: 3, tags: ['c'], kind: 'closed', code: 'B' },
      { _id: 4, n: 4, tags: ['d'], kind: 'open', code: 'B' },
      { _id: 5, n: 5, tags: ['x'] },
      { _id: 1, n: 6, tags: ['e'] },
      { _id: 6, n: 7, tags: ['d', 'f'], kind: 'open', code: 'Z' },
    ];
    async function load(name: string, ordered: boolean) {
      const c = db.collection<{ _id: number; n?: number; tags: string[]; kind?: string; code?: string }>(
        name,
      );
      await c.createIndex({ tags: 1 }, { unique: true });
      await c.createIndex({ code: 1 }, { unique: true, partialFilterExpression: { kind: 'open' } });
      await c.createIndex({ n: 1 });
      await c.insertOne({ _id: 0, n: 0, tags: ['x'], kind: 'open', code: 'A' });
      const err = (await c.insertMany(batch, { ordered }).catch((e: unknown) => e)) as {
        writeErrors: { index: number; code: number; errmsg: string }[];
      };
      // The driver keeps each error's message, which names the index and the key (not keyPattern, keyValue).
      const errors = err.writeErrors.map((w) => [w.index, w.code, w.errmsg.replace(/^.* index: /, '')]);
      // What every index holds afterwards: each stored document once, in key order.
      const by = async (hint: object, filter: object = {}) =>
        (await c.find(filter).hint(hint).toArray()).map((d) => d._id);
      const held = {
        all: await by({ _id: 1 }),
        n: await by({ n: 1 }),
        tagged: await by({ tags: 1 }, { tags: { $in: ['a', 'b', 'c', 'd', 'e', 'f', 'x'] } }),
        coded: await by({ code: 1 }, { kind: 'open', code: { $gte: 'A' } }),
      };
      return { c, errors, held, message: err.writeErrors[0].errmsg };
    }
    const unordered = await load('batch_unordered', false);
    expect(unordered.errors).to.deep.equal([
      [1, 11000, 'tags_1 dup key: { tags: "a" }'],
      [3, 11000, 'code_1 dup key: { code: "B" }'],
      [4, 11000, 'tags_1 dup key: { tags: "x" }'],
      [5, 11000, '_id_ dup key: { _id: 1 }'],
    ]);
    expect(unordered.message).to.equal(
      'E11000 duplicate key error collection: crud.batch_unordered index: tags_1 dup key: { tags: "a" }',
    );
    expect(unordered.held).to.deep.equal({
      all: [0, 1, 3, 6],
      n: [0, 1, 3, 6],
      tagged: [1, 3, 6, 0],
      coded: [0, 1, 6],
    });
    // The batch's entries are in the indexes: a later insert meets them.
    const later = await unordered.c.insertOne({ _id: 9, tags: ['f'] }).catch((e: unknown) => e);
    expect(later).to.have.property('code', 11000);

    // Ordered: the first failure ends the batch, the documents before it stay.
    const ordered = await load('batch_ordered', true);
    expect(ordered.errors).to.deep.equal([[1, 11000, 'tags_1 dup key: { tags: "a" }']]);
    expect(ordered.held).to.deep.equal({ all: [0, 1], n: [0, 1], tagged: [1, 0], coded: [0, 1] });
  });

  it('uses an index for equality, range and a compound prefix, as explain reports', async () => {
    const c = db.collection('explained');
    await c.insertMany(Array.from({ length: 200 }, (_, i) => ({ a: i, b: i % 10, c: `v${i}` })));
    await c.createIndex({ a: 1 });
    await c.createIndex({ b: 1, c: -1 });
    const plan = async (filter: object) => JSON.stringify(await c.find(filter).explain('queryPlanner'));
    const eq = await plan({ a: 5 });
    expect(eq).to.include('IXSCAN').and.to.include('"a_1"');
    expect(await plan({ a: { $gt: 10, $lt: 20 } })).to.include('"a_1"');
    expect(await plan({ b: 3 })).to.include('"b_1_c_-1"');
    expect(await plan({ c: 'v1' })).to.include('COLLSCAN');
    expect(await c.find({ a: { $gte: 10, $lt: 13 } }).toArray()).to.have.length(3);
  });

  it('expires documents through a TTL index when the sweep runs past their expiry', async () => {
    const c = db.collection('sessions');
    await c.createIndex({ lastSeen: 1 }, { expireAfterSeconds: 60 });
    await c.insertMany([
      { user: 'old', lastSeen: new Date(h.clock.now.getTime() - 120_000) },
      { user: 'fresh', lastSeen: h.clock.now },
      { user: 'no-date', lastSeen: 'yesterday' },
    ]);
    await h.server.runMaintenance();
    expect((await c.find().toArray()).map((d) => d.user).sort()).to.deep.equal(['fresh', 'no-date']);
    h.clock.advance(61_000);
    await h.server.runMaintenance();
    expect((await c.find().toArray()).map((d) => d.user)).to.deep.equal(['no-date']);
  });

  it('executes unacknowledged (w:0) writes', async () => {
    const c = db.collection('fire_and_forget');
    const res = await c.insertOne({ x: 1 }, { writeConcern: { w: 0 } });
    expect(res.acknowledged).to.equal(false);
    await c.updateOne({ x: 1 }, { $set: { y: 2 } }, { writeConcern: { w: 0 } });
    const deadline = Date.now() + 2000;
    let doc = await c.findOne({ x: 1 });
    while (doc?.y !== 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      doc = await c.findOne({ x: 1 });
    }
    expect(doc).to.include({ x: 1, y: 2 });
  });
});
