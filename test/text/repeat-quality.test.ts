// The duplicate check on the labelled pairs (server/text/repeat-pairs.ts: `b` arrives after `a`; the intake
// pipeline passes only the same enterprise's open issues of the last 30 days, so pairs across enterprises or
// after `a` closed get no candidate). Prints precision and recall of automatic merges and the share of repeats
// merged or flagged 可能重复 for the dispatcher, per kind of pair, for every pair file, and holds each where this
// version is: a regression fails. Issue 7's bars are precision ≥ 0.95 and recall ≥ 0.90; a floor below a bar is
// this version's figure, not the bar lowered (server/text/corpus/README.md tells each file's history: when it
// was written, which changes it was scored before and after, and what was read of it). On 2026-12-07 the check
// was refitted on all 15 development files for precision first (pooled out of file 0.951, was 0.924): the
// precision floors of the seventh to tenth sets rose, and the recall floors of seven files fell with it.
//
// Later that day (the same enterprise's other problem still merged: 9 of the eleventh set's 11 wrong merges) the
// check gained the turn veto (repeat-features.ts turnsToAnother) and the causes feature and was refitted on the
// 16 development files (the eleventh set among them), merging from 0.45 (out of file 0.962 / 0.881 pooled, was
// 0.962 / 0.831 at that precision). Floors rose where figures rose: precision on the first, eighth to eleventh
// sets (tenth 0.892 -> 0.988, eleventh 0.876 -> 0.963), recall on the first to sixth and the eleventh. Lowered to
// this version's figures, for the lead to judge: the sixth set's precision 0.96 -> 0.94 (3 wrong merges of 53,
// was 2 of 50, recall 0.774 -> 0.806); recall on the fifth development set 0.84 -> 0.81, the ninth 0.88 -> 0.86
// and the tenth 0.83 -> 0.82 (one repeat fewer merged in each); merged or flagged on the fifth development set
// 1 -> 0.9, the eighth 1 -> 0.98, the ninth 0.96 -> 0.95, the tenth 0.9 -> 0.89 and the eleventh back to its
// blind figure, 0.93. The refit scores a few repeats of a long letter against a short line under the flag
// threshold (0.08: two land compensations paid late, a power line not moved), and flagging starts at 0.16, not
// 0.12, because it also scores an unrelated line higher (repeat.ts DEFAULT_REPEAT_OPTIONS; out of file 0.980
// of the repeats merged or flagged against 0.984, 426 near misses flagged against 491).
// The twelfth set, written blind, judged this change by a rule written before its one scoring: old 0.848 /
// 0.890 / 0.980 (16 wrong merges), new 0.947 / 0.890 / 0.980 (5): kept, and held at these figures.
//
// The weights of server/text/repeat.ts are fitted on every development file (corpus.ts PAIR_DEVELOPMENT_FILES),
// the seventh to tenth held-out pairs too (written blind, spent by repeated scoring, development data since
// 2026-12-07), and the eleventh (written blind, scored once judging the precision-first refit, development data
// since: its figures then are recorded in the corpus README and it is held where that scoring left it). A blind file (written without reading the check or any other pair text, committed before it
// was scored) says how the check carries to new text; each line printed says whether its set is development
// data or blind.
import { expect } from 'chai';
import { CATEGORIES } from '../../config/categories.ts';
import { loadPairSet, PAIR_KINDS, type PairFile } from '../../server/text/corpus.ts';
import { scorePairs, verdicts, type PairScores } from '../../server/text/repeat-pairs.ts';
import { corpusModel } from './corpus-model.ts';

const f3 = (x: number) => x.toFixed(3);

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

/** A pair file, its size, and the floors it is held to (merge precision; where given, recall and repeats caught). */
interface PairSet {
  file: PairFile;
  about: string;
  pairs: number;
  repeats: number;
  floors?: { precision: number; recall?: number; caught?: number };
}

