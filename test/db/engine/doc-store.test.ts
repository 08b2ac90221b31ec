// The document store keeps BSON in append-only slabs: what it hands out never changes, iteration keeps
// insertion order (a replaced key stays in place), and compaction gives memory back without losing or
// moving anything a reader can see. Copies are stored packed when that is smaller, and handed out as BSON.
// At TRAIN_AT documents the store makes its packing dictionary; a snapshot's copies only ever need the
// dictionaries it saves.
import { expect } from 'chai';
import { BSON } from 'bson';
import { isPackedDoc } from '../../../server/db/embedded/contract.ts';
import { dictIdOf, PackDicts, TRAIN_AT } from '../../../server/db/embedded/engine/doc-pack.ts';
import { DocStore, sameStored } from '../../../server/db/embedded/engine/doc-store.ts';

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

  it('stores repetitive documents packed, hands out their BSON, and takes stored copies back as they are', () => {
    const store = new DocStore(64 * 1024);
    const doc = (i: number) =>
      Buffer.from(
        bson({
          _id: i,
          timeline: Array.from({ length: 10 }, (_, j) => ({
            action: 'note',
            at: new Date(j),
            note: `第${i}条`,
          })),
        }),
      );
    for (let i = 0; i < 300; i++) store.set(`k${i}`, doc(i));
    for (let i = 0; i < 300; i++) expect(store.get(`k${i}`)!.equals(doc(i))).to.equal(true);
    const stats = store.stats();
    const bsonBytes = Array.from({ length: 300 }, (_, i) => doc(i).length).reduce((a, b) => a + b, 0);
    expect(stats.bsonBytes).to.equal(bsonBytes);
    expect(stats.liveBytes).to.be.below(bsonBytes * 0.6);
    expect(isPackedDoc(store.getStored('k0')!)).to.equal(true);

    // What a snapshot saves and recovery hands back: the stored copies, kept byte for byte.
    const copy = new DocStore();
    for (const [k, s] of store.storedEntries()) copy.set(k, s);
    for (let i = 0; i < 300; i++)
      expect(copy.getStored(`k${i}`)!.equals(store.getStored(`k${i}`)!)).to.equal(true);
    expect([...copy.entries()].map(([k, b]) => [k, read(b)!._id])).to.deep.equal(
      Array.from({ length: 300 }, (_, i) => [`k${i}`, i]),
    );
    expect(copy.stats().bsonBytes).to.equal(bsonBytes);

    // Replacing and deleting keep the BSON count right, through compaction too.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 300; i++) store.set(`k${i}`, doc(i + round));
      store.compact();
    }
    for (let i = 0; i < 100; i++) store.delete(`k${i}`);
    const left = Array.from({ length: 200 }, (_, i) => doc(100 + i + 19).length).reduce((a, b) => a + b, 0);
    expect(store.stats().bsonBytes).to.equal(left);
    expect(read(store.get('k150'))!._id).to.equal(169);
  });

  it('tells an unchanged document from a rewritten one, packed or not, without reading it', () => {
    const store = new DocStore(4096);
    const big = (n: number) => bson({ _id: 1, n, pad: 'abc'.repeat(200) });
    const small = (n: number) => bson({ _id: 2, n });
    store.set('a', big(1));
    store.set('b', small(1));
    const a = store.getStored('a')!;
    const b = store.getStored('b')!;
    expect(sameStored(a, store.getStored('a')!)).to.equal(true);
    expect(sameStored(b, store.getStored('b')!)).to.equal(true);
    store.set('a', big(2));
    expect(sameStored(a, store.getStored('a')!)).to.equal(false);
    store.set('a', big(1)); // the same bytes again, but a new copy: read again (never wrongly kept)
    expect(sameStored(a, store.getStored('a')!)).to.equal(false);
    // Churn until the first slab is dropped and its index reused: the old view is still not the new copy.
    for (let i = 0; i < 500; i++) {
      store.set('b', small(i));
      store.compact();
    }
    expect(sameStored(b, store.getStored('b')!)).to.equal(false);
    expect(BSON.deserialize(store.get('b')!).n).to.equal(499);
  });

  describe('packing dictionary', () => {
    /** Documents that look alike across the store (field names, values) but differ in their own details. */
    const doc = (i: number) =>
      bson({
        _id: i,
        state: ['received', 'dispatched', 'closed'][i % 3],
        unitName: '湖州市经济和信息化局',
        timeline: [
          { at: new Date(Date.UTC(2026, 0, 1, i % 24)), action: 'create', toState: 'received', public: true },
          { at: new Date(Date.UTC(2026, 0, 2)), action: 'dispatch', toState: 'dispatched', note: `第${i}件` },
        ],
      });

    it('makes one at TRAIN_AT documents and packs later copies against it, less than half as large', () => {
      const store = new DocStore();
      for (let i = 0; i < TRAIN_AT - 1; i++) store.set(`k${i}`, doc(i));
      expect(store.dictionary).to.equal(undefined);
      store.set(`k${TRAIN_AT - 1}`, doc(TRAIN_AT - 1));
      const dict = store.dictionary!;
      expect(dict.id).to.equal(1);
      expect(dictIdOf(store.getStored('k0')!)).to.equal(undefined); // made before the dictionary
      store.set('late', doc(5000));
      const late = store.getStored('late')!;
      expect(dictIdOf(late)).to.equal(dict.id);
      expect(late.length * 2).to.be.below(store.getStored('k0')!.length);
      expect(read(store.get('late'))).to.deep.equal(read(doc(5000)));
      // Replacing a copy packs it again, against the dictionary now.
      store.set('k0', doc(0));
      expect(dictIdOf(store.getStored('k0')!)).to.equal(dict.id);
      expect(read(store.get('k0'))).to.deep.equal(read(doc(0)));
    });

    it('gives a snapshot copies that need only the dictionaries it saved', () => {
      const dicts = new PackDicts();
      const store = new DocStore(undefined, undefined, dicts);
      for (let i = 0; i < TRAIN_AT; i++) store.set(`k${i}`, doc(i));
      const dict = store.dictionary!;
      store.set('late', doc(5000));
      const saved = new Set([dict.id]);
      // A copy packed against the saved dictionary goes as it is; one packed before it is repacked.
      const same = store.snapshotCopy('late', saved, dict)!;
      const late = store.getStored('late')!;
      expect([same.buffer, same.byteOffset, same.length]).to.deep.equal([
        late.buffer,
        late.byteOffset,
        late.length,
      ]);
      const unrepacked = store.getStored('k1')!.length;
      const old = store.snapshotCopy('k1', saved, dict)!;
      expect(dictIdOf(old)).to.equal(dict.id);
      expect(old.length).to.be.below(unrepacked);
      // A copy against a dictionary the snapshot lacks (made during the checkpoint) is repacked too.
      const other = new DocStore(undefined, undefined, dicts);
      for (let i = 0; i < TRAIN_AT; i++) other.set(`o${i}`, doc(i + 7));
      other.set('o-late', doc(10));
      store.set('moved', other.getStored('o-late')!); // as a rename hands stored copies over
      expect(dictIdOf(store.getStored('moved')!)).to.equal(other.dictionary!.id);
      const moved = store.snapshotCopy('moved', saved, dict)!;
      expect(dictIdOf(moved)).to.equal(dict.id);
      expect(read(store.get('moved'))).to.deep.equal(read(doc(10)));
      // Without a saved dictionary, a snapshot gets copies that need none.
      expect(dictIdOf(store.snapshotCopy('late', new Set(), undefined)!)).to.equal(undefined);
      expect(store.snapshotCopy('gone', saved, dict)).to.equal(undefined);
    });
    it('keeps a copy repacked for a snapshot, so the next snapshot does not repack it again', () => {
      const store = new DocStore();
      for (let i = 0; i < TRAIN_AT; i++) store.set(`k${i}`, doc(i));
      const dict = store.dictionary!;
      const saved = new Set([dict.id]);
      const before = store.getStored('k1')!;
      expect(dictIdOf(before)).to.equal(undefined); // packed before the store had its dictionary
      const first = store.snapshotCopy('k1', saved, dict)!;
      expect(dictIdOf(first)).to.equal(dict.id);
      // The store now holds that copy: the next snapshot saves it as it is, and reads see the same document.
      const kept = store.getStored('k1')!;
      expect(dictIdOf(kept)).to.equal(dict.id);
      const second = store.snapshotCopy('k1', saved, dict)!;
      expect([second.buffer, second.byteOffset]).to.deep.equal([kept.buffer, kept.byteOffset]);
      expect(read(store.get('k1'))).to.deep.equal(read(doc(1)));
      expect(store.stats().documents).to.equal(TRAIN_AT);
      // A copy made for a snapshot without the store's dictionary is the snapshot's alone.
      expect(dictIdOf(store.snapshotCopy('k2', new Set(), undefined)!)).to.equal(undefined);
      expect(dictIdOf(store.getStored('k2')!)).to.equal(undefined);
      expect(dictIdOf(store.snapshotCopy('k1', new Set(), undefined)!)).to.equal(undefined);
      expect(dictIdOf(store.getStored('k1')!)).to.equal(dict.id);
    });
  });
});
