// Whether two texts are one template with a block swapped (a near miss, not a repeat): the words of both
// aligned in order, and each swapped block asked whether it names a thing of its own that the other text never
// mentions ("消防验收约了三次" against "人防验收约了三次"). For the duplicate check's vetoes
// (repeat-features.ts). Pure.
import { wordFound, type RepeatFingerprint } from './repeat-fingerprint.ts';
import { readsAsTopic } from './segment.ts';

/** From this share of the shorter text's words shared in order, a swapped slot decides: one template about two things. */
const SLOT_TEMPLATE_OVERLAP = 0.7;

interface Alignment {
  /** Words both lists share, in order (their longest common subsequence). */
  common: number;
  /** Blocks where each side's words include one that names a thing the other text never mentions. */
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
  let slotSwaps = 0;
  // The current block's words on each side (read backwards: only their set and joined text matter).
  let blockA: string[] = [];
  let blockB: string[] = [];
  const close = () => {
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
  return { common: dp[a.length][b.length], slotSwaps };
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
  /**
   * One template whose "what it is about" slot names two different things ("消防验收约了三次" against
   * "人防验收约了三次"): a near miss that must never merge, whatever else the texts share.
   */
  slotSwap: boolean;
}

export function templateCheck(a: RepeatFingerprint, b: RepeatFingerprint): TemplateCheck {
  const shorter = Math.min(a.words.length, b.words.length);
  if (shorter === 0) return { slotSwap: false };
  const { common, slotSwaps } = align(a.words, b.words, ownThing(a, b), ownThing(b, a));
  return { slotSwap: common / shorter >= SLOT_TEMPLATE_OVERLAP && slotSwaps > 0 };
}
