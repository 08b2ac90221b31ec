// One issue's life on a simulated clock, with no database: every step goes through the PURE shared core
// (applyAction with the real calendar and time-limit policy), and before each step the automatic follow-ups
// fire at their own due instants exactly as the escalation sweep fires them (refreshIssue, then the due steps
// as the system actor, each event tagged with its dueAt, one write per firing). The result is the same
// timeline, deadlines, lights, flags, version and nextCheckAt that the real commands and the sweep would have
// stored, at a few microseconds per step.
import type { WorkCalendar } from '../../../shared/calendar.ts';
import { applyAction, refreshIssue } from '../../../shared/lifecycle/apply.ts';
import type { ActionId } from '../../../shared/lifecycle/actions.ts';
import { isTransitionError } from '../../../shared/lifecycle/errors.ts';
import { SYSTEM_ACTOR, type DomainActor, type IssueCore } from '../../../shared/lifecycle/issue-core.ts';
import { dueFollowUps, type FollowUpStep } from '../../../shared/sla-steps.ts';
import type { TimeLimitPolicy } from '../../../shared/sla.ts';
import type { Urgency } from '../../../shared/states.ts';
import { SYSTEM_NAME } from '../../../server/jobs/escalation-sweep.job.ts';
import type { StoredTimelineEvent } from '../../../server/models/issue.model.ts';

/** Ends a story: its next step would lie after the data set's "now", or the core refused it. */
export class StoryStop extends Error {}
/** Thrown as one shared instance: a story ends or turns once per issue, and a stack trace costs more. */
const STOP = new StoryStop();
export const stopStory = (): never => {
  throw STOP;
};

/** The follow-ups changed the state on the way (e.g. an escalation): the story looks at the issue again. */
export class StateChanged extends Error {}
const CHANGED = new StateChanged();

/** A named actor: the timeline stores the display name beside the id. */
export type NamedActor = DomainActor & { name: string };

export interface SimSettings {
  calendar: WorkCalendar;
  policy: TimeLimitPolicy;
  /** The data set's "now" (ms): nothing happens after it. */
  asOf: number;
}

/** Urgent work moves faster (as in the demo seed): delays are scaled by urgency and the issue's own pace. */
const PACE: Readonly<Record<Urgency, number>> = { critical: 0.12, urgent: 0.4, normal: 1, complex: 2.2 };
/** More firings than any issue needs between two human steps; a guard against a bad calendar, not a limit. */
const MAX_FIRINGS = 40;

interface Snapshot {
  core: IssueCore;
  events: number;
  version: number;
  updatedAt: number;
  t: number;
}

type UnitNames = (unitId: string) => string | undefined;

function stepDueAt(core: IssueCore, step: FollowUpStep): Date | null {
  const d = core.deadlines;
  if (step === 'urge') return d?.yellowAt ?? null;
  if (step === 'supervise') return d?.redAt ?? null;
  if (step === 'escalate') return d?.escalateAt ?? null;
  if (step === 'bulletin') return d?.bulletinAt ?? null;
  if (step === 'request_callback') return core.rateBy;
  return null;
}

export class IssueSim {
  readonly timeline: StoredTimelineEvent[];
  version = 1;
  /** Simulated now, ms. */
  t: number;
  updatedAt: number;
  /** The state just before the latest write, when that write was a follow-up firing (else null). */
  private beforeFiring: Snapshot | null = null;

  constructor(
    private readonly settings: SimSettings,
    public core: IssueCore,
    createdAt: number,
    opening: StoredTimelineEvent[],
    public unitName: string | null,
    private readonly pace: number,
    private readonly unitNames: UnitNames,
  ) {
    this.t = createdAt;
    this.updatedAt = createdAt;
    this.timeline = opening;
  }

  get state() {
    return this.core.state;
  }

  /** Moves on by working hours (scaled by pace), firing follow-ups on the way; stops at the data set's now. */
  after(workingHours: number): void {
    const ms = Math.max(1, workingHours * PACE[this.core.urgency] * this.pace * 3_600_000);
    const at = this.settings.calendar.addWorkingMs(new Date(this.t), ms).getTime();
    if (at > this.settings.asOf) throw STOP;
    const state = this.core.state;
    this.catchUp(at);
    this.t = at;
    if (this.core.state !== state) throw CHANGED;
  }

  /** One human action through the shared core; a refusal ends the story, as the app would refuse it. */
  act(actor: NamedActor, action: ActionId, input: Record<string, unknown> = {}): void {
    const now = new Date(this.t);
    const { calendar, policy } = this.settings;
    let result;
    try {
      result = applyAction(this.core, action, input, { now, actor, calendar, policy });
    } catch (err) {
      if (isTransitionError(err)) throw STOP;
      throw err;
    }
    const core = result.issue;
    if (!core.unitId) this.unitName = null;
    else if (input.unitId === core.unitId) this.unitName = this.unitNames(core.unitId) ?? this.unitName;
    this.write(core, [{ ...result.event, actorName: actor.name }], false, this.t);
  }

  /** Fires the follow-ups due up to `until`, each at its own instant (what the sweep does every minute). */
  catchUp(until: number): void {
    const ctx = { actor: SYSTEM_ACTOR, calendar: this.settings.calendar, policy: this.settings.policy };
    for (let i = 0; i < MAX_FIRINGS; i++) {
      const due = this.core.nextCheckAt?.getTime();
      if (due === undefined || due > until) return;
      const now = new Date(Math.max(due, this.t));
      const before = this.core;
      let core = refreshIssue(before, now);
      const events: StoredTimelineEvent[] = [];
      for (const step of dueFollowUps(before, now)) {
        const dueAt = step === 'warning' ? null : stepDueAt(before, step);
        if (!dueAt) continue;
        try {
          const r = applyAction(core, step as ActionId, {}, { ...ctx, now });
          core = r.issue;
          events.push({ ...r.event, actorName: SYSTEM_NAME, data: { ...r.event.data, dueAt } });
        } catch (err) {
          if (!isTransitionError(err)) throw err;
        }
      }
      const lightMoved =
        core.warning !== before.warning || core.nextCheckAt?.getTime() !== before.nextCheckAt?.getTime();
      if (!events.length && !lightMoved) return;
      this.write(core, events, true, now.getTime());
      if (core.nextCheckAt?.getTime() === due) return;
    }
  }

  /**
   * Undoes the latest write if it was a follow-up firing, so the issue is left exactly as it was before the
   * sweep got to it: due (nextCheckAt ≤ now). False when the latest write was a person's.
   */
  rollBackLastFiring(): boolean {
    const s = this.beforeFiring;
    if (!s) return false;
    this.core = s.core;
    this.timeline.length = s.events;
    this.version = s.version;
    this.updatedAt = s.updatedAt;
    this.t = s.t;
    this.beforeFiring = null;
    return true;
  }

  private write(core: IssueCore, events: StoredTimelineEvent[], firing: boolean, at: number): void {
    this.beforeFiring = firing
      ? {
          core: this.core,
          events: this.timeline.length,
          version: this.version,
          updatedAt: this.updatedAt,
          t: this.t,
        }
      : null;
    this.core = core;
    this.version += 1;
    this.t = at;
    // The sweep moves updatedAt only when it appends an event; every person's action does.
    if (events.length) {
      this.updatedAt = at;
      this.timeline.push(...events);
    }
  }
}
