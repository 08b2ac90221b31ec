// Recomputing stored deadlines after an admin changes the time-limit policy or a calendar day (issue 8). Pure:
// the issue's clocks, the new policy and calendar, and `now`. Only deadlines still in the future move (a past
// one has fired or is firing as it stands), the follow-up flags are kept (a step that fired for the old
// deadline does not fire again for the new one), and deadlines a person set — an approved extension, a
// consultation's decision, a rectification — keep their resolve date while the lights hanging off it follow the
// new rules. A suspended issue is recomputed at once for the time it had left when its clock stopped.
import type { WorkCalendar } from './calendar.ts';
import type { IssueCore } from './lifecycle/issue-core.ts';
import {
  computeDeadlines,
  computeTriage,
  KEYS_TO_SHIFT,
  retimeDeadlines,
  type Deadlines,
  type TimeLimitPolicy,
  type TriageDeadlines,
} from './sla.ts';
import { CLOCKED_STATES, type ChannelId } from './states.ts';

export interface RecomputeContext {
  policy: TimeLimitPolicy;
  calendar: WorkCalendar;
  now: Date;
  channel?: ChannelId;
}

const DEADLINE_KEYS = KEYS_TO_SHIFT;
const TRIAGE_KEYS = ['yellowAt', 'dueAt', 'overdueAt'] as const;

/** Old where it has passed (or, for signBy, was met), new where it lies ahead. */
function futureOnly<T extends object>(
  old: T,
  fresh: T,
  keys: readonly (keyof T)[],
  now: Date,
  keep: Set<keyof T>,
): T {
  const out = { ...old };
  for (const k of keys) {
    const before = old[k] as unknown as Date;
    if (keep.has(k) || before.getTime() <= now.getTime()) continue;
    out[k] = fresh[k];
  }
  return out;
}

const sameTimes = <T extends object>(a: T, b: T, keys: readonly (keyof T)[]) =>
  keys.every((k) => (a[k] as unknown as Date).getTime() === (b[k] as unknown as Date).getTime());

/** A person moved the resolve date: it stays, only the lights follow the new rules. */
function resolveFixedByPeople(core: IssueCore): boolean {
  return core.extensionCount > 0 || core.redoCount > 0 || !!core.consultation?.decidedAt;
}

function freshDeadlines(core: IssueCore, d: Deadlines, ctx: RecomputeContext): Deadlines {
  const base = { policy: ctx.policy, urgency: core.urgency, category: core.category, calendar: ctx.calendar };
  if (resolveFixedByPeople(core)) return retimeDeadlines({ ...base, deadlines: d, resolveBy: d.resolveBy });
  let fresh = computeDeadlines({ ...base, startAt: d.startAt });
  // Time spent suspended still counts: the fresh deadlines move by it, as resume moved the stored ones.
  if (d.pausedMs > 0) {
    const shifted: Deadlines = { ...fresh };
    for (const k of DEADLINE_KEYS)
      shifted[k] =
        d.basis === 'wall'
          ? new Date(fresh[k].getTime() + d.pausedMs)
          : ctx.calendar.addWorkingMs(fresh[k], d.pausedMs);
    fresh = shifted;
  }
  return fresh;
}

export interface Recomputed {
  deadlines: Deadlines | null;
  triage: TriageDeadlines | null;
}

/** The issue's clocks under the new rules, or null when nothing moves. */
export function recomputeClocks(core: IssueCore, ctx: RecomputeContext): Recomputed | null {
  if (!CLOCKED_STATES.includes(core.state)) return null;
  let deadlines = core.deadlines;
  let triage = core.triage;
  if (core.state === 'received' && triage) {
    const fresh = computeTriage({ ...ctx, urgency: core.urgency, startAt: triage.startAt });
    triage = futureOnly(triage, fresh, TRIAGE_KEYS, ctx.now, new Set());
  } else if (deadlines) {
    const fresh = freshDeadlines(core, deadlines, ctx);
    const keep = new Set<keyof Deadlines>(core.signedAt ? ['signBy'] : []);
    // A suspended issue's clock stopped at pausedAt: what lay ahead then has not fired and moves now, so the
    // page shows the new promise at once; resume later adds the suspended time, as for any suspension.
    const moved = futureOnly(deadlines, fresh, DEADLINE_KEYS, deadlines.pausedAt ?? ctx.now, keep);
    // The sign-for yellow follows its deadline.
    deadlines = moved.signBy === fresh.signBy ? { ...moved, signYellowAt: fresh.signYellowAt } : moved;
  }
  const moved =
    (deadlines && core.deadlines && !sameTimes(deadlines, core.deadlines, DEADLINE_KEYS)) ||
    (triage && core.triage && !sameTimes(triage, core.triage, TRIAGE_KEYS));
  return moved ? { deadlines, triage } : null;
}
