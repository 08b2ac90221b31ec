// The stories demo issues live through, each a short script of real actions by demo users: closed with a good
// rating, called back, rated badly and redone, appealed, returned (twice: consultation), suspended, extended,
// merged, rejected, reopened, routed by a dispatcher, or simply still waiting. Weights shape the demo's mix of
// states; each story also says what kind of message it needs (issue-texts.seed.ts).
import type { CategoryId } from '../../shared/states.ts';
import type { Rng } from './prng.ts';
import type { IssueScript } from './issue-script.seed.ts';
import {
  internalNoteText,
  progressNote,
  rejectReason,
  reopenReason,
  replyText,
  STAFF_WORDS,
  triageReason,
} from './issue-texts.seed.ts';

export interface StoryTools {
  rng: Rng;
  /** A unit id for the issue's category and region other than `except` (dispatch, transfer, decide). */
  pickUnit(s: IssueScript, except?: string | null): string;
  /** The earlier open issue this one repeats (chosen at intake), if any. */
  mergeTarget(s: IssueScript): string | null;
  /** The category a dispatcher gives a message intake could not route (its lead department's). */
  triageCategory?: CategoryId;
  /** An old issue: its story runs to the end of the loop (no unit leaves an issue waiting for months). */
  settle?: boolean;
}

export type Story = (s: IssueScript, t: StoryTools) => Promise<void>;

const say = (t: StoryTools, words: readonly string[]) => t.rng.pick(words);

async function dispatchIfNeeded(s: IssueScript, t: StoryTools) {
  if (s.state !== 'received') return;
  await s.after(t.rng.int(1, 12));
  await s.act(t.rng.pick(['dispatcher', 'dispatcher', 'clerk']), 'dispatch', { unitId: t.pickUnit(s) });
}

async function sign(s: IssueScript, t: StoryTools) {
  await dispatchIfNeeded(s, t);
  await s.after(t.rng.next() < 0.15 ? t.rng.int(8, 16) : t.rng.next() * 3 + 0.2);
  await s.act(s.handler, 'sign');
}

/** Notes and the reply; `late` makes the unit overrun its resolve deadline (by a day or so). */
async function handle(s: IssueScript, t: StoryTools, late = t.rng.next() < 0.15) {
  await s.after(t.rng.int(2, 10));
  await s.act(s.handler, 'note', { ...progressNote(t.rng, s.doc.contact?.name), public: true });
  if (t.rng.next() < 0.4) {
    await s.after(t.rng.int(2, 8));
    await s.act(s.handler, 'note', { text: internalNoteText(t.rng), public: false });
  }
  if (late) await s.pastDue(t.rng.int(2, 10));
  else await s.after(t.rng.int(4, 20));
  await s.act(s.handler, 'reply', { text: replyText(t.rng, s.doc.title) });
}

async function verify(s: IssueScript, t: StoryTools) {
  await s.after(t.rng.int(1, 8));
  if (t.rng.next() < 0.08) {
    await s.act('dispatcher', 'send_back', { reason: say(t, STAFF_WORDS.sendBack) });
    await s.after(t.rng.int(2, 8));
    await s.act(s.handler, 'reply', { text: replyText(t.rng, s.doc.title) });
    await s.after(t.rng.int(1, 4));
  }
  await s.act('dispatcher', 'verify');
}

const GOOD_LEVELS = ['very_satisfied', 'satisfied', 'basically_satisfied'];

async function rateGood(s: IssueScript, t: StoryTools) {
  await s.after(t.rng.int(2, 16));
  await s.act('clerk', 'rate', { rating: 'good', level: t.rng.pick(GOOD_LEVELS) });
}

async function rateBad(s: IssueScript, t: StoryTools) {
  await s.after(t.rng.int(2, 16));
  const level = t.rng.pick(['dissatisfied', 'very_dissatisfied']);
  await s.act('clerk', 'rate', { rating: 'bad', level, comment: say(t, STAFF_WORDS.badComment) });
}

async function toAwaitingRating(s: IssueScript, t: StoryTools) {
  await sign(s, t);
  await handle(s, t);
  await verify(s, t);
}

const closedGood: Story = async (s, t) => {
  await toAwaitingRating(s, t);
  await rateGood(s, t);
};

const calledBack: Story = async (s, t) => {
  await toAwaitingRating(s, t);
  await s.after(t.rng.int(24, 30));
  await s.act('clerk', 'callback', { reached: false, note: say(t, STAFF_WORDS.unreached) });
  await s.after(t.rng.int(2, 8));
  await s.act('clerk', 'callback', { reached: true, rating: 'good', level: t.rng.pick(GOOD_LEVELS) });
};

