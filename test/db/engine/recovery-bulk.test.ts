import { expect } from 'chai';
import { Decimal128, Double, Long, type Document } from 'bson';
import type { Change, SnapshotEntry } from '../../../server/db/embedded/contract.ts';
import type { Engine } from '../../../server/db/embedded/engine/index.ts';
import { valueKey } from '../../../server/db/embedded/engine/compare.ts';
import { decodeDoc } from '../../../server/db/embedded/engine/bson-raw.ts';
import { harness, indexContents, viaJournal, type Harness } from './harness.ts';

function replay(changes: Iterable<Change>): Harness {
  const h = harness();
  for (const c of changes) viaJournal(c, (x) => h.engine.applyRecovered(x));
  h.engine.finishRecovery();
  return h;
}

async function sameQueries(live: Harness, recovered: Harness, queries: [string, Document, Document][]) {
  for (const [coll, filter, extra] of queries) {
    const a = await live.findRaw(coll, filter, extra);
    const b = await recovered.findRaw(coll, filter, extra);
    expect(
      b.map((d) => valueKey(d)),
      JSON.stringify({ coll, filter, extra }),
    ).to.deep.equal(a.map((d) => valueKey(d)));
    const explain = await recovered.run({ explain: { find: coll, filter, ...extra } });
    expect(JSON.stringify(explain.queryPlanner.winningPlan)).to.equal(
      JSON.stringify(
        (await live.run({ explain: { find: coll, filter, ...extra } })).queryPlanner.winningPlan,
      ),
    );
  }
}

