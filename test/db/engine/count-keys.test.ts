// Counts from index keys alone (MongoDB's COUNT_SCAN): when a plan's bounds and the index's partial filter are
// the whole filter, a count reads no document (and on a multikey index counts each document once). Every count
// here is checked against the same filter counted by a collection scan, and the filters the keys cannot answer
// exactly (null on a multikey field or a sparse index, ranges, a field beside the index, a partial filter's
// field stated otherwise, a regex) are checked to still read documents.
import { expect } from 'chai';
import { Double, Int32, Long, ObjectId, type Document } from 'bson';
import { runQuery } from '../../../server/db/embedded/engine/query.ts';
import { MAX_RANGES } from '../../../server/db/embedded/engine/scan.ts';
import { harness, type Harness } from './harness.ts';

const UNITS = [new ObjectId(), new ObjectId(), new ObjectId()];
const STATES = ['dispatched', 'in_progress', 'replied', 'closed'];

function docOf(i: number): Document {
  const doc: Document = {
    _id: i,
    unitId: UNITS[i % 3],
    state: STATES[i % 4],
    n: [new Int32(i % 2), new Long(i % 2), new Double(i % 2)][i % 3],
    flag: i % 5 === 0,
    text: `问题 ${i}`,
  };
  if (i % 7 === 0) doc.warning = i % 2 ? 'overdue' : 'red';
  if (i % 11 === 0) delete doc.state;
  if (i % 13 === 0) doc.state = null;
  if (i % 17 === 0) doc.tags = i % 2 ? ['b', 'b'] : ['a', 'b'];
  else if (i % 19 === 0) delete doc.tags;
  else doc.tags = 'a';
  return doc;
}

async function seeded(): Promise<Harness> {
  const h = harness();
  await h.run({ insert: 'c', documents: Array.from({ length: 600 }, (_, i) => docOf(i)) });
  await h.run({
    createIndexes: 'c',
    indexes: [
      { key: { unitId: 1, state: 1, _id: 1 }, name: 'unit_state' },
      { key: { n: 1, flag: 1 }, name: 'n_flag' },
      {
        key: { unitId: 1, warning: 1, state: 1 },
        name: 'lit',
        partialFilterExpression: { warning: { $gt: 'none' } },
      },
      { key: { tags: 1, state: 1 }, name: 'tags_state' },
      { key: { unitId: 1, state: 1 }, name: 'unit_flagged', partialFilterExpression: { flag: true } },
      { key: { tags: 1 }, name: 'tags_pair', partialFilterExpression: { 'tags.1': { $exists: true } } },
      { key: { flag: 1, state: 1 }, name: 'flagged_state', partialFilterExpression: { flag: true } },
      { key: { state: 1 }, name: 'state_only' },
      { key: { state: 1, unitId: 1 }, name: 'state_sparse', sparse: true },
    ],
  });
  return h;
}

/** The count the engine gives, the documents it read for it, and the count a collection scan gives. */
function counted(h: Harness, filter: Document, hint?: string, skip = 0, limit = 0) {
  const coll = h.engine.catalog.get('test.c');
  const run = runQuery(coll, { filter, hint, skip, limit }, { bytes: false, reads: [] });
  const n = run.count();
  const scan = runQuery(coll, { filter, hint: { $natural: 1 }, skip, limit }, { bytes: false, reads: [] });
  let expected = 0;
  for (let r = scan.hits.next(); !r.done; r = scan.hits.next()) expected++;
  return { n, expected, docsExamined: run.stats.docsExamined, keysExamined: run.stats.keysExamined };
}