const redone: Story = async (s, t) => {
  await toAwaitingRating(s, t);
  await rateBad(s, t);
  await s.after(t.rng.int(1, 6));
  await s.act('dispatcher', 'verify_rating', { reasonable: true, reason: say(t, STAFF_WORDS.badReasonable) });
  if (!t.settle && t.rng.next() < 0.3) return;
  await handle(s, t, false);
  await verify(s, t);
  await rateGood(s, t);
};

const appealed: Story = async (s, t) => {
  await toAwaitingRating(s, t);
  await rateBad(s, t);
  await s.after(t.rng.int(1, 4));
  await s.act(s.handler, 'note', { text: say(t, STAFF_WORDS.appealNote), public: false });
  await s.after(t.rng.int(1, 6));
  await s.act('director', 'verify_rating', { reasonable: false, reason: say(t, STAFF_WORDS.appealUpheld) });
};

const badPending: Story = async (s, t) => {
  await toAwaitingRating(s, t);
  await rateBad(s, t);
};

const awaitingRating: Story = toAwaitingRating;

const replied: Story = async (s, t) => {
  await sign(s, t);
  await handle(s, t);
};

/**
 * Signed and then left alone: the follow-ups turn it yellow, red, overdue and escalate it. Also the demo classes'
 * complaints (class-issues.seed.ts): their units wait for the fix of the whole class.
 */
export const stalled: Story = async (s, t) => {
  await sign(s, t);
  await s.after(t.rng.int(2, 10));
  await s.act(s.handler, 'note', { ...progressNote(t.rng, s.doc.contact?.name), public: true });
};

const unsigned: Story = async (s, t) => {
  await dispatchIfNeeded(s, t);
};

const waitingTriage: Story = async () => {};

/** A dispatcher reads a message intake could not route, gives it its lead department's category, sends it on. */
async function triage(s: IssueScript, t: StoryTools) {
  if (s.state !== 'received') return;
  await s.after(t.rng.int(1, 6));
  const category = t.triageCategory;
  if (category && category !== s.doc.category)
    await s.act('dispatcher', 'reclassify', { category, reason: triageReason(category) });
  await dispatchIfNeeded(s, t);
}

const triaged: Story = async (s, t) => {
  await triage(s, t);
  await closedGood(s, t);
};

const returned: Story = async (s, t) => {
  await dispatchIfNeeded(s, t);
  await s.after(t.rng.int(1, 6));
  const from = s.doc.unitId ? String(s.doc.unitId) : null;
  const [reason, legalBasis] = t.rng.pick(STAFF_WORDS.returnReason);
  await s.act(s.handler, 'return', { reason, legalBasis });
  await s.after(t.rng.int(1, 6));
  await s.act('dispatcher', 'dispatch', { unitId: t.pickUnit(s, from) });
  if (t.rng.next() < 0.5) {
    await s.after(t.rng.int(1, 6));
    await s.act(s.handler, 'return', { reason: say(t, STAFF_WORDS.secondReturn) });
    if (!t.settle && t.rng.next() < 0.4) return; // waits in consultation
    await s.after(t.rng.int(8, 16));
    await s.act('director', 'decide', { unitId: t.pickUnit(s), workingDays: 10 });
  } else {
    await s.after(t.rng.next() * 3 + 0.2);
    await s.act(s.handler, 'sign');
  }
  await handle(s, t);
  await verify(s, t);
  await rateGood(s, t);
};

const consulted: Story = async (s, t) => {
  await sign(s, t);
  await s.after(t.rng.int(4, 12));
  const lead = String(s.doc.unitId);
  await s.act('director', 'consult', {
    tier: t.rng.next() < 0.7 ? 'director' : 'leader',
    unitIds: [lead, t.pickUnit(s, lead)],
  });
  if (!t.settle && t.rng.next() < 0.4) return;
  await s.after(t.rng.int(2, 8));
  await s.act(s.handler, 'consult_input', { text: say(t, STAFF_WORDS.consultInput) });
  await s.after(t.rng.int(4, 12));
  await s.act(s.doc.tier === 'leader' ? 'leader' : 'director', 'decide', { unitId: lead, workingDays: 10 });
  await handle(s, t);
  if (!t.settle) return;
  await verify(s, t);
  await rateGood(s, t);
};

const suspended: Story = async (s, t) => {
  await sign(s, t);
  await s.after(t.rng.int(2, 10));
  await s.act(s.handler, 'suspend', { reason: say(t, STAFF_WORDS.suspend) });
  await s.after(t.rng.int(1, 6));
  await s.act('dispatcher', 'approve_suspend');
  if (!t.settle && t.rng.next() < 0.4) return; // still waiting for the enterprise
  await s.after(t.rng.int(20, 60));
  await s.act(s.handler, 'resume');
  await s.after(t.rng.int(1, 4));
  await s.act('dispatcher', 'approve_resume');
  await handle(s, t);
  await verify(s, t);
  await rateGood(s, t);
};

