// Candidate lookup for class-problem clustering (issue 7 §3: 100,000 issues in < 60 s): which earlier texts a
// text is worth comparing with. Comparing each text with every other of its category grows with the square of
// the number of issues; this keeps the work per text bounded instead.
//
// Each text posts its strongest terms (highest TF-IDF weight: rare words and bigrams first) with their weights
// to per-category posting lists. A probe reads only the newest `depth` entries of the lists of its own strongest
// terms and ranks the texts found there by the partial dot product over those terms; the caller scores the
// best few exactly. Texts are posted in time order, so the newest entries are the ones a time window allows
// anyway, and a common term (a long list that says little) costs no more than a rare one.
import type { SparseVector } from './features.ts';

export interface CandidateOptions {
  /** Strongest terms a text posts, and a probe reads. */
  terms: number;
  /** Newest entries read per posting list. */
  depth: number;
}

/** The ids and weights of the `n` heaviest entries of a sparse vector (ties: the lower id first). */
export function strongestTerms(v: SparseVector, n: number): SparseVector {
  if (v.ids.length <= n) return v;
  const order = v.ids.map((_, k) => k);
  order.sort((a, b) => v.values[b] - v.values[a] || v.ids[a] - v.ids[b]);
  const top = order.slice(0, n);
  return { ids: top.map((k) => v.ids[k]), values: top.map((k) => v.values[k]) };
}

interface Posting {
  slots: number[];
  weights: number[];
}

export class CandidateIndex {
  private readonly lists = new Map<string, Map<number, Posting>>();
  private size = 0;
  private score = new Float64Array(256);
  private stamp = new Uint32Array(256);
  private round = 0;

  constructor(private readonly options: CandidateOptions) {}

  /** Posts the next text (slots count up from 0 in posting order). Returns its slot. */
  post(category: string, v: SparseVector): number {
    let terms = this.lists.get(category);
    if (!terms) this.lists.set(category, (terms = new Map()));
    const slot = this.size++;
    const strongest = strongestTerms(v, this.options.terms);
    for (let k = 0; k < strongest.ids.length; k++) {
      let list = terms.get(strongest.ids[k]);
      if (!list) terms.set(strongest.ids[k], (list = { slots: [], weights: [] }));
      list.slots.push(slot);
      list.weights.push(strongest.values[k]);
    }
    return slot;
  }

  /** The posted texts of `category` sharing the most weight with `probe`, best first, at most `limit` slots. */
  candidates(category: string, probe: SparseVector, limit: number): number[] {
    const terms = this.lists.get(category);
    if (!terms) return [];
    this.fit(this.size);
    const round = this.nextRound();
    const found: number[] = [];
    const strongest = strongestTerms(probe, this.options.terms);
    for (let k = 0; k < strongest.ids.length; k++) {
      const list = terms.get(strongest.ids[k]);
      if (!list) continue;
      const w = strongest.values[k];
      for (let i = Math.max(0, list.slots.length - this.options.depth); i < list.slots.length; i++) {
        const slot = list.slots[i];
        if (this.stamp[slot] !== round) {
          this.stamp[slot] = round;
          this.score[slot] = 0;
          found.push(slot);
        }
        this.score[slot] += w * list.weights[i];
      }
    }
    found.sort((a, b) => this.score[b] - this.score[a] || a - b);
    return found.length > limit ? found.slice(0, limit) : found;
  }

  private nextRound(): number {
    if (++this.round === 0xffffffff) {
      this.stamp.fill(0);
      this.round = 1;
    }
    return this.round;
  }

  private fit(size: number): void {
    if (size <= this.score.length) return;
    let n = this.score.length;
    while (n < size) n *= 2;
    const score = new Float64Array(n);
    score.set(this.score);
    const stamp = new Uint32Array(n);
    stamp.set(this.stamp);
    [this.score, this.stamp] = [score, stamp];
  }
}
