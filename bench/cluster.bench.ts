// Class-problem clustering at scale (issue 7 §3: 100,000 issues < 60 s): the pure core (segmentation,
// TF-IDF, incremental centroid clustering with its candidate index, the merge pass) over synthetic issue texts
// built from the labelled corpora, against segmentation alone as the baseline. BENCH_CLUSTER_DOCS sets the
// size (default 100,000).
import { DAY_MS } from '../shared/clock.ts';
import { clusterItems, clusterTokens, indexItems, type ClusterItem } from '../server/text/cluster.ts';
import { loadClusterTexts, loadTrainingCorpus } from '../server/text/corpus.ts';

const n = Number(process.env.BENCH_CLUSTER_DOCS ?? 100_000);
const source = [...loadClusterTexts(), ...loadTrainingCorpus()];
const TOWNS = [
  '织里',
  '八里店',
  '练市',
  '双林',
  '新市',
  '武康',
  '雉城',
  '和平',
  '递铺',
  '孝丰',
  '南浔',
  '菱湖',
];
const start = Date.UTC(2026, 0, 1);
// Each text is a corpus text with its own enterprise and town, so no two are identical.
const items: ClusterItem[] = Array.from({ length: n }, (_, i) => {
  const r = source[(i * 7919) % source.length];
  return {
    id: String(i),
    text: `${TOWNS[i % TOWNS.length]}企业${i % 997}反映：${r.text}`,
    category: r.category,
    createdAt: new Date(start + ((i * 104729) % (120 * DAY_MS))),
    region: r.region ?? null,
  };
});

let t = performance.now();
let tokens = 0;
for (const item of items) tokens += clusterTokens(item.text).length;
const baseline = performance.now() - t;

t = performance.now();
const index = indexItems(items);
const indexed = performance.now() - t;
let k = 0;
t = performance.now();
const clusters = clusterItems(items, [], () => `c${k++}`, {}, index);
const clustered = performance.now() - t;
const total = indexed + clustered;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(`cluster: ${n} issue texts (${tokens} tokens) into ${clusters.length} clusters`);
console.log(`  baseline (segmentation alone): ${s(baseline)}`);
console.log(`  segmentation + TF-IDF: ${s(indexed)}; clustering: ${s(clustered)}; total ${s(total)}`);
console.log(`  ratio total / baseline: ${(total / baseline).toFixed(2)}; target < 60 s for 100,000`);