const SETS: readonly PairSet[] = [
  // Printed only: the weights were fitted on it.
  { file: 'duplicate-pairs.jsonl', about: 'first development (fitted on)', pairs: 450, repeats: 226 },
  {
    file: 'duplicate-pairs-heldout.jsonl',
    about: 'first held-out (development: written apart, tuned against since)',
    pairs: 317,
    repeats: 152,
    floors: { precision: 0.96, recall: 0.9, caught: 0.97 },
  },
  {
    file: 'duplicate-pairs-heldout2.jsonl',
    about: 'second held-out (development: wave 5)',
    pairs: 120,
    repeats: 60,
    floors: { precision: 0.95, recall: 0.83, caught: 0.93 },
  },
  {
    file: 'duplicate-pairs-heldout3.jsonl',
    about: 'third held-out (development: wave 8)',
    pairs: 120,
    repeats: 60,
    floors: { precision: 0.95, recall: 0.83, caught: 0.96 },
  },
  {
    file: 'duplicate-pairs-heldout4.jsonl',
    about: 'fourth held-out (development: wave 9)',
    pairs: 77,
    repeats: 40,
    floors: { precision: 0.95, recall: 0.9, caught: 0.97 },
  },
  {
    file: 'duplicate-pairs-heldout5.jsonl',
    about: 'fifth held-out (development: wave 12, same-place near misses)',
    pairs: 106,
    repeats: 50,
    floors: { precision: 0.95, recall: 0.92, caught: 1 },
  },
  {
    file: 'duplicate-pairs-heldout6.jsonl',
    about: 'sixth held-out (development: written blind for wave 15, its false merges read in wave 16)',
    pairs: 126,
    repeats: 62,
    floors: { precision: 0.94, recall: 0.8, caught: 0.95 },
  },
  // Precision only: fitting pairs, on which a refit may trade recall.
  {
    file: 'duplicate-pairs-dev2.jsonl',
    about: 'second development (after wave 9)',
    pairs: 249,
    repeats: 125,
    floors: { precision: 0.95 },
  },
  {
    file: 'duplicate-pairs-dev3.jsonl',
    about: 'third development (wave 14, re-tellings and chases)',
    pairs: 47,
    repeats: 32,
    floors: { precision: 0.95 },
  },
  {
    file: 'duplicate-pairs-dev4.jsonl',
    about: 'fourth development (wave 16, one particular or thing swapped; tuned on)',
    pairs: 88,
    repeats: 44,
    floors: { precision: 1, recall: 0.97, caught: 1 },
  },
  {
    file: 'duplicate-pairs-dev5.jsonl',
    about: 'fifth development (wave 17, another identifier in one template; tuned on)',
    pairs: 64,
    repeats: 32,
    floors: { precision: 1, recall: 0.81, caught: 0.9 },
  },
  // Development since 2026-12-07 (blind when written, spent by repeated scoring): held where this version is.
  {
    file: 'duplicate-pairs-heldout7.jsonl',
    about: 'seventh held-out (development since 2026-12-07; written blind before wave 16, scored 4 times)',
    pairs: 165,
    repeats: 87,
    floors: { precision: 0.92, recall: 0.88, caught: 0.94 },
  },
  {
    file: 'duplicate-pairs-heldout8.jsonl',
    about: 'eighth held-out (development since 2026-12-07; written blind, scored twice)',
    pairs: 191,
    repeats: 95,
    floors: { precision: 0.91, recall: 0.88, caught: 0.98 },
  },
  {
    file: 'duplicate-pairs-heldout9.jsonl',
    about: 'ninth held-out (development since 2026-12-07; written blind, scored once)',
    pairs: 186,
    repeats: 92,
    floors: { precision: 0.95, recall: 0.86, caught: 0.95 },
  },
  {
    file: 'duplicate-pairs-heldout10.jsonl',
    about:
      'tenth held-out (development since 2026-12-07; written blind, scored twice; recaps, then another problem)',
    pairs: 205,
    repeats: 100,
    floors: { precision: 0.98, recall: 0.82, caught: 0.89 },
  },
  // Development since its one blind scoring (2026-12-07, judging the precision-first refit: corpus README);
  // held where that scoring left it.
  {
    file: 'duplicate-pairs-heldout11.jsonl',
    about: 'eleventh held-out (development since 2026-12-07; written blind, scored once judging the refit)',
    pairs: 208,
    repeats: 101,
    floors: { precision: 0.96, recall: 0.78, caught: 0.93 },
  },
  // Blind: written without reading the check or any other pair text; never read or fitted on. Held where it
  // was first scored (corpus README: the rule it judged the turn-veto change by, and the old check's figures).
  {
    file: 'duplicate-pairs-heldout12.jsonl',
    about: 'twelfth held-out (blind, 2026-12-07; judged the turn-veto change)',
    pairs: 205,
    repeats: 100,
    floors: { precision: 0.94, recall: 0.89, caught: 0.98 },
  },
];

describe('text: duplicate check on the labelled pairs', function () {
  this.timeout(120_000);

  for (const set of SETS)
    it(`${set.file}: ${set.about}`, () => {
      const s = scorePairs(verdicts(corpusModel().model, CATEGORIES, loadPairSet(set.file)));
      print(set.about, s);
      expect([s.pairs, s.repeats], `${set.file}: pairs and repeats`).to.deep.equal([set.pairs, set.repeats]);
      if (!set.floors) return;
      expect(s.precision, `${set.file} merge precision`).to.be.at.least(set.floors.precision);
      if (set.floors.recall !== undefined)
        expect(s.recall, `${set.file} merge recall`).to.be.at.least(set.floors.recall);
      if (set.floors.caught !== undefined)
        expect(s.caught, `${set.file} repeats merged or flagged`).to.be.at.least(set.floors.caught);
    });
});
