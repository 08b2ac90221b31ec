// The document store keeps BSON in append-only slabs: what it hands out never changes, iteration keeps
// insertion order (a replaced key stays in place), and compaction gives memory back without losing or
// moving anything a reader can see.
import { expect } from 'chai';
import { BSON } from 'bson';
import { DocStore } from '../../../server/db/embedded/engine/doc-store.ts';

const bson = (doc: object) => BSON.serialize(doc);
const read = (bytes: Uint8Array | undefined) => (bytes ? BSON.deserialize(bytes) : undefined);

describe('engine: document store', () => {
  it('stores, replaces and deletes documents, iterating in insertion order', () => {
    const store = new DocStore();
    for (let i = 0; i < 5; i++) store.set(`k${i}`, bson({ _id: i, v: 'first' }));
    store.set('k2', bson({ _id: 2, v: 'second, and longer than before' }));
    expect(store.delete('k3')).to.equal(true);
    expect(store.delete('k3')).to.equal(false);
    expect(store.size).to.equal(4);
    expect([...store.keys()]).to.deep.equal(['k0', 'k1', 'k2', 'k4']);
    expect(read(store.get('k2'))).to.deep.equal({ _id: 2, v: 'second, and longer than before' });
    expect(store.get('k3')).to.equal(undefined);
    expect([...store.entries()].map(([k, b]) => [k, read(b)!._id])).to.deep.equal([
      ['k0', 0],
      ['k1', 1],
      ['k2', 2],
      ['k4', 4],
    ]);
  });

  it('never changes bytes it handed out, even after replacing and compacting', () => {
    const store = new DocStore(4096);
    store.set('a', bson({ _id: 'a', n: 1 }));
    const before = store.get('a')!;
    const copy = Buffer.from(before);
    for (let round = 0; round < 2000; round++) {
      store.set('a', bson({ _id: 'a', n: round, pad: 'x'.repeat(round % 50) }));
      store.compact();
    }
    expect(Buffer.from(before).equals(copy)).to.equal(true);
    expect(read(store.get('a'))!.n).to.equal(1999);
  });

  it('reclaims garbage: churn on a few documents keeps memory near the live size', () => {
    const store = new DocStore(64 * 1024);
    for (let i = 0; i < 100; i++) store.set(`k${i}`, bson({ _id: i, pad: 'x'.repeat(200) }));
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 100; i++) {
        store.set(`k${i}`, bson({ _id: i, round, pad: 'y'.repeat(200) }));
        store.compact();
      }
    }
    const stats = store.stats();
    expect(stats.documents).to.equal(100);
    // 20,000 replaces wrote ~5 MB; the store holds a small multiple of its ~25 KB of live documents.
    expect(stats.reservedBytes).to.be.below(8 * 64 * 1024);
    for (let i = 0; i < 100; i++) expect(read(store.get(`k${i}`))).to.deep.include({ _id: i, round: 199 });
    expect([...store.keys()]).to.deep.equal(Array.from({ length: 100 }, (_, i) => `k${i}`));
  });

  it('gives a document larger than a slab a slab of its own', () => {
    const store = new DocStore(1024);
    store.set('small', bson({ _id: 1 }));
    store.set('big', bson({ _id: 2, pad: 'z'.repeat(10_000) }));
    store.set('after', bson({ _id: 3 }));
    expect(read(store.get('big'))!.pad).to.have.length(10_000);
    expect(read(store.get('small'))!._id).to.equal(1);
    expect(read(store.get('after'))!._id).to.equal(3);
  });

  it('keeps iterating correctly while documents are added and removed', () => {
    const store = new DocStore(2048);
    for (let i = 0; i < 50; i++) store.set(`k${i}`, bson({ _id: i }));
    const seen: string[] = [];
    for (const key of store.keys()) {
      seen.push(key);
      if (key === 'k10') for (let i = 0; i < 10; i++) store.delete(`k${20 + i}`);
      if (key === 'k40') store.set('late', bson({ _id: 'late' }));
    }
    expect(seen).to.include('late');
    expect(seen.some((k) => /^k2\d$/.test(k))).to.equal(false);
  });
});
