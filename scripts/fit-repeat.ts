/**
 * Refits the duplicate check (server/text/repeat.ts) on every development pair file and says how it carries to
 * text by another author: leave-one-file-out (fit on all the other files, score the one left out; the files
 * differ by author and style). The blind sets (corpus.ts BlindPairFile) are never read here.
 * Prints, per file and pooled, merge precision and recall and the share of repeats flagged at least, for
 *   - the shipped weights and thresholds (REPEAT_WEIGHTS, DEFAULT_REPEAT_OPTIONS),
 *   - a refit at --l2, merging from the lowest threshold keeping pooled out-of-file precision at --precision,
 *   - the same with L2 chosen the same way (best pooled recall at that precision),
 *   - that again with each family of vetoes and features left out in turn (does it help out of file?);
 * then the weights fitted on all files at the chosen L2, to paste into repeat.ts by hand, and with --misses
 * the out-of-file misses to read before changing a feature.
 *
 *   npx tsx scripts/fit-repeat.ts [--l2 0.003] [--precision 0.96] [--misses]
 */
import { parseArgs } from 'node:util';
import { CATEGORIES } from '../config/categories.ts';
import { loadPairSet, loadTrainingCorpus, pairKind, PAIR_DEVELOPMENT_FILES } from '../server/text/corpus.ts';
import { DEFAULT_REPEAT_OPTIONS, REPEAT_WEIGHTS } from '../server/text/repeat.ts';
import { PAIR_FEATURE_NAMES, type MergeVeto } from '../server/text/repeat-features.ts';
import {
  chooseMergeThreshold,
  fitLogistic,
  logit,
  mergeScores,
  sigmoid,
  type FitRow,
} from '../server/text/repeat-fit.ts';
import { fitRows } from '../server/text/repeat-pairs.ts';
import { trainTextModel } from '../server/text/text-model.ts';

const { values } = parseArgs({
  options: {
    l2: { type: 'string', default: '0.003' },
    precision: { type: 'string', default: '0.96' },
    misses: { type: 'boolean', default: false },
  },
});
const minPrecision = Number(values.precision);
const L2S = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const { flagAt, mergeAt } = DEFAULT_REPEAT_OPTIONS;

const model = trainTextModel(loadTrainingCorpus(), CATEGORIES);
const sets = PAIR_DEVELOPMENT_FILES.map((name) => ({
  name: name.replace(/^duplicate-pairs-?|\.jsonl$/g, '') || 'first',
  ...fitRows(model, CATEGORIES, loadPairSet(name)),
}));
const f3 = (x: number) => x.toFixed(3);

/** The threshold (0.01 steps) with the best precision keeping recall at 0.85 (ship by it: precision first). */
function mostPrecise(rows: FitRow[], probs: number[]) {
  let best = mergeScores(rows, probs, 0);
  for (let t = 0.05; t < 1; t += 0.01) {
    const s = mergeScores(rows, probs, Math.round(t * 100) / 100);
    if (s.recall >= 0.85 && s.precision >= best.precision) best = s;
  }
  return `most precise at recall ≥ 0.85: from ${best.threshold} ${f3(best.precision)} / ${f3(best.recall)}`;
}

/** Merge scores at `threshold` and the share of repeats at or above flagAt, per file and pooled. */
function report(label: string, rows: FitRow[][], probs: number[][], threshold: number) {
  const line = (name: string, r: FitRow[], p: number[]) => {
    const s = mergeScores(r, p, threshold);
    const repeats = r.filter((x) => x.y).length;
    const caught = r.filter((x, i) => x.y && p[i] >= flagAt).length / repeats;
    const near = r.filter((x, i) => !x.y && p[i] >= flagAt).length;
    const cells = [f3(s.precision), f3(s.recall), f3(caught), s.merges, repeats, near];
    console.log(`  ${name.padEnd(9)} ${cells.map((c) => String(c).padStart(6)).join(' ')}`);
  };
  console.log(`\n${label}, merging from ${threshold}:`);
  console.log(`  ${'file'.padEnd(9)}   prec recall caught merges repeats near-flagged`);
  rows.forEach((r, i) => line(sets[i].name, r, probs[i]));
  line('pooled', rows.flat(), probs.flat());
  console.log(`  ${mostPrecise(rows.flat(), probs.flat())}`);
}

/** Each file's probabilities from a fit on the other files' rows that `keep` keeps. */
const leaveOneOut = (rows: FitRow[][], l2: number, keep = (_: FitRow) => true) =>
  rows.map((own, i) => {
    const w = fitLogistic(
      rows
        .filter((_, j) => j !== i)
        .flat()
        .filter(keep),
      l2,
    );
    return own.map((r) => sigmoid(logit(w, r.x)));
  });

