// Cursors through the driver: batching over 500 documents, several getMores, killCursors, CursorNotFound,
// and the idle timeout on the injected clock.
import { expect } from 'chai';
import { Long, MongoServerError, type Collection } from 'mongodb';
import { startHarness, type Harness } from './harness.ts';

describe('integration (driver): cursors', () => {
  let h: Harness;
  let c: Collection;
  before(async () => {
    h = await startHarness();
    c = h.client.db('cursors').collection('items');
    await c.insertMany(Array.from({ length: 500 }, (_, i) => ({ i, pad: 'x'.repeat(50) })));
  });
  after(async () => {
    await h.stop();
  });
  const getMores = () => h.commands.filter((e) => e.commandName === 'getMore');

  it('returns all 500 documents, in order, over several getMores with batchSize 100', async () => {
    h.resetCommands();
    const docs = await c.find({}, { batchSize: 100 }).sort({ i: 1 }).toArray();
    expect(docs.map((d) => d.i)).to.deep.equal([...Array(500).keys()]);
    // 100 + 4 x 100, then (as mongod does, without reading ahead) one empty getMore that ends the cursor.
    expect(getMores()).to.have.length(5);
    expect(h.commands.filter((e) => e.commandName === 'killCursors')).to.have.length(0);
  });

  it('sends 101 documents first by default, then the rest in one getMore', async () => {
    h.resetCommands();
    const cursor = c.find({}).sort({ i: 1 });
    await cursor.hasNext();
    expect(cursor.bufferedCount()).to.equal(101);
    const rest = await cursor.toArray();
    expect(rest).to.have.length(500);
    expect(getMores()).to.have.length(1);
  });

  it('batches aggregation results the same way', async () => {
    h.resetCommands();
    const out = await c
      .aggregate([{ $match: { i: { $lt: 300 } } }, { $project: { i: 1 } }], { batchSize: 50 })
      .toArray();
    expect(out).to.have.length(300);
    expect(getMores()).to.have.length(6);
  });

  it('kills a cursor closed early; a later getMore on it is CursorNotFound (43)', async () => {
    h.resetCommands();
    const cursor = c.find({}, { batchSize: 10 });
    await cursor.next();
    const id = cursor.id as Long;
    expect(id.isZero()).to.equal(false);
    await cursor.close();
    const kill = h.commands.find((e) => e.commandName === 'killCursors');
    expect(kill?.command.cursors.map(String)).to.deep.equal([id.toString()]);
    const err = await h.client
      .db('cursors')
      .command({ getMore: id, collection: 'items' })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MongoServerError);
    expect(err).to.include({ code: 43, codeName: 'CursorNotFound' });
  });

  it('answers killCursors with cursorsKilled and cursorsNotFound', async () => {
    const reply = await h.client
      .db('cursors')
      .command({ find: 'items', batchSize: 5 })
      .then((r) => r.cursor.id as Long);
    const res = await h.client
      .db('cursors')
      .command({ killCursors: 'items', cursors: [reply, Long.fromNumber(424242)] });
    expect(res.cursorsKilled.map(String)).to.deep.equal([reply.toString()]);
    expect(res.cursorsNotFound.map(String)).to.deep.equal(['424242']);
  });

  it('times out a cursor left idle for more than 10 minutes', async () => {
    const cursor = c.find({}, { batchSize: 10 });
    for (let k = 0; k < 10; k++) await cursor.next();
    h.clock.advance(11 * 60 * 1000);
    await h.server.runMaintenance();
    const err = await cursor.next().catch((e: unknown) => e);
    expect(err).to.include({ code: 43 });
    await cursor.close().catch(() => undefined);
  });

  for (const [plan, filter, sort] of [
    ['a collection scan', {}, undefined],
    ['an index range scan', { i: { $gte: 0 } }, undefined],
    ['an index-ordered scan', {}, { i: 1 }],
  ] as const) {
    it(`keeps a cursor over ${plan} valid while documents change between getMores`, async () => {
      const moving = h.client.db('cursors').collection('moving');
      await moving.createIndex({ i: 1 });
      await moving.insertMany(Array.from({ length: 100 }, (_, i) => ({ i })));
      const cursor = moving.find(filter, { batchSize: 10, sort });
      const seen: number[] = [];
      for (let k = 0; k < 10; k++) seen.push((await cursor.next())!.i);
      await moving.deleteMany({ i: { $gte: 50, $lt: 60 } });
      await moving.updateMany({ i: { $gte: 70, $lt: 80 } }, { $set: { touched: true } });
      await moving.insertMany(Array.from({ length: 20 }, (_, k) => ({ i: 1000 + k })));
      for (const doc of await cursor.toArray()) seen.push(doc.i);
      const original = seen.filter((i) => i < 1000).sort((a, b) => a - b);
      const survivors = [...Array(100).keys()].filter((i) => i < 50 || i >= 60);
      expect(original, 'every surviving document exactly once, no deleted one').to.deep.equal(survivors);
      await moving.drop();
    });
  }
});
