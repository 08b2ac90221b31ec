import { expect } from 'chai';
import { BSON, Double } from 'bson';
import { createEngine } from '../../../server/db/embedded/engine/index.ts';
import { harness, viaJournal } from './harness.ts';

describe('engine: recovery, dump and TTL', () => {
  it('replaying the journal rebuilds the same state, indexes included', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { email: 1 }, name: 'email_1', unique: true }] });
    await h.run({
      insert: 'c',
      documents: [
        { _id: 1, email: 'a', d: new Double(1) },
        { _id: 2, email: 'b' },
      ],
    });
    await h.run({ update: 'c', updates: [{ q: { _id: 2 }, u: { $set: { email: 'c' } } }] });
    await h.run({ delete: 'c', deletes: [{ q: { _id: 1 }, limit: 1 }] });
    const replayed = createEngine();
    // Recovered changes come back through the journal's record format.
    for (const c of h.persistence.changes) viaJournal(c, (x) => replayed.applyRecovered(x));
    replayed.finishRecovery();
    const dumped = [...replayed.dump()];
    expect(dumped.map((c) => c.op)).to.deep.equal(['createCollection', 'createIndex', 'insert']);
    const coll = replayed.catalog.get('test.c')!;
    expect(coll.get(2)?.email).to.equal('c');
    expect(() => coll.insert({ _id: 3, email: 'c' })).to.throw(/E11000/);
  });

  it('applyRecovered skips unique checks (a fuzzy snapshot may hold both sides of a swap)', () => {
    const e = createEngine();
    e.applyRecovered({ op: 'createCollection', ns: 'd.c', options: {} });
    e.applyRecovered({
      op: 'createIndex',
      ns: 'd.c',
      spec: { v: 2, key: { u: 1 }, name: 'u_1', unique: true },
    });
    e.applyRecovered({ op: 'insert', ns: 'd.c', doc: BSON.serialize({ _id: 1, u: 'x' }) });
    e.applyRecovered({ op: 'insert', ns: 'd.c', doc: BSON.serialize({ _id: 2, u: 'x' }) });
    e.applyRecovered({ op: 'replace', ns: 'd.c', doc: BSON.serialize({ _id: 1, u: 'y' }) });
    e.finishRecovery();
    expect(e.catalog.get('d.c')!.size).to.equal(2);
  });

  it('dump yields a state that loads into an empty engine', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: [{ _id: 1 }, { _id: 2 }] });
    await h.run({ create: 'empty' });
    await h.run({ insert: 'x', documents: [{ _id: 1 }] }, 'other');
    const copy = createEngine();
    for (const c of h.engine.dump()) copy.applyRecovered(c);
    expect(copy.catalog.databases().sort()).to.deep.equal(['other', 'test']);
    expect(copy.catalog.get('test.c')!.size).to.equal(2);
    expect(copy.catalog.has('test.empty')).to.equal(true);
  });

  it('sweepExpired deletes documents whose indexed date is older than expireAfterSeconds', async () => {
    const h = harness();
    await h.run({ createIndexes: 's', indexes: [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 }] });
    const now = new Date('2026-01-01T12:00:00Z');
    await h.run({
      insert: 's',
      documents: [
        { _id: 1, at: new Date(now.getTime() - 61_000) },
        { _id: 2, at: new Date(now.getTime() - 59_000) },
        { _id: 3, at: 'not a date' },
        { _id: 4, at: [new Date(now.getTime() - 3600_000), new Date(now.getTime() + 1000)] },
        { _id: 5 },
      ],
    });
    const changes = h.engine.sweepExpired(now);
    expect(changes.map((c) => Number((c as { id: unknown }).id))).to.have.members([1, 4]);
    expect(changes.every((c) => c.op === 'delete' && c.ns === 'test.s')).to.equal(true);
    expect((await h.find('s')).map((d) => d._id)).to.deep.equal([2, 3, 5]);
  });

  it('renames and drops collections and databases', async () => {
    const h = harness();
    await h.run({ insert: 'a', documents: [{ _id: 1, k: 1 }] });
    await h.run({ createIndexes: 'a', indexes: [{ key: { k: 1 }, name: 'k_1' }] });
    await h.run({ renameCollection: 'test.a', to: 'test.b' }, 'admin');
    expect((await h.find('b', { k: 1 })).length).to.equal(1);
    expect((await h.run({ listIndexes: 'b' })).cursor.firstBatch).to.have.length(2);
    expect((await h.fail({ create: 'b' })).code).to.equal(48);
    const names = (await h.run({ listCollections: 1, nameOnly: true })).cursor.firstBatch.map(
      (c: { name: string }) => c.name,
    );
    expect(names).to.deep.equal(['b']);
    await h.run({ drop: 'b' });
    expect((await h.run({ listDatabases: 1 })).databases).to.deep.equal([]);
    await h.run({ insert: 'z', documents: [{}] });
    await h.run({ dropDatabase: 1 });
    expect(h.engine.catalog.databases()).to.deep.equal([]);
  });
});

describe('engine: cursors under concurrent modification', () => {
  it('an index-scan cursor survives inserts, updates and deletes between batches', async () => {
    const h = harness();
    await h.run({ createIndexes: 'c', indexes: [{ key: { k: 1 }, name: 'k_1' }] });
    await h.run({ insert: 'c', documents: Array.from({ length: 1000 }, (_, i) => ({ _id: i, k: i })) });
    const r = await h.run({ find: 'c', filter: { k: { $gte: 0 } }, sort: { k: 1 }, batchSize: 10 });
    const seen = r.cursor.firstBatch.map((d: { k: number }) => Number(d.k));
    await h.run({ delete: 'c', deletes: [{ q: { k: { $gte: 10, $lt: 20 } }, limit: 0 }] });
    await h.run({
      update: 'c',
      updates: [{ q: { k: { $gte: 500 } }, u: { $set: { gone: true, k: -1 } }, multi: true }],
    });
    await h.run({ insert: 'c', documents: [{ _id: 'new', k: 400.5 }] });
    for (const d of h.cursors.getMore(Number(r.cursor.id))) seen.push(Number(d.k));
    expect(seen.length).to.equal(10 + 480 + 1);
    expect(seen.includes(15)).to.equal(false);
    expect(seen.includes(400.5)).to.equal(true);
    expect([...seen].sort((a, b) => a - b)).to.deep.equal(seen);
  });

  it('a cursor on a dropped collection ends instead of serving stale documents', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: Array.from({ length: 50 }, (_, i) => ({ _id: i })) });
    const r = await h.run({ find: 'c', batchSize: 5 });
    await h.run({ drop: 'c' });
    expect(h.cursors.getMore(Number(r.cursor.id))).to.deep.equal([]);
  });

  it('a collection-scan cursor survives modification', async () => {
    const h = harness();
    await h.run({ insert: 'c', documents: Array.from({ length: 300 }, (_, i) => ({ _id: i })) });
    const r = await h.run({ find: 'c', batchSize: 5 });
    await h.run({ delete: 'c', deletes: [{ q: { _id: { $lt: 100 } }, limit: 0 }] });
    const rest = h.cursors.getMore(Number(r.cursor.id));
    expect(rest.length).to.equal(200);
  });
});
