/**
 * The packed entry set answers exactly as a sorted array of the same strings: random inserts and deletes
 * (enough to rewrite, split and empty segments), then every read it offers, against a plain sorted list.
 * Keys mix one-byte chars (0xFF included, as descending keys have), chars above 0xFF and U+FFFF (KEY_MAX).
 */
import { expect } from 'chai';
import { PackedKeys, PackedKeysBuilder } from '../../../server/db/embedded/engine/packed-keys.ts';
import { forEachPacked, packKeys, SectionWriter } from '../../../server/db/embedded/engine/index-section.ts';
import { rng } from './random-bson.ts';

const ALPHABET = ['\u0001', 'A', 'B', 'z', '\u00fe', '\u00ff', '\u0100', '标', '\uffff'];

function randomKey(r: () => number, wide: boolean): string {
  const len = 1 + Math.floor(r() * 6);
  let s = '';
  for (let i = 0; i < len; i++) {
    const pool = wide ? ALPHABET.length : 6;
    s += ALPHABET[Math.floor(r() * pool)];
  }
  return s;
}

const bound = (list: string[], key: string, after: boolean): number => {
  let i = 0;
  while (i < list.length && (list[i] < key || (after && list[i] === key))) i++;
  return i;
};

function checkReads(set: PackedKeys, ref: string[], r: () => number, wide: boolean): void {
  expect(set.size).to.equal(ref.length);
  expect(set.keysArray()).to.deep.equal(ref);
  for (let q = 0; q < 40; q++) {
    const from = randomKey(r, wide);
    const up = [...set.keysFrom(from)];
    expect(up, `from ${JSON.stringify(from)}`).to.deep.equal(ref.slice(bound(ref, from, false)));
    const down = [...set.keysDownFrom(from)];
    expect(down, `down from ${JSON.stringify(from)}`).to.deep.equal(
      ref.slice(0, bound(ref, from, true)).reverse(),
    );
    const to = randomKey(r, wide);
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    const inRange = ref.filter((k) => k >= lo && k <= hi);
    expect(set.countRange(lo, hi), `count ${JSON.stringify([lo, hi])}`).to.equal(inRange.length);
    const seen: string[] = [];
    expect(set.countRange(lo, hi, (k) => seen.push(k))).to.equal(inRange.length);
    expect(seen).to.deep.equal(inRange);
    expect(set.has(from)).to.equal(ref.includes(from));
  }
  expect([...set.keysDownFrom()]).to.deep.equal([...ref].reverse());
}

/** A set loaded with about 5,000 random one-byte keys, and the same keys as the reference. */
function loadedStart(r: () => number): { set: PackedKeys; ref: Set<string> } {
  const start = [...new Set(Array.from({ length: 5000 }, () => randomKey(r, false)))].sort();
  const set = new PackedKeys();
  set.loadSorted(start);
  return { set, ref: new Set(start) };
}

