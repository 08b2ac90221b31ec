import { expect } from 'chai';
import { Double, Int32, Long } from 'bson';
import { harness } from './harness.ts';

describe('engine: equality on a unique index (point lookup)', () => {
  it('finds by a unique key across numeric types, examining one key, and follows updates and deletes', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { k: 1 }, name: 'k_1', unique: true }] });
    await h.run({ insert: 'c', documents: [1, 2, 3].map((i) => ({ _id: i, k: i * 10 })) });
    expect(await h.find('c', { k: new Double(20) })).to.deep.equal([{ _id: 2, k: 20 }]);
    expect(await h.find('c', { k: Long.fromNumber(30) })).to.deep.equal([{ _id: 3, k: 30 }]);
    const explain = await h.run({ explain: { find: 'c', filter: { k: 10 } }, verbosity: 'executionStats' });
    expect(explain.queryPlanner.winningPlan.inputStage).to.include({ stage: 'IXSCAN', indexName: 'k_1' });
    expect(explain.executionStats).to.deep.include({
      nReturned: 1,
      totalKeysExamined: 1,
      totalDocsExamined: 1,
    });

    await h.run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { k: 11 } } }] });
    expect(await h.find('c', { k: 10 })).to.deep.equal([]);
    expect(await h.find('c', { k: 11 })).to.deep.equal([{ _id: 1, k: 11 }]);
    await h.run({ delete: 'c', deletes: [{ q: { k: 11 }, limit: 1 }] });
    expect(await h.find('c', { k: 11 })).to.deep.equal([]);
    await h.run({ insert: 'c', documents: [{ _id: 9, k: new Int32(11) }] });
    expect(await h.find('c', { k: 11 })).to.deep.equal([{ _id: 9, k: 11 }]);
  });

  it('reports E11000 for compound and multikey unique keys, and lets a document keep its own key', async () => {
    const h = harness();
    await h.run({
      createIndexes: 'c',
      indexes: [
        { key: { a: 1, b: 1 }, name: 'a_1_b_1', unique: true },
        { key: { tags: 1 }, name: 'tags_1', unique: true },
      ],
    });
    await h.run({ insert: 'c', documents: [{ _id: 1, a: 1, b: 'x', tags: ['p', 'q'] }] });
    const dup = await h.run({ insert: 'c', documents: [{ _id: 2, a: new Double(1), b: 'x', tags: ['r'] }] });
    expect(dup.n).to.equal(0);
    expect(dup.writeErrors[0]).to.include({ code: 11000 });
    expect(dup.writeErrors[0].keyValue).to.deep.equal({ a: new Double(1), b: 'x' });
    const multi = await h.run({ insert: 'c', documents: [{ _id: 3, a: 2, b: 'x', tags: ['q'] }] });
    expect(multi.writeErrors[0]).to.include({ code: 11000 });
    const self = await h.run({
      update: 'c',
      updates: [{ q: { _id: 1 }, u: { $set: { tags: ['q', 'p', 's'] } } }],
    });
    expect(self).to.deep.include({ n: 1, nModified: 1 });
    expect(self.writeErrors).to.equal(undefined);
    expect(await h.find('c', { a: 1, b: 'x' })).to.have.length(1);
    expect(await h.find('c', { tags: 's' })).to.have.length(1);
  });

  it('null equality matches a missing field through the unique index', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { k: 1 }, name: 'k_1', unique: true }] });
    await h.run({ insert: 'c', documents: [{ _id: 1 }, { _id: 2, k: 5 }] });
    expect(await h.find('c', { k: null })).to.deep.equal([{ _id: 1 }]);
    const dup = await h.run({ insert: 'c', documents: [{ _id: 3, k: null }] });
    expect(dup.writeErrors[0]).to.include({ code: 11000 });
  });
});
