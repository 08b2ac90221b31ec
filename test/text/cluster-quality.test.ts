// Class-problem clustering quality (issue 7 §3): pairwise precision and recall on two labelled sets.
// - server/text/corpus/clusters.jsonl (22 classes): the development set. Its even half chose the first
//   thresholds; its report half was then scored on every run, and the 2026-11-30 rework chose its method and
//   thresholds on the whole file, so neither half is clean any more. Printed, and held at the levels reached.
// - server/text/corpus/clusters-heldout.jsonl (13 classes): written before the rework was tried on it, never
//   used to choose anything; the honest figure. It is below the bar (precision 0.9, recall 0.8): the
//   test holds it where it is, so a change that makes it worse fails, and the README says so.
// - clusters-heldout2.jsonl and clusters-heldout3.jsonl (6 classes each): written before waves 5 and 8
//   changed the clustering, only ever scored. Wave 8 (chosen on clusters.jsonl) traded precision for recall
//   on the first two held-out sets (0.735 / 0.875 → 0.667 / 0.923 and 0.744 / 0.904 → 0.687 / 0.904) and
//   gained recall on the third (0.687 / 0.585 → 0.686 / 0.719): their precision floors moved down with it
//   (the README's Class problems section).
// - clusters-heldout4.jsonl (7 classes, 28 near misses of the same place and category): written for wave 11
//   before any change of that wave, only ever scored; its floors hold where the clustering stood then.
// - clusters-dev2.jsonl (10 classes, 52 near-miss singletons): a second development set written after wave 10,
//   with the near misses the held-out sets punish (the same place and category, another cause). Nothing was
//   tuned on it yet; its floors hold where the clustering stood when it was added (corpus/README.md says why
//   the word similarity cannot separate these: its AUC there is 0.735, against 0.914 on clusters.jsonl).
//
// Wave 12 (2026-12-06), method: (1) a fresh held-out set, clusters-heldout5.jsonl, was written and committed
// alone before anything was changed or any miss read; it is scored once, at the end of the wave. (2) The five
// files above other than clusters.jsonl were then DEVELOPMENT data for this wave: their wrong joins were read
// (near misses of the same town and category joined their class mostly through the town's name, its bigrams
// and bigrams across its edges, and stayed because a class's average closeness easily absorbs one more text).
// (3) Two general changes, no word list of any file's causes: the texts are read without Huzhou's place names
// (server/text/places.ts, the administrative gazetteer; the region stays a bonus of its own), and a cluster
// keeps only texts about as close to the rest of it as its texts are on average (strayShare 0.6). Precision
// rose on every file but clusters.jsonl (heldout 0.667 → 0.756, heldout2 0.687 → 0.795, heldout3 0.686 →
// 0.768, heldout4 0.623 → 0.685, dev2 0.375 → 0.439); recall fell by at most 0.025 (heldout4 0.788 → 0.763),
// and clusters.jsonl went 0.916 / 0.866 → 0.901 / 0.876. The floors below are the figures as measured; the
// issue's 0.9 / 0.8 is still not met on any file but clusters.jsonl.
// - clusters-heldout5.jsonl (8 classes, 32 near misses of the same place and category): scored once, after the
//   changes above, never read for tuning: precision 0.512, recall 0.966. Its misses were not read; its near
//   misses share the class's place and object and differ in the cause, which words alone do not separate.
//
// Wave 13 (2026-12-07), the same method: (1) clusters-heldout6.jsonl was written and committed alone first; it
// is scored once, at the end. (2) clusters-dev2.jsonl and the first five held-out files were development data:
// their wrong joins were read. (3) One general change: each text's causes are read as families of problem
// predicates (server/text/causes.ts: a price rises, a queue, a quota runs out, someone does not pay, a system is
// down, a cable is cut…; a stated cause, 原因是/因为/以…为由, over the rest of the text), and a finished cluster
// lets out a text whose causes are none of those its texts commonly name (causeShare 0.3). Precision before →
// after: clusters.jsonl 0.901 → 0.932, dev2 0.439 → 0.548, heldout 0.756 → 0.776, heldout2 0.795 → 0.884,
// heldout3 0.768 → 0.845, heldout4 0.685 → 0.779, heldout5 0.512 → 0.806; recall fell by 0.03–0.08 on five of
// the seven files (clusters.jsonl 0.876 → 0.838, heldout5 0.966 → 0.882) and held on heldout4. The floors
// below moved with it, up for precision and down for recall, as measured.
// - clusters-heldout6.jsonl (8 classes, 33 near misses of the same place, category and object with another
//   cause): scored once, at the end, on the code before the wave (P 0.416, R 0.914) and after it (P 0.593,
//   R 0.914). Its misses were not read. It was written in the same session as causes.ts's families, just
//   before them, so it is not blind to them: the figure is, if anything, optimistic.
// - clusters-heldout7.jsonl (10 classes, 42 near misses of a class's category, object and mostly place with
//   another cause): written blind (its writer read the corpus README and shared/states.ts, no clustering code
//   and no text of another cluster file), committed alone, then scored once on the code as it stood after wave
//   13: P 0.520, R 0.666. Report only; its misses were not read and nothing is tuned on it.
//
// Wave 14 (2026-12-07): every cluster file but clusters-heldout7.jsonl is development data now (all were read
// while tuning; scripts/tune-cluster.ts scores the eight of them). More cause families, chosen there (mean
// 0.770 / 0.844 → 0.793 / 0.832), scored once on the seventh set at 0.518 / 0.643 and were withdrawn: the code and
// the floors are those of wave 13 (the corpus README's "Wave 14" has what was tried).
// - clusters-heldout8.jsonl (10 classes of 9, 44 near misses of a class's category and object with another
//   cause): written blind after the seventh had been scored twice, committed alone, and scored once on
//   2026-12-07 on the code as it stood (wave 13's, nothing changed for it): P 0.845, R 0.769. Report only.
// - clusters-heldout9.jsonl (10 classes of 9–10 in all six regions, 45 near misses of a class's category and
//   often its town and object with another cause): written blind the same way, committed alone, and scored once
//   on 2026-12-07 on the same code: P 0.818, R 0.664. Report only.
// - Both were scored a second time the same day on a change withdrawn by rules written before (texts borrowing
//   from their nearest texts: the eighth 0.788 / 0.889, the ninth 0.755 / 0.780; bench/LOG.md says more).
//
// 2026-12-07 (evening): the seventh to ninth sets became development data, their misses read (corpus.ts
// CLUSTER_DEVELOPMENT_FILES; scripts/tune-cluster.ts scores all eleven files and pools their pairs). Their floors
// stay where their scorings left them; they no longer stand for new text. clusters-heldout10.jsonl is the blind set.
// - clusters-heldout10.jsonl (10 classes of 9–10 in all six regions, 51 near misses of a class's category and
//   object with another cause): written blind, committed alone, and scored on 2026-12-07 once on wave 13's code
//   (P 0.690, R 0.827) and once on a change chosen on the eleven development files (the county bonus and the
//   joining bar 0.05 → 0.035; pooled there 0.779 / 0.806 → 0.794 / 0.815): 0.692 / 0.824. By the rule written
//   before scoring (corpus README: neither falls by 0.01 and one rises by 0.03, or both bars met) the change was
//   withdrawn; the floors hold the set at wave 13's figures. Its misses were not read.
import { expect } from 'chai';
import {
  clusterItems,
  clusterTokens,
  indexItems,
  pairwiseScores,
  type BackgroundText,
  type ClusterOptions,
} from '../../server/text/cluster.ts';
import { loadClusterSet, loadTrainingCorpus, type ClusterRow } from '../../server/text/corpus.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 2, 2);