describe('engine: recovery builds indexes in bulk', () => {
  it('unique, compound, multikey, partial, sparse, descending and TTL indexes match live inserts', async () => {
    const live = harness();
    await live.run({
      createIndexes: 'c',
      indexes: [
        { key: { email: 1 }, name: 'email_1', unique: true },
        { key: { a: 1, b: -1 }, name: 'a_1_b_-1' },
        { key: { a: 1, n: 1 }, name: 'a_n_u', unique: true },
        { key: { tags: 1 }, name: 'tags_1' },
        { key: { 'sub.x': 1, a: 1 }, name: 'subx_a' },
        { key: { s: 1 }, name: 's_partial', partialFilterExpression: { s: { $gt: 10 } } },
        { key: { sp: -1 }, name: 'sp_sparse', sparse: true },
        { key: { at: 1 }, name: 'at_ttl', expireAfterSeconds: 3600 },
      ],
    });
    const docs: Document[] = [];
    for (let i = 0; i < 600; i++) {
      const d: Document = { _id: i % 7 === 0 ? `s${i}` : i, email: `u${i}@x`, a: i % 13, b: i % 5, n: i };
      if (i % 3 === 0) d.tags = [`t${i % 4}`, `t${(i + 1) % 4}`, i % 11];
      else if (i % 3 === 1) d.tags = `t${i % 4}`;
      if (i % 4 === 0) d.sub = [{ x: i % 9 }, { x: (i + 2) % 9 }];
      else if (i % 4 === 1) d.sub = { x: i % 9 };
      if (i % 2 === 0) d.s = i % 40;
      if (i % 5 === 0) d.sp = i % 3 === 0 ? null : i;
      if (i % 6 !== 5) d.at = new Date(Date.UTC(2026, 0, 1) + (i % 50) * 60_000);
      if (i % 17 === 0) d.f = i + 0.5;
      docs.push(d);
    }
    await live.run({ insert: 'c', documents: docs });
    // Replaces, updates that change keys (including swapping a unique value) and deletes.
    await live.run({
      update: 'c',
      updates: [{ q: { a: 3 }, u: { $set: { b: 99 }, $push: { tags: 'new' } }, multi: true }],
    });
    await live.run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { email: 'moved@x' } } }] });
    await live.run({ update: 'c', updates: [{ q: { _id: 2 }, u: { $set: { email: 'u1@x' } } }] });
    await live.run({ update: 'c', updates: [{ q: { _id: 4 }, u: { email: 'replaced', a: 100, n: -1 } }] });
    await live.run({ delete: 'c', deletes: [{ q: { a: 5 }, limit: 0 }] });
    await live.run({ delete: 'c', deletes: [{ q: { _id: 's0' }, limit: 1 }] });
    await live.run({ insert: 'c', documents: [{ _id: 's0', email: 'back', a: 1, tags: ['z'] }] });
    // An index created after documents exist, and one dropped again.
    await live.run({ createIndexes: 'c', indexes: [{ key: { f: 1 }, name: 'f_1' }] });
    await live.run({ createIndexes: 'c', indexes: [{ key: { b: 1 }, name: 'b_1' }] });
    await live.run({ dropIndexes: 'c', index: 'b_1' });

    const fromJournal = replay(live.persistence.changes);
    const fromSnapshot = replay(live.engine.dump());
    expect(indexContents(fromJournal.engine)).to.deep.equal(indexContents(live.engine));
    expect(indexContents(fromSnapshot.engine)).to.deep.equal(indexContents(live.engine));
    expect(Object.keys(indexContents(live.engine))).to.have.length(10);

    const queries: [string, Document, Document][] = [
      ['c', {}, {}],
      ['c', { email: 'u1@x' }, {}],
      ['c', { a: 3 }, { sort: { b: -1 } }],
      ['c', { a: { $gte: 2, $lt: 6 } }, { sort: { a: 1, b: -1 }, limit: 25 }],
      ['c', { tags: 't1' }, {}],
      ['c', { tags: { $in: ['t2', 3, 'new'] } }, {}],
      ['c', { 'sub.x': { $gt: 4 } }, {}],
      ['c', { s: { $gt: 20 } }, { sort: { s: 1 } }],
      ['c', { sp: { $exists: true } }, { hint: 'sp_sparse' }],
      ['c', { at: { $lt: new Date(Date.UTC(2026, 0, 1, 0, 20)) } }, {}],
      ['c', { f: { $gt: 100 } }, {}],
      ['c', { _id: { $in: [1, 2, 's0', 's7'] } }, {}],
    ];
    await sameQueries(live, fromJournal, queries);
    await sameQueries(live, fromSnapshot, queries);

    // Unique indexes are enforced after a bulk build.
    const coll = fromJournal.engine.catalog.get('test.c')!;
    expect(() => coll.insert({ _id: 'dup', email: 'u1@x' })).to.throw(/E11000.*email_1/);
    expect(() => coll.insert({ _id: 'dup', a: 1, n: 14 })).to.throw(/E11000.*a_n_u/);
    expect(() => coll.insert({ _id: 6 })).to.throw(/E11000.*_id_/);

    // TTL sweeps find the same documents.
    const at = new Date(Date.UTC(2026, 0, 1, 1, 30));
    const ids = (cs: Change[]) => cs.map((c) => valueKey((c as { id: unknown }).id)).sort();
    expect(ids(fromJournal.engine.sweepExpired(at))).to.deep.equal(ids(live.engine.sweepExpired(at)));
  });

  it('orders numbers across types, NaN, infinities, -0 and null like live inserts', async () => {
    const live = harness();
    await live.run({
      createIndexes: 'n',
      indexes: [
        { key: { v: 1 }, name: 'v_1' },
        { key: { v: -1, w: 1 }, name: 'v_-1_w_1' },
        { key: { w: -1 }, name: 'w_-1' },
      ],
    });
    const values = [
      5,
      new Double(5),
      Long.fromNumber(5),
      Decimal128.fromString('5.00'),
      -0,
      new Double(-0),
      0,
      NaN,
      Infinity,
      -Infinity,
      null,
      2 ** 31,
      -(2 ** 40),
      0.1,
      Long.fromString('9007199254740993'),
    ];
    const docs: Document[] = values.map((v, i) => ({ _id: i, v, w: i % 2 ? -Infinity : i }));
    docs.push({ _id: 'missing', w: null }, { _id: 'str', v: 'x', w: 1 }, { _id: 'arr', v: [3, -1], w: 4 });
    for (let i = 0; i < 200; i++) docs.push({ _id: `r${i}`, v: (i * 37) % 11, w: i % 3 ? i / 4 : null });
    await live.run({ insert: 'n', documents: docs });
    const recovered = replay(live.persistence.changes);
    expect(indexContents(recovered.engine)).to.deep.equal(indexContents(live.engine));
    await sameQueries(live, recovered, [
      ['n', { v: { $gte: 0 } }, { sort: { v: 1 } }],
      ['n', { w: { $lt: 10 } }, { sort: { w: -1 }, limit: 30 }],
    ]);
  });

  it('replays deletes, re-inserts, renames and dropped collections exactly', async () => {
    const live = harness();
    await live.run({ createIndexes: 'a', indexes: [{ key: { k: 1 }, name: 'k_1', unique: true }] });
    await live.run({ insert: 'a', documents: Array.from({ length: 50 }, (_, i) => ({ _id: i, k: i })) });
    await live.run({ delete: 'a', deletes: [{ q: { _id: { $lt: 10 } }, limit: 0 }] });
    await live.run({ insert: 'a', documents: [{ _id: 3, k: 103 }] });
    await live.run({ update: 'a', updates: [{ q: { _id: 20 }, u: { $set: { k: 5 } } }] });
    await live.run({ insert: 'b', documents: [{ _id: 1, k: 1 }] });
    await live.run({ renameCollection: 'test.a', to: 'test.b', dropTarget: true }, 'admin');
    await live.run({ insert: 'gone', documents: [{ _id: 1 }] });
    await live.run({ drop: 'gone' });
    const recovered = replay(live.persistence.changes);
    expect(indexContents(recovered.engine)).to.deep.equal(indexContents(live.engine));
    expect(recovered.engine.catalog.all().map((c) => c.ns)).to.deep.equal(['test.b']);
    // Map order (insertion order, a re-insert goes last) is what a collection scan returns.
    expect((await recovered.findRaw('b')).map((d) => d._id)).to.deep.equal(
      (await live.findRaw('b')).map((d) => d._id),
    );
    expect((await recovered.find('b', { k: { $gte: 100 } })).map((d) => d._id)).to.deep.equal([3]);
  });
});