describe('engine: counts from index keys alone', () => {
  const covered: [string, Document, string][] = [
    ['one equality', { unitId: UNITS[0], state: 'dispatched' }, 'unit_state'],
    [
      'an $in of states',
      { unitId: UNITS[1], state: { $in: ['in_progress', 'replied', 'nothing'] } },
      'unit_state',
    ],
    ['$eq and a leading prefix only', { unitId: { $eq: UNITS[2] } }, 'unit_state'],
    ['numbers of every type', { n: 1, flag: true }, 'n_flag'],
    ['a Long', { n: new Long(0) }, 'n_flag'],
    // The key of a field that never held an array is null for null and for missing, both of which it matches.
    ['an equality to null, null or missing', { unitId: UNITS[0], state: null }, 'unit_state'],
    ['an $in with null', { unitId: UNITS[1], state: { $in: [null, 'closed'] } }, 'unit_state'],
    ['a multikey index, each document once', { tags: { $in: ['a', 'b'] }, state: 'closed' }, 'tags_state'],
    // ['a', 'b'] has a key in both ranges: counted once.
    ['an $in over both values of some arrays', { tags: { $in: ['a', 'b'] } }, 'tags_state'],
    // Pinned to one value, an array field gives a document at most one key in the ranges (also for ['b', 'b']).
    ['a multikey field pinned to one value', { tags: 'b', state: { $in: STATES } }, 'tags_state'],
    ['a multikey field pinned, the rest open', { tags: 'a' }, 'tags_state'],
    [
      'a condition the partial filter states verbatim',
      { unitId: UNITS[1], flag: true, state: 'replied' },
      'unit_flagged',
    ],
    ['a partial filter on the leading field', { flag: true, state: 'closed' }, 'flagged_state'],
    ['a dotted one', { 'tags.1': { $exists: true }, tags: 'b' }, 'tags_pair'],
    [
      'a partial index its filter implies',
      { unitId: UNITS[0], warning: { $in: ['overdue'] }, state: { $in: STATES } },
      'lit',
    ],
  ];
  for (const [name, filter, hint] of covered) {
    it(`counts ${name} from the keys, as a collection scan counts it`, async () => {
      const h = await seeded();
      const c = counted(h, filter, hint);
      expect(c.expected, 'the case selects something').to.be.greaterThan(0);
      expect(c.n).to.equal(c.expected);
      expect(c.docsExamined, 'documents read').to.equal(0);
    });
  }

  it('applies skip and limit to a count from the keys', async () => {
    const h = await seeded();
    const filter = { unitId: UNITS[0], state: 'dispatched' };
    const all = counted(h, filter, 'unit_state').expected;
    expect(counted(h, filter, 'unit_state', 10, 0).n).to.equal(all - 10);
    expect(counted(h, filter, 'unit_state', 10, 5).n).to.equal(5);
    expect(counted(h, filter, 'unit_state', all + 3, 0).n).to.equal(0);
  });

  const fetched: [string, Document, string | undefined][] = [
    // A multikey field's null key also stands for an empty array, which an equality to null does not match.
    ['an equality to null on a multikey field', { tags: null, state: 'closed' }, 'tags_state'],
    // A sparse index lacks the documents missing every key field.
    ['an equality to null on a sparse index', { state: null }, 'state_sparse'],
    ['a range', { unitId: UNITS[0], state: { $gt: 'a' } }, 'unit_state'],
    ['a field the index lacks', { unitId: UNITS[0], state: 'dispatched', flag: true }, 'unit_state'],
    ['a later field without the one before it', { unitId: UNITS[0], _id: { $in: [0, 3, 6] } }, 'unit_state'],
    ['a range on a multikey field', { tags: { $gt: 'a' }, state: 'closed' }, 'tags_state'],
    ["a partial filter's field stated otherwise", { unitId: UNITS[0], flag: { $eq: true } }, 'unit_flagged'],
    ['a regex', { unitId: UNITS[0], state: /^dis/ }, 'unit_state'],
    ['a dotted path', { 'unitId.x': 1 }, undefined],
    ['an $or', { $or: [{ unitId: UNITS[0] }, { unitId: UNITS[1] }] }, undefined],
    [
      'more combinations of points than the scan keeps apart',
      {
        unitId: { $in: [...UNITS, ...Array.from({ length: 67 }, () => new ObjectId())] },
        state: {
          $in: [
            'dispatched',
            'replied',
            // With the 70 units, past MAX_RANGES combinations: the scan widens the points into ranges.
            ...Array.from(
              { length: Math.ceil(MAX_RANGES / 70) },
              (_, i) => `${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${i}`,
            ),
          ],
        },
      },
      'unit_state',
    ],
  ];
  for (const [name, filter, hint] of fetched) {
    it(`reads the documents for ${name}, and counts right`, async () => {
      const h = await seeded();
      const c = counted(h, filter, hint);
      expect(c.n).to.equal(c.expected);
      expect(c.docsExamined, 'documents read').to.be.greaterThan(0);
    });
  }

  it('the count command and countDocuments agree with a find after writes move documents between keys', async () => {
    const h = await seeded();
    await h.run({
      update: 'c',
      updates: [{ q: { state: 'dispatched' }, u: { $set: { state: 'closed' } }, multi: true }],
    });
    await h.run({ delete: 'c', deletes: [{ q: { _id: { $lt: 30 } }, limit: 0 }] });
    for (const state of STATES) {
      const filter = { unitId: UNITS[1], state };
      const found = (await h.find('c', filter)).length;
      expect((await h.run({ count: 'c', query: filter, hint: 'unit_state' })).n, state).to.equal(found);
      const rows = await h.aggregate('c', [{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }]);
      expect(rows[0]?.n ?? 0, state).to.equal(found);
    }
  });

  it('an aggregation honours its hint: the count runs on the named index, and an unknown index is refused', async () => {
    const h = await seeded();
    const pipeline = [
      { $match: { unitId: UNITS[0], state: 'closed' } },
      { $group: { _id: 1, n: { $sum: 1 } } },
    ];
    const expected = counted(h, pipeline[0].$match as Document, 'unit_state').expected;
    const reply = await h.run({ aggregate: 'c', pipeline, cursor: {}, hint: 'unit_state' });
    expect(Number(reply.cursor.firstBatch[0].n)).to.equal(expected);
    const explained = await h.run({
      explain: { aggregate: 'c', pipeline, cursor: {}, hint: { unitId: 1, state: 1, _id: 1 } },
      verbosity: 'executionStats',
    });
    const cursor = explained.stages[0].$cursor;
    expect(cursor.queryPlanner.winningPlan.inputStage).to.include({
      stage: 'COUNT_SCAN',
      indexName: 'unit_state',
    });
    expect(cursor.executionStats.totalDocsExamined).to.equal(0);
    const err = await h.fail({ aggregate: 'c', pipeline, cursor: {}, hint: 'no_such_index' });
    expect(err.code).to.equal(2);
  });

  it('a count takes a plan that counts from keys without a trial that reads documents', async () => {
    const h = await seeded();
    const coll = h.engine.catalog.get('test.c');
    const filter = { flag: true, state: 'closed' };
    const trial = runQuery(coll, { filter }, { bytes: false, reads: [], explain: true });
    expect(trial.choice.rejected.length, 'two candidates').to.be.greaterThan(0);
    const run = runQuery(coll, { filter }, { bytes: false, reads: [], count: true });
    expect(run.count()).to.equal(counted(h, filter, 'flagged_state').expected);
    expect(run.stats.docsExamined).to.equal(0);
    expect(run.countsKeys).to.equal(true);
  });
});
