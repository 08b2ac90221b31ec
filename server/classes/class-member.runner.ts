// Applies one class action to every member, each through its own version-checked write (issue 7 §3): load the
// member, compute its step with the pure transition, save only if nobody wrote in between. A member someone
// is editing at that moment moved its version: it is loaded again and decided again (never overwritten), a few
// times; a member that moved out of reach in the meantime is skipped with its new state.
import type { Types } from 'mongoose';
import type { ActionContext } from '../../shared/lifecycle/issue-core.ts';
import type { Actor } from '../../shared/roles.ts';
import { changeOf, notifyChange, type IssueCommandDeps } from '../commands/issue-deps.ts';
import { toCore, trySaveTransition, changedSet, withActorName } from '../commands/issue-store.ts';
import type { IssueDoc } from '../models/issue.model.ts';
import type { MemberStep } from './class-resolve.ts';
import type { IssueCore } from '../../shared/lifecycle/issue-core.ts';

export const MAX_ATTEMPTS = 5;

export interface MemberOutcome {
  issueId: string;
  number: string;
  enterpriseName: string;
  result: 'done' | 'skipped' | 'busy';
  /** The member's state after the action (or the state that made it skip). */
  state: string;
  /** Writes that lost to a concurrent edit before this one went through. */
  retries: number;
  reason?: string;
}

type Step = (core: IssueCore, ctx: ActionContext) => MemberStep<IssueCore>;

export async function applyToMembers(
  deps: IssueCommandDeps,
  actor: Actor,
  memberIds: readonly Types.ObjectId[],
  step: Step,
): Promise<MemberOutcome[]> {
  const { calendar, policy } = await deps.settings();
  const out: MemberOutcome[] = [];
  for (const id of memberIds) out.push(await applyToMember(deps, actor, id, step, { calendar, policy }));
  return out;
}

async function applyToMember(
  deps: IssueCommandDeps,
  actor: Actor,
  id: Types.ObjectId,
  step: Step,
  settings: Pick<ActionContext, 'calendar' | 'policy'>,
): Promise<MemberOutcome> {
  let retries = 0;
  for (;;) {
    const doc = await deps.models.Issue.findById(id).lean<IssueDoc>();
    if (!doc)
      return {
        issueId: String(id),
        number: '',
        enterpriseName: '',
        result: 'skipped',
        state: 'missing',
        retries,
      };
    const base = { issueId: String(id), number: doc.number, enterpriseName: doc.enterpriseName, retries };
    const now = deps.clock.now();
    const ctx: ActionContext = { now, actor, ...settings, issueId: String(id), channel: doc.channel };
    const before = toCore(doc);
    const s = step(before, ctx);
    if (s.kind === 'skip') return { ...base, result: 'skipped', state: doc.state, reason: s.reason };
    const events = s.events.map((e) => withActorName(e, actor.name ?? actor.username));
    const saved = await trySaveTransition(deps.models, doc, changedSet(before, s.issue, now), events);
    if (saved) {
      const last = s.events[s.events.length - 1];
      notifyChange(deps, changeOf(saved, last.action, doc.state, actor.id, now));
      return { ...base, result: 'done', state: saved.state };
    }
    if (++retries >= MAX_ATTEMPTS) return { ...base, retries, result: 'busy', state: doc.state };
  }
}
