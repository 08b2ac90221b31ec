// The duplicate check on the labelled pairs (server/text/repeat-pairs.ts: `b` arrives after `a`; the intake
// pipeline passes only the same enterprise's open issues of the last 30 days, so pairs across enterprises or
// after `a` closed get no candidate). The weights and thresholds of server/text/repeat.ts were fitted on the
// development pairs (corpus/duplicate-pairs.jsonl, scripts/fit-repeat.ts); corpus/duplicate-pairs-heldout.jsonl
// was written apart from them and never fitted or tuned on, and so were the second, third and fourth held-out
// pairs (written before waves 5 and 8 changed the check, and in wave 9). The second development pairs
// (corpus/duplicate-pairs-dev2.jsonl, written after wave 9) are printed too: the shipped weights were not fitted
// on them (a refit on both sets did not hold on the held-out sets). Prints precision and recall of
// automatic merges, per kind of pair. On every held-out set it fails below issue 7's precision bar (0.95),
// below the recall this version reaches (0.921, 0.833, 0.733, 0.825: the 0.90 bar is met on the first only, see
// the README's 重复检测 section), or when fewer repeats are merged or flagged 可能重复 for the dispatcher than now.
// The fifth and sixth held-out pairs (same-place near misses, wave 12; written blind, wave 15) are held where this
// version is (0.956, 0.964 since wave 16; the sixth's false merges were read in wave 16, so it is development data
// now). The third development pairs (wave 14) are printed and held at the precision bar; the fourth (wave 16,
// near misses that swap one particular or thing) where this version is. The seventh held-out pairs (written blind
// before wave 16) are held where this version is (0.885 / 0.885, unchanged by wave 17), below both bars. The
// fifth development pairs (wave 17, another identifier in one template) are held where this version is.
import { expect } from 'chai';
import { CATEGORIES } from '../../config/categories.ts';
import {
  loadDuplicatePairs,
  loadDuplicatePairsDev2,
  loadDuplicatePairsDev3,
  loadDuplicatePairsDev4,
  loadDuplicatePairsDev5,
  loadHeldoutDuplicatePairs,
  loadHeldoutDuplicatePairs2,
  loadHeldoutDuplicatePairs3,
  loadHeldoutDuplicatePairs4,
  loadHeldoutDuplicatePairs5,
  loadHeldoutDuplicatePairs6,
  loadHeldoutDuplicatePairs7,
  PAIR_KINDS,
  type DuplicatePair,
} from '../../server/text/corpus.ts';
import { scorePairs, verdicts, type PairScores } from '../../server/text/repeat-pairs.ts';
import { corpusModel } from './corpus-model.ts';

const f3 = (x: number) => x.toFixed(3);

function evaluate(pairs: readonly DuplicatePair[]): PairScores {
  return scorePairs(verdicts(corpusModel().model, CATEGORIES, pairs));
}

function print(name: string, s: PairScores): void {
  console.log(
    `      ${name}: ${s.pairs} pairs (${s.repeats} repeats): merges ${s.merges}, precision ${f3(s.precision)} ` +
      `(bar 0.95), recall ${f3(s.recall)} (bar 0.90); merged or flagged 可能重复 ${f3(s.caught)} of the ` +
      `repeats, ${s.flags} flags`,
  );
  const kinds = PAIR_KINDS.filter((k) => s.byKind.has(k)).map((k) => {
    const c = s.byKind.get(k)!;
    return `${k} ${c.merged}/${c.flagged}/${c.pairs}`;
  });
  console.log(`        merged/flagged/pairs by kind: ${kinds.join(', ')}`);
}

/** The floors a set of pairs is held to: merge precision, and where given merge recall and repeats caught. */
function expectFloors(
  s: PairScores,
  name: string,
  floors: { precision: number; recall?: number; caught?: number },
) {
  expect(s.precision, `${name} merge precision`).to.be.at.least(floors.precision);
  if (floors.recall !== undefined) expect(s.recall, `${name} merge recall`).to.be.at.least(floors.recall);
  if (floors.caught !== undefined) {
    expect(s.caught, `${name} repeats merged or flagged`).to.be.at.least(floors.caught);
  }
}

