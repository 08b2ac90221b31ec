// The stories demo issues live through, each a short script of real actions by demo users: closed with a good
// rating, called back, rated badly and redone, appealed, returned (twice: consultation), suspended, extended,
// merged, rejected, reopened, or simply still waiting. Weights shape the demo's mix of states.
import type { Rng } from './prng.ts';
import type { IssueScript } from './issue-script.seed.ts';
import { internalNoteText, noteText, replyText } from './issue-texts.seed.ts';

export interface StoryTools {
  rng: Rng;
  /** A unit id for the issue's category and region other than `except` (dispatch, transfer, decide). */
  pickUnit(s: IssueScript, except?: string | null): string;
  /** An earlier open issue of the same category to merge into, if any. */
  mergeTarget(s: IssueScript): string | null;
}

export type Story = (s: IssueScript, t: StoryTools) => Promise<void>;

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

/** Notes and the reply; `late` makes the unit overrun its resolve deadline. */
async function handle(s: IssueScript, t: StoryTools, late = t.rng.next() < 0.15) {
  await s.after(t.rng.int(2, 10));
  await s.act(s.handler, 'note', { text: noteText(t.rng), public: true });
  if (t.rng.next() < 0.4) {
    await s.after(t.rng.int(2, 8));
    await s.act(s.handler, 'note', { text: internalNoteText(t.rng), public: false });
  }
  await s.after(late ? t.rng.int(40, 60) : t.rng.int(4, 20));
  await s.act(s.handler, 'reply', { text: replyText(t.rng, s.doc.title) });
}

async function verify(s: IssueScript, t: StoryTools) {
  await s.after(t.rng.int(1, 8));
  if (t.rng.next() < 0.08) {
    await s.act('dispatcher', 'send_back', { reason: '答复未说明具体办理结果，请补充' });
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
  await s.act('clerk', 'rate', { rating: 'bad', level, comment: '问题没有真正解决' });
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
  await s.act('clerk', 'callback', { reached: false, note: '电话无人接听' });
  await s.after(t.rng.int(2, 8));
  await s.act('clerk', 'callback', { reached: true, rating: 'good', level: t.rng.pick(GOOD_LEVELS) });
};

const redone: Story = async (s, t) => {
  await toAwaitingRating(s, t);
  await rateBad(s, t);
  await s.after(t.rng.int(1, 6));
  await s.act('dispatcher', 'verify_rating', { reasonable: true, reason: '经核实，企业诉求未完全解决' });
  if (t.rng.next() < 0.3) return;
  await handle(s, t, false);
  await verify(s, t);
  await rateGood(s, t);
};

const appealed: Story = async (s, t) => {
  await toAwaitingRating(s, t);
  await rateBad(s, t);
  await s.after(t.rng.int(1, 4));
  await s.act(s.handler, 'note', { text: '申诉：企业诉求超出法定职责范围，已依法答复', public: false });
  await s.after(t.rng.int(1, 6));
  await s.act('director', 'verify_rating', { reasonable: false, reason: '经核实，差评理由不成立，申诉成立' });
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

/** Signed and then left alone: the follow-ups turn it yellow, red, overdue and escalate it. */
const stalled: Story = async (s, t) => {
  await sign(s, t);
  await s.after(t.rng.int(2, 10));
  await s.act(s.handler, 'note', { text: noteText(t.rng), public: true });
};

const unsigned: Story = async (s, t) => {
  await dispatchIfNeeded(s, t);
};

const waitingTriage: Story = async () => {};

const returned: Story = async (s, t) => {
  await dispatchIfNeeded(s, t);
  await s.after(t.rng.int(1, 6));
  const from = s.doc.unitId ? String(s.doc.unitId) : null;
  await s.act(s.handler, 'return', { reason: '该事项不属于本单位职责范围', legalBasis: '本单位“三定”方案' });
  await s.after(t.rng.int(1, 6));
  await s.act('dispatcher', 'dispatch', { unitId: t.pickUnit(s, from) });
  if (t.rng.next() < 0.5) {
    await s.after(t.rng.int(1, 6));
    await s.act(s.handler, 'return', { reason: '同样不属于本单位职责' });
    if (t.rng.next() < 0.4) return; // waits in consultation
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
  if (t.rng.next() < 0.4) return;
  await s.after(t.rng.int(2, 8));
  await s.act(s.handler, 'consult_input', { text: '建议由本单位牵头，相关部门配合' });
  await s.after(t.rng.int(4, 12));
  await s.act(s.doc.tier === 'leader' ? 'leader' : 'director', 'decide', { unitId: lead, workingDays: 10 });
  await handle(s, t);
};

const suspended: Story = async (s, t) => {
  await sign(s, t);
  await s.after(t.rng.int(2, 10));
  await s.act(s.handler, 'suspend', { reason: '等待企业补充提交相关材料' });
  await s.after(t.rng.int(1, 6));
  await s.act('dispatcher', 'approve_suspend');
  if (t.rng.next() < 0.4) return; // still waiting for the enterprise
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
    reason: '需协调第三方机构出具评估意见',
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
  await s.act('clerk', 'reject', {
    reason: '该诉求属于个人事项，不属于涉企问题受理范围，已告知企业咨询渠道',
  });
};

const reopened: Story = async (s, t) => {
  await rejected(s, t);
  await s.after(t.rng.int(8, 24));
  await s.act('supervisor', 'reopen', { reason: '企业补充说明后确属涉企问题' });
  await dispatchIfNeeded(s, t);
};

interface StoryEntry {
  story: Story;
  weight: number;
  /** Needs an ambiguous category, so the issue starts in `received`. */
  ambiguous: boolean;
  /** Leaves the issue open: a fit master for later duplicates. */
  mergeable: boolean;
}

const entry = (story: Story, weight: number, ambiguous = false, mergeable = false): StoryEntry => ({
  story,
  weight,
  ambiguous,
  mergeable,
});

export const STORIES: readonly StoryEntry[] = [
  entry(closedGood, 30),
  entry(calledBack, 6),
  entry(redone, 7),
  entry(appealed, 3),
  entry(badPending, 3),
  entry(awaitingRating, 5),
  entry(replied, 4),
  entry(stalled, 7, false, true),
  entry(unsigned, 3, false, true),
  entry(waitingTriage, 3, true, true),
  entry(returned, 6),
  entry(consulted, 4),
  entry(suspended, 6),
  entry(extended, 5),
  entry(merged, 4, true),
  entry(rejected, 4, true),
  entry(reopened, 2, true),
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
