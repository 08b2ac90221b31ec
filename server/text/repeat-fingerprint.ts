// What the duplicate check (server/text/repeat.ts) keeps of a text: a fingerprint, computed once and cached per
// issue, with the text's weighted content words, its sorted character grams and the particulars, cues, faults
// and things it names; and the word and gram lookups the pair features and the template check run against one.
// Pure.
import { causesOf, type Causes } from './causes.ts';
import { vectorize, type SparseVector } from './features.ts';
import { predictProba } from './linear.ts';
import { cuesOf, particularsOf, type MessageCues, type Particulars } from './repeat-entities.ts';
import { objectsOf } from './repeat-objects.ts';
import { problemsOf } from './repeat-problems.ts';
import { turnOf, type Turn } from './repeat-turns.ts';
import { normaliseText } from './segment.ts';
import { canonicalise } from './synonyms.ts';
import type { TextModel } from './text-model.ts';
import { textFeatures, textHash, type CompiledKeywords } from './text-features.ts';
import type { CategoryId } from '../../shared/states.ts';

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
  /** The sentence in which each of `pairs` first occurs, counted from 0 (255 for the 256th and later). */
  pairSentence: Uint8Array;
  /** Amounts, identifiers, dates and numbered places the text names. */
  particulars: Particulars;
  /** Whether the text chases an earlier report, or tells of another instance. */
  cues: MessageCues;
  /** The faults at a place the text names (repeat-problems.ts), as a bit set. */
  problems: number;
  /** Which permit, approval, building, equipment, loan matter… the text names (repeat-objects.ts). */
  objects: number[];
  /** What the text says went wrong (causes.ts: a price rise, a queue, a quota used up…). */
  causes: Causes;
  /** Where the text turns from an earlier matter to another (repeat-turns.ts), null when it does not. */
  turn: Turn | null;
}

const HAN_RUN = /\p{Script=Han}+/gu;
/** Where a sentence ends (the text is NFKC-normalised: ！？； read as !?;). */
const SENTENCE_END = /[。;!?\n]/u;
const HAN = /\p{Script=Han}/u;
/** Bigrams the training texts never produced are rarer than any they did: the largest IDF, slightly damped. */
const UNSEEN_BIGRAM_DAMP = 0.8;
/** How many of the shorter text's most distinctive words count (what the text is about). */
const SALIENT_WORDS = 3;
/**
 * Share of the model's largest IDF from which a swapped word names what a text is about rather than how it is
 * said (about 4.6 with the corpus model: rarer than one text in twenty).
 */
const SLOT_WEIGHT_SHARE = 0.6;

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
  const pairSentence: number[] = [];
  let pairMass = 0;
  const runs = f.normalised
    .split(SENTENCE_END)
    .flatMap((part, sentence) => (part.match(HAN_RUN) ?? []).map((run) => ({ run, sentence })));
  for (const { run, sentence } of runs) {
    for (let i = 0; i < run.length; i++) {
      grams.add(gram(run.charCodeAt(i)));
      if (i + 1 >= run.length) continue;
      const g = gram(run.charCodeAt(i), run.charCodeAt(i + 1));
      grams.add(g);
      if (pairs.has(g)) continue;
      const id = vocab.index.get(`#${run.slice(i, i + 2)}`);
      const weight = id === undefined ? unseen : vocab.idf[id];
      pairs.set(g, weight);
      pairSentence.push(Math.min(sentence, 255));
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
    pairSentence: Uint8Array.from(pairSentence),
    particulars: particularsOf(f.normalised),
    cues: cuesOf(f.normalised),
    problems: problemsOf(f.normalised),
    objects: objectsOf(f.normalised),
    causes: causesOf(f.normalised),
    turn: turnOf(f.normalised, SENTENCE_END),
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

export function hasGram(sorted: Int32Array, g: number): boolean {
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
export function wordFound(w: WeightedWord, b: RepeatFingerprint): number {
  let shared = 0;
  for (const g of w.grams) if (hasGram(b.grams, g)) shared++;
  if (shared === w.grams.length) return 1;
  return w.grams.length > 1 ? shared / w.grams.length / 2 : 0;
}
