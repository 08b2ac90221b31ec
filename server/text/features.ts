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
}

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
  return { terms, idf, index: new Map(terms.map((t, i) => [t, i])) };
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
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
  if (norm > 0) for (let i = 0; i < values.length; i++) values[i] /= norm;
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
