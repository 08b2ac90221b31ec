// Plans that deliver a sort by merging index scans (MongoDB's SORT_MERGE) must give exactly what a blocking
// sort gives: per-point scans of an `$in` prefix, and the branches of an `$or` with the rest of the filter
// pushed in, deduplicated, on random data with ties and multikey arrays. Per-path multikey tracking lets a
// multikey index deliver a sort on its other fields, and survives recovery.
import { expect } from 'chai';
import {
  decodePayload,
  encodeRecord,
  HEADER_BYTES,
} from '../../../server/db/embedded/storage/record-format.ts';
import type { Document } from 'bson';
import type { Change } from '../../../server/db/embedded/contract.ts';
import { createRng } from '../../../server/seed/prng.ts';
import { stageNames } from '../explain-stages.ts';
import { harness, plain, type Harness } from './harness.ts';

const ids = (docs: Document[]) => docs.map((d) => String(d._id));

/** 600 random documents: few values of a (ties), b with many ties, tags arrays of 0–3 of 6 values. */
async function randomData(): Promise<Harness> {
  const h = harness();
  const rng = createRng(42);
  const documents = Array.from({ length: 600 }, (_, i) => ({
    _id: i,
    a: rng.int(0, 4),
    b: rng.int(0, 30),
    tags: Array.from({ length: rng.int(0, 3) }, () => `t${rng.int(0, 5)}`),
    ...(rng.next() < 0.1 ? {} : { c: rng.int(0, 2) }),
  }));
  await h.run({ insert: 'c', documents });
  await h.run({
    createIndexes: 'c',
    indexes: [
      { key: { a: 1, b: -1, _id: -1 }, name: 'a_b_id' },
      { key: { tags: 1, b: -1, _id: -1 }, name: 'tags_b_id' },
      { key: { c: 1, b: -1 }, name: 'c_b' },
    ],
  });
  return h;
}

/** The same query answered by a collection scan and a blocking sort. */
async function reference(h: Harness, filter: Document, extra: Document): Promise<Document[]> {
  return h.find('c', filter, { ...extra, hint: { $natural: 1 } });
}

async function explain(h: Harness, find: Document) {
  return h.run({ explain: { find: 'c', ...find }, verbosity: 'executionStats' });
}

describe('engine: sort-merge plans', () => {
  const cases: [string, Document, Document][] = [
    ['$in prefix', { a: { $in: [3, 0, 4] } }, { b: -1, _id: -1 }],
    ['$in prefix, ascending', { a: { $in: [1, 2] } }, { b: 1, _id: 1 }],
    ['$in on a multikey field', { tags: { $in: ['t1', 't4', 't2'] } }, { b: -1, _id: -1 }],
    ['$or of indexed branches', { $or: [{ a: 2 }, { tags: 't3' }] }, { b: -1, _id: -1 }],
    [
      '$or inside $and, rest pushed in',
      { $and: [{ $or: [{ a: 1 }, { tags: 't0' }] }, { b: { $gte: 10 } }] },
      { b: -1, _id: -1 },
    ],
    [
      '$or of $in branches',
      { $or: [{ a: { $in: [0, 1] } }, { tags: { $in: ['t5', 't1'] } }] },
      { b: -1, _id: -1 },
    ],
  ];
  for (const [name, filter, sort] of cases) {
    it(`${name}: equals a blocking sort, page by page, without a SORT stage`, async () => {
      const h = await randomData();
      for (const limit of [0, 1, 7, 50]) {
        const expected = await reference(h, filter, { sort, limit });
        expect(ids(await h.find('c', filter, { sort, limit })), `limit ${limit}`).to.deep.equal(
          ids(expected),
        );
      }
      const plan = await explain(h, { filter, sort, limit: 7 });
      const names = stageNames(plan.queryPlanner.winningPlan);
      expect(names).to.include('SORT_MERGE');
      expect(names).to.not.include('SORT');
      // Seven rows plus at most one look-ahead key per merged scan.
      const scans = names.filter((s) => s === 'IXSCAN').length;
      expect(plan.executionStats.totalKeysExamined).to.be.at.most(7 + scans + 7);
      // The heads are index entries: only the documents produced are read, not one ahead per scan.
      expect(plan.executionStats.totalDocsExamined).to.equal(plan.executionStats.nReturned);
    });
  }

  it('reads each document when it is produced: one written after the first batch is tested as it is now', async () => {
    const h = await randomData();
    const filter = { a: { $in: [0, 1, 2] } };
    const sort = { b: -1, _id: -1 };
    const all = await reference(h, filter, { sort });
    const first = await h.run({ find: 'c', filter, sort, batchSize: 5 });
    expect(ids(first.cursor.firstBatch.map(plain))).to.deep.equal(ids(all.slice(0, 5)));
    // Two documents the second batch would hold: one leaves the filter, the other changes only a field the
    // merge does not order by.
    const [gone, kept] = [all[6], all[8]];
    await h.run({ update: 'c', updates: [{ q: { _id: gone._id }, u: { $set: { a: 9 } } }] });
    await h.run({ update: 'c', updates: [{ q: { _id: kept._id }, u: { $set: { c: 7 } } }] });
    const rest = h.cursors.getMore(Number(first.cursor.id), 5).map(plain);
    expect(ids(rest)).to.deep.equal(ids(all.slice(5, 11).filter((d) => d._id !== gone._id)));
    expect(rest.find((d) => d._id === kept._id)?.c).to.equal(7);
  });

  it('with ties in the sort key, gives the same rows in a valid order', async () => {
    const h = await randomData();
    const filter = { a: { $in: [0, 2, 4] } };
    const got = await h.find('c', filter, { sort: { b: -1 } });
    const expected = await reference(h, filter, { sort: { b: -1 } });
    expect(ids(got).sort()).to.deep.equal(ids(expected).sort());
    expect(got.map((d) => d.b)).to.deep.equal(expected.map((d) => d.b));
  });

  it('a missing field merges as null, like the index keys it', async () => {
    const h = await randomData();
    const filter = { c: { $in: [null, 1] } };
    const got = await h.find('c', filter, { sort: { b: -1 } });
    expect(got.map((d) => d.b)).to.deep.equal(
      (await reference(h, filter, { sort: { b: -1 } })).map((d) => d.b),
    );
    expect(stageNames((await explain(h, { filter, sort: { b: -1 } })).queryPlanner.winningPlan)).to.include(
      'SORT_MERGE',
    );
  });
});

