// The space class-problem clustering (cluster.ts) compares texts in: each text's words and character bigrams,
// read without place names, vectorised once with an IDF fitted to the items and a background corpus, scaled by
// how concentrated each term is in one category; and each text's cause families (causes.ts). Pure.
import type { CategoryId } from '../../shared/states.ts';
import { buildVocabulary, vectorize, type SparseVector, type Vocabulary } from './features.ts';
import { normaliseText, segmentNormalised } from './segment.ts';
import { withoutPlaces } from './places.ts';
import { causesOf, type Causes } from './causes.ts';
import { canonicalise, compileSynonyms, type CompiledSynonyms } from './synonyms.ts';
import type { ClusterItem } from './cluster.ts';

const HAN_RUN = /\p{Script=Han}+/gu;

/** No synonyms: on clusters.jsonl the default groups cost recall (0.767 → 0.742) and gained no precision. */
const NO_SYNONYMS = compileSynonyms([]);

/**
 * Words and character bigrams, as the duplicate check sees a text (no rule features); with `synonyms`, their
 * words read as the group's first word (synonyms.ts).
 */
export function clusterTokens(text: string, synonyms: CompiledSynonyms = NO_SYNONYMS): string[] {
  const normalised = canonicalise(withoutPlaces(normaliseText(text)), synonyms);
  const tokens = segmentNormalised(normalised).words;
  for (const run of normalised.match(HAN_RUN) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) tokens.push(`#${run.slice(i, i + 2)}`);
  }
  return tokens;
}

export interface ClusterIndex {
  vocab: Vocabulary;
  vectors: Map<string, SparseVector>;
  /** Each text's cause families (causes.ts); absent, no text names a cause. */
  causes?: Map<string, Causes>;
}

/** A labelled text whose document frequencies steady the IDF (the training corpus). */
export interface BackgroundText {
  tokens: readonly string[];
  category: CategoryId;
}

/** Exponent of the category concentration that scales each term's IDF (0.5: chosen on clusters.jsonl). */
const CONCENTRATION = 0.5;

/**
 * Segments and vectorises the items once (an unsupervised space). Texts are only compared within a category,
 * so a term spread evenly over all categories (a channel's framing such as 驻企服务员上报 or 来电人反映, a
 * letter's 恳请) says how a complaint arrived, not what it is about: each term's IDF is scaled by the share of
 * its documents in its most frequent category. Framing new to the background corpus spreads over the
 * categories of the items themselves.
 */
export function indexItems(
  items: readonly ClusterItem[],
  /** Tokenised with the same synonyms. */
  background: readonly BackgroundText[] = [],
  synonyms: CompiledSynonyms = NO_SYNONYMS,
): ClusterIndex {
  const tokens = items.map((i) => clusterTokens(i.text, synonyms));
  const docs = [...background, ...items.map((item, k) => ({ tokens: tokens[k], category: item.category }))];
  const global = buildVocabulary(
    docs.map((d) => d.tokens),
    { minDf: 1 },
  );
  const df = new Float64Array(global.terms.length);
  const byCategory = new Map<CategoryId, Float64Array>();
  for (const d of docs) {
    let counts = byCategory.get(d.category);
    if (!counts) byCategory.set(d.category, (counts = new Float64Array(global.terms.length)));
    for (const t of new Set(d.tokens)) {
      const id = global.index.get(t)!;
      df[id]++;
      counts[id]++;
    }
  }
  const peak = new Float64Array(global.terms.length);
  for (const counts of byCategory.values())
    for (let id = 0; id < peak.length; id++) peak[id] = Math.max(peak[id], counts[id]);
  const idf = global.idf.map((w, id) => w * (peak[id] / df[id]) ** CONCENTRATION);
  const vocab = { ...global, idf };
  const vectors = new Map(items.map((item, k) => [item.id, vectorize(vocab, tokens[k])]));
  const causes = new Map(items.map((item) => [item.id, causesOf(normaliseText(item.text))]));
  return { vocab, vectors, causes };
}
