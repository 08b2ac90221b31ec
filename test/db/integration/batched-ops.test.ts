// Coalesced driver operations on the embedded server: concurrent inserts share one insertMany yet each caller
// gets its own duplicate-key error; concurrent upserts share one update command and each learns whether it
// inserted; concurrent lookups share one `$in` read; concurrent sequence numbers share
// one `$inc` and stay unique and gap-free.
import { expect } from 'chai';
import { ObjectId, type Db } from 'mongodb';
import {
  batchedFindByUnique,
  batchedInsertMany,
  batchedInsertOne,
  batchedUpsertOne,
} from '../../../server/db/batched-ops.ts';
import mongoose from 'mongoose';
import { defineCounterModel, nextSequence } from '../../../server/models/counter.model.ts';
import { startHarness, type Harness } from './harness.ts';

describe('integration (driver): coalesced operations', () => {
  let h: Harness;
  let db: Db;
  const named = (name: string) => h.commands.filter((e) => e.commandName === name).length;
  before(async () => {
    h = await startHarness();
    db = h.client.db('batched');
  });
  after(async () => {
    await h.stop();
  });

  it('concurrent inserts go as few insertMany commands, and only the duplicate fails', async () => {
    const c = db.collection('things');
    await c.createIndex({ key: 1 }, { unique: true });
    await c.insertOne({ key: 'taken' });
    h.resetCommands();
    const keys = ['a', 'b', 'taken', 'c', 'd', 'e', 'f', 'g'];
    const results = await Promise.allSettled(keys.map((key) => batchedInsertOne(c, { key })));
    expect(results.map((r) => r.status)).to.deep.equal(
      keys.map((k) => (k === 'taken' ? 'rejected' : 'fulfilled')),
    );
    expect((results[2] as PromiseRejectedResult).reason).to.have.property('code', 11000);
    expect(await c.countDocuments({})).to.equal(keys.length);
    const inserts = named('insert');
    expect(inserts).to.be.within(1, 2);
  });

  it('concurrent upserts share one update command: the first for a document inserts it, only a conflict fails', async () => {
    const c = db.collection<{ _id: string; tag: string }>('claims');
    await c.createIndex({ tag: 1 }, { unique: true });
    await c.insertOne({ _id: 'old', tag: 'old' });
    h.resetCommands();
    // 'c' would take the tag 'old' has: a duplicate key for that upsert alone.
    const ids = ['a', 'b', 'a', 'old', 'c'];
    const results = await Promise.allSettled(
      ids.map((id) =>
        batchedUpsertOne(c as never, { _id: id }, [
          { $set: { tag: id === 'c' ? 'old' : id, at: { $ifNull: ['$at', '$$NOW'] } } },
        ]),
      ),
    );
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).to.deep.equal([
      true,
      true,
      false,
      false,
      'rejected',
    ]);
    expect((results[4] as PromiseRejectedResult).reason).to.have.property('code', 11000);
    expect(named('update')).to.equal(1);
    expect((await c.find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).to.deep.equal(['a', 'b', 'old']);
  });

  // The app's collections come from mongoose, whose own copy of the driver throws its own MongoBulkWriteError
  // class: a duplicate among a burst must still fail only its own caller (it used to fail every caller of
  // the batch with E11000, so fresh intake messages were answered as redeliveries and left unprocessed).
  it('through a mongoose connection too, only the duplicate of a burst fails', async () => {
    const conn = await mongoose.createConnection(h.server.uri, { dbName: 'batched' }).asPromise();
    try {
      const c = conn.collection('viaMongoose');
      await c.createIndex({ key: 1 }, { unique: true });
      await c.insertOne({ key: 'taken' });
      const keys = ['a', 'b', 'taken', 'c', 'd', 'e', 'f', 'g'];
      const one = await Promise.allSettled(keys.map((key) => batchedInsertOne(c as never, { key })));
      expect(one.map((r) => r.status)).to.deep.equal(
        keys.map((k) => (k === 'taken' ? 'rejected' : 'fulfilled')),
      );
      expect((one[2] as PromiseRejectedResult).reason).to.have.property('code', 11000);

      const groups = [['m', 'taken'], ['n'], ['a', 'o']];
      const many = await Promise.all(
        groups.map((g) =>
          batchedInsertMany(
            c as never,
            g.map((key) => ({ key })),
          ),
        ),
      );
      expect(many.map((g) => g.map((o) => o.ok))).to.deep.equal([[true, false], [true], [false, true]]);
      expect(await c.countDocuments({})).to.equal(keys.length + 3);

      const upserts = await Promise.allSettled(
        ['fresh', 'clash'].map((key) =>
          batchedUpsertOne(
            c as never,
            { key: key === 'clash' ? 'taken2' : key },
            { $set: { key: key === 'clash' ? 'taken' : key } },
          ),
        ),
      );
      expect(upserts.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).to.deep.equal([
        true,
        'rejected',
      ]);
      expect((upserts[1] as PromiseRejectedResult).reason).to.have.property('code', 11000);
    } finally {
      await conn.close();
    }
  });

  it('concurrent lookups by a unique field share one read and each gets its own document', async () => {
    const c = db.collection('firms');
    await c.createIndex({ code: 1 }, { unique: true });
    await c.insertMany([
      { code: 'A1', name: '甲', secret: 1 },
      { code: 'B2', name: '乙', secret: 2 },
    ]);
    h.resetCommands();
    const found = await Promise.all(
      ['A1', 'B2', 'A1', 'ZZ'].map((code) => batchedFindByUnique(c, 'code', code, { name: 1 })),
    );
    expect(found.map((d) => d?.name ?? null)).to.deep.equal(['甲', '乙', '甲', null]);
    expect(found[0]).to.not.have.property('secret');
    expect(named('find')).to.be.within(1, 2);
  });

  it('looks up by _id with ObjectIds, matching each caller by the id it asked for', async () => {
    const c = db.collection('people');
    const { insertedIds } = await c.insertMany([{ n: 1 }, { n: 2 }]);
    h.resetCommands();
    const ids = [insertedIds[1], new ObjectId(), insertedIds[0]];
    const found = await Promise.all(ids.map((id) => batchedFindByUnique(c, '_id', id, { n: 1 })));
    expect(found.map((d) => d?.n ?? null)).to.deep.equal([2, null, 1]);
    expect(named('find')).to.be.within(1, 2);
  });

  it('concurrent sequence numbers are unique, gap-free and share the $inc', async () => {
    const conn = await mongoose
      .createConnection(h.server.uri, { dbName: 'batched', monitorCommands: true })
      .asPromise();
    let incs = 0;
    conn.getClient().on('commandStarted', (e) => void (e.commandName === 'findAndModify' && incs++));
    try {
      const Counter = defineCounterModel(conn);
      const seqs = await Promise.all(Array.from({ length: 20 }, () => nextSequence(Counter, 'issue:2026')));
      expect([...seqs].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(incs).to.be.within(1, 2);
      expect(await nextSequence(Counter, 'issue:2026')).to.equal(21);
      expect(await nextSequence(Counter, 'issue:2027')).to.equal(1);
    } finally {
      await conn.close();
    }
  });
});
