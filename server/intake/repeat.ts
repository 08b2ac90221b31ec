// Cross-channel repeats (DESIGN §2, issue 7 §2): does a new message repeat one of the same enterprise's open
// issues of the last 30 days? The pipeline asks the text core (server/text/repeat.ts through the classifier
// service, injected as `check`): a near-identical text merges as another source of that issue; a borderline
// one is only flagged 可能重复 with the candidate, for the dispatcher to decide. Without the text core (a bare
// pipeline in tests, the seed) only a near-identical retyping merges, by a character-bigram Dice coefficient.
// Pure.
import { TERMINAL_STATES, type CategoryId, type IssueState } from '../../shared/states.ts';
import { DAY_MS } from '../../shared/clock.ts';
import { issueText } from '../text/issue-text.ts';

export const REPEAT_WINDOW_DAYS = 30;
/** The Dice similarity from which the fallback merges. */
export const REPEAT_THRESHOLD = 0.8;

export interface RepeatCandidate {
  _id: unknown;
  number: string;
  title: string;
  content: string;
  category?: CategoryId;
  state: IssueState;
  createdAt: Date;
  contact?: { openid?: string } | null;
}

export interface RepeatQuery {
  enterpriseId?: string;
  text: string;
  now: Date;
  /** Flag even a near-identical repeat, never merge it (the owner's own form: a repeat may be meant). */
  flagOnly?: boolean;
}

/** The text core's question and answer (ClassifierService.checkRepeat). */
export interface RepeatCheckInput {
  text: string;
  now: Date;
  candidates: { id: string; text: string; category: CategoryId; createdAt: Date }[];
}
export interface RepeatCheckVerdict {
  verdict: 'merge' | 'flag' | 'none';
  issueId: string | null;
  score: number;
}
export type RepeatCheck = (input: RepeatCheckInput) => RepeatCheckVerdict;

export interface RepeatOutcome<C> {
  /** The open issue the message repeats: merge it as a source. */
  merge: C | null;
  /** A borderline candidate: create the issue, flagged 可能重复 with it. */
  flag: { candidate: C; score: number } | null;
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

/** What the message is to the open candidates of the last 30 days: a repeat of one, possibly one, or new. */
export function findRepeat<C extends RepeatCandidate>(
  query: RepeatQuery,
  candidates: readonly C[],
  check?: RepeatCheck,
): RepeatOutcome<C> {
  const since = repeatWindowStart(query.now).getTime();
  const open = candidates.filter((c) => !TERMINAL.has(c.state) && c.createdAt.getTime() >= since);
  const none: RepeatOutcome<C> = { merge: null, flag: null };
  if (open.length === 0) return none;
  const merge = (candidate: C, score: number): RepeatOutcome<C> =>
    query.flagOnly ? { merge: null, flag: { candidate, score } } : { merge: candidate, flag: null };
  if (!check) {
    const best = mostSimilar(query.text, open);
    return best ? merge(best.candidate, best.score) : none;
  }
  const byId = new Map(open.map((c) => [String(c._id), c]));
  const v = check({
    text: query.text,
    now: query.now,
    // A candidate without a category (taken in before it was stored) counts as another category: flag at most.
    candidates: open.map((c) => ({
      id: String(c._id),
      text: issueText(c),
      category: c.category ?? ('' as CategoryId),
      createdAt: c.createdAt,
    })),
  });
  const hit = v.issueId ? byId.get(v.issueId) : undefined;
  if (!hit || v.verdict === 'none') return none;
  return v.verdict === 'merge'
    ? merge(hit, v.score)
    : { merge: null, flag: { candidate: hit, score: v.score } };
}

/** The fallback: the most similar candidate if it is near-identical. */
function mostSimilar<C extends RepeatCandidate>(
  text: string,
  candidates: readonly C[],
): { candidate: C; score: number } | null {
  let best: { candidate: C; score: number } | null = null;
  for (const c of candidates) {
    const score = Math.max(textSimilarity(text, c.content), textSimilarity(text, `${c.title}${c.content}`));
    if (score >= (best?.score ?? REPEAT_THRESHOLD)) best = { candidate: c, score };
  }
  return best;
}
