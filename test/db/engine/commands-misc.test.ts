import { expect } from 'chai';
import { decodeDoc } from '../../../server/db/embedded/engine/bson-raw.ts';
import { Long, type Document } from 'bson';
import { harness, plain } from './harness.ts';

function ixscan(plan: Document): Document | undefined {
  for (let s: Document | undefined = plan; s; s = s.inputStage) if (s.stage === 'IXSCAN') return s;
  return undefined;
}

async function seeded() {
  const h = harness();
  await h.run({
    insert: 'c',
    documents: Array.from({ length: 20 }, (_, i) => ({ _id: i, k: i, tags: [i % 2] })),
  });
  await h.run({ createIndexes: 'c', indexes: [{ key: { k: 1 }, name: 'k_1' }] });
  return h;
}

describe('engine: explain of writes and counts', () => {
  it('explains update, delete and count without performing the write', async () => {
    const h = await seeded();
    const commits = h.persistence.commits.length;
    const upd = await h.run({
      explain: { update: 'c', updates: [{ q: { k: 3 }, u: { $set: { x: 1 } } }] },
      verbosity: 'executionStats',
    });
    expect(ixscan(upd.queryPlanner.winningPlan)?.indexName).to.equal('k_1');
    const del = await h.run({ explain: { delete: 'c', deletes: [{ q: { k: { $lt: 5 } }, limit: 0 }] } });
    expect(del.executionStats.nReturned).to.equal(5);
    const cnt = await h.run({ explain: { count: 'c', query: { k: 7 } }, verbosity: 'queryPlanner' });
    // The index holds the whole filter, so the count reads its keys only (MongoDB's COUNT over COUNT_SCAN).
    expect(cnt.queryPlanner.winningPlan.stage).to.equal('COUNT');
    expect(cnt.queryPlanner.winningPlan.inputStage).to.include({ stage: 'COUNT_SCAN', indexName: 'k_1' });
    expect(cnt.executionStats).to.equal(undefined);
    expect(h.persistence.commits.length).to.equal(commits);
    expect((await h.find('c', { x: 1 })).length).to.equal(0);
    expect((await h.run({ count: 'c' })).n).to.equal(20);
  });

  it('honours hints and rejects unknown ones', async () => {
    const h = await seeded();
    const byId = await h.run({ explain: { find: 'c', filter: { k: 3 }, hint: { _id: 1 } } });
    expect(ixscan(byId.queryPlanner.winningPlan)?.indexName).to.equal('_id_');
    expect(byId.executionStats.nReturned).to.equal(1);
    const natural = await h.run({ explain: { find: 'c', filter: { k: 3 }, hint: { $natural: 1 } } });
    expect(natural.queryPlanner.winningPlan.stage).to.equal('COLLSCAN');
    expect((await h.fail({ find: 'c', hint: 'nope_1' })).code).to.equal(2);
    await h.run({
      createIndexes: 'c',
      indexes: [{ key: { p: 1 }, name: 'p_1', partialFilterExpression: { k: { $gt: 10 } } }],
    });
    expect((await h.fail({ find: 'c', filter: { p: 1 }, hint: 'p_1' })).code).to.equal(2);
    expect(await h.find('c', { p: 1, k: { $gt: 10 } }, { hint: 'p_1' })).to.deep.equal([]);
  });

  it('refuses a read command field MongoDB does not know (a misspelt filter fails, not matches everything)', async () => {
    const h = await seeded();
    for (const cmd of [
      { find: 'c', filtr: { k: 3 } },
      { find: 'c', filter: { k: 3 }, sorting: { k: 1 } },
      { explain: { find: 'c', projections: { k: 1 } } },
      { count: 'c', qurey: { k: 3 } },
      { distinct: 'c', key: 'k', filter: { k: 3 } },
      { aggregate: 'c', pipeline: [], cursor: {}, hnit: 'k_1' },
    ]) {
      const failed = await h.fail(cmd);
      expect(failed.code, JSON.stringify(cmd)).to.equal(40415);
      expect(failed.message).to.match(/is an unknown field/);
    }
    // What drivers send beside a query: sessions, read concern, API version, comments, `$`-prefixed arguments.
    const found = await h.run({
      find: 'c',
      filter: { k: 3 },
      lsid: { id: 1 },
      readConcern: { level: 'local' },
      apiVersion: '1',
      comment: 'x',
      maxTimeMS: 1000,
      $readPreference: { mode: 'primary' },
    });
    expect(found.cursor.firstBatch).to.have.length(1);
    const counted = await h.run({
      count: 'c',
      query: { k: 3 },
      lsid: { id: 1 },
      readConcern: {},
      comment: 'x',
    });
    expect(counted.n).to.equal(1);
    const grouped = await h.run({
      aggregate: 'c',
      pipeline: [{ $match: { k: 3 } }],
      cursor: {},
      lsid: { id: 1 },
      maxTimeMS: 1000,
      $db: 'test',
    });
    expect(grouped.cursor.firstBatch).to.have.length(1);
  });

  it('finds a hinted key pattern among the current indexes, also after one is dropped and made again', async () => {
    const h = await seeded();
    await h.run({ createIndexes: 'c', indexes: [{ key: { k: 1, _id: -1 }, name: 'k_id' }] });
    const hinted = async (hint: Document) =>
      ixscan((await h.run({ explain: { find: 'c', filter: { k: 3 }, hint } })).queryPlanner.winningPlan)
        ?.indexName;
    expect(await hinted({ k: 1, _id: -1 })).to.equal('k_id');
    expect((await h.fail({ find: 'c', hint: { _id: -1, k: 1 } })).code).to.equal(2);
    await h.run({ dropIndexes: 'c', index: 'k_id' });
    await h.run({ createIndexes: 'c', indexes: [{ key: { k: -1 }, name: 'k_id' }] });
    expect((await h.fail({ find: 'c', hint: { k: 1, _id: -1 } })).code).to.equal(2);
    expect(await hinted({ k: -1 })).to.equal('k_id');
  });
});