/** A refit left out file by file, merging from the pooled threshold keeping minPrecision. */
function outOfFile(rows: FitRow[][], l2: number, keep?: (r: FitRow) => boolean) {
  const probs = leaveOneOut(rows, l2, keep);
  return { probs, ...chooseMergeThreshold(rows.flat(), probs.flat(), minPrecision) };
}

const rows = sets.map((s) => s.rows);
const n = rows.flat().length;
console.log(
  `${n} candidate pairs in ${sets.length} files (${rows.flat().filter((r) => r.y).length} repeats)`,
);

const shipped = rows.map((r) => r.map((x) => sigmoid(logit(REPEAT_WEIGHTS, x.x))));
report('(a) shipped weights (fitted on every file: in sample)', rows, shipped, mergeAt);
const fixed = outOfFile(rows, Number(values.l2));
report(`(b) leave-one-file-out refit, l2 ${values.l2}`, rows, fixed.probs, fixed.threshold);

console.log('\n(c) L2 by the same procedure (pooled out-of-file):');
const byL2 = L2S.map((l2) => ({ l2, ...outOfFile(rows, l2) }));
for (const s of byL2) {
  console.log(`  l2 ${s.l2}: from ${s.threshold} precision ${f3(s.precision)} recall ${f3(s.recall)}`);
}
const best = byL2.reduce((x, y) => (y.recall > x.recall ? y : x));
report(`    chosen l2 ${best.l2}`, rows, best.probs, best.threshold);
// Fitted on the pairs that may merge alone: the vetoed near misses no longer pull the weights.
const mergeable = outOfFile(rows, best.l2, (r) => r.mergeable);
report(`(c') the same fitted on mergeable pairs only`, rows, mergeable.probs, mergeable.threshold);

// (d) A family left out: its vetoes no longer hold and, refitted, its features read 0.
const FAMILIES: [string, MergeVeto | 'category' | null, string[]][] = [
  ['template slot swap', 'template', []],
  ['faults at a place', 'problems', ['problemsAgree']],
  ['things of one kind', 'objects', []],
  ['enquiry', 'enquiry', []],
  ['particulars', 'particulars', ['particularsAgree', 'particularsConflict', 'numbersDiffer']],
  ['identifiers', 'identifiers', []],
  ['recap, then another', 'recap', []],
  ['chase/another cues', null, ['chaseCovered', 'another']],
  ['category rule', 'category', []],
];
console.log(
  `\n(d) one family left out: refit at l2 ${best.l2} (pooled); the shipped weights at ${mergeAt}, merges`,
);
console.log('    gained per file (right/wrong), a file where the family was built from counts too');
for (const [label, veto, features] of FAMILIES) {
  const cols = features.map((f) => PAIR_FEATURE_NAMES.indexOf(f as (typeof PAIR_FEATURE_NAMES)[number]));
  const without = rows.map((file) =>
    file.map((r): FitRow => {
      const vetoes = r.vetoes!.filter((v) => v !== veto);
      const byCategory = veto === 'category' || r.byCategory!;
      return {
        ...r,
        x: r.x.map((v, k) => (cols.includes(k) ? 0 : v)),
        mergeable: byCategory && !vetoes.length,
      };
    }),
  );
  const s = outOfFile(without, best.l2);
  const gained = without.map((file, i) => {
    const was = mergeScores(rows[i], shipped[i], mergeAt);
    const now = mergeScores(file, shipped[i], mergeAt);
    const right = Math.round((now.recall - was.recall) * file.filter((r) => r.y).length);
    return right || now.merges - was.merges
      ? ` ${sets[i].name} +${right}/+${now.merges - was.merges - right}`
      : '';
  });
  const plain = mergeScores(without.flat(), shipped.flat(), mergeAt);
  console.log(
    `  without ${label.padEnd(19)} refit from ${s.threshold}: ${f3(s.precision)} / ${f3(s.recall)}; shipped ` +
      `${f3(plain.precision)} / ${f3(plain.recall)}${gained.join('')}`,
  );
}

const w = fitLogistic(rows.flat(), best.l2);
console.log(`\nweights on all files at l2 ${best.l2} (PAIR_FEATURE_NAMES order, then the bias):`);
PAIR_FEATURE_NAMES.forEach((name, k) => console.log(`  ${name.padEnd(22)} ${f3(w[k])}`));
console.log(`[${w.map((v) => Math.round(v * 1000) / 1000).join(', ')}]`);

if (values.misses) {
  console.log('\nout-of-file misses at the chosen threshold:');
  sets.forEach((set, f) =>
    set.rows.forEach((r, i) => {
      const p = best.probs[f][i];
      if ((r.mergeable && p >= best.threshold) === Boolean(r.y)) return;
      const why = r.y ? (r.mergeable ? 'missed' : 'missed (not mergeable)') : 'wrongly merged';
      const pair = set.pairs[i];
      console.log(`  ${set.name} ${why} [${pairKind(pair)}] p=${f3(p)}\n    a: ${pair.a}\n    b: ${pair.b}`);
    }),
  );
}
