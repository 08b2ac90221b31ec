// The trained text model: one vocabulary, a category model and an urgency model over the same TF-IDF
// features, and a memory of the exact texts people labelled (a dispatcher's correction wins for that very
// text after the next retraining, whatever the statistics say). Training and prediction are pure; the model
// travels as JSON (weights as base64 float32) to the database and between threads.
import type { CategoryKeywords } from '../../shared/classify.ts';
import { CATEGORY_IDS, URGENCIES, type CategoryId, type Urgency } from '../../shared/states.ts';
import { buildVocabulary, vectorize, vocabularyOf, type Vocabulary } from './features.ts';
import { trainLinear, type LinearModel, type TrainOptions } from './linear.ts';
import { compileKeywords, structuralTokens, textFeatures, textHash } from './text-features.ts';
import type { CueFamilies } from './urgency-rules.ts';

export interface LabelledText {
  text: string;
  category: CategoryId;
  urgency: Urgency;
  /** Corrections by people count more than corpus texts (default 1). */
  weight?: number;
  /** Remember this exact text's labels (human classifications). */
  remember?: boolean;
}

export interface TextModel {
  vocab: Vocabulary;
  category: LinearModel<CategoryId>;
  urgency: LinearModel<Urgency>;
  /** textHash(normalised text) → labels people gave it. */
  memory: Map<string, { category: CategoryId; urgency: Urgency }>;
}

export interface TextTrainOptions {
  category?: TrainOptions;
  urgency?: TrainOptions;
  minDf?: number;
}

export const DEFAULT_TRAIN_OPTIONS: Required<TextTrainOptions> = {
  category: { epochs: 25, learningRate: 0.4, l2: 1e-5 },
  urgency: { epochs: 25, learningRate: 0.4, l2: 1e-5 },
  minDf: 1,
};

export function trainTextModel(
  examples: readonly LabelledText[],
  keywords: readonly CategoryKeywords[],
  opts: TextTrainOptions = {},
  /** The urgency cues the `cue:` features stand for (the defaults when absent). */
  cues?: CueFamilies,
): TextModel {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...opts };
  const compiled = compileKeywords(keywords, cues);
  const featured = examples.map((e) => textFeatures(e.text, compiled));
  const vocab = buildVocabulary(
    featured.map((f) => f.tokens),
    { minDf: o.minDf, always: structuralTokens(CATEGORY_IDS) },
  );
  const xs = featured.map((f) => vectorize(vocab, f.tokens));
  const n = vocab.terms.length;
  const category = trainLinear(
    CATEGORY_IDS,
    n,
    examples.map((e, i) => ({ x: xs[i], y: e.category, weight: e.weight })),
    o.category,
  );
  const urgency = trainLinear(
    URGENCIES,
    n,
    examples.map((e, i) => ({ x: xs[i], y: e.urgency, weight: e.weight })),
    o.urgency,
  );
  const memory = new Map<string, { category: CategoryId; urgency: Urgency }>();
  examples.forEach((e, i) => {
    if (e.remember)
      memory.set(textHash(featured[i].normalised), { category: e.category, urgency: e.urgency });
  });
  return { vocab, category, urgency, memory };
}

/** The JSON form stored in the database and posted between threads. */
export interface SerializedTextModel {
  format: 1;
  terms: string[];
  idf: number[];
  category: { classes: CategoryId[]; weights: string };
  urgency: { classes: Urgency[]; weights: string };
  memory: [string, CategoryId, Urgency][];
}

const toBase64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromBase64(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float32Array(copy.buffer);
}

export function serializeTextModel(m: TextModel): SerializedTextModel {
  return {
    format: 1,
    terms: m.vocab.terms,
    idf: Array.from(m.vocab.idf, (v) => Math.round(v * 1e6) / 1e6),
    category: { classes: m.category.classes, weights: toBase64(m.category.weights) },
    urgency: { classes: m.urgency.classes, weights: toBase64(m.urgency.weights) },
    memory: [...m.memory].map(([h, l]) => [h, l.category, l.urgency]),
  };
}

export function deserializeTextModel(s: SerializedTextModel): TextModel {
  if (s.format !== 1) throw new Error(`unknown text model format ${String(s.format)}`);
  const features = s.terms.length;
  const linear = <C extends string>(part: { classes: C[]; weights: string }): LinearModel<C> => {
    const weights = fromBase64(part.weights);
    if (weights.length !== part.classes.length * (features + 1))
      throw new Error('text model weights do not fit');
    return { classes: part.classes, features, weights };
  };
  return {
    vocab: vocabularyOf(s.terms, Float64Array.from(s.idf)),
    category: linear(s.category),
    urgency: linear(s.urgency),
    memory: new Map(s.memory.map(([h, category, urgency]) => [h, { category, urgency }])),
  };
}
