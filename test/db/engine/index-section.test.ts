/** The byte form of index entries in a snapshot's index file: every string comes back exactly. */
import { expect } from 'chai';
import { packKeys, unpackKeys } from '../../../server/db/embedded/engine/index-section.ts';

describe('engine: index section packing', () => {
  it('round-trips one-byte, two-byte and lone-surrogate keys, in order', () => {
    const keys = ['', 'A\u0000\u00ff', '标题\uffff', '\ud800x', 'x\udc00', 'a'.repeat(70_000), '\u0100'];
    const packed = packKeys(keys);
    // One byte per char where latin1 carries the key, two where it does not, plus a 4-byte header each.
    expect(packed.length).to.equal(
      keys.reduce((n, k) => n + 4 + k.length * (/[\u0100-\uffff]/.test(k) ? 2 : 1), 0),
    );
    const out: string[] = ['before'];
    unpackKeys(packed, out);
    expect(out).to.deep.equal(['before', ...keys]);
  });

  it('refuses a slice cut short', () => {
    const packed = packKeys(['abc', 'def']);
    expect(() => unpackKeys(packed.subarray(0, packed.length - 1), [])).to.throw(/runs past its slice/);
    expect(() => unpackKeys(packed.subarray(0, 9), [])).to.throw(/truncated entry header/);
  });
});
