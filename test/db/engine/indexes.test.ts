import { expect } from 'chai';
import type { Document } from 'bson';
import { canonicalDoc } from '../../../server/db/embedded/engine/values.ts';
import { harness, plain } from './harness.ts';

const ids = (docs: Document[]) => docs.map((d) => Number(d._id));

async function explainFind(h: ReturnType<typeof harness>, find: Document) {
  return h.run({ explain: { find: 'c', ...find }, verbosity: 'executionStats' });
}

function ixscan(plan: Document): Document | undefined {
  for (let s: Document | undefined = plan; s; s = s.inputStage) if (s.stage === 'IXSCAN') return s;
  return undefined;
}

describe('engine: index catalog', () => {
  it('always has _id_, lists created indexes, and treats re-creation as a no-op', async () => {
    const h = harness();
    const r1 = await h.run({ createIndexes: 'c', indexes: [{ key: { a: 1, b: -1 }, name: 'a_1_b_-1' }] });
    expect(r1).to.deep.include({
      createdCollectionAutomatically: true,
      numIndexesBefore: 1,
      numIndexesAfter: 2,
    });
    const r2 = await h.run({ createIndexes: 'c', indexes: [{ key: { a: 1, b: -1 }, name: 'a_1_b_-1' }] });
    expect(r2).to.deep.include({
      numIndexesBefore: 2,
      numIndexesAfter: 2,
      note: 'all indexes already exist',
    });
    const list = await h.run({ listIndexes: 'c' });
    expect(list.cursor.firstBatch.map((s: Document) => s.name)).to.deep.equal(['_id_', 'a_1_b_-1']);
    expect(h.persistence.changes.filter((c) => c.op === 'createIndex')).to.have.length(1);
  });

  it('refuses a zero or non-numeric key direction and a compound TTL index with CannotCreateIndex (67)', async () => {
    const h = harness();
    for (const index of [
      { key: { a: 0 }, name: 'a_0' },
      { key: { a: 1, b: true }, name: 'a_b' },
      { key: { at: 1, k: 1 }, name: 'at_k_ttl', expireAfterSeconds: 60 },
    ])
      expect((await h.fail({ createIndexes: 'c', indexes: [index] })).code, index.name).to.equal(67);
    await h.run({
      createIndexes: 'c',
      indexes: [{ key: { at: 1 }, name: 'at_ttl', expireAfterSeconds: 60 }],
    });
    const names = (await h.run({ listIndexes: 'c' })).cursor.firstBatch.map((i: { name: string }) => i.name);
    expect(names).to.deep.equal(['_id_', 'at_ttl']);
  });

  it('same name with different options is 85, with a different key 86; same key under another name is 85', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(
      (await h.fail({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1', unique: true }] })).code,
    ).to.equal(85);
    expect((await h.fail({ createIndexes: 'c', indexes: [{ key: { b: 1 }, name: 'a_1' }] })).code).to.equal(
      86,
    );
    expect(
      (await h.fail({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'other', sparse: true }] })).code,
    ).to.equal(85);
  });

  it('drops by name, key pattern and "*", never _id_', async () => {
    const h = harness();
    await h.run({
      createIndexes: 'c',
      indexes: [
        { key: { a: 1 }, name: 'a_1' },
        { key: { b: 1 }, name: 'b_1' },
        { key: { c: 1 }, name: 'c_1' },
      ],
    });
    await h.run({ dropIndexes: 'c', index: 'a_1' });
    await h.run({ dropIndexes: 'c', index: { b: 1 } });
    expect((await h.fail({ dropIndexes: 'c', index: 'nope' })).code).to.equal(27);
    expect((await h.fail({ dropIndexes: 'c', index: '_id_' })).code).to.equal(72);
    await h.run({ dropIndexes: 'c', index: '*' });
    const list = await h.run({ listIndexes: 'c' });
    expect(list.cursor.firstBatch.map((s: Document) => s.name)).to.deep.equal(['_id_']);
  });

  it('puts each insert into exactly the indexes there are: after a create, a refused duplicate and a drop', async () => {
    const h = harness();
    const hinted = async (hint: string) =>
      ids((await h.run({ find: 'c', filter: {}, hint, sort: { a: 1 } })).cursor.firstBatch);
    await h.run({ insert: 'c', documents: [{ _id: 1, a: 1 }] });
    await h.run({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1', unique: true }] });
    await h.run({ insert: 'c', documents: [{ _id: 2, a: 2 }] });
    const dup = await h.run({
      insert: 'c',
      documents: [
        { _id: 3, a: 2 },
        { _id: 4, a: 4 },
      ],
      ordered: false,
    });
    expect(dup.n).to.equal(1);
    expect(dup.writeErrors.map((e: Document) => e.code)).to.deep.equal([11000]);
    const again = await h.run({ insert: 'c', documents: [{ _id: 5, a: 4 }] });
    expect(again.writeErrors.map((e: Document) => e.code)).to.deep.equal([11000]);
    expect(await hinted('a_1')).to.deep.equal([1, 2, 4]);
    await h.run({ dropIndexes: 'c', index: 'a_1' });
    await h.run({ insert: 'c', documents: [{ _id: 6, a: 4 }] });
    await h.run({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    await h.run({ insert: 'c', documents: [{ _id: 7, a: 0 }] });
    expect(await hinted('a_1')).to.deep.equal([7, 1, 2, 4, 6]);
    expect(await hinted('_id_')).to.have.members([1, 2, 4, 6, 7]);
  });

  it('refuses text, geo and hashed indexes', async () => {
    const h = harness();
    for (const key of [{ t: 'text' }, { g: '2dsphere' }, { h: 'hashed' }]) {
      expect((await h.fail({ createIndexes: 'c', indexes: [{ key, name: 'x' }] })).code).to.equal(238);
    }
  });

  it('building a unique index over duplicates fails and leaves no index', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ a: 1 }, { a: 1 }] });
    expect(
      (await h.fail({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1', unique: true }] })).code,
    ).to.equal(11000);
    expect((await h.run({ listIndexes: 'c' })).cursor.firstBatch).to.have.length(1);
  });

  it('builds the indexes of one command together, all or nothing, each exact', async () => {
    const h = harness();
    const documents = Array.from({ length: 300 }, (_, i) => ({
      _id: i,
      a: i % 7,
      b: `b${i % 5}`,
      ...(i % 3 ? { tags: [i % 2, 9] } : {}),
    }));
    await h.run({ insert: 'c', documents });
    const together = [
      { key: { a: 1, b: -1 }, name: 'a_b' },
      { key: { tags: 1 }, name: 'tags_1' },
      { key: { b: 1 }, name: 'b_odd', partialFilterExpression: { a: { $gt: 3 } } },
    ];
    // A unique index that fails makes the whole command fail and leaves the others unbuilt.
    const failing = [...together, { key: { a: 1 }, name: 'a_unique', unique: true }];
    expect((await h.fail({ createIndexes: 'c', indexes: failing })).code).to.equal(11000);
    expect((await h.run({ listIndexes: 'c' })).cursor.firstBatch).to.have.length(1);
    const reply = await h.run({ createIndexes: 'c', indexes: [...together, together[0]] });
    expect(reply).to.include({ numIndexesBefore: 1, numIndexesAfter: 4 });
    for (const [filter, hint] of [
      [{ a: 2, b: 'b2' }, 'a_b'],
      [{ tags: 1 }, 'tags_1'],
      [{ a: { $gt: 3 }, b: 'b4' }, 'b_odd'],
    ] as const) {
      const want = documents.filter((d) =>
        Object.entries(filter).every(([k, v]) =>
          typeof v === 'object' && !Array.isArray(v)
            ? (d as Document)[k] > (v as { $gt: number }).$gt
            : k === 'tags'
              ? (d.tags ?? []).includes(v as number)
              : (d as Document)[k] === v,
        ),
      );
      const found = await h.find('c', filter as Document, { hint });
      expect(ids(found), hint).to.deep.equal(ids(want));
    }
    expect(h.persistence.changes.filter((c) => c.op === 'createIndex')).to.have.length(3);
  });
});

describe('engine: index semantics', () => {
  it('compound unique allows partial overlaps only', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { a: 1, b: 1 }, name: 'a_1_b_1', unique: true }] });
    const r = await h.run({
      insert: 'c',
      ordered: false,
      documents: [
        { a: 1, b: 1 },
        { a: 1, b: 2 },
        { a: 2, b: 1 },
        { a: 1, b: 1 },
      ],
    });
    expect(r.n).to.equal(3);
    expect(r.writeErrors[0].index).to.equal(3);
    expect(r.writeErrors[0].errmsg).to.contain('dup key: { a: 1, b: 1 }');
    expect(plain(r.writeErrors[0]).keyValue).to.deep.equal({ a: 1, b: 1 });
  });

  it('unique treats a missing field as null unless sparse', async () => {
    const h = harness();
    await h.run({
      createIndexes: 'c',
      indexes: [
        { key: { u: 1 }, name: 'u_1', unique: true },
        { key: { s: 1 }, name: 's_1', unique: true, sparse: true },
      ],
    });
    await h.run({ insert: 'c', documents: [{ _id: 1, u: 1 }] });
    const r = await h.run({
      insert: 'c',
      documents: [{ _id: 2, u: 2 }, { _id: 3, u: 3 }, { _id: 4 }, { _id: 5 }],
    });
    expect(r.n).to.equal(3);
    expect(r.writeErrors[0]).to.include({ index: 3, code: 11000 });
    expect(plain(r.writeErrors[0]).keyValue).to.deep.equal({ u: null });
  });

  it('partial unique index only constrains documents matching its filter', async () => {
    const h = harness();
    await h.run({
      createIndexes: 'c',
      indexes: [
        { key: { email: 1 }, name: 'email_1', unique: true, partialFilterExpression: { active: true } },
      ],
    });
    const r = await h.run({
      insert: 'c',
      ordered: false,
      documents: [
        { email: 'a', active: false },
        { email: 'a', active: false },
        { email: 'a', active: true },
        { email: 'a', active: true },
      ],
    });
    expect(r.n).to.equal(3);
    expect(r.writeErrors[0].index).to.equal(3);
    const plan = await explainFind(h, { filter: { email: 'a', active: true } });
    expect(ixscan(plan.queryPlanner.winningPlan)?.indexName).to.equal('email_1');
    const noPartial = await explainFind(h, { filter: { email: 'a' } });
    expect(ixscan(noPartial.queryPlanner.winningPlan)).to.equal(undefined);
    expect((await h.find('c', { email: 'a' })).length).to.equal(3);
  });

  it('multikey indexes find documents by any element and reject parallel arrays in a compound key', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { tags: 1, n: 1 }, name: 'tags_1_n_1' }] });
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, tags: ['a', 'b'], n: 1 },
        { _id: 2, tags: ['b'], n: 2 },
        { _id: 3, tags: [], n: 3 },
      ],
    });
    expect(ids(await h.find('c', { tags: 'b' }))).to.have.members([1, 2]);
    const r = await h.run({ insert: 'c', documents: [{ _id: 4, tags: ['x'], n: [1, 2] }] });
    expect(r.writeErrors[0].code).to.equal(171);
    const plan = await explainFind(h, { filter: { tags: 'b' } });
    expect(ixscan(plan.queryPlanner.winningPlan)?.isMultiKey).to.equal(true);
    expect(plan.executionStats.nReturned).to.equal(2);
  });

  it('multikey ranges are not intersected (different elements may satisfy each bound)', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { v: 1 }, name: 'v_1' }] });
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, v: [1, 20] },
        { _id: 2, v: [7] },
        { _id: 3, v: 30 },
      ],
    });
    expect(ids(await h.find('c', { v: { $gt: 5, $lt: 10 } }))).to.have.members([1, 2]);
  });

  it('sorts by an index forward and backward, with dedupe on multikey scans', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { a: 1, b: -1 }, name: 'a_1_b_-1' }] });
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, a: 1, b: 1 },
        { _id: 2, a: 1, b: 2 },
        { _id: 3, a: 2, b: 0 },
        { _id: 4, a: 0, b: 5 },
      ],
    });
    expect(ids(await h.find('c', {}, { sort: { a: 1, b: -1 } }))).to.deep.equal([4, 2, 1, 3]);
    expect(ids(await h.find('c', {}, { sort: { a: -1, b: 1 } }))).to.deep.equal([3, 1, 2, 4]);
    const plan = await explainFind(h, { sort: { a: -1, b: 1 }, limit: 2 });
    const scan = ixscan(plan.queryPlanner.winningPlan);
    expect(scan?.direction).to.equal('backward');
    expect(JSON.stringify(plan.queryPlanner.winningPlan)).to.not.contain('"SORT"');
    expect(plan.executionStats.totalDocsExamined).to.equal(2);
  });
});

