import { expect } from 'chai';
import { harness } from './harness.ts';

describe('engine smoke', () => {
  it('inserts, finds, updates, deletes', async () => {
    const h = harness();
    expect(
      await h.run({
        insert: 'c',
        documents: [
          { _id: 1, a: 1 },
          { _id: 2, a: 2 },
        ],
      }),
    ).to.deep.include({ n: 2 });
    expect((await h.find('c', { a: 2 })).map((d) => d._id.valueOf())).to.deep.equal([2]);
    const u = await h.run({ update: 'c', updates: [{ q: { a: 1 }, u: { $inc: { a: 5 } } }] });
    expect(u).to.deep.include({ n: 1, nModified: 1 });
    const d = await h.run({ delete: 'c', deletes: [{ q: {}, limit: 0 }] });
    expect(d.n).to.equal(2);
  });
});
