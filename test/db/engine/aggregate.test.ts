import { expect } from 'chai';
import { Decimal128, Double, Int32, Long } from 'bson';
import { harness } from './harness.ts';

async function shop() {
  const h = harness();
  await h.run({
    insert: 'orders',
    documents: [
      {
        _id: 1,
        cust: 'ann',
        items: [
          { sku: 'a', qty: 2 },
          { sku: 'b', qty: 1 },
        ],
        total: 30,
      },
      { _id: 2, cust: 'bob', items: [{ sku: 'a', qty: 1 }], total: 10 },
      { _id: 3, cust: 'ann', items: [], total: 5 },
    ],
  });
  await h.run({
    insert: 'customers',
    documents: [
      { _id: 'ann', city: 'SH' },
      { _id: 'bob', city: 'BJ' },
    ],
  });
  return h;
}

describe('engine: aggregate', () => {
  it('runs $match $group $sort $project', async () => {
    const h = await shop();
    const out = await h.aggregate('orders', [
      { $match: { total: { $gte: 5 } } },
      { $group: { _id: '$cust', spent: { $sum: '$total' }, n: { $sum: 1 } } },
      { $sort: { spent: -1 } },
      { $project: { _id: 0, cust: '$_id', spent: 1, n: 1 } },
    ]);
    expect(out).to.deep.equal([
      { spent: 35, n: 2, cust: 'ann' },
      { spent: 10, n: 1, cust: 'bob' },
    ]);
  });

  it('runs $unwind $lookup $addFields $set $limit $skip $count', async () => {
    const h = await shop();
    const out = await h.aggregate('orders', [
      { $unwind: '$items' },
      { $lookup: { from: 'customers', localField: 'cust', foreignField: '_id', as: 'c' } },
      { $addFields: { city: { $arrayElemAt: ['$c.city', 0] } } },
      { $set: { sku: '$items.sku' } },
      { $sort: { _id: 1, sku: 1 } },
      { $skip: 1 },
      { $limit: 2 },
      { $project: { _id: 1, sku: 1, city: 1 } },
    ]);
    expect(out).to.deep.equal([
      { _id: 1, sku: 'b', city: 'SH' },
      { _id: 2, sku: 'a', city: 'BJ' },
    ]);
    expect(await h.aggregate('orders', [{ $match: { cust: 'ann' } }, { $count: 'n' }])).to.deep.equal([
      { n: 2 },
    ]);
  });

  it('runs $facet', async () => {
    const h = await shop();
    const [out] = await h.aggregate('orders', [
      { $facet: { big: [{ $match: { total: { $gt: 9 } } }, { $count: 'n' }], all: [{ $count: 'n' }] } },
    ]);
    expect(out).to.deep.equal({ big: [{ n: 2 }], all: [{ n: 3 }] });
  });

  it('keeps exact types when the pipeline only matches, sorts and limits', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, d: new Double(5), m: Decimal128.fromString('1.10') }] });
    const reply = await h.run({
      aggregate: 'c',
      pipeline: [{ $match: { _id: 1 } }, { $sort: { _id: 1 } }, { $limit: 1 }],
      cursor: {},
    });
    const [doc] = reply.cursor.firstBatch;
    expect(doc.d).to.be.instanceOf(Double);
    expect(doc.m.toString()).to.equal('1.10');
  });

  it('passes untouched Decimal128 fields through mingo stages but refuses computing with them', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, m: Decimal128.fromString('1.10'), n: 2 }] });
    const reply = await h.run({
      aggregate: 'c',
      pipeline: [{ $addFields: { twice: { $multiply: ['$n', 2] } } }],
      cursor: {},
    });
    expect(reply.cursor.firstBatch[0].m.toString()).to.equal('1.10');
    const e = await h.fail({
      aggregate: 'c',
      pipeline: [{ $group: { _id: null, s: { $sum: '$m' } } }],
      cursor: {},
    });
    expect(e.code).to.equal(238);
  });

  it('fields a mingo stage only copies, matches or sorts keep their exact BSON types', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, d: new Double(5), n: 2, l: Long.fromNumber(7) }] });
    const projected = await h.run({
      aggregate: 'c',
      pipeline: [
        { $addFields: { x: 1 } },
        { $match: { d: 5 } },
        { $sort: { d: -1 } },
        { $project: { d: 1, l: 1 } },
      ],
      cursor: {},
    });
    expect(projected.cursor.firstBatch[0].d).to.be.instanceOf(Double);
    expect(projected.cursor.firstBatch[0].l).to.be.instanceOf(Long);
    const reply = await h.run({
      aggregate: 'c',
      pipeline: [{ $addFields: { twice: { $multiply: ['$n', 2] } } }],
      cursor: {},
    });
    const [doc] = reply.cursor.firstBatch;
    expect(doc.d).to.be.instanceOf(Double);
    expect(Number(doc.twice)).to.equal(4);
  });

  it('$lookup joins numeric keys by value across Int32 and Double', async () => {
    const h = harness();
    await h.run({ insert: 'a', documents: [{ _id: 1, ref: 7 }] });
    await h.run({ insert: 'b', documents: [{ _id: 2, key: new Double(7) }] });
    const [doc] = await h.aggregate('a', [
      { $lookup: { from: 'b', localField: 'ref', foreignField: 'key', as: 'hits' } },
    ]);
    expect(doc.hits).to.deep.equal([{ _id: 2, key: 7 }]);
  });

  it('refuses $out and $merge loudly, even nested in $facet', async () => {
    const h = await shop();
    expect((await h.fail({ aggregate: 'orders', pipeline: [{ $out: 'x' }], cursor: {} })).code).to.equal(238);
    expect(
      (
        await h.fail({
          aggregate: 'orders',
          pipeline: [{ $facet: { a: [{ $merge: { into: 'x' } }] } }],
          cursor: {},
        })
      ).code,
    ).to.equal(238);
    expect((await h.fail({ aggregate: 'orders', pipeline: [{ $bogus: 1 }], cursor: {} })).code).to.equal(
      40324,
    );
  });

  it('the leading $match uses an index (explain)', async () => {
    const h = await shop();
    await h.run({ createIndexes: 'orders', indexes: [{ key: { cust: 1 }, name: 'cust_1' }] });
    const plan = await h.run({
      explain: {
        aggregate: 'orders',
        pipeline: [{ $match: { cust: 'bob' } }, { $group: { _id: null, n: { $sum: 1 } } }],
        cursor: {},
      },
      verbosity: 'executionStats',
    });
    expect(plan.queryPlanner.winningPlan.inputStage.indexName).to.equal('cust_1');
    // A counting $group over an equality the index holds whole is answered from its keys (COUNT_SCAN).
    expect(plan.queryPlanner.winningPlan.inputStage.stage).to.equal('COUNT_SCAN');
    expect(plan.executionStats.totalKeysExamined).to.equal(1);
    expect(plan.executionStats.totalDocsExamined).to.equal(0);
    expect(plan.stages[0].$cursor.queryPlanner.winningPlan.inputStage.indexName).to.equal('cust_1');
    expect(Object.keys(plan.stages[1])).to.deep.equal(['$group']);
  });

  it('$push and $addToSet skip missing values but keep nulls; $addToSet dedupes numbers by value', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ a: 1 }, { b: 1 }, { a: null }, { a: new Double(1) }] });
    const [row] = await h.aggregate('c', [
      { $group: { _id: null, pushed: { $push: '$a' }, set: { $addToSet: '$a' } } },
    ]);
    expect(row.pushed).to.deep.equal([1, null, 1]);
    expect(row.set).to.deep.equal([1, null]);
  });

  it('$min and $max follow BSON order and ignore null and missing', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ v: 5 }, { v: 'a' }, { v: null }, {}, { v: 2.5 }] });
    const [row] = await h.aggregate('c', [{ $group: { _id: null, lo: { $min: '$v' }, hi: { $max: '$v' } } }]);
    expect(row).to.deep.equal({ _id: null, lo: 2.5, hi: 'a' });
  });

  it('expression comparisons compare whole values in BSON order, a missing value below null', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, arr: [1, 2, 3], s: 'a', n: 2, z: null }] });
    const cases: [unknown, unknown][] = [
      // mingo looked inside the array, compared one type only, and took missing for null.
      [{ $eq: ['$arr', 2] }, false],
      [{ $lt: ['$arr', 2] }, false],
      [{ $eq: ['$arr', [1, 2, 3]] }, true],
      [{ $gt: ['$s', 5] }, true],
      [{ $eq: ['$nope', null] }, false],
      [{ $ne: ['$nope', null] }, true],
      [{ $lt: ['$nope', '$z'] }, true],
      [{ $eq: ['$nope', '$other'] }, true],
      [{ $cmp: ['$n', 3] }, -1],
      [{ $cmp: ['$s', 3] }, 1],
      [{ $gte: ['$n', 2] }, true],
      [{ $cond: [{ $eq: ['$z', null] }, 'null', 'not'] }, 'null'],
    ];
    for (const [expr, want] of cases) {
      const [row] = await h.aggregate('c', [{ $project: { _id: 0, v: expr } }]);
      expect(row.v, JSON.stringify(expr)).to.deep.equal(want);
    }
    // The same operators inside $expr, through the matcher.
    expect(await h.find('c', { $expr: { $eq: ['$arr', 2] } })).to.deep.equal([]);
  });

  it('$size of a non-array and $mod by zero fail as in MongoDB; $indexOfBytes counts bytes, $indexOfCP code points', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, s: '湖州ab', n: 7 }] });
    const value = async (expr: unknown) => (await h.aggregate('c', [{ $project: { _id: 0, v: expr } }]))[0].v;
    const code = async (expr: unknown) =>
      (await h.fail({ aggregate: 'c', pipeline: [{ $project: { v: expr } }], cursor: {} })).code;
    expect(await code({ $size: '$nope' })).to.equal(17124);
    expect(await code({ $size: '$n' })).to.equal(17124);
    expect(await code({ $mod: ['$n', 0] })).to.equal(16610);
    expect(await value({ $mod: ['$n', 3] })).to.equal(1);
    expect(await value({ $mod: [-7, 3] })).to.equal(-1);
    expect(await value({ $mod: ['$nope', 3] })).to.equal(null);
    expect(await value({ $indexOfBytes: ['$s', 'a'] })).to.equal(6);
    expect(await value({ $indexOfBytes: ['$s', '州'] })).to.equal(3);
    expect(await value({ $indexOfCP: ['$s', 'a'] })).to.equal(2);
    expect(await value({ $indexOfCP: ['$s', 'b', 0, 3] })).to.equal(-1);
    expect(await value({ $indexOfCP: ['$nope', 'b'] })).to.equal(null);
  });

  it('countDocuments-style pipelines return Int32 counts', async () => {
    const h = await shop();
    const out = await h.aggregate('orders', [{ $match: {} }, { $group: { _id: 1, n: { $sum: 1 } } }]);
    expect(out).to.deep.equal([{ _id: 1, n: 3 }]);
  });
});