describe('engine: index maintenance on updates', () => {
  it('keeps every index exact whichever fields an update touches (renames, unsets, dotted paths, partials)', async () => {
    const h = harness();
    await h.run({
      createIndexes: 'c',
      indexes: [
        { key: { a: 1 }, name: 'a_1' },
        { key: { 'sub.x': 1 }, name: 'sub_x' },
        { key: { t: 1 }, name: 't_partial', partialFilterExpression: { flag: true } },
      ],
    });
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, a: 1, sub: { x: 1 }, t: 1, flag: true, other: 0 },
        { _id: 2, a: 2, sub: { x: 2 }, t: 2, flag: false, other: 0 },
      ],
    });
    const run = (u: Document, q: Document = { _id: 1 }) => h.run({ update: 'c', updates: [{ q, u }] });
    await run({ $set: { other: 5 } }); // touches no index
    await run({ $rename: { other: 'a' } }); // moves a value into an indexed field
    await run({ $set: { 'sub.x': 9 } }); // a dotted path into an indexed subdocument
    await run({ $set: { flag: true } }, { _id: 2 }); // only the partial filter's field changes
    await run({ $unset: { t: '' } });
    const byIndex = async (filter: Document, hint: string) => ids(await h.find('c', filter, { hint }));
    expect(await byIndex({ a: 5 }, 'a_1')).to.deep.equal([1]);
    expect(await byIndex({ a: 1 }, 'a_1')).to.deep.equal([]);
    expect(await byIndex({ 'sub.x': 9 }, 'sub_x')).to.deep.equal([1]);
    expect(await byIndex({ 'sub.x': 1 }, 'sub_x')).to.deep.equal([]);
    expect(await byIndex({ t: 2, flag: true }, 't_partial')).to.deep.equal([2]);
    expect(await byIndex({ t: 1, flag: true }, 't_partial')).to.deep.equal([]);
  });
});

