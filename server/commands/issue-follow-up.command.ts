// The automatic follow-ups of DESIGN §5 for one issue, as the system: refresh the warning light, then urge,
// supervise, escalate, bulletin or request a callback for every step due at the clock's now. All due steps
// land in one version-checked write, so with several sweepers (or a sweeper racing a person) each step fires
// once: the loser's write matches nothing and it simply looks again on its next pass.
import { applyAction, refreshIssue } from '../../shared/lifecycle/apply.ts';
import { isTransitionError } from '../../shared/lifecycle/errors.ts';
import { SYSTEM_ACTOR, type IssueCore } from '../../shared/lifecycle/issue-core.ts';
import { dueFollowUps } from '../../shared/sla.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/issue.model.ts';
import { changeOf, notifyChange, type IssueCommandDeps } from './issue-deps.ts';
import { changedSet, toCore, trySaveTransition, withActorName } from './issue-store.ts';

export const SYSTEM_NAME = '系统';

export interface FollowUpResult {
  /** The issue after the write (unchanged when nothing was due). */
  issue: IssueDoc;
  fired: string[];
}

/** Null when another writer got there first (the caller looks again later). */
export async function issueFollowUpCommand(
  deps: IssueCommandDeps,
  doc: IssueDoc,
): Promise<FollowUpResult | null> {
  const now = deps.clock.now();
  const steps = dueFollowUps(toCore(doc), now);
  if (!steps.length) return { issue: doc, fired: [] };
  const { calendar, policy } = await deps.settings();
  let core: IssueCore = refreshIssue(toCore(doc), now);
  const events: StoredTimelineEvent[] = [];
  const fired: string[] = [];
  for (const step of steps) {
    if (step === 'warning') continue;
    try {
      const r = applyAction(
        core,
        step,
        {},
        { now, actor: SYSTEM_ACTOR, calendar, policy, issueId: String(doc._id) },
      );
      core = r.issue;
      events.push(withActorName(r.event, SYSTEM_NAME));
      fired.push(step);
    } catch (err) {
      // A step the state no longer allows (e.g. escalated meanwhile) is simply not due any more.
      if (!isTransitionError(err)) throw err;
    }
  }
  const updated = await trySaveTransition(deps.models, doc, changedSet(toCore(doc), core, now), events);
  if (!updated) return null;
  if (events.length) {
    notifyChange(deps, changeOf(updated, events[events.length - 1].action, doc.state, SYSTEM_ACTOR.id, now));
  }
  return { issue: updated, fired };
}