describe('engine: aggregate refusals inside later stages', () => {
  it('refuses $text and $where in any $match with NotImplemented', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1 }] });
    for (const m of [{ $text: { $search: 'x' } }, { $where: 'true' }]) {
      const e = await h.fail({
        aggregate: 'c',
        pipeline: [{ $project: { _id: 1 } }, { $match: m }],
        cursor: {},
      });
      expect(e.code).to.equal(238);
    }
  });

  it('refuses a bad leading $match as well, also on a collection that does not exist', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1 }] });
    for (const coll of ['c', 'missing']) {
      for (const [m, code] of [
        [{ $where: 'true' }, 238],
        [{ a: { $bogus: 1 } }, 2],
      ] as const) {
        const run = { aggregate: coll, pipeline: [{ $match: m }, { $count: 'n' }], cursor: {} };
        expect((await h.fail(run)).code, `${coll} ${JSON.stringify(m)}`).to.equal(code);
        expect((await h.fail({ explain: run })).code, `explain ${coll}`).to.equal(code);
      }
    }
  });

  it('refuses a stage that names a field and a path inside it, as MongoDB does, in pipelines and pipeline updates', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, a: { b: 0, c: 0 } }] });
    const refused = async (stage: Record<string, unknown>) => {
      const agg = await h.fail({ aggregate: 'c', pipeline: [stage], cursor: {} });
      const nested = await h.fail({ aggregate: 'c', pipeline: [{ $facet: { f: [stage] } }], cursor: {} });
      const upd = await h.run({ update: 'c', updates: [{ q: { _id: 1 }, u: [stage] }] });
      expect(nested.code, 'inside $facet').to.equal(agg.code);
      expect(upd.writeErrors?.[0]?.code, 'in a pipeline update').to.equal(agg.code);
      return [agg.code, agg.message];
    };
    for (const name of ['$addFields', '$set']) {
      expect(await refused({ [name]: { a: 1, 'a.b': 2 } })).to.deep.equal([
        40176,
        `Invalid ${name} :: caused by :: specification contains two conflicting paths. Cannot specify both 'a.b' and 'a'`,
      ]);
      expect((await refused({ [name]: { 'a.b': 1, a: { b: 2 } } }))[0]).to.equal(40176);
    }
    expect(await refused({ $project: { a: 1, 'a.b': 1 } })).to.deep.equal([
      31249,
      'Invalid $project :: caused by :: Path collision at a.b remaining portion b',
    ]);
    expect(await refused({ $project: { 'a.b': 1, a: 1 } })).to.deep.equal([
      31250,
      'Invalid $project :: caused by :: Path collision at a',
    ]);
    expect((await refused({ $unset: ['a', 'a.b'] }))[0]).to.equal(31249);
    // An update is refused before any document is looked at, as MongoDB does, also when nothing matches.
    const none = await h.run({
      update: 'c',
      updates: [{ q: { _id: 99 }, u: [{ $set: { a: 1, 'a.b': 2 } }] }],
    });
    expect(none.writeErrors?.[0]?.code).to.equal(40176);
    // Nothing was written by the refused updates; siblings under one parent are no collision.
    expect(await h.find('c', {})).to.deep.equal([{ _id: 1, a: { b: 0, c: 0 } }]);
    expect(await h.aggregate('c', [{ $set: { 'a.b': 1, 'a.c': 2, ab: 3 } }])).to.deep.equal([
      { _id: 1, a: { b: 1, c: 2 }, ab: 3 },
    ]);
    expect(await h.aggregate('c', [{ $project: { 'a.b': 1, 'a.c': 1, _id: 0 } }])).to.deep.equal([
      { a: { b: 0, c: 0 } },
    ]);
  });

  it('refuses the malformed stages MongoDB refuses before running, instead of answering them', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, a: [1, 2], b: 2 }] });
    const cases: [Record<string, unknown>, number][] = [
      [{ $set: { $a: 1 } }, 16410],
      [{ $addFields: { 'a.$b': 1 } }, 16410],
      [{ $set: { 'a..b': 1 } }, 15998],
      [{ $set: { '.a': 1 } }, 15998],
      [{ $addFields: { 'a.b.': 1 } }, 40353],
      [{ $project: { '': 1 } }, 40352],
      [{ $project: {} }, 51272],
      [{ $unset: [] }, 31119],
      [{ $unset: [1] }, 31120],
      [{ $unset: ['a', ''] }, 40352],
      [{ $sort: {} }, 15976],
      [{ $sort: { $a: 1 } }, 16410],
      [{ $sort: { a: 0 } }, 15975],
      [{ $sort: { a: 2 } }, 15975],
      [{ $limit: 0 }, 15958],
      [{ $limit: -1 }, 15958],
      [{ $limit: 1.5 }, 5107201],
      [{ $limit: 'x' }, 15957],
      [{ $skip: -1 }, 5107200],
      [{ $skip: 'x' }, 15972],
      [{ $unwind: 'a' }, 28818],
      [{ $unwind: '' }, 28812],
      [{ $unwind: { path: 'a' } }, 28818],
      [{ $group: { _id: null, 'n.m': { $sum: 1 } } }, 40235],
      [{ $group: { _id: null, $n: { $sum: 1 } } }, 40236],
      [{ $group: { _id: null, n: 1 } }, 40234],
      [{ $group: { _id: null, n: {} } }, 40238],
      [{ $group: { _id: null, n: { $sum: 1, $max: '$a' } } }, 40238],
      [{ $lookup: { from: 'c', as: 'x' } }, 9],
      [{ $lookup: { from: 'c', localField: 'a', foreignField: '_id' } }, 9],
    ];
    const updateStages = new Set(['$addFields', '$set', '$project', '$unset']);
    for (const [stage, code] of cases) {
      const what = JSON.stringify(stage);
      // As the first stage (run natively when it can be) and after a $match (run in mingo), and nested.
      for (const pipeline of [[stage], [{ $match: {} }, stage], [{ $facet: { f: [stage] } }]]) {
        expect((await h.fail({ aggregate: 'c', pipeline, cursor: {} })).code, what).to.equal(code);
      }
      if (updateStages.has(Object.keys(stage)[0])) {
        const upd = await h.run({ update: 'c', updates: [{ q: { _id: 1 }, u: [stage] }] });
        expect(upd.writeErrors?.[0]?.code, `${what} as an update`).to.equal(code);
      }
    }
    expect(await h.find('c', {})).to.deep.equal([{ _id: 1, a: [1, 2], b: 2 }]);
    // The well-formed neighbours still run.
    expect(
      await h.aggregate('c', [
        { $unwind: { path: '$a' } },
        { $sort: { a: -1 } },
        // Numbers as the wire decodes them (BSON types kept) are numbers too.
        { $skip: Long.fromNumber(0) },
        { $limit: new Double(1) },
        { $limit: new Int32(5) },
        { $lookup: { from: 'c', localField: 'b', foreignField: 'b', as: 'same' } },
        { $set: { n: { $size: '$same' } } },
        { $unset: ['same', 'b'] },
        { $group: { _id: '$n', top: { $max: '$a' } } },
      ]),
    ).to.deep.equal([{ _id: 1, top: 2 }]);
  });
});
