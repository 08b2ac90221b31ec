/**
 * Measures the class-problem clustering (server/text/cluster.ts) on the development texts only
 * (server/text/corpus/clusters.jsonl, clusters-dev2.jsonl and clusters-heldout.jsonl … clusters-heldout9.jsonl,
 * which were all read while tuning and are development data now; clusters-heldout10.jsonl is never read here), with and
 * without the default synonyms (config/synonyms.ts): pairwise precision and recall, and how well the similarity
 * alone separates a class's pairs from its near misses (the chance that a true pair scores above a pair of a
 * class text and another text of its category: 1 is perfect, 0.5 is chance), and the pairs of all files pooled. With `--misses`, the clustering's
 * wrong joins (no synonyms) on each file, to read before changing a feature.
 *
 *   npx tsx scripts/tune-cluster.ts [--misses]
 */
import { parseArgs } from 'node:util';
import {
  clusterItems,
  clusterTokens,
  indexItems,
  pairwiseScores,
  type ClusterItem,
} from '../server/text/cluster.ts';
import { dot } from '../server/text/features.ts';
import {
  CLUSTER_DEVELOPMENT_FILES,
  loadClusterSet,
  loadTrainingCorpus,
  type ClusterRow,
} from '../server/text/corpus.ts';
import {
  compileSynonyms,
  DEFAULT_COMPILED_SYNONYMS,
  type CompiledSynonyms,
} from '../server/text/synonyms.ts';

const { values } = parseArgs({ options: { misses: { type: 'boolean', default: false } } });
const DAY = 86_400_000;
const START = Date.UTC(2026, 2, 2);
const training = loadTrainingCorpus();
const f3 = (x: number) => x.toFixed(3);
const classOf = (r: ClusterRow) => (r.class.startsWith('none') ? null : r.class);

function run(rows: ClusterRow[], synonyms: CompiledSynonyms) {
  // As the quality test spreads them: two months in file order.
  const items: ClusterItem[] = rows.map((r, i) => ({
    id: String(i),
    text: r.text,
    category: r.category,
    createdAt: new Date(START + (i % 60) * DAY),
    region: r.region,
  }));
  const background = training.map((r) => ({ tokens: clusterTokens(r.text, synonyms), category: r.category }));
  let n = 0;
  const index = indexItems(items, background, synonyms);
  const clusters = clusterItems(items, [], () => `c${n++}`, {}, index);
  const truth = new Map(rows.map((r, i) => [String(i), classOf(r)]));
  const scores = pairwiseScores(
    clusters.map((c) => c.memberIds),
    truth,
  );
  return { clusters, scores, separation: separation(rows, index.vectors) };
}

/** The AUC of the cosine over same-category pairs: true pairs against a class text with any other text. */
function separation(rows: ClusterRow[], vectors: ReturnType<typeof indexItems>['vectors']): number {
  const together: number[] = [];
  const apart: number[] = [];
  for (let a = 0; a < rows.length; a++) {
    for (let b = a + 1; b < rows.length; b++) {
      const [ca, cb] = [classOf(rows[a]), classOf(rows[b])];
      if (rows[a].category !== rows[b].category || (!ca && !cb)) continue;
      (ca && ca === cb ? together : apart).push(dot(vectors.get(String(a))!, vectors.get(String(b))!));
    }
  }
  apart.sort((x, y) => x - y);
  let wins = 0;
  for (const s of together) {
    let lo = 0;
    let hi = apart.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (apart[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    let ties = lo;
    while (ties < apart.length && apart[ties] === s) ties++;
    wins += lo + (ties - lo) / 2;
  }
  return wins / (together.length * apart.length);
}

const none = compileSynonyms([]);
const pooled = { right: 0, predicted: 0, truePairs: 0 };
for (const file of CLUSTER_DEVELOPMENT_FILES) {
  const rows = loadClusterSet(file);
  const plain = run(rows, none);
  pooled.right += Math.round(plain.scores.precision * plain.scores.predictedPairs);
  pooled.predicted += plain.scores.predictedPairs;
  pooled.truePairs += plain.scores.truePairs;
  for (const [name, result] of [
    ['no synonyms', plain],
    ['default synonyms', run(rows, DEFAULT_COMPILED_SYNONYMS)],
  ] as const) {
    const { scores, separation: auc } = result;
    console.log(
      `${file.padEnd(23)} ${name.padEnd(17)}: P ${f3(scores.precision)} R ${f3(scores.recall)}, separation ${f3(auc)}`,
    );
  }
  if (!values.misses) continue;
  const { clusters } = plain;
  console.log(`\nwrong joins in ${file} (no synonyms):`);
  for (const c of clusters) {
    const classes = new Map<string, string[]>();
    for (const id of c.memberIds) {
      const k = classOf(rows[Number(id)]) ?? `(none) ${id}`;
      classes.set(k, [...(classes.get(k) ?? []), id]);
    }
    if (classes.size < 2) continue;
    console.log(`- cluster of ${c.memberIds.length}:`);
    for (const [k, ids] of classes)
      console.log(`    ${k}: ${ids.map((id) => rows[Number(id)].text.slice(0, 40)).join(' | ')}`);
  }
  console.log('');
}
console.log(
  `pooled over ${CLUSTER_DEVELOPMENT_FILES.length} files (no synonyms): ` +
    `P ${f3(pooled.right / pooled.predicted)} R ${f3(pooled.right / pooled.truePairs)}`,
);
