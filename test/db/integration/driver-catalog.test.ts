// Catalog commands and the errors a client must see instead of a wrong answer, plus size limits: the driver
// splitting a large insert across several messages, and batches that stop short of 16 MiB.
import { expect } from 'chai';
import { MongoServerError, type Db } from 'mongodb';
import { startHarness, type Harness } from './harness.ts';

describe('integration (driver): catalog, refusals and size limits', () => {
  let h: Harness;
  let db: Db;
  before(async () => {
    h = await startHarness();
    db = h.client.db('catalog');
  });
  after(async () => {
    await h.stop();
  });

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the server to refuse');
      },
      (e: unknown) => {
        expect(e).to.be.instanceOf(MongoServerError);
        return e as MongoServerError;
      },
    );

  it('creates, lists, renames and drops collections and databases', async () => {
    await db.createCollection('a');
    expect((await failure(db.command({ create: 'a' }))).code).to.equal(48);
    await db.collection('b').insertOne({ x: 1 });
    const names = async () => (await db.listCollections().toArray()).map((c) => c.name).sort();
    expect(await names()).to.deep.equal(['a', 'b']);
    await db.collection('b').rename('c');
    expect(await names()).to.deep.equal(['a', 'c']);
    expect(await db.collection('c').countDocuments()).to.equal(1);
    await db.collection('a').drop();
    expect(await names()).to.deep.equal(['c']);
    const dbs = (await h.client.db('admin').admin().listDatabases()).databases.map((d) => d.name);
    expect(dbs).to.include('catalog');
    await db.dropDatabase();
    expect(await names()).to.deep.equal([]);
  });

  it('refuses an unknown query operator with BadValue (2)', async () => {
    const err = await failure(
      db
        .collection('q')
        .find({ a: { $frobnicate: 1 } })
        .toArray(),
    );
    expect(err.code).to.equal(2);
  });

  it('refuses to change _id with ImmutableField (66)', async () => {
    const c = db.collection('imm');
    const { insertedId } = await c.insertOne({ v: 1 });
    const err = await failure(c.updateOne({ _id: insertedId }, { $set: { _id: 'other' } }));
    expect(err.code).to.equal(66);
  });

  it('refuses $out, non-simple collation and $text rather than answering wrongly', async () => {
    const c = db.collection('refusals');
    await c.insertOne({ s: 'a' });
    await failure(c.aggregate([{ $out: 'elsewhere' }]).toArray());
    await failure(c.find({ s: 'A' }, { collation: { locale: 'en', strength: 2 } }).toArray());
    await failure(c.find({ $text: { $search: 'a' } }).toArray());
  });

  it('refuses transactions on this standalone server', async () => {
    const session = h.client.startSession();
    try {
      session.startTransaction();
      const err = await db
        .collection('txn')
        .insertOne({ x: 1 }, { session })
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(MongoServerError);
      // The driver wraps the server's IllegalOperation in a "does not support retryable writes" error.
      const original = (err as { originalError?: MongoServerError }).originalError;
      expect(original?.code).to.equal(20);
      expect(original?.message).to.equal(
        'Transaction numbers are only allowed on a replica set member or mongos',
      );
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect(await db.collection('txn').countDocuments()).to.equal(0);
  });

  it('accepts an insert the driver must split across several messages (over 48 MB)', async function () {
    this.timeout(60000);
    const c = db.collection('big');
    const blob = 'x'.repeat(1024 * 1024);
    const res = await c.insertMany(Array.from({ length: 60 }, (_, i) => ({ i, blob })));
    expect(res.insertedCount).to.equal(60);
    const inserts = h.commands.filter((e) => e.commandName === 'insert' && e.command.insert === 'big');
    expect(inserts.length).to.be.at.least(2);
    h.resetCommands();
    const cursor = c.find({}).sort({ i: 1 });
    await cursor.hasNext();
    const first = cursor.bufferedCount();
    expect(first).to.be.within(1, 15);
    const all = await cursor.toArray();
    expect(all.map((d) => d.i)).to.deep.equal([...Array(60).keys()]);
    expect(h.commands.filter((e) => e.commandName === 'getMore').length).to.be.at.least(3);
    await c.drop();
  });
});
