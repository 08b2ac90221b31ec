// Bounds the planner derives beyond equality and ranges: `$ne` as the intervals either side of the value
// (so "has a due date" does not walk every document without one), `$exists`, and equalities that contradict
// each other (nothing to scan). Bounds only ever narrow a scan: every answer is checked against a scan of
// the whole collection.
import { expect } from 'chai';
import type { Document } from 'bson';
import { harness, type Harness } from './harness.ts';

const ids = (docs: Document[]) => docs.map((d) => String(d._id)).sort();

/** 2,000 documents without `d` (null keys) or with `d: null`, then 20 with dates, and a few oddities. */
async function sparseDates(): Promise<Harness> {
  const h = harness();
  const documents: Document[] = Array.from({ length: 2000 }, (_, i) =>
    i % 2 ? { _id: i } : { _id: i, d: null },
  );
  for (let i = 0; i < 20; i++) documents.push({ _id: `d${i}`, d: new Date(Date.UTC(2026, 0, 1 + i)) });
  documents.push({ _id: 'num', d: 5 }, { _id: 'str', d: 'x' }, { _id: 'five', d: 5.0 });
  await h.run({ insert: 'c', documents });
  await h.run({ createIndexes: 'c', indexes: [{ key: { d: 1, _id: 1 }, name: 'd_id' }] });
  return h;
}

function ixscan(stage: Document): Document {
  return stage.stage === 'IXSCAN' ? stage : ixscan(stage.inputStage);
}

async function explain(h: Harness, find: Document) {
  return h.run({ explain: { find: 'c', ...find }, verbosity: 'executionStats' });
}

async function sameAsScan(h: Harness, filter: Document) {
  const got = await h.find('c', filter);
  expect(ids(got), JSON.stringify(filter)).to.deep.equal(
    ids(await h.find('c', filter, { hint: { $natural: 1 } })),
  );
  return got;
}

