// What the duplicate check compares of two texts (server/text/repeat.ts): a fingerprint per text, computed once
// and cached per issue, and the pair features the repeat score weighs. A true repeat is usually the same
// complaint re-told in another register (a formal letter against a WeChat line), so besides the TF-IDF cosine
// the features ask whether the shorter text's distinctive content is found in the longer one, whether both are
// about the same topic (the classifier's category distribution), whether the particulars they name agree or
// conflict (amounts, plates, permit numbers, dates, buildings: repeat-entities.ts), which faults at a place they
// name (积水, 路面坑洼, 路灯, 停电…: repeat-problems.ts), whether the new message chases an earlier report or
// tells of another instance, and whether they are one template with the "what it is about" slot swapped. Pure.
import { dot, vectorize, type SparseVector } from './features.ts';
import { predictProba } from './linear.ts';
import {
  cuesOf,
  matchParticulars,
  particularsOf,
  type MessageCues,
  type Particulars,
} from './repeat-entities.ts';
import { objectsDiffer, objectsOf } from './repeat-objects.ts';
import { problemsDiffer, problemsOf } from './repeat-problems.ts';
import { normaliseText, readsAsTopic } from './segment.ts';
import { canonicalise } from './synonyms.ts';
import type { TextModel } from './text-model.ts';
import { textFeatures, textHash, type CompiledKeywords } from './text-features.ts';
import type { CategoryId } from '../../shared/states.ts';

export { numbersIn } from './repeat-entities.ts';

export interface WeightedWord {
  word: string;
  weight: number;
  /** The word's character pairs as gram codes (its one character for a single character); a plain array,
   * which for two or three numbers is several times smaller than a typed one. */
  grams: number[];
}

/** What the check keeps per text; cache it per issue (the candidates' texts rarely change). */
export interface RepeatFingerprint {
  /** The text as sameTextKey reads it: two texts with one key are one text, whatever the model says. */
  key: string;
  vector: SparseVector;
  words: string[];
  /** The category distribution of the text (the model's classes order). */
  topic: Float64Array;
  /** The category people gave this very text (the model's memory), which classifyText answers first. */
  remembered: CategoryId | undefined;
  /** Content words with their IDF weight and their character pairs. */
  weighted: WeightedWord[];
  /** Sum of the word weights. */
  mass: number;
  /** Weight from which a word names a thing (SLOT_WEIGHT_SHARE of the model's largest IDF). */
  slotWeight: number;
  /** The most distinctive words (highest weight first): what the text is about. */
  salient: WeightedWord[];
  /**
   * Characters and character bigrams of the text's Chinese runs as gram codes, sorted: a cached fingerprint
   * stays a few kilobytes (a set of strings would be several times that).
   */
  grams: Int32Array;
  /** The character bigrams alone (distinct), with their IDF weights and the weights' sum. */
  pairs: Int32Array;
  pairWeights: Float32Array;
  pairMass: number;
  /** Amounts, identifiers, dates and numbered places the text names. */
  particulars: Particulars;
  /** Whether the text chases an earlier report, or tells of another instance. */
  cues: MessageCues;
  /** The faults at a place the text names (repeat-problems.ts), as a bit set. */
  problems: number;
  /** Which permit, approval, building, equipment, loan matter… the text names (repeat-objects.ts). */
  objects: number[];
}

const HAN_RUN = /\p{Script=Han}+/gu;
const HAN = /\p{Script=Han}/u;
/** Bigrams the training texts never produced are rarer than any they did: the largest IDF, slightly damped. */
const UNSEEN_BIGRAM_DAMP = 0.8;

/**
 * The text without case, width, spacing, punctuation or symbols: a copy re-sent with another line break, a
 * full-width comma or the title joined on another way has the same key.
 */
export function sameTextKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');
}

