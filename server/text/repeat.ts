// Is a new message a repeat of one of the same enterprise's open issues (DESIGN §2: the same complaint sent
// through a second channel becomes one issue)? Pure: the caller passes the model, the new text and the
// candidates (that enterprise's open issues of the last 30 days); the clock comes in as `now`.
//
// Score: TF-IDF cosine over words and character bigrams, with the classifier's category as a gate (a repeat is
// the same problem, so the same category). Near misses written from one template ("消防验收约了三次" vs
// "人防验收约了三次") share most words in order but swap the thing they are about; such a pair is never merged,
// only flagged. Verdicts: `merge` (near-identical: merge as a source), `flag` (可能重复: shown to the
// dispatcher with the candidate, never merged silently), `none`.
import type { CategoryId } from '../../shared/states.ts';
import { DAY_MS } from '../../shared/clock.ts';
import { vectorize, type SparseVector } from './features.ts';
import { normaliseText, segmentNormalised } from './segment.ts';
import type { TextModel } from './text-model.ts';
import { textFeatures, type CompiledKeywords } from './text-features.ts';

export interface RepeatCandidate {
  id: string;
  /** issueText() of the open issue. */
  text: string;
  category: CategoryId;
  createdAt: Date;
}

export interface RepeatInput {
  text: string;
  /** The new message's category (the classifier's, or staff's). */
  category: CategoryId;
  now: Date;
  candidates: readonly RepeatCandidate[];
}

export interface RepeatVerdict {
  verdict: 'merge' | 'flag' | 'none';
  /** The candidate the verdict is about (the best one), null for `none` without candidates. */
  issueId: string | null;
  /** Cosine similarity to that candidate, 0..1. */
  score: number;
}

export interface RepeatOptions {
  windowDays: number;
  /** Cosine at or above which a same-category candidate without a contrast is merged. */
  mergeAt: number;
  /** Cosine at or above which a candidate is flagged as 可能重复. */
  flagAt: number;
}

/**
 * Chosen on the even-numbered pairs of corpus/duplicate-pairs.jsonl (the odd ones are the check): merging at
 * 0.3 keeps precision above 0.9; most true repeats are rephrased so freely that they score lower and are
 * flagged instead.
 */
export const DEFAULT_REPEAT_OPTIONS: RepeatOptions = { windowDays: 30, mergeAt: 0.3, flagAt: 0.1 };

/** What the check keeps per text; cache it per issue (the candidates' texts rarely change). */
export interface RepeatFingerprint {
  vector: SparseVector;
  words: string[];
}

export function fingerprint(model: TextModel, keywords: CompiledKeywords, text: string): RepeatFingerprint {
  const tokens = textFeatures(text, keywords).tokens.filter(
    (t) => !t.startsWith('kw:') && !t.startsWith('cue:'),
  );
  return { vector: vectorize(model.vocab, tokens), words: segmentNormalised(normaliseText(text)).words };
}

const CONTENT_WORD = /\p{Script=Han}{2,}/u;
/** Share of the shorter text's words, in order, from which two texts count as written from one template. */
const TEMPLATE_OVERLAP = 0.5;

/** Longest common subsequence of two word lists and the blocks where both sides differ. */
function alignedSubstitutions(a: readonly string[], b: readonly string[]): { common: number; swaps: number } {
  const dp = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
    }
  }
  let swaps = 0;
  let gapA = false;
  let gapB = false;
  const close = () => {
    if (gapA && gapB) swaps++;
    gapA = gapB = false;
  };
  for (let i = a.length, j = b.length; i > 0 || j > 0;) {
    if (i > 0 && j > 0 && a[i - 1] === b[j - 1]) {
      close();
      i--;
      j--;
    } else if (j > 0 && (i === 0 || dp[i][j - 1] >= dp[i - 1][j])) {
      j--;
      if (CONTENT_WORD.test(b[j])) gapB = true;
    } else {
      i--;
      if (CONTENT_WORD.test(a[i])) gapA = true;
    }
  }
  close();
  return { common: dp[a.length][b.length], swaps };
}

/** Two texts from one template that swap what they are about (a near miss, not a repeat). */
export function isTemplateSwap(a: RepeatFingerprint, b: RepeatFingerprint): boolean {
  const shorter = Math.min(a.words.length, b.words.length);
  if (shorter === 0) return false;
  const { common, swaps } = alignedSubstitutions(a.words, b.words);
  return common / shorter >= TEMPLATE_OVERLAP && swaps > 0;
}

export function findRepeat(
  model: TextModel,
  keywords: CompiledKeywords,
  input: RepeatInput,
  options: Partial<RepeatOptions> = {},
  /** Fingerprints by issue id (and text), reused across calls. */
  cache?: Map<string, RepeatFingerprint & { text: string }>,
): RepeatVerdict {
  const o = { ...DEFAULT_REPEAT_OPTIONS, ...options };
  const since = input.now.getTime() - o.windowDays * DAY_MS;
  const mine = fingerprint(model, keywords, input.text);
  // The new text as a dense row, so each candidate costs one pass over its own terms.
  const query = new Float64Array(model.vocab.terms.length);
  mine.vector.ids.forEach((id, k) => (query[id] = mine.vector.values[k]));
  type Best = { c: RepeatCandidate; f: RepeatFingerprint; score: number };
  let same: Best | null = null;
  let any: Best | null = null;
  for (const c of input.candidates) {
    if (c.createdAt.getTime() < since) continue;
    let f = cache?.get(c.id);
    if (!f || f.text !== c.text) {
      f = { ...fingerprint(model, keywords, c.text), text: c.text };
      cache?.set(c.id, f);
    }
    let score = 0;
    const { ids, values } = f.vector;
    for (let k = 0; k < ids.length; k++) score += query[ids[k]] * values[k];
    if (!any || score > any.score) any = { c, f, score };
    if (c.category === input.category && (!same || score > same.score)) same = { c, f, score };
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  // A repeat is the same problem, so only a candidate of the same category may merge.
  if (same && same.score >= o.mergeAt && !isTemplateSwap(mine, same.f)) {
    return { verdict: 'merge', issueId: same.c.id, score: round(same.score) };
  }
  if (any && any.score >= o.flagAt) return { verdict: 'flag', issueId: any.c.id, score: round(any.score) };
  return { verdict: 'none', issueId: null, score: any ? round(any.score) : 0 };
}