describe('engine: planner', () => {
  async function seeded(n: number) {
    const h = harness();
    const documents = Array.from({ length: n }, (_, i) => ({
      _id: i,
      k: i,
      g: i % 10,
      s: `v${String(i).padStart(6, '0')}`,
    }));
    await h.run({ insert: 'c', documents });
    await h.run({
      createIndexes: 'c',
      indexes: [
        { key: { k: 1 }, name: 'k_1' },
        { key: { g: 1, k: -1 }, name: 'g_1_k_-1' },
      ],
    });
    return h;
  }

  it('uses an index for equality, $in, ranges and a compound prefix, and a COLLSCAN otherwise', async () => {
    const h = await seeded(1000);
    const cases: [Document, string | undefined, number][] = [
      [{ k: 500 }, 'k_1', 1],
      [{ k: { $in: [3, 700, 5] } }, 'k_1', 3],
      [{ k: { $gte: 10, $lt: 20 } }, 'k_1', 10],
      [{ g: 3 }, 'g_1_k_-1', 100],
      [{ g: 3, k: { $gt: 900 } }, 'g_1_k_-1', 10],
      [{ s: 'v000001' }, undefined, 1],
    ];
    for (const [filter, index, n] of cases) {
      const plan = await explainFind(h, { filter });
      const scan = ixscan(plan.queryPlanner.winningPlan);
      expect(scan?.indexName, JSON.stringify(filter)).to.equal(index);
      if (!index) expect(plan.queryPlanner.winningPlan.stage).to.equal('COLLSCAN');
      expect(plan.executionStats.nReturned).to.equal(n);
      if (index) expect(plan.executionStats.totalDocsExamined, JSON.stringify(filter)).to.equal(n);
    }
  });

  it('answers $or with a union of index scans when every branch is indexable', async () => {
    const h = await seeded(1000);
    const filter = { $or: [{ k: 5 }, { g: 7, k: { $gt: 990 } }, { k: 5 }] };
    const plan = await explainFind(h, { filter });
    expect(plan.queryPlanner.winningPlan.inputStage.stage).to.equal('OR');
    expect(
      plan.queryPlanner.winningPlan.inputStage.inputStages.map((s: Document) => s.indexName),
    ).to.deep.equal(['k_1', 'g_1_k_-1', 'k_1']);
    expect(plan.executionStats.nReturned).to.equal(2);
    expect(plan.executionStats.totalDocsExamined).to.equal(2);
    const mixed = await explainFind(h, { filter: { $or: [{ k: 5 }, { s: 'v000009' }] } });
    expect(mixed.queryPlanner.winningPlan.stage).to.equal('COLLSCAN');
    expect(mixed.executionStats.nReturned).to.equal(2);
  });

  it('uses an index for anchored case-sensitive regex prefixes only', async () => {
    const h = await seeded(1000);
    await h.run({ createIndexes: 'c', indexes: [{ key: { s: 1 }, name: 's_1' }] });
    const prefix = await explainFind(h, { filter: { s: /^v00012/ } });
    expect(ixscan(prefix.queryPlanner.winningPlan)?.indexName).to.equal('s_1');
    expect(prefix.executionStats.nReturned).to.equal(10);
    expect(prefix.executionStats.totalDocsExamined).to.equal(10);
    const opt = await explainFind(h, { filter: { s: { $regex: '^v0009[89]?', $options: '' } } });
    expect(opt.executionStats.nReturned).to.equal(100);
    for (const filter of [{ s: /^V00012/i }, { s: /v00012/ }, { s: /^v1|v00012/ }]) {
      const plan = await explainFind(h, { filter });
      expect(plan.queryPlanner.winningPlan.stage, String(filter.s)).to.equal('COLLSCAN');
    }
    expect((await h.find('c', { s: /^v1|v00012/ })).length).to.equal(10);
  });

  it('sort + limit without an index keeps only the best documents', async () => {
    const h = await seeded(1000);
    const docs = await h.find('c', { s: { $gte: 'v' } }, { sort: { s: -1 }, skip: 2, limit: 3 });
    expect(ids(docs)).to.deep.equal([997, 996, 995]);
  });

  it('type brackets keep ranges within one BSON type', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { v: 1 }, name: 'v_1' }] });
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, v: 5 },
        { _id: 2, v: 'str' },
        { _id: 3, v: new Date(0) },
        { _id: 4, v: 50 },
        { _id: 5, v: null },
      ],
    });
    expect(ids(await h.find('c', { v: { $gt: 1 } }))).to.deep.equal([1, 4]);
    expect(ids(await h.find('c', { v: { $lt: 'zzz' } }))).to.deep.equal([2]);
    const plan = await explainFind(h, { filter: { v: { $gt: 1 } } });
    expect(plan.executionStats.totalKeysExamined).to.equal(2);
  });

  // 1,000,000 documents with EMBEDDED_DB_BIG=1; 250,000 by default to keep `npm test` quick. The O(log n + k)
  // claim is checked through keysExamined either way.
  const size = process.env.EMBEDDED_DB_BIG ? 1_000_000 : 250_000;
  it(`range + sort + limit over ${size} documents costs O(log n + k)`, async function () {
    this.timeout(180000);
    const h = harness();
    const coll = h.engine.catalog.create('test.big');
    coll.createIndex({ v: 2, key: { k: 1 }, name: 'k_1' });
    for (let i = 0; i < size; i++) coll.insert(canonicalDoc({ _id: i, k: (i * 7919) % size }));
    const half = size / 2;
    const cmd = { find: 'big', filter: { k: { $gte: half } }, sort: { k: 1 }, limit: 20 };
    const plan = await h.run({ explain: cmd, verbosity: 'executionStats' });
    expect(ixscan(plan.queryPlanner.winningPlan)?.indexName).to.equal('k_1');
    expect(plan.executionStats.totalKeysExamined).to.be.at.most(21);
    const times: number[] = [];
    for (let i = 0; i < 101; i++) {
      const started = process.hrtime.bigint();
      await h.run(cmd);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    expect(times[50], 'median ms').to.be.below(2);
    const docs = await h.find('big', cmd.filter, { sort: cmd.sort, limit: 20 });
    expect(docs.map((d) => d.k)).to.deep.equal(Array.from({ length: 20 }, (_, i) => half + i));
  });
});
