/**
 * Measures the class-problem clustering (server/text/cluster.ts) with and without the default synonyms
 * (config/synonyms.ts) on the development texts only (server/text/corpus/clusters.jsonl; the held-out files are
 * never read here): prints pairwise precision and recall for each, and with `--misses` the wrong joins of the
 * clustering as it runs (no synonyms), to read before changing a feature.
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
import { loadClusterTexts, loadTrainingCorpus } from '../server/text/corpus.ts';
import {
  compileSynonyms,
  DEFAULT_COMPILED_SYNONYMS,
  type CompiledSynonyms,
} from '../server/text/synonyms.ts';

const { values } = parseArgs({ options: { misses: { type: 'boolean', default: false } } });
const DAY = 86_400_000;
const START = Date.UTC(2026, 2, 2);
const rows = loadClusterTexts();
// As the quality test spreads them: two months in file order.
const items: ClusterItem[] = rows.map((r, i) => ({
  id: String(i),
  text: r.text,
  category: r.category,
  createdAt: new Date(START + (i % 60) * DAY),
  region: r.region,
}));
const truth = new Map(rows.map((r, i) => [String(i), r.class.startsWith('none') ? null : r.class]));
const training = loadTrainingCorpus();

function run(synonyms: CompiledSynonyms) {
  const background = training.map((r) => ({ tokens: clusterTokens(r.text, synonyms), category: r.category }));
  let n = 0;
  const index = indexItems(items, background, synonyms);
  const clusters = clusterItems(items, [], () => `c${n++}`, {}, index);
  return {
    clusters,
    scores: pairwiseScores(
      clusters.map((c) => c.memberIds),
      truth,
    ),
  };
}

const f3 = (x: number) => x.toFixed(3);
const none = compileSynonyms([]);
for (const [name, synonyms] of [
  ['no synonyms', none],
  ['default synonyms', DEFAULT_COMPILED_SYNONYMS],
] as const) {
  const { scores } = run(synonyms);
  console.log(`${name.padEnd(17)}: P ${f3(scores.precision)} R ${f3(scores.recall)}`);
}

if (values.misses) {
  const { clusters } = run(compileSynonyms([]));
  console.log('\nwrong joins (no synonyms):');
  for (const c of clusters) {
    const classes = new Map<string, string[]>();
    for (const id of c.memberIds) {
      const k = truth.get(id) ?? `(none) ${id}`;
      classes.set(k, [...(classes.get(k) ?? []), id]);
    }
    if (classes.size < 2) continue;
    console.log(`- cluster of ${c.memberIds.length}:`);
    for (const [k, ids] of classes)
      console.log(`    ${k}: ${ids.map((id) => rows[Number(id)].text.slice(0, 40)).join(' | ')}`);
  }
}