describe('engine: catalog listing', () => {
  it('lists collections with a filter and databases', async () => {
    const h = await seeded();
    await h.run({ create: 'other' });
    const filtered = await h.run({ listCollections: 1, filter: { name: 'other' } });
    expect(filtered.cursor.firstBatch.map((c: Document) => c.name)).to.deep.equal(['other']);
    expect(filtered.cursor.firstBatch[0]).to.deep.include({ type: 'collection' });
    const dbs = await h.run({ listDatabases: 1 });
    expect(dbs.databases.map((d: Document) => d.name)).to.deep.equal(['test']);
    expect((await h.fail({ listIndexes: 'nope' })).code).to.equal(26);
    expect((await h.fail({ create: 'capped', capped: true, size: 1000 })).code).to.equal(238);
  });
});

describe('engine: update error paths', () => {
  it('reports the MongoDB codes for impossible updates', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, n: 5, s: 'x', o: { a: 1 } }] });
    const codeOf = async (u: Document, extra: Document = {}) =>
      (await h.run({ update: 'c', updates: [{ q: { _id: 1 }, u, ...extra }] })).writeErrors?.[0]?.code;
    expect(await codeOf({ $push: { n: 1 } })).to.equal(2);
    expect(await codeOf({ $set: { 'n.x': 1 } })).to.equal(28);
    expect(await codeOf({ $set: { 'arr.$[].x': 1 } })).to.equal(2);
    expect(await codeOf({ $set: { 'o.$': 1 } })).to.equal(2);
    expect(await codeOf({ $inc: { s: 1 } })).to.equal(14);
    expect(await codeOf({ $inc: { n: 'x' } })).to.equal(14);
    expect(await codeOf({ $set: { '': 1 } })).to.equal(56);
    expect(await codeOf({ $rename: { n: 'n' } })).to.equal(2);
    expect(plain((await h.find('c'))[0])).to.deep.equal({ _id: 1, n: 5, s: 'x', o: { a: 1 } });
  });

  it('refuses an upsert whose query names a path twice', async () => {
    const h = harness();
    const r = await h.run({
      update: 'c',
      updates: [{ q: { a: 1, 'a.b': 2 }, u: { $set: { z: 1 } }, upsert: true }],
    });
    expect(r.writeErrors[0].code).to.equal(54);
  });
});

describe('engine: computed projections and big numbers in indexes', () => {
  it('computes projection expressions', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, a: 2, b: 3, keep: 'k' }] });
    const [doc] = await h.find(
      'c',
      {},
      { projection: { keep: 1, sum: { $add: ['$a', '$b'] }, lit: { $literal: 'v' } } },
    );
    expect(doc).to.deep.equal({ _id: 1, keep: 'k', sum: 5, lit: 'v' });
  });

  it('range scans over Longs beyond 2^53 are exact', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { l: 1 }, name: 'l_1' }] });
    const base = 2n ** 60n;
    await h.run({
      insert: 'c',
      documents: [0n, 1n, 2n, 3n].map((d, i) => ({ _id: i, l: Long.fromBigInt(base + d) })),
    });
    const docs = await h.findRaw('c', { l: { $gt: Long.fromBigInt(base + 1n) } });
    expect(docs.map((d) => Number(d._id))).to.deep.equal([2, 3]);
  });
});

describe('engine: atomicity under concurrent commands', () => {
  it('concurrent $inc commands never lose an update while commits are in flight', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1, n: 0 }] });
    // Like the real journal: enqueued synchronously in call order, acknowledged later.
    const record = h.persistence.commit.bind(h.persistence);
    h.persistence.commit = async (changes) => {
      const queued = record(changes);
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      return queued;
    };
    await Promise.all(
      Array.from({ length: 50 }, () =>
        h.run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }] }),
      ),
    );
    expect((await h.find('c'))[0].n).to.equal(50);
    const posts = h.persistence.changes
      .filter((c) => c.op === 'replace')
      .map((c) => Number(decodeDoc((c as { doc: Uint8Array }).doc).n));
    expect(posts).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('refuses documents over 16 MiB', async () => {
    const h = harness();
    const r = await h.run({ insert: 'c', documents: [{ big: 'x'.repeat(16 * 1024 * 1024) }] });
    expect(r.writeErrors[0].code).to.equal(10334);
  });
});
