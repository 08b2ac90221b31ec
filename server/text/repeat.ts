// Is a new message a repeat of one of the same enterprise's open issues (DESIGN §2: the same complaint sent
// through a second channel becomes one issue)? Pure: the caller passes the model, the new text and the
// candidates (that enterprise's open issues of the last 30 days); the clock comes in as `now`.
//
// Score: a logistic model over the pair features of repeat-features.ts (TF-IDF cosine, how much of each text's
// distinctive content the other holds, topic agreement, amounts, template swaps), fitted on the tuning half of
// corpus/duplicate-pairs.jsonl (the even lines; the odd lines are held out for the quality test). A repeat is
// the same problem, so only a candidate of the same category may merge. Verdicts: `merge` (near-identical:
// merge as a source), `flag` (可能重复: shown to the dispatcher with the candidate, never merged silently),
// `none`.
import type { CategoryId } from '../../shared/states.ts';
import { DAY_MS } from '../../shared/clock.ts';
import {
  fingerprint,
  isTemplateSwap,
  pairFeatures,
  templateCheck,
  PAIR_FEATURE_NAMES,
  type RepeatFingerprint,
} from './repeat-features.ts';
import type { TextModel } from './text-model.ts';
import type { CompiledKeywords } from './text-features.ts';

export { fingerprint, isTemplateSwap, type RepeatFingerprint };

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
  /** Probability that the pair is a repeat, 0..1. */
  score: number;
}

export interface RepeatOptions {
  windowDays: number;
  /** Repeat probability at or above which a same-category candidate is merged. */
  mergeAt: number;
  /** Repeat probability at or above which a candidate is flagged as 可能重复. */
  flagAt: number;
}

/**
 * Chosen by leave-one-out on the tuning half (the even lines of corpus/duplicate-pairs.jsonl): merging at 0.7
 * kept precision at 0.956 there (recall 0.765); flagging from 0.3 caught 0.988 of the repeats. The held-out
 * half was scored once, after the choice (test/text/repeat-quality.test.ts).
 */
export const DEFAULT_REPEAT_OPTIONS: RepeatOptions = { windowDays: 30, mergeAt: 0.7, flagAt: 0.3 };

/** Logistic weights of pairFeatures (PAIR_FEATURE_NAMES order), then the bias; see DEFAULT_REPEAT_OPTIONS. */
export const REPEAT_WEIGHTS: readonly number[] = [
  0.677, 0.938, 1.512, 0.719, -0.86, 0.749, 2.379, 1.453, 0.806, -2.513,
];
const SWAP = PAIR_FEATURE_NAMES.indexOf('templateSwap');
/**
 * A template swap only lowers the score, so below the flag threshold's logit (a pair that is no repeat
 * whatever its template) the word alignment, the slow part, is skipped.
 */
const SWAP_CHECK_FROM = Math.log(DEFAULT_REPEAT_OPTIONS.flagAt / (1 - DEFAULT_REPEAT_OPTIONS.flagAt));

export interface PairScore {
  /** Probability that the pair is a repeat, 0..1. */
  probability: number;
  /** One template about two different things: flag at most, never merge. */
  slotSwap: boolean;
}

/** The repeat probability of a pair of fingerprints. */
export function scorePair(a: RepeatFingerprint, b: RepeatFingerprint, cosine?: number): PairScore {
  const x = pairFeatures(a, b, cosine, false);
  let z = REPEAT_WEIGHTS[x.length];
  for (let k = 0; k < x.length; k++) z += REPEAT_WEIGHTS[k] * x[k];
  let slotSwap = false;
  if (z >= SWAP_CHECK_FROM) {
    const t = templateCheck(a, b);
    if (t.swap) z += REPEAT_WEIGHTS[SWAP];
    slotSwap = t.slotSwap;
  }
  return { probability: 1 / (1 + Math.exp(-z)), slotSwap };
}

type FingerprintCache = Map<string, RepeatFingerprint & { text: string }>;

function cachedFingerprint(
  model: TextModel,
  keywords: CompiledKeywords,
  c: { id: string; text: string },
  cache?: FingerprintCache,
): RepeatFingerprint {
  let f = cache?.get(c.id);
  if (!f || f.text !== c.text) {
    f = { ...fingerprint(model, keywords, c.text), text: c.text };
    cache?.set(c.id, f);
  }
  return f;
}

/** The repeat probability of `text` against each candidate ("similar issues" ranks by it), 0..1. */
export function similarities(
  model: TextModel,
  keywords: CompiledKeywords,
  text: string,
  candidates: readonly { id: string; text: string }[],
  cache?: FingerprintCache,
): number[] {
  const mine = fingerprint(model, keywords, text);
  return candidates.map((c) => {
    const f = cachedFingerprint(model, keywords, c, cache);
    const score = scorePair(mine, f).probability;
    return Math.round(score * 1000) / 1000;
  });
}

const scratchRows = new WeakMap<TextModel, Float64Array>();

/** A vocabulary-sized row of zeros for this model, reused (synchronous callers put it back to zeros). */
function scratchRow(model: TextModel): Float64Array {
  let row = scratchRows.get(model);
  if (!row) scratchRows.set(model, (row = new Float64Array(model.vocab.terms.length)));
  return row;
}

export function findRepeat(
  model: TextModel,
  keywords: CompiledKeywords,
  input: RepeatInput,
  options: Partial<RepeatOptions> = {},
  /** Fingerprints by issue id (and text), reused across calls. */
  cache?: FingerprintCache,
): RepeatVerdict {
  const o = { ...DEFAULT_REPEAT_OPTIONS, ...options };
  const since = input.now.getTime() - o.windowDays * DAY_MS;
  const mine = fingerprint(model, keywords, input.text);
  // The new text as a dense row, so each candidate's cosine costs one pass over its own terms. The row is the
  // model's scratch row, put back to zeros after: a vocabulary-sized array per message was most of intake's
  // garbage.
  const query = scratchRow(model);
  mine.vector.ids.forEach((id, k) => (query[id] = mine.vector.values[k]));
  type Best = { c: RepeatCandidate; score: number };
  let same: Best | null = null;
  let any: Best | null = null;
  try {
    for (const c of input.candidates) {
      if (c.createdAt.getTime() < since) continue;
      const f = cachedFingerprint(model, keywords, c, cache);
      let cosine = 0;
      const { ids, values } = f.vector;
      for (let k = 0; k < ids.length; k++) cosine += query[ids[k]] * values[k];
      // Not a word or character pair in common: no repeat, and no need to weigh the rest.
      if (cosine === 0) continue;
      const { probability: score, slotSwap } = scorePair(mine, f, cosine);
      if (!any || score > any.score) any = { c, score };
      const mergeable = c.category === input.category && !slotSwap;
      if (mergeable && (!same || score > same.score)) same = { c, score };
    }
  } finally {
    for (const id of mine.vector.ids) query[id] = 0;
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  if (same && same.score >= o.mergeAt)
    return { verdict: 'merge', issueId: same.c.id, score: round(same.score) };
  if (any && any.score >= o.flagAt) return { verdict: 'flag', issueId: any.c.id, score: round(any.score) };
  return { verdict: 'none', issueId: null, score: any ? round(any.score) : 0 };
}
