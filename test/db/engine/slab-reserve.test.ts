// Recovery's slab reserve: full-size document slabs faulted in by a helper thread. A store fed from it holds
// exactly what it was given, in order; outside recovery no helper starts; and the reserve lets go of its
// helper when recovery ends.
import { expect } from 'chai';
import { Binary, BSON, ObjectId } from 'bson';
import { DocStore } from '../../../server/db/embedded/engine/doc-store.ts';
import { SlabReserve } from '../../../server/db/embedded/engine/slab-reserve.ts';
import { idKeyOf, idKeyOfDoc } from '../../../server/db/embedded/engine/collection.ts';
import { readId } from '../../../server/db/embedded/engine/bson-raw.ts';
import { rng } from './random-bson.ts';
import { pack } from '../../../server/db/embedded/engine/doc-pack.ts';
import { isPackedDoc } from '../../../server/db/embedded/contract.ts';

const SLAB = 64 * 1024;
/** Incompressible (the store packs what it can), so the documents fill slabs at their BSON size. */
const noise = (seed: number, length: number) => {
  const next = rng(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
};
const doc = (i: number) => BSON.serialize({ _id: i, pad: new Binary(noise(i, 900 + (i % 300))) });
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

describe('engine: slab reserve (recovery)', () => {
  it('hands stores ready slabs from its helper, and every document reads back intact', async () => {
    const reserve = new SlabReserve(SLAB);
    reserve.begin();
    const store = new DocStore(SLAB, reserve);
    let i = 0;
    // Fill like recovery does: in bursts, with the event loop turning between them (file reads).
    for (let burst = 0; burst < 100 && (reserve.taken < 3 || burst < 10); burst++) {
      for (let n = 0; n < 60; n++, i++) store.set(`k${i}`, doc(i));
      await tick();
    }
    reserve.end();
    expect(reserve.taken, 'slabs taken from the helper').to.be.at.least(3);
    expect(store.size).to.equal(i);
    let n = 0;
    for (const [key, bytes] of store.entries()) {
      expect(key).to.equal(`k${n}`);
      expect(Buffer.from(bytes).equals(doc(n)), `document ${n}`).to.equal(true);
      n++;
    }
    expect(n).to.equal(i);
    // After recovery the store allocates for itself again.
    for (let k = 0; k < 200; k++) store.set(`late${k}`, doc(k));
    expect(BSON.deserialize(store.get('late199')!)._id).to.equal(199);
  });

  it('starts no helper outside recovery or for smaller slabs', () => {
    const reserve = new SlabReserve(SLAB);
    expect(reserve.take(SLAB), 'not recovering').to.equal(undefined);
    reserve.begin();
    expect(reserve.take(SLAB / 2), 'not a full-size slab').to.equal(undefined);
    reserve.end();
    expect(reserve.take(SLAB)).to.equal(undefined);
    expect(reserve.taken).to.equal(0);
  });
});

describe('engine: _id keys read off stored bytes', () => {
  it('equal the encoded _id for ObjectIds (every byte value) and any other _id', () => {
    const ids: unknown[] = [new ObjectId(), new ObjectId('000000000000000000000000')];
    ids.push(new ObjectId('ffffffffffffffffffffffff'), new ObjectId('80017f00ff10203040506070'));
    for (let i = 0; i < 200; i++)
      ids.push(
        new ObjectId(Buffer.from(Array.from({ length: 12 }, () => (i * 37 + Math.random() * 256) & 255))),
      );
    ids.push('plain', 42, 1.5, { a: 1 }, null, new Date(0));
    for (const id of ids) {
      const bytes = BSON.serialize({ _id: id, v: 1 });
      expect(idKeyOfDoc(bytes)).to.equal(idKeyOf(readId(bytes)));
      // The same from a packed stored copy (a format-4 snapshot's), whose _id sits in its leading literals.
      const long = BSON.serialize({
        _id: id,
        timeline: Array.from({ length: 20 }, () => ({ action: 'note' })),
      });
      const stored = Buffer.from(pack(long));
      expect(isPackedDoc(stored)).to.equal(true);
      expect(idKeyOfDoc(stored)).to.equal(idKeyOf(readId(long)));
    }
    // _id not in first place: decoded.
    const late = BSON.serialize({ v: 1, _id: new ObjectId() });
    expect(idKeyOfDoc(late)).to.equal(idKeyOf(readId(late)));
  });
});