const extended: Story = async (s, t) => {
  await sign(s, t);
  await s.after(t.rng.int(8, 20));
  await s.act(s.handler, 'request_extension', {
    workingDays: t.rng.int(1, 3),
    reason: say(t, STAFF_WORDS.extension),
  });
  await s.after(t.rng.int(1, 6));
  await s.act('dispatcher', 'approve_extension');
  await handle(s, t);
  await verify(s, t);
  await rateGood(s, t);
};

const merged: Story = async (s, t) => {
  const target = t.mergeTarget(s);
  if (!target) return;
  await s.after(t.rng.int(1, 8));
  await s.act('dispatcher', 'merge', { intoId: target });
};

const rejected: Story = async (s, t) => {
  if (s.state !== 'received') return;
  await s.after(t.rng.int(1, 8));
  await s.act('clerk', 'reject', { reason: rejectReason(s.doc.title) });
};

const reopened: Story = async (s, t) => {
  await rejected(s, t);
  await s.after(t.rng.int(8, 24));
  await s.act('supervisor', 'reopen', { reason: reopenReason(s.doc.title) });
  await triage(s, t);
  await closedGood(s, t);
};

/**
 * The message a story needs: an enterprise's complaint (`problem`, taken in with its category), one only a
 * dispatcher can route (`cross`), one out of the hub's remit (`outside`; `reopened` when it turns out to be the
 * enterprise's after all), or a repeat of an earlier open issue (`duplicate`). All but `problem` start in
 * `received`.
 */
export type StoryText = 'problem' | 'cross' | 'outside' | 'reopened' | 'duplicate';

export interface StoryEntry {
  story: Story;
  weight: number;
  text: StoryText;
  /**
   * Stops before the loop is closed (waiting for a reply, a check, a rating): only a recent issue is left so
   * (issues.seed.ts); an old one is closed instead, since months of waiting read as fake.
   */
  unfinished: boolean;
  /**
   * How old (in days) an unfinished issue may be before it is closed instead; absent: issues.seed.ts's 45. The
   * centre checks a reply or a bad rating within a working day or two, so those wait at most a week or so.
   */
  settleDays?: number;
  /** Leaves the issue waiting on a unit or the dispatcher: a fit master for later duplicates. */
  mergeable: boolean;
}

interface EntryOptions {
  text?: StoryText;
  unfinished?: boolean;
  settleDays?: number;
  mergeable?: boolean;
}

const entry = (story: Story, weight: number, o: EntryOptions = {}): StoryEntry => ({
  story,
  weight,
  text: o.text ?? 'problem',
  unfinished: o.unfinished ?? o.mergeable ?? false,
  ...(o.settleDays ? { settleDays: o.settleDays } : {}),
  mergeable: o.mergeable ?? false,
});

/** Left in 待受理 for the dispatcher (only recent messages: older ones were routed long ago). */
export const WAITING_FOR_TRIAGE = entry(waitingTriage, 3, { text: 'cross', mergeable: true });
/** Routed by a dispatcher, then handled and closed. */
export const TRIAGED = entry(triaged, 0, { text: 'cross' });
/** The commonest story: handled and rated good (what an old unfinished story becomes). */
export const CLOSED_GOOD = entry(closedGood, 30);

export const STORIES: readonly StoryEntry[] = [
  CLOSED_GOOD,
  entry(calledBack, 6),
  entry(redone, 7),
  entry(appealed, 3),
  entry(badPending, 3, { unfinished: true, settleDays: 10 }),
  entry(awaitingRating, 5, { unfinished: true }),
  entry(replied, 4, { unfinished: true, settleDays: 14 }),
  entry(stalled, 7, { mergeable: true }),
  entry(unsigned, 3, { mergeable: true }),
  WAITING_FOR_TRIAGE,
  entry(returned, 6),
  entry(consulted, 4),
  entry(suspended, 6),
  entry(extended, 5),
  entry(merged, 12, { text: 'duplicate' }),
  entry(rejected, 4, { text: 'outside' }),
  entry(reopened, 2, { text: 'reopened' }),
];

export function pickStory(rng: Rng): StoryEntry {
  const total = STORIES.reduce((sum, e) => sum + e.weight, 0);
  let r = rng.next() * total;
  for (const e of STORIES) {
    r -= e.weight;
    if (r < 0) return e;
  }
  return STORIES[0];
}
