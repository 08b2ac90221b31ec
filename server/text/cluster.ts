// Class-problem clustering (一类事, issue 7 §3): groups issue texts from many enterprises into candidate
// clusters. Pure: the caller passes the texts, the clusters of the previous run and `now`.
//
// Similarity is the TF-IDF cosine of segmented words and character bigrams, gated by the same category and a
// time window, with the same region and the same industry as small bonuses. Clusters grow incrementally in
// time order: a text joins the cluster whose centroid it is closest to (above the threshold), else it starts
// a new one. Earlier assignments are inputs, never recomputed, so a new member joins its existing cluster and
// ids never reshuffle. Candidate clusters are found through an inverted index on each centroid's strongest
// terms, so a text is compared with a handful of clusters, not all of them (100,000 texts in seconds).
import { DAY_MS } from '../../shared/clock.ts';
import type { CategoryId } from '../../shared/states.ts';
import { buildVocabulary, vectorize, type SparseVector, type Vocabulary } from './features.ts';
import { normaliseText, segmentNormalised } from './segment.ts';

export interface ClusterItem {
  id: string;
  text: string;
  category: CategoryId;
  createdAt: Date;
  region?: string | null;
  industry?: string | null;
}

export interface ClusterOptions {
  /** Cosine (plus bonuses) to the centroid at or above which a text joins a cluster. */
  joinAt: number;
  /** Added to the similarity when the text's region is the cluster's main region. */
  regionBonus: number;
  /** Added when the text's industry is the cluster's main industry. */
  industryBonus: number;
  /** A text joins only a cluster whose newest member is at most this many days older (or newer). */
  windowDays: number;
  /** Strongest centroid terms indexed per cluster (candidate lookup). */
  indexTerms: number;
  /** Centroid cosine at or above which two clusters of this run are joined. */
  mergeAt: number;
  /** Clusters with fewer members than this are not candidates (a singleton is no class). */
  minMembers: number;
}

/**
 * Chosen on the tuning half of server/text/corpus/clusters.jsonl (the even-numbered classes and singletons);
 * the other half is only ever used to report precision and recall (test/text/cluster-quality.test.ts).
 */
export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = {
  joinAt: 0.14,
  regionBonus: 0.05,
  industryBonus: 0.02,
  windowDays: 90,
  indexTerms: 48,
  mergeAt: 0.15,
  minMembers: 3,
};

/** A cluster as the previous run left it (the caller persists these). */
export interface PriorCluster {
  id: string;
  category: CategoryId;
  memberIds: string[];
}

export interface ClusterResult {
  id: string;
  category: CategoryId;
  memberIds: string[];
  /** True when the cluster did not exist before this run. */
  isNew: boolean;
}

const HAN_RUN = /\p{Script=Han}+/gu;

/** Words and character bigrams, as the duplicate check sees a text (no rule features). */
export function clusterTokens(text: string): string[] {
  const normalised = normaliseText(text);
  const tokens = segmentNormalised(normalised).words;
  for (const run of normalised.match(HAN_RUN) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) tokens.push(`#${run.slice(i, i + 2)}`);
  }
  return tokens;
}

interface Working {
  id: string;
  category: CategoryId;
  memberIds: string[];
  isNew: boolean;
  /** Sum of member vectors (dense over the cluster's own terms). */
  sum: Map<number, number>;
  norm: number;
  newest: number;
  oldest: number;
  regions: Map<string, number>;
  industries: Map<string, number>;
  indexed: Set<number>;
}

const top = (counts: Map<string, number>): string | null => {
  let best: string | null = null;
  let n = 0;
  for (const [k, v] of counts) if (v > n) [best, n] = [k, v];
  return best;
};