describe('engine: dump is a bounded fuzzy checkpoint', () => {
  it('terminates while inserts continue and yields only documents present at its start, as they are when reached', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { k: 1 }, name: 'k_1' }] });
    await h.run({ insert: 'c', documents: Array.from({ length: 2000 }, (_, i) => ({ _id: i, k: i })) });
    await h.run({ insert: 'other', documents: [{ _id: 'o' }] });
    const it = h.engine.dump()[Symbol.iterator]();
    const dumped: Change[] = [];
    let next = 10_000;
    for (let r = it.next(); !r.done; r = it.next()) {
      dumped.push(r.value);
      expect(dumped.length, 'dump must not chase new documents').to.be.below(3000);
      // A heavy writer: two new documents per document dumped, plus changes to ones not yet dumped.
      await h.run({
        insert: 'c',
        documents: [
          { _id: next++, k: -1 },
          { _id: next++, k: -2 },
        ],
      });
      if (next === 10_100) {
        await h.run({ update: 'c', updates: [{ q: { _id: 1999 }, u: { $set: { k: 'changed' } } }] });
        await h.run({ delete: 'c', deletes: [{ q: { _id: 1998 }, limit: 1 }] });
      }
    }
    const inserted = dumped
      .filter((c) => c.op === 'insert')
      .map((c) => ({ ns: c.ns, doc: decodeDoc((c as { doc: Uint8Array }).doc) }));
    // The dump fixes the documents at its start and reads each when it gets there: one deleted since is left
    // out and one changed since comes in its new version. Both are what the live engine held after the start,
    // and recovery replays every journal record after the start over them, so either way it ends up live.
    expect(inserted.filter((c) => c.ns === 'test.c').map((c) => Number(c.doc._id))).to.deep.equal(
      Array.from({ length: 2000 }, (_, i) => i).filter((i) => i !== 1998),
    );
    expect(inserted.find((c) => Number(c.doc._id) === 1999)!.doc.k).to.equal('changed');
    expect(h.engine.catalog.get('test.c')!.get(1999)!.k).to.equal('changed');
    expect(dumped.map((c) => c.op).filter((op) => op !== 'insert')).to.deep.equal([
      'createCollection',
      'createIndex',
      'createCollection',
    ]);
    expect(inserted.filter((c) => c.ns === 'test.other')).to.have.length(1);
  });

  it('a fuzzy dump plus the journal after its start recovers the live state', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { k: 1 }, name: 'k_1', unique: true }] });
    await h.run({ insert: 'c', documents: Array.from({ length: 300 }, (_, i) => ({ _id: i, k: i })) });
    const it = h.engine.dump()[Symbol.iterator]();
    const dumped: Change[] = [];
    let r = it.next();
    const checkpointStart = h.persistence.changes.length;
    for (let i = 0; !r.done; i++, r = it.next()) {
      dumped.push(r.value);
      if (i % 10 === 0) await h.run({ insert: 'c', documents: [{ _id: 1000 + i, k: 1000 + i }] });
      // Swap unique values between a dumped and a not-yet-dumped document.
      if (i === 100) {
        await h.run({ update: 'c', updates: [{ q: { _id: 50 }, u: { $set: { k: -50 } } }] });
        await h.run({ update: 'c', updates: [{ q: { _id: 250 }, u: { $set: { k: 50 } } }] });
        await h.run({ delete: 'c', deletes: [{ q: { _id: 10 }, limit: 1 }] });
      }
    }
    const recovered = replay([...dumped, ...h.persistence.changes.slice(checkpointStart)]);
    expect(indexContents(recovered.engine)).to.deep.equal(indexContents(h.engine));
    expect((await recovered.find('c', { k: 50 })).map((d) => d._id)).to.deep.equal([250]);
  });

  it('a fuzzy snapshot with its index section, plus the journal after its start, loads the indexes and equals the live state', async () => {
    const h = harness();
    await h.run({
      createIndexes: 'c',
      indexes: [
        { key: { k: 1 }, name: 'k_1', unique: true },
        { key: { tags: 1, _id: -1 }, name: 'tags' },
      ],
    });
    await h.run({
      insert: 'c',
      documents: Array.from({ length: 20_000 }, (_, i) => ({ _id: i, k: i, tags: `t${i % 9}` })),
    });
    const it = h.engine.snapshot()[Symbol.iterator]();
    const snapshot: SnapshotEntry[] = [];
    const checkpointStart = h.persistence.changes.length;
    let indexSlices = 0;
    for (let r = it.next(), i = 0; !r.done; r = it.next(), i++) {
      snapshot.push(r.value);
      if (r.value.op !== 'indexKeys') {
        if (i % 1000 === 0) await h.run({ insert: 'c', documents: [{ _id: 100_000 + i, k: 100_000 + i }] });
        continue;
      }
      // Between index slices (each 16,384 entries): inserts ahead of and behind the slice being read, a
      // unique swap, a document turning multikey, deletes on either side.
      indexSlices++;
      const n = indexSlices;
      await h.run({
        insert: 'c',
        documents: [
          { _id: -n, k: -n, tags: 'a' },
          { _id: 200_000 + n, k: 200_000 + n },
        ],
      });
      await h.run({ update: 'c', updates: [{ q: { _id: 100 * n }, u: { $set: { k: -100 * n } } }] });
      await h.run({
        update: 'c',
        updates: [{ q: { _id: 15_000 + n }, u: { $set: { k: 100 * n, tags: ['x', 'y'] } } }],
      });
      await h.run({ delete: 'c', deletes: [{ q: { _id: 19_000 + n }, limit: 1 }] });
      await h.run({ delete: 'c', deletes: [{ q: { _id: 5 * n }, limit: 1 }] });
    }
    expect(indexSlices, 'the index section spans several slices').to.be.greaterThan(4);
    const journal = h.persistence.changes.slice(checkpointStart);
    const recovered = harness();
    for (const e of [...snapshot, ...journal]) viaJournal(e, (x) => recovered.engine.applyRecovered(x));
    recovered.engine.finishRecovery();
    expect(recovered.engine.indexRestore).to.deep.equal({ loaded: 3, rebuilt: 0 });
    // Keys equal the live ones; multikey flags equal those of a rebuild (live keeps a flag once set).
    const rebuilt = replay([...h.engine.dump()]);
    expect(indexContents(recovered.engine)).to.deep.equal(indexContents(rebuilt.engine));
    const keysOf = (e: Engine) => Object.values(indexContents(e)).map((ix) => ix.keys);
    expect(keysOf(recovered.engine)).to.deep.equal(keysOf(h.engine));
    expect((await recovered.find('c', { tags: 'x' })).length).to.equal(indexSlices);
  });
});
