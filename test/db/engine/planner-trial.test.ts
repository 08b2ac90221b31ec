// The planner chooses by trial like MongoDB's multi-planner: the most productive candidate wins (a plan that
// delivers the sort beats one that must sort, unless the latter finishes first), the winner is cached per
// query shape, a cached plan that degrades past 10x its works is replanned, the cache is dropped when indexes
// or the data change enough, a hint always decides, and explain reports the winner and the rejected plans.
import { expect } from 'chai';
import type { Document } from 'bson';
import { planCacheOf } from '../../../server/db/embedded/engine/plan-cache.ts';
import { cachedCandidate, enumeratePlans } from '../../../server/db/embedded/engine/planner.ts';
import { planStages } from '../explain-stages.ts';
import { harness, type Harness } from './harness.ts';

const ids = (docs: Document[]) => docs.map((d) => Number(d._id));

const ixNames = (plan: Document | undefined): string[] =>
  planStages(plan)
    .filter((s) => s.stage === 'IXSCAN')
    .map((s) => s.indexName as string);

const stages = (plan: Document): string =>
  JSON.stringify(plan)
    .match(/"stage":"[A-Z_]+"/g)!
    .join(',');

async function explain(h: Harness, find: Document, verbosity = 'executionStats') {
  return h.run({ explain: { find: 'c', ...find }, verbosity });
}

/**
 * 4,000 documents: `a` is 0 for 90% of them (1..39 for the rest), `b` is unique-ish, `t` orders them. With
 * indexes on each, the rule-based score cannot tell {a} from {b}; only running them can.
 */
async function skewed(): Promise<Harness> {
  const h = harness();
  const documents = Array.from({ length: 4000 }, (_, i) => ({
    _id: i,
    a: i % 10 === 0 ? 1 + (i % 39) : 0,
    b: i % 400,
    t: i,
  }));
  await h.run({ insert: 'c', documents });
  await h.run({
    createIndexes: 'c',
    indexes: [
      { key: { a: 1 }, name: 'a_1' },
      { key: { b: 1 }, name: 'b_1' },
      { key: { t: -1 }, name: 't_-1' },
    ],
  });
  return h;
}

const cacheOf = (h: Harness) => planCacheOf(h.engine.catalog.get('test.c')!);

describe('engine: planning by trial', () => {
  it('picks the productive index where the rules tie, and reports the others as rejected', async () => {
    const h = await skewed();
    const plan = await explain(h, { filter: { a: 0, b: 7 } }, 'allPlansExecution');
    expect(ixNames(plan.queryPlanner.winningPlan)).to.deep.equal(['b_1']);
    expect(plan.queryPlanner.rejectedPlans.map((p: Document) => ixNames(p))).to.deep.equal([['a_1']]);
    expect(plan.executionStats.nReturned).to.equal(10);
    expect(plan.executionStats.totalKeysExamined).to.equal(10);
    const all = plan.executionStats.allPlansExecution as Document[];
    expect(all).to.have.length(2);
    expect(all[0].score).to.be.greaterThan(all[1].score);
  });

  it('prefers the index that delivers the sort, unless the other plan finishes first', async () => {
    const h = await skewed();
    // a = 0 matches 90%: walking t in order fills the limit at once; sorting every a = 0 would not end.
    const common = await explain(h, { filter: { a: 0 }, sort: { t: -1 }, limit: 5 });
    expect(ixNames(common.queryPlanner.winningPlan)).to.deep.equal(['t_-1']);
    expect(stages(common.queryPlanner.winningPlan)).to.not.contain('"SORT"');
    expect(common.executionStats.totalKeysExamined).to.be.at.most(6);
    // a = 7 matches 10 documents: reading them and sorting ends long before t finds five.
    const rare = await explain(h, { filter: { a: 7 }, sort: { t: -1 }, limit: 5 });
    expect(ixNames(rare.queryPlanner.winningPlan)).to.deep.equal(['a_1']);
    expect(stages(rare.queryPlanner.winningPlan)).to.contain('"SORT"');
    expect(rare.executionStats.totalKeysExamined).to.equal(10);
    const natural = await h.find('c', { a: 7 }, { hint: { $natural: 1 } });
    const newest = ids(natural)
      .sort((x, y) => y - x)
      .slice(0, 5);
    expect(ids(await h.find('c', { a: 7 }, { sort: { t: -1 }, limit: 5 }))).to.deep.equal(newest);
  });

  it('is deterministic: equal scores go to the first candidate, run after run', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: Array.from({ length: 300 }, (_, i) => ({ _id: i, x: i % 3 })) });
    await h.run({
      createIndexes: 'c',
      indexes: [
        { key: { x: 1 }, name: 'first' },
        { key: { x: 1, _id: 1 }, name: 'second' },
      ],
    });
    const winners = new Set<string>();
    for (let i = 0; i < 5; i++) {
      winners.add(ixNames((await explain(h, { filter: { x: 1 } })).queryPlanner.winningPlan).join());
    }
    expect([...winners]).to.deep.equal(['first']);
  });

  it('a hint decides, with no trial and no rejected plans', async () => {
    const h = await skewed();
    const plan = await explain(h, { filter: { a: 0, b: 7 }, hint: 'a_1' });
    expect(ixNames(plan.queryPlanner.winningPlan)).to.deep.equal(['a_1']);
    expect(plan.queryPlanner.rejectedPlans).to.deep.equal([]);
    expect(plan.executionStats.totalKeysExamined).to.equal(3600);
    expect(ids(await h.find('c', { a: 0, b: 7 }, { hint: { a: 1 } }))).to.have.length(10);
    expect(cacheOf(h).size).to.equal(0);
  });
});