function addMember(c: Working, v: SparseVector, item: ClusterItem): void {
  c.memberIds.push(item.id);
  for (let k = 0; k < v.ids.length; k++) c.sum.set(v.ids[k], (c.sum.get(v.ids[k]) ?? 0) + v.values[k]);
  let sq = 0;
  for (const x of c.sum.values()) sq += x * x;
  c.norm = Math.sqrt(sq);
  const t = item.createdAt.getTime();
  c.newest = Math.max(c.newest, t);
  c.oldest = Math.min(c.oldest, t);
  if (item.region) c.regions.set(item.region, (c.regions.get(item.region) ?? 0) + 1);
  if (item.industry) c.industries.set(item.industry, (c.industries.get(item.industry) ?? 0) + 1);
}

/** The cluster's strongest centroid terms (the ones candidate lookup indexes). */
function strongest(c: Working, n: number): number[] {
  return [...c.sum]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, n)
    .map(([id]) => id);
}

export interface ClusterIndex {
  vocab: Vocabulary;
  vectors: Map<string, SparseVector>;
}

/** Segments and vectorises the items once (IDF over these items: an unsupervised space). */
export function indexItems(
  items: readonly ClusterItem[],
  background: readonly (readonly string[])[] = [],
): ClusterIndex {
  const tokens = items.map((i) => clusterTokens(i.text));
  const vocab = buildVocabulary(background.length ? [...background, ...tokens] : tokens, { minDf: 1 });
  const vectors = new Map(items.map((item, k) => [item.id, vectorize(vocab, tokens[k])]));
  return { vocab, vectors };
}

/**
 * Assigns every item to a cluster. Items a prior cluster already holds stay there; the others, oldest first,
 * join the most similar open cluster of their category (new clusters included) or start their own. Prior
 * members that are no longer among the items simply drop out; a prior cluster left empty disappears.
 */
export function clusterItems(
  items: readonly ClusterItem[],
  prior: readonly PriorCluster[],
  newId: () => string,
  options: Partial<ClusterOptions> = {},
  index: ClusterIndex = indexItems(items),
): ClusterResult[] {
  const o = { ...DEFAULT_CLUSTER_OPTIONS, ...options };
  const { vectors } = index;
  const byId = new Map(items.map((i) => [i.id, i]));
  const clusters: Working[] = [];
  // Candidate lookup: category -> term -> clusters indexing that term.
  const postings = new Map<string, Map<number, Working[]>>();
  const indexCluster = (c: Working) => {
    let terms = postings.get(c.category);
    if (!terms) postings.set(c.category, (terms = new Map()));
    for (const id of strongest(c, o.indexTerms)) {
      if (c.indexed.has(id)) continue;
      c.indexed.add(id);
      const list = terms.get(id);
      if (list) list.push(c);
      else terms.set(id, [c]);
    }
  };
  const fresh = (id: string, category: CategoryId, isNew: boolean): Working => ({
    id,
    category,
    memberIds: [],
    isNew,
    sum: new Map(),
    norm: 0,
    newest: -Infinity,
    oldest: Infinity,
    regions: new Map(),
    industries: new Map(),
    indexed: new Set(),
  });

  const placed = new Set<string>();
  for (const p of prior) {
    const c = fresh(p.id, p.category, false);
    for (const m of p.memberIds) {
      const item = byId.get(m);
      if (!item || placed.has(m)) continue;
      placed.add(m);
      addMember(c, vectors.get(m)!, item);
    }
    if (c.memberIds.length) {
      clusters.push(c);
      indexCluster(c);
    }
  }

  const pending = items
    .filter((i) => !placed.has(i.id))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  const windowMs = o.windowDays * DAY_MS;
  for (const item of pending) {
    const v = vectors.get(item.id)!;
    const t = item.createdAt.getTime();
    const terms = postings.get(item.category);
    let best: Working | null = null;
    let bestScore = -1;
    const seen = new Set<Working>();
    for (const id of terms ? v.ids : []) {
      for (const c of terms!.get(id) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        if (t - c.newest > windowMs || c.oldest - t > windowMs) continue;
        let d = 0;
        for (let k = 0; k < v.ids.length; k++) d += (c.sum.get(v.ids[k]) ?? 0) * v.values[k];
        let score = c.norm > 0 ? d / c.norm : 0;
        if (item.region && top(c.regions) === item.region) score += o.regionBonus;
        if (item.industry && top(c.industries) === item.industry) score += o.industryBonus;
        if (score > bestScore || (score === bestScore && best && c.id < best.id)) {
          best = c;
          bestScore = score;
        }
      }
    }
    if (!best || bestScore < o.joinAt) {
      best = fresh(newId(), item.category, true);
      clusters.push(best);
    }
    addMember(best, v, item);
    indexCluster(best);
  }
  const merged = mergeNewClusters(clusters, o.mergeAt);
  return merged.map((c) => ({ id: c.id, category: c.category, memberIds: c.memberIds, isNew: c.isNew }));
}