export function fingerprint(model: TextModel, keywords: CompiledKeywords, text: string): RepeatFingerprint {
  const normalised = normaliseText(text);
  // Synonyms read as one word (交通信号灯 → 红绿灯), so a letter and a WeChat line share it; the model's memory
  // of labelled texts is keyed by the text as written.
  const f = textFeatures(canonicalise(normalised, keywords.synonyms), keywords);
  const tokens = f.tokens.filter((t) => !t.startsWith('kw:') && !t.startsWith('cue:'));
  const vector = vectorize(model.vocab, tokens);
  const full = vectorize(model.vocab, f.tokens);
  const { vocab } = model;
  const unseen = maxIdf(model) * UNSEEN_BIGRAM_DAMP;
  // textFeatures lists the segmented words first, then `#` bigrams and rule tokens: one jieba cut serves both.
  const wordEnd = tokens.findIndex((t) => t.startsWith('#'));
  const words = wordEnd < 0 ? tokens : tokens.slice(0, wordEnd);
  const weighted: WeightedWord[] = [];
  const seen = new Set<string>();
  let mass = 0;
  for (const word of words) {
    if (seen.has(word) || !HAN.test(word)) continue;
    seen.add(word);
    const id = vocab.index.get(word);
    const weight = id === undefined ? unseen : vocab.idf[id];
    weighted.push({ word, weight, grams: gramsOfWord(word) });
    mass += weight;
  }
  const grams = new Set<number>();
  const pairs = new Map<number, number>();
  let pairMass = 0;
  for (const run of f.normalised.match(HAN_RUN) ?? []) {
    for (let i = 0; i < run.length; i++) {
      grams.add(gram(run.charCodeAt(i)));
      if (i + 1 >= run.length) continue;
      const g = gram(run.charCodeAt(i), run.charCodeAt(i + 1));
      grams.add(g);
      if (pairs.has(g)) continue;
      const id = vocab.index.get(`#${run.slice(i, i + 2)}`);
      const weight = id === undefined ? unseen : vocab.idf[id];
      pairs.set(g, weight);
      pairMass += weight;
    }
  }
  return {
    key: sameTextKey(text),
    vector,
    words,
    topic: predictProba(model.category, full),
    remembered: model.memory.get(textHash(normalised))?.category,
    weighted,
    mass,
    slotWeight: maxIdf(model) * SLOT_WEIGHT_SHARE,
    salient: [...weighted].sort((x, y) => y.weight - x.weight).slice(0, SALIENT_WORDS),
    grams: Int32Array.from(grams).sort(),
    pairs: Int32Array.from(pairs.keys()),
    pairWeights: Float32Array.from(pairs.values()),
    pairMass,
    particulars: particularsOf(f.normalised),
    cues: cuesOf(f.normalised),
    problems: problemsOf(f.normalised),
    objects: objectsOf(f.normalised),
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

/** Share of `a`'s character-bigram weight (IDF) found in `b`: containment, blind to how jieba cut the words. */
function gramsCovered(a: RepeatFingerprint, b: RepeatFingerprint): number {
  if (a.pairMass === 0) return 0;
  let hit = 0;
  for (let k = 0; k < a.pairs.length; k++) if (hasGram(b.grams, a.pairs[k])) hit += a.pairWeights[k];
  return hit / a.pairMass;
}

/** Whether `b` has any of `a`'s character pairs. */
export function sharesPair(a: RepeatFingerprint, b: RepeatFingerprint): boolean {
  for (let k = 0; k < a.pairs.length; k++) if (hasGram(b.grams, a.pairs[k])) return true;
  return false;
}

/** A character (second unit 0) or a pair of UTF-16 units as one 32-bit number. */
const gram = (first: number, second = 0) => (first << 16) | second;

function gramsOfWord(w: string): number[] {
  if (w.length === 1) return [gram(w.charCodeAt(0))];
  return Array.from({ length: w.length - 1 }, (_, i) => gram(w.charCodeAt(i), w.charCodeAt(i + 1)));
}

function hasGram(sorted: Int32Array, g: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === g) return true;
    if (sorted[mid] < g) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * 1 when `b` has all the word's character pairs (it contains the word, give or take a split), a share for a
 * longer word whose pairs `b` partly has ("天然气" against "燃气"), else 0.
 */
function wordFound(w: WeightedWord, b: RepeatFingerprint): number {
  let shared = 0;
  for (const g of w.grams) if (hasGram(b.grams, g)) shared++;
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

/**
 * Aligns two word lists; `slotA`/`slotB` say whether a word of that side names a thing of its own (1), one of
 * its text's most distinctive words at that (2), or not (0).
 *
 * A swapped block's word is no thing of its own when the other side's block says it again in other cuts or
 * forms: the block, joined, contains it (jieba cut "下月入职" as 下/月入/职 and "下个月就入职" otherwise), or it
 * contains one of the block's words ("黑漆漆" against "一片黑"). Counting those as two
 * things made a re-told complaint a one-template near miss that could never merge (the same street light told
 * twice scored 1.00 and was only flagged); "消防" against "人防" still is one.
 */
function align(
  a: readonly string[],
  b: readonly string[],
  slotA: (w: string) => number,
  slotB: (w: string) => number,
): Alignment {
  const dp = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
    }
  }
  let swaps = 0;
  let slotSwaps = 0;
  // The current block's words on each side (read backwards: only their set and joined text matter).
  let blockA: string[] = [];
  let blockB: string[] = [];
  const close = () => {
    const contentA = blockA.some((w) => CONTENT_WORD.test(w));
    const contentB = blockB.some((w) => CONTENT_WORD.test(w));
    if (contentA && contentB) swaps++;
    if (blockA.length > 0 && blockB.length > 0) {
      const ownA = ownInBlock(blockA, blockB, slotA);
      const ownB = ownInBlock(blockB, blockA, slotB);
      // Each side names its own thing, and one of them is what its text is most about.
      if (ownA && ownB && Math.max(ownA, ownB) === 2) slotSwaps++;
    }
    blockA = [];
    blockB = [];
  };
  for (let i = a.length, j = b.length; i > 0 || j > 0;) {
    if (i > 0 && j > 0 && a[i - 1] === b[j - 1]) {
      close();
      i--;
      j--;
    } else if (j > 0 && (i === 0 || dp[i][j - 1] >= dp[i - 1][j])) {
      blockB.push(b[--j]);
    } else {
      blockA.push(a[--i]);
    }
  }
  close();
  return { common: dp[a.length][b.length], swaps, slotSwaps };
}

/** The most a block's words name a thing of their own (slot), leaving out what the other block re-words. */
function ownInBlock(block: readonly string[], other: readonly string[], slot: (w: string) => number): number {
  const joined = other.join('');
  let own = 0;
  for (const w of block) {
    if (joined.includes(w) || other.some((o) => w.includes(o))) continue;
    own = Math.max(own, slot(w));
  }
  return own;
}

/** A word of `a` that names something (a rare content word) `b` does not mention at all. */
function ownThing(a: RepeatFingerprint, b: RepeatFingerprint): (w: string) => number {
  // Built per check, not kept in the fingerprint: only the few pairs that come close are aligned.
  const byWord = new Map(a.weighted.map((w) => [w.word, w]));
  return (word) => {
    const w = byWord.get(word);
    if (w === undefined || w.weight < a.slotWeight || wordFound(w, b) === 1 || !readsAsTopic(word)) return 0;
    return a.salient.includes(w) ? 2 : 1;
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

/**
 * Pairs that may be flagged but never merge automatically: one template about two things, particulars that
 * conflict (building 2 against building 6, one plate against another, the 2023 subsidy against the 2024 one),
 * two faults at one place (路面坑洼 against 积水 on the same road: repeat-problems.ts), or two things of one kind
 * (the 排污许可证 against the 辐射安全许可证, the crane against the lift: repeat-objects.ts).
 */
export function neverMerge(
  a: RepeatFingerprint,
  b: RepeatFingerprint,
  slotSwap = templateCheck(a, b).slotSwap,
): boolean {
  return Object.values(mergeVetoes(a, b, slotSwap)).some(Boolean);
}

/**
 * neverMerge's vetoes one by one, by family: scripts/fit-repeat.ts leaves one family out at a time to see what
 * it is worth on pairs from another author (leave-one-file-out).
 */
export function mergeVetoes(a: RepeatFingerprint, b: RepeatFingerprint, slotSwap: boolean) {
  const m = matchParticulars(a.particulars, b.particulars);
  return {
    template: slotSwap,
    problems: problemsDiffer(a.problems, b.problems),
    objects: objectsDiffer(a.objects, b.objects),
    enquiry: asksAboutAnother(a, b),
    particulars: m.conflict,
    /** Identifiers of one kind that differ: another project in the same template. */
    identifiers: m.identifiersDiffer,
  };
}
export type MergeVeto = keyof ReturnType<typeof mergeVetoes>;

/**
 * The new message `a` asks how to apply for something ("人才认定怎么申请，要哪些材料") while the open issue `b`
 * asks nothing: `b` complains of a case under way (材料提交三个月无进展), `a` enquires about a new one, another
 * 硕士, this year's voucher, a first permit. A chase that asks ("工伤认定卡着，问问到底怎么报") still may merge.
 */
function asksAboutAnother(a: RepeatFingerprint, b: RepeatFingerprint): boolean {
  return a.cues.asksHow && !a.cues.chases && !b.cues.asks;
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
  'particularsAgree',
  'particularsConflict',
  'numbersDiffer',
  'chaseCovered',
  'another',
  'gramsBestByLength',
  'problemsAgree',
] as const;

/**
 * The pair's features, in PAIR_FEATURE_NAMES order; `a` is the message being checked (its cues count), `b` the
 * earlier issue. `cosine` is passed in when the caller already has it (the candidate scan computes it for
 * every candidate; the rest only for the few that come close).
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
  const particulars = matchParticulars(a.particulars, b.particulars);
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
    particulars.agree ? 1 : 0,
    particulars.conflict ? 1 : 0,
    particulars.numbersDiffer ? 1 : 0,
    // A chase ("上周反映的路灯还没修") is short and says little of its own: what it does say must be in the
    // earlier report.
    a.cues.chases ? ab : 0,
    a.cues.another ? 1 : 0,
    Math.max(gramsCovered(a, b), gramsCovered(b, a)) * length,
    // Both name a fault at a place and share one (积水 told as 淹, 停电 as 没电): the same problem in other words.
    a.problems & b.problems ? 1 : 0,
  ];
}
