/**
 * Refits the duplicate check (server/text/repeat.ts) on the development pairs only
 * (server/text/corpus/duplicate-pairs.jsonl, duplicate-pairs-dev2.jsonl and duplicate-pairs-dev3.jsonl together;
 * the held-out pairs are never read here): prints the features' logistic weights, the merge threshold that keeps out-of-fold precision
 * at the bar (also per set of development pairs), and the development pairs the out-of-fold model gets wrong, to
 * read before changing a feature. Paste the weights and thresholds into repeat.ts by hand. The shipped weights
 * were fitted on the first pairs alone (`--first-only`): the refit on both did not hold on the held-out sets
 * (README, 重复检测).
 *
 *   npx tsx scripts/fit-repeat.ts [--l2 0.003] [--precision 0.98] [--first-only]
 */
import { parseArgs } from 'node:util';
import { CATEGORIES } from '../config/categories.ts';
import {
  loadDuplicatePairs,
  loadDuplicatePairsDev2,
  loadDuplicatePairsDev3,
  loadTrainingCorpus,
  pairKind,
} from '../server/text/corpus.ts';
import { PAIR_FEATURE_NAMES } from '../server/text/repeat-features.ts';
import { chooseMergeThreshold, fitLogistic, mergeScores, outOfFold } from '../server/text/repeat-fit.ts';
import { fitRows } from '../server/text/repeat-pairs.ts';
import { trainTextModel } from '../server/text/text-model.ts';

const { values } = parseArgs({
  options: {
    l2: { type: 'string', default: '0.003' },
    precision: { type: 'string', default: '0.98' },
    'first-only': { type: 'boolean', default: false },
  },
});
const l2 = Number(values.l2);
const minPrecision = Number(values.precision);

const model = trainTextModel(loadTrainingCorpus(), CATEGORIES);
const first = fitRows(model, CATEGORIES, loadDuplicatePairs());
const second = fitRows(model, CATEGORIES, values['first-only'] ? [] : loadDuplicatePairsDev2());
const third = fitRows(model, CATEGORIES, values['first-only'] ? [] : loadDuplicatePairsDev3());
const rows = [...first.rows, ...second.rows, ...third.rows];
const pairs = [...first.pairs, ...second.pairs, ...third.pairs];
const probs = outOfFold(rows, 5, l2);
const chosen = chooseMergeThreshold(rows, probs, minPrecision);
const f3 = (x: number) => x.toFixed(3);
console.log(
  `${rows.length} candidate pairs (${rows.filter((r) => r.y).length} repeats; ${first.rows.length} of the first ` +
    `development pairs, ${second.rows.length} of the second, ${third.rows.length} of the third), l2 ${l2}`,
);
console.log(
  `5-fold out-of-fold: merge from ${chosen.threshold}: precision ${f3(chosen.precision)}, recall ` +
    `${f3(chosen.recall)} (${chosen.merges} merges)`,
);
// Each set apart at the chosen threshold: a fit that only suits one of them shows here.
const split = first.rows.length;
const split2 = split + second.rows.length;
for (const [name, from, to] of [
  ['first', 0, split],
  ['second', split, split2],
  ['third', split2, rows.length],
] as const) {
  if (to === from) continue;
  const s = mergeScores(rows.slice(from, to), probs.slice(from, to), chosen.threshold);
  console.log(`  ${name} development pairs: precision ${f3(s.precision)} recall ${f3(s.recall)}`);
}
for (const t of [0.3, 0.5, 0.6, 0.7, 0.8]) {
  const s = mergeScores(rows, probs, t);
  console.log(`  at ${t}: precision ${f3(s.precision)} recall ${f3(s.recall)}`);
}
for (const t of [0.05, 0.1, 0.2, 0.3]) {
  const repeats = rows.filter((r) => r.y);
  const caught = repeats.filter((r) => probs[rows.indexOf(r)] >= t).length / repeats.length;
  const near = rows.filter((r, i) => !r.y && probs[i] >= t).length;
  console.log(`  flag from ${t}: ${f3(caught)} of the repeats flagged at least, ${near} near misses flagged`);
}

const w = fitLogistic(rows, l2);
console.log('\nweights (PAIR_FEATURE_NAMES order, then the bias):');
PAIR_FEATURE_NAMES.forEach((name, k) => console.log(`  ${name.padEnd(22)} ${f3(w[k])}`));
console.log(`  ${'bias'.padEnd(22)} ${f3(w[PAIR_FEATURE_NAMES.length])}`);
console.log(`[${w.map((v) => Math.round(v * 1000) / 1000).join(', ')}]`);

console.log('\nout-of-fold misses at the chosen threshold:');
rows.forEach((r, i) => {
  const merged = r.mergeable && probs[i] >= chosen.threshold;
  if (merged === Boolean(r.y)) return;
  const p = pairs[i];
  const why = r.y ? (r.mergeable ? 'missed' : 'missed (not mergeable)') : 'wrongly merged';
  console.log(`  ${why} [${pairKind(p)}] p=${f3(probs[i])}\n    a: ${p.a}\n    b: ${p.b}`);
});