describe('engine: the plan cache', () => {
  it('caches the winner per query shape, never for explain or a single candidate', async () => {
    const h = await skewed();
    await explain(h, { filter: { a: 0, b: 7 } });
    expect(cacheOf(h).size).to.equal(0);
    await h.find('c', { b: 400 });
    expect(cacheOf(h).size).to.equal(0);
    await h.find('c', { a: 0, b: 7 });
    await h.find('c', { a: 3, b: 8 });
    expect(
      cacheOf(h)
        .list()
        .map(([, e]) => e.id),
    ).to.deep.equal(['ix:b_1']);
    await h.find('c', { a: 0, b: 7 }, { sort: { t: -1 } });
    await h.find('c', { a: 0, b: { $in: [7, 8] } });
    expect(cacheOf(h).size).to.equal(3);
  });

  it('runs a cached plan without a trial and replans it when it needs over 10x its works', async () => {
    const h = await skewed();
    // Cached on a common value: {t} fills the limit in a handful of works.
    await h.find('c', { a: 0 }, { sort: { t: -1 }, limit: 5 });
    const [[shape, first]] = cacheOf(h).list();
    expect(first.id).to.equal('ix:t_-1');
    expect(first.works).to.be.at.most(6);
    // The same shape with a rare value: {t} would walk about 2,000 keys to find 5, so it is replanned.
    expect(ids(await h.find('c', { a: 7 }, { sort: { t: -1 }, limit: 5 }))).to.have.length(5);
    expect(cacheOf(h).get(shape)?.id).to.equal('ix:a_1');
    // And back: {a} on the common value cannot finish within 10x of its 10 works either.
    await h.find('c', { a: 0 }, { sort: { t: -1 }, limit: 5 });
    expect(cacheOf(h).get(shape)?.id).to.equal('ix:t_-1');
  });

  it('is dropped when an index is created or dropped, a field turns multikey, or the data grows', async () => {
    const h = await skewed();
    const warm = async () => {
      await h.find('c', { a: 0, b: 7 });
      expect(cacheOf(h).size).to.equal(1);
    };
    await warm();
    await h.run({ createIndexes: 'c', indexes: [{ key: { z: 1 }, name: 'z_1' }] });
    expect(cacheOf(h).size).to.equal(0);
    await warm();
    await h.run({ dropIndexes: 'c', index: 'z_1' });
    expect(cacheOf(h).size).to.equal(0);
    await warm();
    await h.run({ insert: 'c', documents: [{ _id: 'arr', a: [0, 1], b: 1 }] });
    expect(cacheOf(h).size).to.equal(0);
    await warm();
    const more = Array.from({ length: 999 }, (_, i) => ({ _id: `n${i}`, a: 0, b: 1 }));
    await h.run({ insert: 'c', documents: more });
    expect(cacheOf(h).size).to.equal(1);
    await h.run({ insert: 'c', documents: [{ _id: 'n999', a: 0, b: 1 }, { _id: 'n1000' }] });
    expect(cacheOf(h).size).to.equal(0);
  });

  it('a cached winner is rebuilt alone, as the whole enumeration would build it, for each kind of plan', async () => {
    const h = await skewed();
    await h.run({ createIndexes: 'c', indexes: [{ key: { a: 1, t: -1 }, name: 'a_1_t_-1' }] });
    const coll = h.engine.catalog.get('test.c')!;
    const queries: [Document, Document][] = [
      [{ a: 0, b: 7 }, {}], // ix:
      [{ a: { $in: [0, 3, 5] } }, { t: -1 }], // merge: one scan per point, merged by the sort
      [{ $or: [{ a: 4 }, { b: 9 }] }, {}], // or: a union
      [{ $and: [{ t: { $gte: 10 } }, { $or: [{ a: 4 }, { b: 9 }] }] }, { t: -1 }], // a contained $or
    ];
    const kinds = new Set<string>();
    for (const [filter, sort] of queries) {
      const fields = Object.entries(sort).map(([path, dir]) => ({ path, dir: dir as 1 | -1 }));
      for (const c of enumeratePlans(coll, filter, fields)) {
        kinds.add(c.id.replace(/[:(].*/, ''));
        const rebuilt = cachedCandidate(coll, filter, fields, c.id);
        expect(rebuilt, c.id).to.deep.equal(c);
      }
    }
    expect([...kinds].sort()).to.deep.equal(['ix', 'merge', 'or0']);
    // An id the query does not offer (another index's, or a collection scan) is not invented.
    expect(cachedCandidate(coll, { b: 7 }, [], 'ix:a_1')).to.equal(undefined);
    expect(cachedCandidate(coll, { a: 0 }, [], 'collscan')).to.equal(undefined);
    // And a query of a cached shape still answers right through the rebuilt plan.
    await h.find('c', { a: { $in: [3, 5] } }, { sort: { t: -1 }, limit: 5 });
    const expected = Array.from({ length: 4000 }, (_, i) => i)
      .filter((i) => i % 10 === 0 && [7, 9].includes(1 + (i % 39)))
      .reverse()
      .slice(0, 3);
    expect(
      cacheOf(h)
        .list()
        .map(([, e]) => e.id),
    ).to.deep.equal(['merge:a_1_t_-1']);
    expect(ids(await h.find('c', { a: { $in: [7, 9] } }, { sort: { t: -1 }, limit: 3 }))).to.deep.equal(
      expected,
    );
  });
});
