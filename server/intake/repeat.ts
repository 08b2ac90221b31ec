// Cross-channel repeats (DESIGN §2, issue 6): a message whose text is near-identical to one of the same
// enterprise's open issues of the last 30 days becomes another source of that issue instead of a new one. The
// similarity is a character-bigram Dice coefficient over normalised text: simple, language-agnostic and good
// enough for "the same complaint, retyped"; the text-intelligence work replaces `textSimilarity` (or the whole
// findRepeat) behind this signature. Pure.
import { TERMINAL_STATES, type IssueState } from '../../shared/states.ts';

export const REPEAT_WINDOW_DAYS = 30;
export const REPEAT_THRESHOLD = 0.8;
const DAY_MS = 86_400_000;

export interface RepeatCandidate {
  _id: unknown;
  number: string;
  title: string;
  content: string;
  state: IssueState;
  createdAt: Date;
}

export interface RepeatQuery {
  enterpriseId: string;
  text: string;
  now: Date;
}

/** The earliest creation time a candidate may have. */
export function repeatWindowStart(now: Date): Date {
  return new Date(now.getTime() - REPEAT_WINDOW_DAYS * DAY_MS);
}

function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');
}

function bigrams(text: string): Map<string, number> {
  const chars = [...text];
  const out = new Map<string, number>();
  if (chars.length === 1) out.set(chars[0], 1);
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = chars[i] + chars[i + 1];
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/** 0..1: how much of the two texts' character pairs they share (Dice). */
export function textSimilarity(a: string, b: string): number {
  const x = bigrams(normalise(a));
  const y = bigrams(normalise(b));
  let total = 0;
  let shared = 0;
  for (const n of x.values()) total += n;
  for (const [g, n] of y) {
    total += n;
    shared += Math.min(n, x.get(g) ?? 0);
  }
  return total === 0 ? 0 : (2 * shared) / total;
}

const TERMINAL: ReadonlySet<IssueState> = new Set(TERMINAL_STATES);

/** The open candidate of the last 30 days most similar to the text, if it is near-identical. */
export function findRepeat<C extends RepeatCandidate>(
  query: RepeatQuery,
  candidates: readonly C[],
  threshold = REPEAT_THRESHOLD,
): C | null {
  const since = repeatWindowStart(query.now).getTime();
  let best: C | null = null;
  let bestScore = threshold;
  for (const c of candidates) {
    if (TERMINAL.has(c.state) || c.createdAt.getTime() < since) continue;
    const score = Math.max(
      textSimilarity(query.text, c.content),
      textSimilarity(query.text, `${c.title}${c.content}`),
    );
    if (score >= bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