function halves(rows: ClusterRow[]): [ClusterRow[], ClusterRow[]] {
  const classes = [...new Set(rows.filter((r) => !r.class.startsWith('none')).map((r) => r.class))].sort();
  const singles = rows.filter((r) => r.class.startsWith('none'));
  const half = (r: ClusterRow) =>
    r.class.startsWith('none') ? singles.indexOf(r) % 2 : classes.indexOf(r.class) % 2;
  return [rows.filter((r) => half(r) === 0), rows.filter((r) => half(r) === 1)];
}

function score(rows: ClusterRow[], background: BackgroundText[], options: Partial<ClusterOptions> = {}) {
  // Spread over two months in file order (the window is 90 days, so time does not split a class here).
  const items = rows.map((r, i) => ({
    id: String(i),
    text: r.text,
    category: r.category,
    createdAt: new Date(START + (i % 60) * DAY),
    region: r.region,
  }));
  const truth = new Map(rows.map((r, i) => [String(i), r.class.startsWith('none') ? null : r.class]));
  let n = 0;
  const clusters = clusterItems(items, [], () => `c${n++}`, options, indexItems(items, background));
  return pairwiseScores(
    clusters.map((c) => c.memberIds),
    truth,
  );
}

const classCount = (rows: ClusterRow[]) =>
  new Set(rows.filter((r) => !r.class.startsWith('none')).map((r) => r.class)).size;

