// What the duplicate check compares of two texts (server/text/repeat.ts): a fingerprint per text, computed once
// and cached per issue, and the pair features the repeat score weighs. A true repeat is usually the same
// complaint re-told in another register (a formal letter against a WeChat line), so besides the TF-IDF cosine
// the features ask whether the shorter text's distinctive content is found in the longer one, whether both are
// about the same topic (the classifier's category distribution), whether their amounts and counts agree, and
// whether they are one template with the "what it is about" slot swapped. Pure.
import { dot, vectorize, type SparseVector } from './features.ts';
import { predictProba } from './linear.ts';
import { segmentNormalised } from './segment.ts';
import type { TextModel } from './text-model.ts';
import { textFeatures, type CompiledKeywords } from './text-features.ts';

export interface WeightedWord {
  word: string;
  weight: number;
  /** The word's character pairs (none for a single character). */
  grams: string[];
}

/** What the check keeps per text; cache it per issue (the candidates' texts rarely change). */
export interface RepeatFingerprint {
  vector: SparseVector;
  words: string[];
  /** The category distribution of the text (the model's classes order). */
  topic: Float64Array;
  /** Content words with their IDF weight and their character pairs. */
  weighted: WeightedWord[];
  /** The same, by word. */
  byWord: Map<string, WeightedWord>;
  /** Sum of the word weights. */
  mass: number;
  /** Weight from which a word names a thing (SLOT_WEIGHT_SHARE of the model's largest IDF). */
  slotWeight: number;
  /** The most distinctive words (highest weight first): what the text is about. */
  salient: WeightedWord[];
  /** Characters and character bigrams of the text's Chinese runs. */
  bigrams: Set<string>;
  /** Amounts and counts mentioned (normalised to numbers ≥ 10). */
  numbers: Set<number>;
}

const HAN_RUN = /\p{Script=Han}+/gu;
const HAN = /\p{Script=Han}/u;
/** Bigrams the training texts never produced are rarer than any they did: the largest IDF, slightly damped. */
const UNSEEN_BIGRAM_DAMP = 0.8;

export function fingerprint(model: TextModel, keywords: CompiledKeywords, text: string): RepeatFingerprint {
  const f = textFeatures(text, keywords);
  const tokens = f.tokens.filter((t) => !t.startsWith('kw:') && !t.startsWith('cue:'));
  const vector = vectorize(model.vocab, tokens);
  const full = vectorize(model.vocab, f.tokens);
  const { vocab } = model;
  const unseen = maxIdf(model) * UNSEEN_BIGRAM_DAMP;
  const words = segmentNormalised(f.normalised).words;
  const weighted: WeightedWord[] = [];
  const seen = new Set<string>();
  let mass = 0;
  for (const word of words) {
    if (seen.has(word) || !HAN.test(word)) continue;
    seen.add(word);
    const id = vocab.index.get(word);
    const weight = id === undefined ? unseen : vocab.idf[id];
    weighted.push({ word, weight, grams: pairsOf(word) });
    mass += weight;
  }
  const bigrams = new Set<string>();
  for (const run of f.normalised.match(HAN_RUN) ?? []) {
    for (let i = 0; i < run.length; i++) {
      bigrams.add(run[i]);
      if (i + 1 < run.length) bigrams.add(run.slice(i, i + 2));
    }
  }
  return {
    vector,
    words,
    topic: predictProba(model.category, full),
    weighted,
    byWord: new Map(weighted.map((w) => [w.word, w])),
    mass,
    slotWeight: maxIdf(model) * SLOT_WEIGHT_SHARE,
    salient: [...weighted].sort((x, y) => y.weight - x.weight).slice(0, SALIENT_WORDS),
    bigrams,
    numbers: numbersIn(f.normalised),
  };
}

const maxIdfOf = new WeakMap<TextModel, number>();
function maxIdf(model: TextModel): number {
  let m = maxIdfOf.get(model);
  if (m === undefined) {
    m = 1;
    for (const v of model.vocab.idf) if (v > m) m = v;
    maxIdfOf.set(model, m);
  }
  return m;
}

const DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const NUMBER =
  /[0-9]+(?:\.[0-9]+)?[万亿]?|[零〇一二两三四五六七八九十百千]{2,}[万亿]?|[一二两三四五六七八九]?十[万亿]?/gu;

/** The value of a Chinese numeral such as 三百, 二十五, 十, 三千万. */
function chineseValue(s: string): number {
  let total = 0;
  let digit = 0;
  for (const ch of s) {
    if (ch in DIGIT) digit = DIGIT[ch];
    else if (ch in UNIT) {
      total += (digit || 1) * UNIT[ch];
      digit = 0;
    }
  }
  return total + digit;
}

/** Numbers of at least 10 (amounts, counts, durations): "46万", "四十六万", "300多万", "三百余万" agree. */
export function numbersIn(normalised: string): Set<number> {
  const out = new Set<number>();
  for (const m of normalised.matchAll(NUMBER)) {
    const raw = m[0];
    const scale = raw.endsWith('亿') ? 1e8 : raw.endsWith('万') ? 1e4 : 1;
    const body = scale === 1 ? raw : raw.slice(0, -1);
    const value = (/[0-9]/.test(body) ? Number(body) : chineseValue(body)) * scale;
    if (value >= 10 && Number.isFinite(value)) out.add(value);
  }
  return out;
}

/**
 * Share of `a`'s word weight found in `b`: a word `b` contains counts fully, a longer word sharing some of its
 * character pairs with `b` ("天然气" against "燃气") in proportion.
 */
function covered(a: RepeatFingerprint, b: RepeatFingerprint): number {
  if (a.mass === 0) return 0;
  let hit = 0;
  for (const w of a.weighted) hit += w.weight * wordFound(w, b);
  return hit / a.mass;
}

const pairsOf = (w: string) => Array.from({ length: Math.max(0, w.length - 1) }, (_, i) => w.slice(i, i + 2));

/**
 * 1 when `b` has all the word's character pairs (it contains the word, give or take a split), a share for a
 * longer word whose pairs `b` partly has ("天然气" against "燃气"), else 0.
 */
function wordFound(w: WeightedWord, b: RepeatFingerprint): number {
  if (w.grams.length === 0) return b.bigrams.has(w.word) ? 1 : 0;
  let shared = 0;
  for (const g of w.grams) if (b.bigrams.has(g)) shared++;
  if (shared === w.grams.length) return 1;
  return w.grams.length > 1 ? shared / w.grams.length / 2 : 0;
}

/** How many of the shorter text's most distinctive words count (what the text is about). */
const SALIENT_WORDS = 3;

/** Share of the shorter text's most distinctive words found in the longer one. */
function salientFound(a: RepeatFingerprint, b: RepeatFingerprint): number {
  const [short, long] = a.weighted.length <= b.weighted.length ? [a, b] : [b, a];
  if (short.salient.length === 0) return 0;
  let found = 0;
  for (const w of short.salient) found += wordFound(w, long);
  return found / short.salient.length;
}

const CONTENT_WORD = /\p{Script=Han}{2,}/u;
/** Share of the shorter text's words, in order, from which two texts count as written from one template. */
const TEMPLATE_OVERLAP = 0.5;
/** From this share on, a swapped slot alone decides: the texts are one template about two things. */
const SLOT_TEMPLATE_OVERLAP = 0.7;
/**
 * Share of the model's largest IDF from which a swapped word names what a text is about rather than how it is
 * said (about 4.6 with the corpus model: rarer than one text in twenty).
 */
const SLOT_WEIGHT_SHARE = 0.6;

interface Alignment {
  /** Words both lists share, in order (their longest common subsequence). */
  common: number;
  /** Blocks where both sides differ in content words. */
  swaps: number;
  /** Swaps where each side's words include one that names a thing the other text never mentions. */
  slotSwaps: number;
}