describe('engine: packed index entries', () => {
  for (const wide of [false, true]) {
    it(`answers as a sorted array through inserts, deletes, rewrites and splits (${wide ? 'wide' : 'one-byte'} keys)`, () => {
      const r = rng(wide ? 7 : 3);
      // Load a sorted start, then mutate well past the rewrite and split thresholds.
      const { set, ref } = loadedStart(r);
      for (let round = 0; round < 4; round++) {
        for (let op = 0; op < 6000; op++) {
          const k = randomKey(r, wide);
          const del = r() < (round === 3 ? 0.9 : 0.4);
          if (del) expect(set.delete(k)).to.equal(ref.delete(k));
          else {
            const had = ref.has(k);
            ref.add(k);
            expect(set.set(k)).to.equal(!had);
          }
        }
        checkReads(set, [...ref].sort(), r, wide);
      }
    });
  }

  it('insertNew adds keys it need not look for, also keys deleted from the packed entries (their dead copy stays skipped)', () => {
    for (const wide of [false, true]) {
      const r = rng(wide ? 11 : 5);
      const { set, ref } = loadedStart(r);
      for (let round = 0; round < 4; round++) {
        for (let op = 0; op < 6000; op++) {
          const k = randomKey(r, wide);
          if (ref.has(k)) {
            // Deleting packed keys leaves dead copies that insertNew must not bring back twice.
            if (r() < 0.5) expect(set.delete(k)).to.equal(ref.delete(k));
            continue;
          }
          set.insertNew(k);
          ref.add(k);
        }
        // Segments were rewritten along the way (256 changes each): a re-added key and its dead copy became one.
        checkReads(set, [...ref].sort(), r, wide);
      }
    }
  });

  it('insertNewSorted adds a sorted batch as insertNew adds its keys one by one: spread over every segment, thousands into one, wide ones into one-byte segments', () => {
    for (const wide of [false, true]) {
      const r = rng(wide ? 17 : 13);
      const { set, ref } = loadedStart(r);
      const one = new PackedKeys();
      one.loadSorted([...ref].sort());
      for (let round = 0; round < 4; round++) {
        // Random keys land in every segment; a run of 6,000 keys past the last one lands in one segment,
        // which then holds more than two segments' worth and is cut into several.
        const batch =
          round % 2 === 1
            ? Array.from(
                { length: 6000 },
                (_, i) => `\uffff${round}${String(i).padStart(5, '0')}${wide ? '标' : ''}`,
              )
            : Array.from(
                { length: 1 + Math.floor(r() * 1000) },
                () => randomKey(r, wide) + randomKey(r, wide),
              );
        const fresh = [...new Set(batch.filter((k) => !ref.has(k)))].sort();
        set.insertNewSorted(fresh);
        for (const k of fresh) {
          one.insertNew(k);
          ref.add(k);
        }
        // Deletes between batches leave dead entries and shrink segments.
        for (let op = 0; op < 300; op++) {
          const k = randomKey(r, wide);
          expect(set.delete(k)).to.equal(one.delete(k));
          ref.delete(k);
        }
        const sorted = [...ref].sort();
        expect(one.keysArray()).to.deep.equal(sorted);
        checkReads(set, sorted, r, wide);
      }
    }
  });

  it('insertNewSorted adds an insert command of a few documents (a few keys a segment) as insertNew does', () => {
    for (const wide of [false, true]) {
      const r = rng(wide ? 29 : 19);
      const { set, ref } = loadedStart(r);
      const one = new PackedKeys();
      one.loadSorted([...ref].sort());
      for (let round = 0; round < 3000; round++) {
        const fresh = Array.from(
          { length: 1 + Math.floor(r() * 8) },
          () => randomKey(r, wide) + randomKey(r, wide),
        );
        const batch = [...new Set(fresh.filter((k) => !ref.has(k)))].sort();
        set.insertNewSorted(batch);
        for (const k of batch) {
          one.insertNew(k);
          ref.add(k);
        }
        if (round % 500 === 499) {
          const sorted = [...ref].sort();
          expect(set.size).to.equal(sorted.length);
          expect(one.keysArray()).to.deep.equal(sorted);
          checkReads(set, sorted, r, wide);
        }
      }
    }
  });

  it('empties and refills', () => {
    const set = new PackedKeys();
    const keys = Array.from({ length: 9000 }, (_, i) => `k${String(i).padStart(5, '0')}`);
    for (const k of keys) set.set(k);
    expect(set.keysArray()).to.deep.equal(keys);
    for (const k of keys) expect(set.delete(k)).to.equal(true);
    expect(set.size).to.equal(0);
    expect(set.keysArray()).to.deep.equal([]);
    expect(set.countRange('', '\uffff')).to.equal(0);
    set.set('b');
    set.set('a');
    expect(set.keysArray()).to.deep.equal(['a', 'b']);
    set.loadSorted([]);
    expect([...set.keysDownFrom('z')]).to.deep.equal([]);
  });

  it('builds from index sections exactly what loading the strings builds, and notices disorder', () => {
    const r = rng(11);
    const keys = [...new Set(Array.from({ length: 7000 }, () => randomKey(r, r() < 0.05)))].sort();
    const build = (slices: string[][]): PackedKeysBuilder => {
      const b = new PackedKeysBuilder();
      for (const slice of slices)
        forEachPacked(packKeys(slice), (buf, at, end, wide) => b.push(buf, at, end, wide));
      return b;
    };
    const b = build([keys.slice(0, 3000), keys.slice(3000, 3001), keys.slice(3001)]);
    expect(b.ascending).to.equal(true);
    const set = new PackedKeys();
    set.adopt(b);
    checkReads(set, keys, r, true);
    // The loaded set takes writes like any other.
    expect(set.delete(keys[0])).to.equal(true);
    expect(set.set(keys[0])).to.equal(true);
    expect(set.keysArray()).to.deep.equal(keys);

    // A wide entry in every segment (Chinese names in an index): each segment widens only its own stage.
    const many = Array.from(
      { length: 2048 * 40 },
      (_, i) => `k${String(i).padStart(6, '0')}${i % 2048 === 7 ? '标' : ''}`,
    );
    const wideEach = new PackedKeys();
    wideEach.adopt(build([many]));
    expect(wideEach.size).to.equal(many.length);
    expect([...wideEach.keysFrom(many[2048 * 39 + 7])].slice(0, 2)).to.deep.equal(
      many.slice(2048 * 39 + 7, 2048 * 39 + 9),
    );

    expect(build([keys.slice(0, 100), keys.slice(99)]).ascending, 'a repeated entry').to.equal(false);
    expect(build([keys.slice(2048, 4096), keys.slice(0, 10)]).ascending, 'across segments').to.equal(false);
    const swapped = [...keys.slice(0, 10)];
    [swapped[4], swapped[5]] = [swapped[5], swapped[4]];
    expect(build([swapped]).ascending, 'within a segment').to.equal(false);
    expect(build([['k1', 'k12', 'k2']]).ascending, 'an entry after its prefix').to.equal(true);
    expect(build([['k12', 'k1']]).ascending, 'a prefix after its entry').to.equal(false);
    expect(build([['k\u0001', 'k\u00ff']]).ascending, 'bytes compared unsigned').to.equal(true);
    expect(build([['k\u00ff', 'k\u0001']]).ascending, 'a high byte before a low one').to.equal(false);
  });

  it('writes its bytes as index-section slices that load back to the same keys, changes not yet folded in included', () => {
    const r = rng(5);
    const start = [...new Set(Array.from({ length: 6000 }, () => randomKey(r, false)))].sort();
    const set = new PackedKeys();
    set.loadSorted(start);
    const ref = new Set(start);
    // Fewer changes than a rewrite needs in most segments: added (wide ones in one-byte segments) and dead.
    for (let op = 0; op < 150; op++) {
      const k = randomKey(r, true);
      if (r() < 0.5) {
        set.delete(k);
        ref.delete(k);
      } else {
        set.set(k);
        ref.add(k);
      }
    }
    const b = new PackedKeysBuilder();
    let after: string | undefined;
    for (;;) {
      const out = new SectionWriter();
      let n = 0;
      let last: string | undefined;
      const limit = 1 + Math.floor(r() * 900);
      set.forEachRawAfter(after, (bytes, a, e, wide) => {
        out.push(bytes, a, e, wide);
        last = wide
          ? Buffer.from(bytes.subarray(a, e)).swap16().toString('utf16le')
          : bytes.toString('latin1', a, e);
        return ++n < limit;
      });
      forEachPacked(out.bytes(), (buf, at, end, wide) => b.push(buf, at, end, wide));
      if (n < limit) break;
      after = last;
    }
    expect(b.ascending).to.equal(true);
    const loaded = new PackedKeys();
    loaded.adopt(b);
    expect(loaded.keysArray()).to.deep.equal([...ref].sort());
  });
});
