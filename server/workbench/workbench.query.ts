// GET /api/workbench: the count of each of the caller's to-do queues (queues.ts), and for a unit head the load
// of each person in the unit. Every count is an indexed count of the queue's own conditions.
//
// The person responsible for an issue is its assignee (the signer, or whom the unit head assigned it to). A
// unit's load is its open issues grouped by that person; dispatched issues nobody signed for are the unit's
// unassigned work (its "to sign" queue).
import { Types } from 'mongoose';
import type { Actor } from '../../shared/roles.ts';
import { HANDLING_STATES, OPEN_STATES } from '../../shared/states.ts';
import type { Models } from '../models/index.ts';
import {
  APPROVAL_INDEX,
  ASSIGNEE_ISSUES_INDEX,
  BULLETINED_INDEX,
  CALLBACK_INDEX,
  CONSULTING_INDEX,
  CONSULTED_UNIT_INDEX,
  PAST_DUE_ASSIGNEE_INDEX,
  RATING_CHECK_INDEX,
  SUPERVISED_INDEX,
  UNIT_ISSUES_INDEX,
  UNIT_LIT_INDEX,
  UNIT_REDONE_INDEX,
  UNIT_SENT_BACK_INDEX,
} from '../models/issue.indexes.ts';
import { PAST_DUE } from '../policies/issue.policy.ts';
import { QUEUE_LABELS, queueFilter, queuesOf, type QueueId } from './queues.ts';

export interface WorkbenchDeps {
  models: Models;
}

export interface HandlerLoad {
  userId: string;
  name: string;
  open: number;
  overdue: number;
}

/**
 * A unit's load: each person's open and overdue issues, counted from index keys (two counts a person). Signing
 * for an issue makes the signer its assignee; issues signed for before that got theirs from their timelines
 * once (models/issue-upgrades.ts).
 */
async function unitLoad(models: Models, unitId: string): Promise<HandlerLoad[]> {
  const unit = new Types.ObjectId(unitId);
  const open = { unitId: unit, state: { $in: OPEN_STATES } };
  const people = await models.User.find(
    { unitId: unit, role: { $in: ['handler', 'unit_head'] }, disabled: { $ne: true } },
    { name: 1 },
  ).lean();
  const load = await Promise.all(
    people.map(async (p) => {
      const theirs = { ...open, assigneeId: String(p._id) };
      // Overdue as the 已超期 tile counts it: still being handled (a replied issue keeps its light).
      const late = { ...theirs, state: { $in: HANDLING_STATES }, ...PAST_DUE };
      const [count, overdue] = await Promise.all([
        models.Issue.countDocuments(theirs, { hint: ASSIGNEE_ISSUES_INDEX }),
        models.Issue.countDocuments(late, { hint: PAST_DUE_ASSIGNEE_INDEX }),
      ]);
      return { userId: String(p._id), name: p.name, open: count, overdue };
    }),
  );
  return load.sort((a, b) => b.open - a.open || a.name.localeCompare(b.name, 'zh-CN'));
}

/** The raw inbox's dead letters: entries that failed to parse or route, until retried or discarded. */
function failedInboundCount(models: Models): Promise<number> {
  return models.InboxEntry.countDocuments({ status: 'failed' }, { hint: { status: 1, acceptedAt: -1 } });
}

/** The index each count names, where the planner's trial could pick one that reads more (issue.indexes.ts). */
const COUNT_INDEX: Partial<Record<QueueId, object>> = {
  mine: ASSIGNEE_ISSUES_INDEX,
  consultInput: CONSULTED_UNIT_INDEX,
  rectify: UNIT_REDONE_INDEX,
  returned: UNIT_SENT_BACK_INDEX,
  dueSoon: UNIT_LIT_INDEX,
  overdue: UNIT_LIT_INDEX,
  callback: CALLBACK_INDEX,
  ratingCheck: RATING_CHECK_INDEX,
  approval: APPROVAL_INDEX,
  convene: CONSULTING_INDEX,
  supervised: SUPERVISED_INDEX,
  bulletined: BULLETINED_INDEX,
};

/**
 * The count query of one of the actor's queues, on the index that holds its whole filter, so that the count
 * reads index keys only.
 */
export function queueCountQuery(actor: Actor, id: QueueId) {
  const filter = queueFilter(actor, id);
  if (!filter) return undefined;
  const hint = COUNT_INDEX[id] ?? ('unitId' in filter ? UNIT_ISSUES_INDEX : undefined);
  return { filter, options: hint ? { hint } : {} };
}

export async function workbenchOf(deps: WorkbenchDeps, actor: Actor) {
  const queues = await Promise.all(
    queuesOf(actor).map(async (id) => {
      const query = queueCountQuery(actor, id);
      let count: number | null = null;
      if (query) count = await deps.models.Issue.countDocuments(query.filter, query.options);
      else if (id === 'deadLetters') count = await failedInboundCount(deps.models);
      return { id, label: QUEUE_LABELS[id], count };
    }),
  );
  if (actor.role === 'unit_head' && actor.unitId)
    return { queues, load: await unitLoad(deps.models, actor.unitId) };
  return { queues };
}