/** Aligns two word lists; `slotA`/`slotB` say whether a word of that side names a thing of its own. */
function align(
  a: readonly string[],
  b: readonly string[],
  slotA: (w: string) => boolean,
  slotB: (w: string) => boolean,
): Alignment {
  const dp = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
    }
  }
  let swaps = 0;
  let slotSwaps = 0;
  let gapA = false;
  let gapB = false;
  let ownA = false;
  let ownB = false;
  const close = () => {
    if (gapA && gapB) swaps++;
    if (ownA && ownB) slotSwaps++;
    gapA = gapB = ownA = ownB = false;
  };
  for (let i = a.length, j = b.length; i > 0 || j > 0;) {
    if (i > 0 && j > 0 && a[i - 1] === b[j - 1]) {
      close();
      i--;
      j--;
    } else if (j > 0 && (i === 0 || dp[i][j - 1] >= dp[i - 1][j])) {
      j--;
      if (CONTENT_WORD.test(b[j])) gapB = true;
      if (slotB(b[j])) ownB = true;
    } else {
      i--;
      if (CONTENT_WORD.test(a[i])) gapA = true;
      if (slotA(a[i])) ownA = true;
    }
  }
  close();
  return { common: dp[a.length][b.length], swaps, slotSwaps };
}

/** A word of `a` that names something (a rare content word) `b` does not mention at all. */
function ownThing(a: RepeatFingerprint, b: RepeatFingerprint): (w: string) => boolean {
  return (word) => {
    const w = a.byWord.get(word);
    return w !== undefined && w.weight >= a.slotWeight && wordFound(w, b) < 1;
  };
}

export interface TemplateCheck {
  /** One template (most words shared in order) with a block swapped. */
  swap: boolean;
  /**
   * One template whose "what it is about" slot names two different things ("消防验收约了三次" against
   * "人防验收约了三次"): a near miss that must never merge, whatever else the texts share.
   */
  slotSwap: boolean;
}

export function templateCheck(a: RepeatFingerprint, b: RepeatFingerprint): TemplateCheck {
  const shorter = Math.min(a.words.length, b.words.length);
  if (shorter === 0) return { swap: false, slotSwap: false };
  const { common, swaps, slotSwaps } = align(a.words, b.words, ownThing(a, b), ownThing(b, a));
  const overlap = common / shorter;
  return {
    swap: overlap >= TEMPLATE_OVERLAP && swaps > 0,
    slotSwap: overlap >= SLOT_TEMPLATE_OVERLAP && slotSwaps > 0,
  };
}

/** Two texts from one template that swap what they are about (a near miss, not a repeat). */
export function isTemplateSwap(a: RepeatFingerprint, b: RepeatFingerprint): boolean {
  return templateCheck(a, b).swap;
}

/** Content words from which a text counts as a full account rather than a one-liner. */
const FULL_TEXT_WORDS = 10;

export const PAIR_FEATURE_NAMES = [
  'cosine',
  'topic',
  'coverBest',
  'coverWorst',
  'templateSwap',
  'salientFound',
  'coverBestByLength',
  'salientByLength',
  'numbersAgree',
] as const;

/**
 * The pair's features, in PAIR_FEATURE_NAMES order. `cosine` is passed in when the caller already has it (the
 * candidate scan computes it for every candidate; the rest only for the few that come close).
 */
export function pairFeatures(
  a: RepeatFingerprint,
  b: RepeatFingerprint,
  cosine = dot(a.vector, b.vector),
  /** false: leave the template swap out (0) for the caller to add when it matters. */
  withSwap = true,
): number[] {
  let topic = 0;
  for (let i = 0; i < a.topic.length; i++) topic += a.topic[i] * b.topic[i];
  const ab = covered(a, b);
  const ba = covered(b, a);
  const best = Math.max(ab, ba);
  const salient = salientFound(a, b);
  const length = Math.log1p(Math.min(a.weighted.length, b.weighted.length)) / Math.log1p(FULL_TEXT_WORDS);
  let agree = 0;
  for (const n of a.numbers) if (b.numbers.has(n)) agree = 1;
  return [
    cosine,
    topic,
    best,
    Math.min(ab, ba),
    withSwap && isTemplateSwap(a, b) ? 1 : 0,
    salient,
    // Evidence from a one-line text is thin (two short texts sharing a word or two prove little), so what the
    // texts share weighs more as the shorter one grows; length alone never adds to the score.
    best * length,
    salient * length,
    agree,
  ];
}