describe('engine: multikey paths', () => {
  it('a multikey index delivers a sort on a field that never held an array, and intersects its ranges', async () => {
    const h = await randomData();
    const plan = await explain(h, {
      filter: { tags: 't2', b: { $gt: 3, $lt: 20 } },
      sort: { b: -1 },
      limit: 5,
    });
    const names = stageNames(plan.queryPlanner.winningPlan);
    expect(names).to.not.include('SORT');
    const scan = plan.queryPlanner.winningPlan.inputStage.inputStage;
    expect(scan.multiKeyPaths).to.deep.equal({ tags: ['tags'], b: [], _id: [] });
    expect(scan.indexBounds.b).to.deep.equal(['(20, 3)']);
    const filter = { tags: 't2', b: { $gt: 3, $lt: 20 } };
    const expected = await reference(h, filter, { sort: { b: -1, _id: -1 }, limit: 5 });
    expect(ids(await h.find('c', filter, { sort: { b: -1, _id: -1 }, limit: 5 }))).to.deep.equal(
      ids(expected),
    );
  });

  it('stays cautious on the paths that hold arrays: no sort, no intersected ranges', async () => {
    const h = await randomData();
    const r = await h.run({ insert: 'c', documents: [{ _id: 'x', a: 1, b: [5, 25] }] });
    expect(r.n).to.equal(1);
    const plan = await explain(h, { filter: { a: 1 }, sort: { b: -1 }, limit: 5 });
    expect(stageNames(plan.queryPlanner.winningPlan)).to.include('SORT');
    const filter = { a: 1, b: { $gt: 10, $lt: 20 } };
    expect(ids(await h.find('c', filter)).sort()).to.deep.equal(ids(await reference(h, filter, {})).sort());
    expect(ids(await h.find('c', filter))).to.include('x');
  });

  it('is recomputed when indexes are rebuilt at recovery', async () => {
    const live = await randomData();
    const viaJournal = (c: Change): Change =>
      decodePayload(encodeRecord(1, c).subarray(HEADER_BYTES)) as Change;
    const recovered = harness();
    for (const c of live.engine.dump()) recovered.engine.applyRecovered(viaJournal(c));
    recovered.engine.finishRecovery();
    const paths = (h: Harness) =>
      [...h.engine.catalog.get('test.c')!.indexes.values()].map((ix) => [ix.name, [...ix.multikeyFields]]);
    expect(paths(recovered)).to.deep.equal(paths(live));
    expect(paths(recovered)).to.deep.include(['tags_b_id', [true, false, false]]);
  });
});