describe('engine: bounds from $ne, $exists and contradictions', () => {
  it('$ne: null skips the null keys: sort + limit reads about limit keys', async () => {
    const h = await sparseDates();
    const plan = await explain(h, { filter: { d: { $ne: null } }, sort: { d: 1, _id: 1 }, limit: 5 });
    expect(ixscan(plan.queryPlanner.winningPlan).indexBounds.d).to.deep.equal([
      '[MinKey, min null]',
      '[max null, MaxKey]',
    ]);
    expect(plan.executionStats.nReturned).to.equal(5);
    expect(plan.executionStats.totalKeysExamined).to.equal(5);
    await sameAsScan(h, { d: { $ne: null } });
  });

  it('$ne: value cuts the value out, scanning no key equal to it', async () => {
    const h = await sparseDates();
    const plan = await explain(h, { filter: { d: { $ne: 5 } }, hint: 'd_id' });
    // Every key but the two fives (5 and 5.0), each read once.
    expect(plan.executionStats.totalKeysExamined).to.equal(2021);
    expect(ixscan(plan.queryPlanner.winningPlan).indexBounds.d).to.deep.equal(['[MinKey, 5)', '(5, MaxKey]']);
    const got = await sameAsScan(h, { d: { $ne: 5 } });
    expect(got.map((d) => d._id)).to.not.include.members(['num', 'five']);
    const ranged = await explain(h, { filter: { d: { $ne: 5, $gte: 5, $lte: 5 } } });
    expect(ranged.executionStats.totalKeysExamined).to.equal(0);
  });

  it('combines $ne: null with a range, and $exists: false with the null keys', async () => {
    const h = await sparseDates();
    const from = new Date(Date.UTC(2026, 0, 15));
    const plan = await explain(h, { filter: { d: { $ne: null, $gte: from } }, sort: { d: 1, _id: 1 } });
    expect(plan.executionStats.nReturned).to.equal(6);
    expect(plan.executionStats.totalKeysExamined).to.equal(6);
    await sameAsScan(h, { d: { $ne: null, $gte: from } });
    await sameAsScan(h, { d: { $exists: false } });
    await sameAsScan(h, { d: { $exists: true } });
  });

  it('$ne: null on a multikey field leaves the null keys in (an empty array matches and is keyed null)', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { t: 1 }, name: 't_1' }] });
    await h.run({
      insert: 'c',
      documents: [{ _id: 1, t: [] }, { _id: 2, t: ['a'] }, { _id: 3 }, { _id: 4, t: [null, 'b'] }],
    });
    expect(ids(await sameAsScan(h, { t: { $ne: null } }))).to.deep.equal(['1', '2']);
  });

  it('$ne on a sparse index is not used: documents without the field match it', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { s: 1 }, name: 's_1', sparse: true }] });
    await h.run({ insert: 'c', documents: [{ _id: 1, s: 1 }, { _id: 2, s: 2 }, { _id: 3 }] });
    expect(ids(await sameAsScan(h, { s: { $ne: 1 } }))).to.deep.equal(['2', '3']);
    expect(ids(await sameAsScan(h, { s: { $ne: null } }))).to.deep.equal(['1', '2']);
  });

  it('contradictory equalities give empty bounds; on a multikey field they are both kept', async () => {
    const h = await sparseDates();
    const plan = await explain(h, { filter: { $and: [{ d: 5 }, { d: { $in: ['x', 7] } }] } });
    expect(plan.executionStats.totalKeysExamined).to.equal(0);
    expect(plan.executionStats.nReturned).to.equal(0);
    const m = harness();
    await m.run({ createIndexes: 'c', indexes: [{ key: { t: 1 }, name: 't_1' }] });
    await m.run({
      insert: 'c',
      documents: [
        { _id: 1, t: ['a', 'b'] },
        { _id: 2, t: ['a'] },
      ],
    });
    expect(ids(await m.find('c', { $and: [{ t: 'a' }, { t: 'b' }] }))).to.deep.equal(['1']);
  });

  it('a partial index on a range serves queries whose values all lie in it', async () => {
    const h = harness();
    await h.run({
      createIndexes: 'c',
      indexes: [{ key: { w: 1 }, name: 'lit', partialFilterExpression: { w: { $gt: 'none' } } }],
    });
    await h.run({
      insert: 'c',
      documents: ['none', 'red', 'yellow', 'overdue', 'none'].map((w, i) => ({ _id: i, w })),
    });
    const uses = async (filter: Document) =>
      JSON.stringify((await explain(h, { filter })).queryPlanner.winningPlan).includes('"lit"');
    expect(await uses({ w: { $in: ['red', 'overdue'] } })).to.equal(true);
    expect(await uses({ w: 'yellow' })).to.equal(true);
    expect(await uses({ w: 'none' })).to.equal(false);
    expect(await uses({ w: { $in: ['red', 'none'] } })).to.equal(false);
    expect(await uses({ w: { $gte: 'a' } })).to.equal(false);
    expect(ids(await sameAsScan(h, { w: { $in: ['red', 'overdue'] } }))).to.deep.equal(['1', '3']);
  });

  it('an $in of thousands of points on a compound index scans each point, not the span between them', async () => {
    // The KPI job once read the issues of 6,000 enterprises in a time window this way: widened into one range
    // (the old limit was 4,096 combinations), the scan walked most of the index to keep a few.
    const h = harness();
    const documents: Document[] = [];
    for (let e = 0; e < 12_000; e++) for (let t = 0; t < 3; t++) documents.push({ _id: e * 3 + t, e, t });
    await h.run({ insert: 'c', documents });
    await h.run({ createIndexes: 'c', indexes: [{ key: { e: 1, t: 1 }, name: 'e_t' }] });
    const wanted = Array.from({ length: 6_000 }, (_, k) => k * 2); // every other enterprise
    const filter = { e: { $in: wanted }, t: { $gte: 2 } };
    const plan = await explain(h, { filter });
    expect(plan.executionStats.nReturned).to.equal(6_000);
    expect(plan.executionStats.totalKeysExamined).to.be.at.most(6_000 + 6_000);
    await sameAsScan(h, filter);
    const counted = await h.run({ count: 'c', query: filter });
    expect(counted.n).to.equal(6_000);
  });
});