function centroidCosine(a: Working, b: Working): number {
  if (!a.norm || !b.norm) return 0;
  const [small, large] = a.sum.size < b.sum.size ? [a, b] : [b, a];
  let d = 0;
  for (const [id, x] of small.sum) d += x * (large.sum.get(id) ?? 0);
  return d / (a.norm * b.norm);
}

function absorb(into: Working, from: Working): void {
  into.memberIds.push(...from.memberIds);
  for (const [id, x] of from.sum) into.sum.set(id, (into.sum.get(id) ?? 0) + x);
  let sq = 0;
  for (const x of into.sum.values()) sq += x * x;
  into.norm = Math.sqrt(sq);
  into.newest = Math.max(into.newest, from.newest);
  into.oldest = Math.min(into.oldest, from.oldest);
  for (const [k, n] of from.regions) into.regions.set(k, (into.regions.get(k) ?? 0) + n);
  for (const [k, n] of from.industries) into.industries.set(k, (into.industries.get(k) ?? 0) + n);
}

/**
 * The greedy pass splits a class whose first texts happened to share little; a second pass joins clusters of
 * one category whose centroids are close. Only clusters new in this run are absorbed (into an older or prior
 * one), so clusters the caller already knows never merge with each other and their ids stay.
 */
function mergeNewClusters(clusters: Working[], mergeAt: number): Working[] {
  const alive = new Set(clusters);
  for (let changed = true; changed;) {
    changed = false;
    for (const c of clusters) {
      if (!alive.has(c) || !c.isNew) continue;
      let best: Working | null = null;
      let bestScore = mergeAt;
      for (const d of c.indexed.size ? clusters : []) {
        if (d === c || !alive.has(d) || d.category !== c.category) continue;
        const score = centroidCosine(c, d);
        if (score >= bestScore) [best, bestScore] = [d, score];
      }
      if (best) {
        absorb(best, c);
        alive.delete(c);
        changed = true;
      }
    }
  }
  return clusters.filter((c) => alive.has(c));
}

/** Pairwise precision and recall of a clustering against true classes (`null` class: belongs to none). */
export function pairwiseScores(
  predicted: readonly (readonly string[])[],
  truth: ReadonlyMap<string, string | null>,
): { precision: number; recall: number; truePairs: number; predictedPairs: number } {
  let predictedPairs = 0;
  let correct = 0;
  for (const members of predicted) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        predictedPairs++;
        const a = truth.get(members[i]);
        if (a && a === truth.get(members[j])) correct++;
      }
    }
  }
  const sizes = new Map<string, number>();
  for (const cls of truth.values()) if (cls) sizes.set(cls, (sizes.get(cls) ?? 0) + 1);
  let truePairs = 0;
  for (const n of sizes.values()) truePairs += (n * (n - 1)) / 2;
  return {
    precision: predictedPairs ? correct / predictedPairs : 1,
    recall: truePairs ? correct / truePairs : 1,
    truePairs,
    predictedPairs,
  };
}
