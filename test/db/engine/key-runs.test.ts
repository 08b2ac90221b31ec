/**
 * An index's entries collected for a bulk load (key-runs.ts) come out ascending and each once, whether they
 * fit in one run or spill into many (repeats across runs, wide chars in some runs only), and the packed set
 * loaded from them reads as the plain sorted list.
 */
import { expect } from 'chai';
import { KeyRuns, sortUnique } from '../../../server/db/embedded/engine/key-runs.ts';
import { PackedKeys } from '../../../server/db/embedded/engine/packed-keys.ts';
import { rng } from './random-bson.ts';

const ALPHABET = ['\u0001', 'A', 'B', 'z', '\u00ff', '\u0100', '标', '\uffff'];

function randomKeys(r: () => number, n: number, wide: boolean): string[] {
  const keys: string[] = [];
  for (let k = 0; k < n; k++) {
    const len = 1 + Math.floor(r() * 5);
    let s = '';
    for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(r() * (wide ? ALPHABET.length : 5))];
    keys.push(s);
  }
  return keys;
}

describe('engine: key runs for a bulk load', () => {
  for (const [runKeys, n] of [
    [1000, 300],
    [7, 300],
    [64, 5000],
    [1, 50],
  ] as const) {
    it(`${n} keys in runs of ${runKeys}: ascending, each once, loadable`, () => {
      const r = rng(runKeys * 31 + n);
      // Narrow keys first and wide ones later, so some runs are latin1 and some UTF-16.
      const keys = [...randomKeys(r, n / 2, false), ...randomKeys(r, n / 2, true)];
      const expected = sortUnique([...keys]);
      expect(expected.length).to.be.below(keys.length); // repeats, within runs and across them
      const [runs] = KeyRuns.group(1, runKeys);
      for (const k of keys) runs.push(k);
      const set = new PackedKeys();
      set.loadSorted(runs.ascending());
      expect(set.size).to.equal(expected.length);
      expect([...set.keysFrom()]).to.deep.equal(expected);
    });
  }

  it('a group spills together once its members hold the bound between them', () => {
    const r = rng(5);
    const group = KeyRuns.group(3, 10);
    const collected: string[][] = [[], [], []];
    const keys = randomKeys(r, 600, true);
    keys.forEach((k, i) => {
      // Uneven: the first collector gets most of them, the last one only a few.
      const to = i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2;
      group[to].push(k);
      collected[to].push(k);
    });
    // 600 keys at a bound of 10: some 60 spills, each packing every member that held anything.
    expect(group[0].runCount).to.be.at.least(55);
    expect(group[2].runCount).to.be.within(20, 60);
    group.forEach((runs, i) => {
      const set = new PackedKeys();
      set.loadSorted(runs.ascending());
      expect([...set.keysFrom()], `collector ${i}`).to.deep.equal(sortUnique(collected[i]));
    });
  });

  it('nothing collected loads an empty set', () => {
    const set = new PackedKeys();
    set.loadSorted(KeyRuns.group(1, 4)[0].ascending());
    expect(set.size).to.equal(0);
    expect([...set.keysFrom()]).to.deep.equal([]);
  });
});
