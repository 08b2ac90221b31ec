// A find whose scan reads many documents to keep few ends its batch between matches once the batch's time is up,
// however few documents it holds, and the next getMore resumes where it stopped (server/db/embedded/engine/
// pause.ts). The server runs with a batch time of 0, so every scan pauses at its first look at the clock (every
// 64 documents it lets go): the answers must be exactly those of a scan that never pauses, through the driver.
import { expect } from 'chai';
import type { Collection, Document } from 'mongodb';
import { startHarness, type Harness } from './harness.ts';

const N = 30_000;
interface Item {
  _id: number;
  i: number;
  k: number;
  a: number;
  b: number;
  tag: string;
}
const doc = (i: number): Item => ({
  _id: i,
  i,
  k: i % 7,
  a: i % 10 === 9 ? 1 : 0,
  b: i % 10 === 3 ? 1 : 0,
  tag: i % 5000 === 4999 ? 'hit' : 'miss',
});
/** The documents tagged 'hit', in `i` order: 4999, 9999, ..., 29999. */
const HITS = Array.from({ length: N }, (_, i) => i).filter((i) => i % 5000 === 4999);

describe('integration (driver): scans pause between matches', () => {
  let h: Harness;
  let c: Collection<Item>;
  before(async () => {
    h = await startHarness({ cursorBatchMs: 0 });
    c = h.client.db('pause').collection<Item>('items');
    for (let i = 0; i < N; i += 5_000) {
      await c.insertMany(Array.from({ length: 5_000 }, (_, j) => doc(i + j)));
    }
    await c.createIndexes([{ key: { k: 1 } }, { key: { a: 1, i: 1 } }, { key: { b: 1, i: 1 } }]);
  });
  after(async () => {
    await h.stop();
  });
  const getMores = () => h.commands.filter((e) => e.commandName === 'getMore').length;
  const ids = (docs: Document[]) => docs.map((d) => d.i as number);

  it('a collection scan pauses many times and returns exactly the matches', async () => {
    h.resetCommands();
    const docs = await c.find({ tag: 'hit' }).toArray();
    expect(ids(docs)).to.deep.equal(HITS);
    // About N / 64 pauses, each ending a batch; without pausing the 6 matches fit the first batch.
    expect(getMores()).to.be.above(N / 64 / 2);
  });

  it('an index scan and a plan chosen by trial resume where they paused', async () => {
    h.resetCommands();
    const byK = await c
      .find({ k: { $gte: 0 }, tag: 'hit' })
      .sort({ k: 1 })
      .toArray();
    expect(ids(byK).sort((x, y) => x - y)).to.deep.equal(HITS);
    expect(byK.map((d) => d.k as number)).to.deep.equal(HITS.map((i) => i % 7).sort((x, y) => x - y));
    const afterK = getMores();
    expect(afterK).to.be.above(N / 64 / 2);
    // Two indexes can serve it: the trial reads 10,000 works of each and the winner goes on from there.
    const trial = await c.find({ k: { $gte: 0 }, a: { $gte: 0 }, tag: 'hit' }).toArray();
    expect(ids(trial).sort((x, y) => x - y)).to.deep.equal(HITS);
    expect(getMores() - afterK).to.be.above((N - 10_000) / 64 / 2);
  });

  it('a merge of sorted $or branches, a skip and a limit stay exact across pauses', async () => {
    h.resetCommands();
    const merged = await c
      .find({ $or: [{ a: 1 }, { b: 1 }], tag: 'hit' })
      .sort({ i: 1 })
      .toArray();
    expect(ids(merged)).to.deep.equal(HITS);
    expect(getMores()).to.be.above(10);
    const page = await c.find({ tag: 'hit' }).skip(2).limit(3).toArray();
    expect(ids(page)).to.deep.equal(HITS.slice(2, 5));
    const sorted = await c.find({ tag: 'hit' }).sort({ i: -1 }).limit(2).toArray();
    expect(ids(sorted)).to.deep.equal(HITS.slice(-2).reverse());
  });

  it('a document deleted while its cursor is paused is not returned', async () => {
    const cursor = c.find({ tag: 'hit' });
    const first = await cursor.next();
    expect(first?.i).to.equal(HITS[0]);
    await c.deleteOne({ _id: HITS[3] });
    const rest = await cursor.toArray();
    expect(ids(rest)).to.deep.equal([...HITS.slice(1, 3), ...HITS.slice(4)]);
    await c.insertOne(doc(HITS[3]));
  });

  it('findOne, counts, aggregation and writes read to the end without pausing', async () => {
    expect((await c.findOne({ tag: 'hit', i: { $gt: 20_000 } }))?.i).to.equal(24_999);
    expect(await c.countDocuments({ tag: 'hit' })).to.equal(HITS.length);
    const agg = await c.aggregate([{ $match: { tag: 'hit' } }, { $sort: { i: 1 } }]).toArray();
    expect(ids(agg)).to.deep.equal(HITS);
    expect(await c.distinct('i', { tag: 'hit' })).to.deep.equal(HITS);
    expect((await c.updateMany({ tag: 'hit' }, { $set: { seen: true } })).modifiedCount).to.equal(
      HITS.length,
    );
    expect(await c.countDocuments({ seen: true })).to.equal(HITS.length);
  });
});