describe('text: class-problem clustering quality', function () {
  this.timeout(120_000);
  const rows = loadClusterSet('clusters.jsonl');
  const dev2 = loadClusterSet('clusters-dev2.jsonl');
  const heldout = loadClusterSet('clusters-heldout.jsonl');
  const heldout2 = loadClusterSet('clusters-heldout2.jsonl');
  const heldout3 = loadClusterSet('clusters-heldout3.jsonl');
  const heldout4 = loadClusterSet('clusters-heldout4.jsonl');
  const heldout5 = loadClusterSet('clusters-heldout5.jsonl');
  const heldout6 = loadClusterSet('clusters-heldout6.jsonl');
  const heldout7 = loadClusterSet('clusters-heldout7.jsonl');
  const heldout8 = loadClusterSet('clusters-heldout8.jsonl');
  const heldout9 = loadClusterSet('clusters-heldout9.jsonl');
  const heldout10 = loadClusterSet('clusters-heldout10.jsonl');
  const background = loadTrainingCorpus().map((r) => ({
    tokens: clusterTokens(r.text),
    category: r.category,
  }));
  const [tuning, report] = halves(rows);
  const all = score(rows, background);
  const reported = score(report, background);
  const [fresh, second, third, fourth, fifth, sixth, seventh, eighth, ninth, tenth, second2] = [
    heldout,
    heldout2,
    heldout3,
    heldout4,
    heldout5,
    heldout6,
    heldout7,
    heldout8,
    heldout9,
    heldout10,
    dev2,
  ].map((set) => score(set, background));
  const f = (x: number) => x.toFixed(3);
  console.log(
    `      clusters.jsonl (development, ${rows.length} texts, ${classCount(rows)} classes): P ${f(all.precision)} ` +
      `R ${f(all.recall)}; its report half (${report.length} texts): P ${f(reported.precision)} R ${f(reported.recall)}`,
  );
  for (const [file, set, scores] of [
    ['clusters-heldout.jsonl (held out; targets 0.9 / 0.8)', heldout, fresh],
    ['clusters-heldout2.jsonl (second held out)', heldout2, second],
    ['clusters-heldout3.jsonl (third held out)', heldout3, third],
    ['clusters-heldout4.jsonl (fourth held out)', heldout4, fourth],
    ['clusters-heldout5.jsonl (fifth held out)', heldout5, fifth],
    ['clusters-heldout6.jsonl (sixth held out)', heldout6, sixth],
    ['clusters-heldout7.jsonl (seventh held out, blind)', heldout7, seventh],
    ['clusters-heldout8.jsonl (eighth held out, blind)', heldout8, eighth],
    ['clusters-heldout9.jsonl (ninth held out, blind)', heldout9, ninth],
    ['clusters-heldout10.jsonl (tenth held out, blind)', heldout10, tenth],
    ['clusters-dev2.jsonl (second development set)', dev2, second2],
  ] as const) {
    console.log(
      `      ${file}: ${set.length} texts, ${classCount(set)} classes, ${scores.truePairs} true pairs: ` +
        `precision ${f(scores.precision)}, recall ${f(scores.recall)}`,
    );
  }

  it('has at least 300 development texts in at least 20 true classes, with near-miss singletons', () => {
    expect(rows.length).to.be.at.least(300);
    expect(classCount(rows)).to.be.at.least(20);
    expect(rows.filter((r) => r.class.startsWith('none')).length).to.be.at.least(30);
    expect(tuning.length + report.length).to.equal(rows.length);
  });

  it('has a separate held-out set of at least 150 texts in at least 12 classes, none shared', () => {
    expect(heldout.length).to.be.at.least(150);
    expect(classCount(heldout)).to.be.at.least(12);
    expect(heldout.filter((r) => r.class.startsWith('none')).length).to.be.at.least(30);
    const developed = new Set(rows.map((r) => r.class).filter((c) => !c.startsWith('none')));
    expect(heldout.filter((r) => developed.has(r.class))).to.deep.equal([]);
    const texts = new Set(rows.map((r) => r.text));
    expect(heldout.filter((r) => texts.has(r.text))).to.deep.equal([]);
  });

  it('development set: precision ≥ 0.93 and recall ≥ 0.83 over all 22 classes (was 0.888 / 0.767)', () => {
    // Wave 12 traded 0.015 precision here (0.916 → 0.901, recall 0.866 → 0.876) for 0.06–0.11 elsewhere;
    // wave 13 (causes) 0.038 recall for 0.031 precision (→ 0.932 / 0.838).
    expect(all.precision).to.be.at.least(0.93);
    expect(all.recall).to.be.at.least(0.83);
  });

  it('development report half: precision ≥ 0.98 and recall ≥ 0.84 (was 0.929 / 0.711)', () => {
    // Wave 12: 0.954 / 0.809 → 0.946 / 0.870; wave 13: → 0.981 / 0.855.
    expect(reported.precision).to.be.at.least(0.98);
    expect(reported.recall).to.be.at.least(0.84);
  });

  it('held-out set: recall ≥ 0.89 and precision ≥ 0.77 (targets 0.8 / 0.9: precision not met, see README)', () => {
    // Wave 13: 0.923 → 0.894.
    expect(fresh.recall).to.be.at.least(0.89);
    // Moved down in wave 8 from 0.72 (0.735 before it), up in wave 12 (0.667 → 0.756) and 13 (→ 0.776).
    expect(fresh.precision).to.be.at.least(0.77);
  });

  it('second held-out set (wave 5): precision ≥ 0.88 and recall ≥ 0.87 (targets 0.9 / 0.8: precision not met)', () => {
    expect(heldout2.length).to.equal(80);
    expect(classCount(heldout2)).to.equal(6);
    // Moved down in wave 8 from 0.74 (0.744 before it), up in wave 12 (0.687 → 0.795) and wave 13 (→ 0.884,
    // recall 0.904 → 0.874): see the header.
    expect(second.precision).to.be.at.least(0.88);
    expect(second.recall).to.be.at.least(0.87);
  });

  it('third held-out set (wave 8): precision ≥ 0.84 and recall ≥ 0.66 (targets 0.9 / 0.8: neither met)', () => {
    expect(heldout3.length).to.equal(82);
    expect(classCount(heldout3)).to.equal(6);
    const developed = new Set([...rows, ...heldout, ...heldout2].map((r) => r.class));
    expect(heldout3.filter((r) => !r.class.startsWith('none') && developed.has(r.class))).to.deep.equal([]);
    // Wave 12: 0.686 / 0.719 → 0.768 / 0.700; wave 13: → 0.845 / 0.667.
    expect(third.precision).to.be.at.least(0.84);
    expect(third.recall).to.be.at.least(0.66);
  });

  it('fourth held-out set (wave 11): precision ≥ 0.77 and recall ≥ 0.76 (targets 0.9 / 0.8)', () => {
    expect(heldout4.length).to.equal(90);
    expect(classCount(heldout4)).to.equal(7);
    const others = new Set([...rows, ...heldout, ...heldout2, ...heldout3, ...dev2].map((r) => r.class));
    expect(heldout4.filter((r) => !r.class.startsWith('none') && others.has(r.class))).to.deep.equal([]);
    // Wave 12: 0.623 / 0.788 → 0.685 / 0.763; wave 13: → 0.779 / 0.763.
    expect(fourth.precision).to.be.at.least(0.77);
    expect(fourth.recall).to.be.at.least(0.76);
  });

  it('fifth held-out set (wave 12): precision ≥ 0.8 and recall ≥ 0.88 (development data in wave 13; targets 0.9 / 0.8)', () => {
    expect(heldout5.length).to.equal(93);
    expect(classCount(heldout5)).to.equal(8);
    expect(heldout5.filter((r) => r.class.startsWith('none')).length).to.equal(32);
    const others = new Set(
      [...rows, ...heldout, ...heldout2, ...heldout3, ...heldout4, ...dev2].map((r) => r.class),
    );
    expect(heldout5.filter((r) => !r.class.startsWith('none') && others.has(r.class))).to.deep.equal([]);
    // As measured on first scoring, after wave 12's changes (0.512 / 0.966); wave 13 read its misses and went
    // to 0.806 / 0.882: a floor, not a target.
    expect(fifth.precision).to.be.at.least(0.8);
    expect(fifth.recall).to.be.at.least(0.88);
  });

  it('sixth held-out set (wave 13): precision ≥ 0.59 and recall ≥ 0.91 (scored once at the end; targets 0.9 / 0.8)', () => {
    expect(heldout6.length).to.equal(90);
    expect(classCount(heldout6)).to.equal(8);
    expect(heldout6.filter((r) => r.class.startsWith('none')).length).to.equal(33);
    const others = new Set(
      [...rows, ...heldout, ...heldout2, ...heldout3, ...heldout4, ...heldout5, ...dev2].map((r) => r.class),
    );
    expect(heldout6.filter((r) => !r.class.startsWith('none') && others.has(r.class))).to.deep.equal([]);
    // As measured on first scoring, after wave 13's change (0.593 / 0.914; the code before it: 0.416 / 0.914):
    // a floor, not a target.
    expect(sixth.precision).to.be.at.least(0.59);
    expect(sixth.recall).to.be.at.least(0.91);
  });

  it('seventh held-out set (blind, development since 2026-12-07): precision ≥ 0.51 and recall ≥ 0.66 (scored once; targets 0.9 / 0.8)', () => {
    expect(heldout7.length).to.equal(131);
    expect(classCount(heldout7)).to.equal(10);
    expect(heldout7.filter((r) => r.class.startsWith('none')).length).to.equal(42);
    const others = [
      ...rows,
      ...heldout,
      ...heldout2,
      ...heldout3,
      ...heldout4,
      ...heldout5,
      ...heldout6,
      ...dev2,
    ];
    const classes = new Set(others.map((r) => r.class));
    expect(heldout7.filter((r) => !r.class.startsWith('none') && classes.has(r.class))).to.deep.equal([]);
    const texts = new Set(others.map((r) => r.text));
    expect(heldout7.filter((r) => texts.has(r.text))).to.deep.equal([]);
    // As measured on its first scoring (main at af95c5f, the code of wave 13): a floor, not a target. Its second
    // scoring (wave 14's families, withdrawn) gave 0.518 / 0.643.
    expect(seventh.precision).to.be.at.least(0.51);
    expect(seventh.recall).to.be.at.least(0.66);
  });

  it('eighth held-out set (blind, development since 2026-12-07): precision ≥ 0.84 and recall ≥ 0.76 (scored once; targets 0.9 / 0.8)', () => {
    expect(heldout8.length).to.equal(134);
    expect(classCount(heldout8)).to.equal(10);
    expect(heldout8.filter((r) => r.class.startsWith('none')).length).to.equal(44);
    const others = [...rows, ...heldout, ...heldout2, ...heldout3, ...heldout4, ...heldout5, ...heldout6];
    const classes = new Set([...others, ...heldout7, ...dev2].map((r) => r.class));
    expect(heldout8.filter((r) => !r.class.startsWith('none') && classes.has(r.class))).to.deep.equal([]);
    const texts = new Set([...others, ...heldout7, ...dev2].map((r) => r.text));
    expect(heldout8.filter((r) => texts.has(r.text))).to.deep.equal([]);
    // As measured on its one scoring (2026-12-07, the code of wave 13): a floor, not a target.
    expect(eighth.precision).to.be.at.least(0.84);
    expect(eighth.recall).to.be.at.least(0.76);
  });

  it('ninth held-out set (blind, development since 2026-12-07): precision ≥ 0.81 and recall ≥ 0.66 (scored once; targets 0.9 / 0.8)', () => {
    expect(heldout9.length).to.equal(141);
    expect(classCount(heldout9)).to.equal(10);
    expect(heldout9.filter((r) => r.class.startsWith('none')).length).to.equal(45);
    const others = [...rows, ...heldout, ...heldout2, ...heldout3, ...heldout4, ...heldout5, ...heldout6];
    const classes = new Set([...others, ...heldout7, ...heldout8, ...dev2].map((r) => r.class));
    expect(heldout9.filter((r) => !r.class.startsWith('none') && classes.has(r.class))).to.deep.equal([]);
    const texts = new Set([...others, ...heldout7, ...heldout8, ...dev2].map((r) => r.text));
    expect(heldout9.filter((r) => texts.has(r.text))).to.deep.equal([]);
    // As measured on its one scoring (2026-12-07, the code of wave 13, nothing changed for it): a floor, not a target.
    expect(ninth.precision).to.be.at.least(0.81);
    expect(ninth.recall).to.be.at.least(0.66);
  });

  it('tenth held-out set (blind): precision ≥ 0.69 and recall ≥ 0.82 (scored twice; targets 0.9 / 0.8)', () => {
    expect(heldout10.length).to.equal(142);
    expect(classCount(heldout10)).to.equal(10);
    expect(heldout10.filter((r) => r.class.startsWith('none')).length).to.equal(51);
    const others = [...rows, ...heldout, ...heldout2, ...heldout3, ...heldout4, ...heldout5, ...heldout6];
    const all = [...others, ...heldout7, ...heldout8, ...heldout9, ...dev2];
    const classes = new Set(all.map((r) => r.class));
    expect(heldout10.filter((r) => !r.class.startsWith('none') && classes.has(r.class))).to.deep.equal([]);
    const texts = new Set(all.map((r) => r.text));
    expect(heldout10.filter((r) => texts.has(r.text))).to.deep.equal([]);
    // As measured on its first scoring (2026-12-07, the code of wave 13); the withdrawn change gave 0.692 / 0.824.
    expect(tenth.precision).to.be.at.least(0.69);
    expect(tenth.recall).to.be.at.least(0.82);
  });

  it('second development set: 10 classes of its own and near misses; precision ≥ 0.54, recall ≥ 0.91', () => {
    expect(dev2.length).to.equal(122);
    expect(classCount(dev2)).to.equal(10);
    expect(dev2.filter((r) => r.class.startsWith('none')).length).to.equal(52);
    const others = new Set([...rows, ...heldout, ...heldout2, ...heldout3].map((r) => r.class));
    expect(dev2.filter((r) => !r.class.startsWith('none') && others.has(r.class))).to.deep.equal([]);
    // Wave 12: 0.375 / 0.961 → 0.439 / 0.948; wave 13: → 0.548 / 0.918.
    expect(second2.precision).to.be.at.least(0.54);
    expect(second2.recall).to.be.at.least(0.91);
  });

  it('the bounded candidate search loses nothing against comparing every text of the category', () => {
    const exhaustive = score(rows, background, {
      probeTerms: Infinity,
      probeDepth: Infinity,
      probeTexts: Infinity,
    });
    expect(all.precision).to.be.closeTo(exhaustive.precision, 0.02);
    expect(all.recall).to.be.closeTo(exhaustive.recall, 0.02);
  });
});
