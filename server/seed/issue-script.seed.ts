// The demo seed's actor: it walks one issue through time with the REAL commands on a simulated clock, so every
// timeline entry, deadline, warning light and follow-up is what production would have written. Before each
// step it lets the escalation sweep fire the automatic follow-ups (urge, supervise, escalate, …) at their own
// due instants, scoped to this issue and on its clock, and it never steps past "now": recent issues simply stop
// where their story has got to.
import type { Actor } from '../../shared/roles.ts';
import type { SimulatedClock } from '../../shared/clock.ts';
import type { WorkCalendar } from '../../shared/calendar.ts';
import type { ActionId } from '../../shared/lifecycle/actions.ts';
import { issueActionCommand } from '../commands/issue-action.command.ts';
import type { IssueCommandDeps } from '../commands/issue-deps.ts';
import { loadIssue } from '../commands/issue-store.ts';
import { runEscalationSweep } from '../jobs/escalation-sweep.job.ts';
import type { IssueDoc, UnitDoc } from '../models/index.ts';

/** Ends a story early: its next step would lie in the future, or the state no longer allows it. */
export class StoryEnd extends Error {}

const MAX_FOLLOW_UPS_PER_STEP = 12;

const QUIET = { info() {}, warn() {}, error() {}, debug() {} };

/** Urgent work moves faster: story delays are scaled by the issue's urgency. */
const PACE = { critical: 0.12, urgent: 0.4, normal: 1, complex: 2.2 } as const;

export interface ScriptWorld {
  deps: IssueCommandDeps;
  clock: SimulatedClock;
  calendar: WorkCalendar;
  end: Date;
  actors: ReadonlyMap<string, Actor>;
  unitsById: ReadonlyMap<string, UnitDoc>;
}

export class IssueScript {
  constructor(
    private readonly world: ScriptWorld,
    public doc: IssueDoc,
  ) {}

  get state() {
    return this.doc.state;
  }

  get id(): string {
    return String(this.doc._id);
  }

  /** Code of the lead unit, e.g. `city-drc`. */
  get unitCode(): string | null {
    return this.doc.unitId ? (this.world.unitsById.get(String(this.doc.unitId))?.code ?? null) : null;
  }

  get handler(): string {
    const code = this.unitCode;
    if (!code) throw new StoryEnd('no lead unit');
    return `handler-${code}`;
  }

  /** Moves the clock on by working hours (never past the seed's "now"). */
  async after(workingHours: number): Promise<void> {
    const { clock, calendar, end } = this.world;
    const at = calendar.addWorkingHours(clock.now(), workingHours * PACE[this.doc.urgency]);
    if (at.getTime() > end.getTime()) throw new StoryEnd('in the future');
    await this.catchUp(at);
    clock.set(at);
  }

  /**
   * Moves the clock to `workingHours` past the issue's resolve deadline (a unit that replies late, after the red
   * light but before the overrun escalates it to consultation); stays put when that is already past.
   */
  async pastDue(workingHours: number): Promise<void> {
    const { clock, calendar, end } = this.world;
    if (!this.doc.dueAt) return this.after(workingHours);
    const at = calendar.addWorkingHours(this.doc.dueAt, workingHours);
    if (at.getTime() <= clock.now().getTime()) return;
    if (at.getTime() > end.getTime()) throw new StoryEnd('in the future');
    await this.catchUp(at);
    clock.set(at);
  }

  /** Performs an action as a demo user; a refusal ends the story (the issue stays where it is). */
  async act(username: string, action: ActionId, input: Record<string, unknown> = {}): Promise<void> {
    const actor = this.world.actors.get(username);
    if (!actor) throw new StoryEnd(`no demo user ${username}`);
    try {
      this.doc = await issueActionCommand(this.world.deps, actor, { issueId: this.id, action, input });
    } catch {
      throw new StoryEnd(`${action} refused`);
    }
  }

  /** Fires the automatic follow-ups due up to `until`, each at its own instant. */
  async catchUp(until: Date): Promise<void> {
    for (let i = 0; i < MAX_FOLLOW_UPS_PER_STEP; i++) {
      const due = this.doc.nextCheckAt;
      if (!due || due.getTime() > until.getTime()) return;
      this.world.clock.set(new Date(Math.max(due.getTime(), this.world.clock.now().getTime())));
      const { models, settings, onChange } = this.world.deps;
      // One process seeds alone: its simulated clock can stamp the leases (no database time round trip).
      const leaseClock = async () => this.world.clock.now();
      const sweep = { models, clock: this.world.clock, settings, onChange, logger: QUIET, leaseClock };
      const report = await runEscalationSweep({ ...sweep, issueId: this.doc._id });
      if (report.failed) throw new Error(`seed: follow-ups of ${this.doc.number} failed`);
      this.doc = await loadIssue(models, this.id);
      if (this.doc.nextCheckAt?.getTime() === due.getTime()) return;
    }
  }
}