describe('text: duplicate check on the labelled pairs', function () {
  this.timeout(120_000);

  it('merges with precision ≥ 0.95 on the held-out pairs and merges or flags every repeat', () => {
    const development = loadDuplicatePairs();
    const heldout = loadHeldoutDuplicatePairs();
    expect(development.length, 'corpus/duplicate-pairs.jsonl').to.be.at.least(300);
    expect(heldout.length, 'corpus/duplicate-pairs-heldout.jsonl').to.be.at.least(300);
    const dev = evaluate(development);
    // The earlier split's held-out half (odd lines of the first 345), kept for comparison; it is now part of
    // the development pairs, so its scores are no longer out of sample.
    const oldHalf = evaluate(development.slice(0, 345).filter((_, i) => i % 2 === 1));
    const held = evaluate(heldout);
    const second = evaluate(loadHeldoutDuplicatePairs2());
    print('development (fitted on)', dev);
    print('earlier held-out half (now development)', oldHalf);
    print('held out (never fitted on)', held);
    print('second held-out (wave 5, never looked at for a change)', second);
    const third = evaluate(loadHeldoutDuplicatePairs3());
    print('third held-out (wave 8, written before its changes, scored twice)', third);
    const fourth = evaluate(loadHeldoutDuplicatePairs4());
    print('fourth held-out (wave 9, written after the problem words were first scored)', fourth);
    const fifth = evaluate(loadHeldoutDuplicatePairs5());
    print('fifth held-out (wave 12, same-place near misses, written before its changes)', fifth);
    const sixth = evaluate(loadHeldoutDuplicatePairs6());
    print(
      'sixth held-out (wave 15, written blind; its false merges read in wave 16: development now)',
      sixth,
    );
    const seventh = evaluate(loadHeldoutDuplicatePairs7());
    print('seventh held-out (written blind before wave 16, scored before and after it)', seventh);
    const dev2 = evaluate(loadDuplicatePairsDev2());
    print('second development pairs (written after wave 9, not fitted on by these weights)', dev2);
    const dev3 = evaluate(loadDuplicatePairsDev3());
    print('third development pairs (wave 14, re-tellings and chases, not fitted on by these weights)', dev3);
    const dev4 = evaluate(loadDuplicatePairsDev4());
    print('fourth development pairs (wave 16, near misses of one particular or thing, tuned on)', dev4);
    const dev5 = evaluate(loadDuplicatePairsDev5());
    print('fifth development pairs (wave 17, another identifier in one template, tuned on)', dev5);
    expect(held.repeats, 'held-out repeats').to.be.at.least(120);
    expect(held.pairs - held.repeats, 'held-out near misses').to.be.at.least(120);
    // Recall: the floor reached (0.882 in wave 8, was 0.691; 0.888 in wave 12; 0.921 in wave 15): a
    // regression fails.
    // Caught: whatever is not merged must at least reach the dispatcher as 可能重复.
    expectFloors(held, 'held-out', { precision: 0.95, recall: 0.92, caught: 0.97 });
    // The second held-out pairs (wave 5), held where this version is (P 0.962, R 0.833, 0.933 merged or
    // flagged; wave 5 left 0.935 / 0.717, wave 12 0.961 / 0.817 / 0.917): recall below the bar, see the README's
    // 重复检测 section.
    expect(second.pairs, 'corpus/duplicate-pairs-heldout2.jsonl').to.equal(120);
    expectFloors(second, 'second held-out', { precision: 0.95, recall: 0.83, caught: 0.93 });
    // The third held-out pairs (wave 8, written and committed before its changes; the code before them scored
    // P 0.926, R 0.417, 0.933 merged or flagged): P 0.950, R 0.633, 0.950 after wave 8; 0.952 / 0.667 / 0.967
    // after wave 14.
    expect(third.pairs, 'corpus/duplicate-pairs-heldout3.jsonl').to.equal(120);
    expect(third.repeats, 'third held-out repeats').to.equal(60);
    // Wave 15: 0.957 / 0.733 / 0.967.
    expectFloors(third, 'third held-out', { precision: 0.95, recall: 0.73, caught: 0.96 });
    // The fourth held-out pairs (wave 9, written after the problem words' first scoring; that wave changed
    // nothing): P 0.970, R 0.800, every repeat merged or flagged (0.975 since wave 12's refit: one chase scores
    // below the flag threshold; the floor was 0.97 already).
    expect(fourth.pairs, 'corpus/duplicate-pairs-heldout4.jsonl').to.equal(77);
    expect(fourth.repeats, 'fourth held-out repeats').to.equal(40);
    // Wave 15: 0.971 / 0.825 / 0.975.
    expectFloors(fourth, 'fourth held-out', { precision: 0.95, recall: 0.82, caught: 0.97 });
    // The fifth held-out pairs (wave 12: 50 repeats, 56 near misses, 34 of them the same enterprise's other
    // problem at the same place or site), scored once on the code before the wave (P 0.724: 16 wrong merges, 13
    // other problems and 3 same-site; R 0.840; every repeat merged or flagged) and once after it: P 0.894
    // (5 wrong merges: 2 other problems, 3 same-site), R 0.840, 1.000. Both bars unmet; held where it is.
    expect(fifth.pairs, 'corpus/duplicate-pairs-heldout5.jsonl').to.equal(106);
    expect(fifth.repeats, 'fifth held-out repeats').to.equal(50);
    // Wave 15: 0.896 / 0.860 / 1.000. Wave 16 (things of one kind, more faults and particulars): 0.956 / 0.860 /
    // 1.000.
    expectFloors(fifth, 'fifth held-out', { precision: 0.95, recall: 0.86, caught: 1 });
    // The sixth held-out pairs (wave 15: 62 repeats, letters against hotline, WeChat and minutes lines and
    // chases; 64 near misses, 33 the same enterprise's other problem with the same object), written blind and
    // committed before the wave's changes, scored once on the code before them (P 0.787: 13 wrong merges, 6
    // other problems, 5 new instances, 2 same-site; R 0.774; 0.903 merged or flagged) and once after: P 0.791
    // (14 wrong merges: one more new instance), R 0.855, 0.952. The precision bar is far from met there; held
    // where it is. Wave 16 read its 14 false merges (so it is development data now) and made the things of one
    // kind, the new faults and particulars and the enquiry rule from them: P 0.964 (2 wrong merges: a credit
    // line cut against the bridging loan, a food licence's other change), R 0.871 (进水 read as flooding only where
    // water gets in), 0.952.
    expect(sixth.pairs, 'corpus/duplicate-pairs-heldout6.jsonl').to.equal(126);
    expect(sixth.repeats, 'sixth held-out repeats').to.equal(62);
    expectFloors(sixth, 'sixth held-out', { precision: 0.96, recall: 0.87, caught: 0.95 });
    // The seventh held-out pairs (165: 87 re-tellings and chases; 78 near misses: 24 the same object's other
    // problem, 20 another instance of one kind, 16 recurrences after closure, 10 another enterprise, 8 the same
    // site), written blind and committed before wave 16's changes; scored once on the code before them (P 0.875:
    // 11 wrong merges, 7 new instances, 2 other problems, 2 same-site; R 0.885; 0.943 merged or flagged) and once
    // after: P 0.885 (one other problem flagged instead of merged), R 0.885, 0.943. Wave 16's lists of things of
    // one kind, drawn from the sixth set's misses, barely carried to new text. Both bars unmet; held where it is.
    // Scored a third time after wave 17 (identifiers as particulars, made on the fifth development pairs without
    // reading this set): unchanged, P 0.885, R 0.885, 0.943 (new-instance 7/2/20 merged/flagged/pairs, as before).
    expect(seventh.pairs, 'corpus/duplicate-pairs-heldout7.jsonl').to.equal(165);
    expect(seventh.repeats, 'seventh held-out repeats').to.equal(87);
    expectFloors(seventh, 'seventh held-out', { precision: 0.88, recall: 0.88, caught: 0.94 });
    // The second development pairs: this version scores P 0.973, R 0.880, 0.984 merged or flagged there (0.962 /
    // 0.808 before wave 12, 0.971 / 0.816 / 0.960 before wave 14). Only precision is held (at the bar): these
    // pairs are for fitting, and a refit may trade on them.
    expect(dev2.pairs, 'corpus/duplicate-pairs-dev2.jsonl').to.equal(249);
    expect(dev2.repeats, 'second development repeats').to.equal(125);
    expectFloors(dev2, 'second development', { precision: 0.95 });
    // The third development pairs (wave 14): P 0.966, R 0.875, every repeat merged or flagged (0.960 / 0.750 /
    // 0.938 before the wave). Only precision is held, as for the second.
    expect(dev3.pairs, 'corpus/duplicate-pairs-dev3.jsonl').to.equal(47);
    expect(dev3.repeats, 'third development repeats').to.equal(32);
    expectFloors(dev3, 'third development', { precision: 0.95 });
    // The fourth development pairs (wave 16: 44 re-tellings and chases, 44 near misses of the same open issues),
    // written after reading the sixth held-out pairs' false merges and tuned on: P 0.796, R 0.977, every repeat
    // merged or flagged before the wave; P 1.000 (43 merges), R 0.977, 1.000 after. Held where it is.
    expect(dev4.pairs, 'corpus/duplicate-pairs-dev4.jsonl').to.equal(88);
    expect(dev4.repeats, 'fourth development repeats').to.equal(44);
    expectFloors(dev4, 'fourth development', { precision: 1, recall: 0.97, caught: 1 });
    // The fifth development pairs (wave 17: 32 re-tellings and chases quoting an open issue's identifier in
    // another form or not at all, 32 the same template with another identifier), written before the wave: P
    // 0.636 (16 new instances merged), R 0.875, every repeat merged or flagged before it; P 1.000 (29 merges), R
    // 0.906, 1.000 after (a code's start no longer read as a plate; identifiers of one kind that differ veto).
    expect(dev5.pairs, 'corpus/duplicate-pairs-dev5.jsonl').to.equal(64);
    expect(dev5.repeats, 'fifth development repeats').to.equal(32);
    expectFloors(dev5, 'fifth development', { precision: 1, recall: 0.9, caught: 1 });
  });
});
