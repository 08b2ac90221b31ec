// TF-IDF over a fixed vocabulary: the vector space of the classifier, the duplicate check and clustering.
// Vectors are sparse (sorted feature ids and weights), sublinear in term frequency and L2-normalised, so a
// dot product of two vectors is their cosine similarity.

export interface SparseVector {
  ids: number[];
  values: number[];
}

export interface Vocabulary {
  terms: string[];
  idf: Float64Array;
  index: Map<string, number>;
  /** Ids of terms whose weight is set after normalisation (rule features), and that weight. */
  fixed: Map<number, number>;
}

/**
 * Rule features (`kw:…` admin keywords, `cue:…` urgency cues) keep a fixed weight instead of sharing the unit
 * norm with the words, so a long text does not dilute a clear rule. The two weights were chosen by 5-fold
 * cross-validation on the training corpus (never on the held-out set).
 */
export const KEYWORD_WEIGHT = 0.3;
export const CUE_WEIGHT = 1;
const ruleWeight = (term: string) =>
  term.startsWith('kw:') ? KEYWORD_WEIGHT : term.startsWith('cue:') ? CUE_WEIGHT : undefined;

/** Builds the vocabulary of `docs` (token lists): terms in at least `minDf` documents, plus `always`. */
export function buildVocabulary(
  docs: readonly (readonly string[])[],
  opts: { minDf?: number; always?: readonly string[] } = {},
): Vocabulary {
  const minDf = opts.minDf ?? 1;
  const df = new Map<string, number>();
  for (const tokens of docs) {
    for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const terms = [...df].filter(([, n]) => n >= minDf).map(([t]) => t);
  for (const t of opts.always ?? []) if (!df.has(t) || df.get(t)! < minDf) terms.push(t);
  terms.sort();
  const n = docs.length;
  const idf = Float64Array.from(terms, (t) => Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1);
  return vocabularyOf(terms, idf);
}

export function vocabularyOf(terms: string[], idf: Float64Array): Vocabulary {
  const fixed = new Map<number, number>();
  terms.forEach((t, i) => {
    const w = ruleWeight(t);
    if (w !== undefined) fixed.set(i, w);
  });
  return { terms, idf, index: new Map(terms.map((t, i) => [t, i])), fixed };
}

/** The TF-IDF vector of a token list; unknown tokens are ignored. */
export function vectorize(vocab: Vocabulary, tokens: readonly string[]): SparseVector {
  const counts = new Map<number, number>();
  for (const t of tokens) {
    const id = vocab.index.get(t);
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const ids = [...counts.keys()].sort((a, b) => a - b);
  const values = ids.map((id) => (1 + Math.log(counts.get(id)!)) * vocab.idf[id]);
  let sum = 0;
  for (let i = 0; i < ids.length; i++) if (!vocab.fixed.has(ids[i])) sum += values[i] * values[i];
  const norm = Math.sqrt(sum);
  for (let i = 0; i < ids.length; i++) {
    const fixed = vocab.fixed.get(ids[i]);
    if (fixed !== undefined) values[i] = fixed * (1 + Math.log(counts.get(ids[i])!));
    else if (norm > 0) values[i] /= norm;
  }
  return { ids, values };
}

/** Dot product of two sorted sparse vectors (their cosine when both are normalised). */
export function dot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i];
    const y = b.ids[j];
    if (x === y) sum += a.values[i++] * b.values[j++];
    else if (x < y) i++;
    else j++;
  }
  return sum;
}
