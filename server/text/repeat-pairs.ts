// The labelled pairs (corpus/duplicate-pairs*.jsonl) as the intake pipeline would meet them: `b` arrives
// `daysApart` days after `a`, and `a` is a candidate only when it is the same enterprise's issue, still open and
// within the 30-day window (otherwise the pipeline never reads it). Scores the duplicate check on them (the
// quality test) and turns them into fitting rows (scripts/fit-repeat.ts). Pure apart from the classifier
// calls it makes on the model passed in.
import type { CategoryKeywords } from '../../shared/classify.ts';
import { DAY_MS } from '../../shared/clock.ts';
import type { CategoryId } from '../../shared/states.ts';
import { classifyText } from './classify-text.ts';
import { pairKind, type DuplicatePair, type PairKind } from './corpus.ts';
import { DEFAULT_REPEAT_OPTIONS, findRepeat, fingerprint, mayMerge, type RepeatOptions } from './repeat.ts';
import { mergeVetoes, pairFeatures, type MergeVeto } from './repeat-features.ts';
import { templateCheck } from './repeat-template.ts';
import type { FitRow } from './repeat-fit.ts';
import { compileKeywords } from './text-features.ts';
import type { TextModel } from './text-model.ts';

/** The moment `b` arrives in every pair. */
export const PAIRS_NOW = new Date('2026-06-01T02:00:00Z');

const isCandidate = (p: DuplicatePair) =>
  p.sameEnterprise && !p.aClosed && p.daysApart <= DEFAULT_REPEAT_OPTIONS.windowDays;

export interface PairVerdict {
  pair: DuplicatePair;
  kind: PairKind;
  verdict: 'merge' | 'flag' | 'none';
  score: number;
}

export interface PairScores {
  pairs: number;
  repeats: number;
  merges: number;
  flags: number;
  /** Of automatic merges: the bars are 0.95 and 0.90. */
  precision: number;
  recall: number;
  /** Share of the repeats merged or flagged 可能重复. */
  caught: number;
  /** Merged, flagged and total pairs per kind. */
  byKind: Map<PairKind, { pairs: number; merged: number; flagged: number }>;
  /** Repeats not merged and near misses merged or flagged, for reading. */
  misses: PairVerdict[];
}

export function verdicts(
  model: TextModel,
  categories: readonly CategoryKeywords[],
  pairs: readonly DuplicatePair[],
  options: Partial<RepeatOptions> = {},
): PairVerdict[] {
  const keywords = compileKeywords(categories);
  const category = (text: string) => classifyText(model, categories, text).category;
  return pairs.map((p) => {
    const createdAt = new Date(PAIRS_NOW.getTime() - p.daysApart * DAY_MS);
    const candidates = isCandidate(p) ? [{ id: 'a', text: p.a, category: category(p.a), createdAt }] : [];
    // The message's category left to the model, as intake leaves it (pipeline.ts passes none).
    const input = { text: p.b, now: PAIRS_NOW, candidates };
    const v = findRepeat(model, keywords, input, options);
    return { pair: p, kind: pairKind(p), verdict: v.verdict, score: v.score };
  });
}

export function scorePairs(list: readonly PairVerdict[]): PairScores {
  const byKind = new Map<PairKind, { pairs: number; merged: number; flagged: number }>();
  let repeats = 0;
  let merges = 0;
  let mergedRight = 0;
  let flags = 0;
  let caught = 0;
  const misses: PairVerdict[] = [];
  for (const v of list) {
    const repeat = v.pair.label === 'repeat';
    const k = byKind.get(v.kind) ?? { pairs: 0, merged: 0, flagged: 0 };
    byKind.set(v.kind, k);
    k.pairs++;
    if (v.verdict === 'merge') k.merged++;
    if (v.verdict === 'flag') k.flagged++;
    if (repeat) repeats++;
    if (v.verdict === 'merge') merges++;
    if (v.verdict === 'merge' && repeat) mergedRight++;
    if (v.verdict === 'flag') flags++;
    if (repeat && v.verdict !== 'none') caught++;
    if (repeat ? v.verdict !== 'merge' : v.verdict !== 'none') misses.push(v);
  }
  return {
    pairs: list.length,
    repeats,
    merges,
    flags,
    precision: merges ? mergedRight / merges : 1,
    recall: repeats ? mergedRight / repeats : 0,
    caught: repeats ? caught / repeats : 0,
    byKind,
    misses,
  };
}

/** The candidate pairs as fitting rows (pairs the pipeline never scores are left out). */
export function fitRows(
  model: TextModel,
  categories: readonly CategoryKeywords[],
  pairs: readonly DuplicatePair[],
): { rows: FitRow[]; pairs: DuplicatePair[] } {
  const keywords = compileKeywords(categories);
  const category = (text: string): CategoryId => classifyText(model, categories, text).category;
  const kept = pairs.filter(isCandidate);
  const rows = kept.map((p): FitRow => {
    const mine = fingerprint(model, keywords, p.b);
    const theirs = fingerprint(model, keywords, p.a);
    const all = mergeVetoes(mine, theirs, templateCheck(mine, theirs).slotSwap);
    const vetoes = (Object.keys(all) as MergeVeto[]).filter((k) => all[k]);
    const pair = { probability: 0, neverMerge: false };
    const byCategory = mayMerge(model, mine, theirs, undefined, category(p.a), pair);
    return {
      x: pairFeatures(mine, theirs),
      y: p.label === 'repeat' ? 1 : 0,
      mergeable: byCategory && vetoes.length === 0,
      byCategory,
      vetoes,
    };
  });
  return { rows, pairs: kept };
}
