// Everything about one generated issue that is decided up front, from its own seeded PRNG: the enterprise
// (long-tailed: a few enterprises raise dozens of issues), channel and who took it in, category and urgency
// (weighted as a city's intake is), how intake triaged it, and the story plan. The share of issues left open
// falls with age per state (a received issue waits days, a suspension can last months), so the open backlog
// has realistic ages; everything else runs to its end: closed ≈ 85 %, rejected and merged a few % each.
import { DAY_MS } from '../../../shared/clock.ts';
import type { CategoryId, ChannelId, IssueState, Urgency } from '../../../shared/states.ts';
import type { Rng } from '../../../server/seed/prng.ts';
import type { Outcome, StoryPlan } from './issue-story.ts';

export type Weighted<T> = ReadonlyArray<readonly [T, number]>;

export function weighted<T>(rng: Rng, entries: Weighted<T>): T {
  let total = 0;
  for (const [, w] of entries) total += w;
  let r = rng.next() * total;
  for (const [value, w] of entries) if ((r -= w) < 0) return value;
  return entries[0][0];
}

export const CATEGORY_WEIGHTS: Weighted<CategoryId> = [
  ['policy', 14],
  ['land', 9],
  ['utilities', 10],
  ['finance', 10],
  ['talent', 9],
  ['approval', 11],
  ['enforcement', 7],
  ['legal', 6],
  ['logistics', 7],
  ['innovation', 5],
  ['tax', 7],
  ['market', 5],
];
export const CHANNEL_WEIGHTS: Weighted<ChannelId> = [
  ['hotline12345', 25],
  ['zheliban', 15],
  ['wechat', 10],
  ['window', 12],
  ['qr', 8],
  ['meeting', 6],
  ['visit', 6],
  ['sms', 4],
  ['review', 3],
  ['email', 3],
  ['deputy', 3],
  ['discovery', 5],
];
const URGENCY_WEIGHTS: Weighted<Urgency> = [
  ['normal', 55],
  ['urgent', 22],
  ['complex', 13],
  ['critical', 10],
];
const OUTCOME_WEIGHTS: Weighted<Outcome> = [
  ['good', 71],
  ['callback', 9],
  ['bad_redo', 6],
  ['appeal', 3],
  ['reject', 2.6],
  ['reject_reopen', 0.6],
  ['merge', 2.8],
];
/** Per state: weight at age 0 and how fast (days) the chance of still being stuck there decays. */
const STALL_DECAY: ReadonlyArray<readonly [IssueState, number, number]> = [
  ['received', 0.3, 6],
  ['dispatched', 0.3, 10],
  ['in_progress', 0.8, 15],
  ['replied', 0.3, 10],
  ['awaiting_rating', 0.45, 60],
  ['consulting', 0.12, 120],
  ['suspended', 0.06, 300],
];
/** The sweep data set: everything open, mostly with a running clock. */
const SWEEP_STALLS: Weighted<IssueState> = [
  ['dispatched', 25],
  ['in_progress', 55],
  ['consulting', 5],
  ['suspended', 5],
  ['replied', 3],
  ['awaiting_rating', 7],
];
/** Channels whose messages carry the sender's own id (the seed's externalId channels). */
export const EXTERNAL_CHANNELS = new Set<ChannelId>([
  'hotline12345',
  'zheliban',
  'email',
  'sms',
  'wechat',
  'review',
]);

/** Where the backlog stops, or null for a story that runs to its end; the chances fall with age. */
function historyStall(rng: Rng, ageDays: number): IssueState | null {
  const chances = STALL_DECAY.map(([state, w, tau]) => [state, w * Math.exp(-ageDays / tau)] as const);
  const total = chances.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * Math.max(1, total);
  for (const [state, w] of chances) if ((r -= w) < 0) return state;
  return null;
}

export interface IssuePlan {
  enterpriseIndex: number;
  category: CategoryId;
  urgency: Urgency;
  channel: ChannelId;
  /** Taken in without a confident classification or route: starts in `received`. */
  vague: boolean;
  story: StoryPlan;
}

/** Long tail: 65 % of issues from any enterprise, 25 % from the busiest 8 %, 10 % from the busiest 1 %. */
function pickEnterprise(rng: Rng, count: number): number {
  const r = rng.next();
  const pool = r < 0.65 ? count : r < 0.9 ? Math.ceil(count * 0.08) : Math.ceil(count * 0.01);
  return Math.floor(rng.next() * pool);
}

function storyPlan(rng: Rng, outcome: Outcome, stallAt: IssueState | null): StoryPlan {
  const returns = rng.next() < 0.1 ? (rng.next() < 0.3 ? 2 : 1) : 0;
  return {
    outcome,
    stallAt,
    returns: stallAt === 'consulting' && rng.next() < 0.3 ? 2 : returns,
    suspend: stallAt === 'suspended' || rng.next() < 0.06,
    extension: rng.next() < 0.06,
    consult: stallAt === 'consulting' || rng.next() < 0.04,
    sendBack: rng.next() < 0.08,
    late: rng.next() < 0.15,
    notes: weighted(rng, [
      [0, 15],
      [1, 35],
      [2, 25],
      [3, 15],
      [4, 10],
    ]),
    internalNotes: rng.next() < 0.35 ? rng.int(1, 2) : 0,
    pace: 0.6 + 2.6 * rng.next() ** 4,
    mergeInto: null,
  };
}

export interface PlanContext {
  mode: 'history' | 'sweep';
  enterpriseCount: number;
  /** Age of the issue at the data set's now. */
  ageMs: number;
  /** Sweep data set: this issue must be left due (its last follow-up not yet fired). */
  due: boolean;
}

export function planIssue(rng: Rng, ctx: PlanContext): IssuePlan {
  const enterpriseIndex = pickEnterprise(rng, ctx.enterpriseCount);
  const category = weighted(rng, CATEGORY_WEIGHTS);
  let urgency = weighted(rng, URGENCY_WEIGHTS);
  const channel = weighted(rng, CHANNEL_WEIGHTS);
  let stallAt: IssueState | null;
  let outcome: Outcome = 'good';
  if (ctx.mode === 'sweep') {
    stallAt = ctx.due ? (rng.next() < 0.5 ? 'dispatched' : 'in_progress') : weighted(rng, SWEEP_STALLS);
    // A complex issue's first follow-up comes weeks after dispatch; a due one needs an earlier one.
    if (ctx.due && urgency === 'complex') urgency = 'normal';
  } else {
    stallAt = historyStall(rng, ctx.ageMs / DAY_MS);
    if (!stallAt) outcome = weighted(rng, OUTCOME_WEIGHTS);
  }
  const story = storyPlan(rng, outcome, stallAt);
  const vague =
    outcome === 'reject' ||
    outcome === 'reject_reopen' ||
    outcome === 'merge' ||
    stallAt === 'received' ||
    rng.next() < 0.06;
  return { enterpriseIndex, category, urgency, channel, vague, story };
}
