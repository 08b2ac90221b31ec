// The conditions of a staff list request, as one `$and`: the actor's visibility (from the policies), the
// filters, and for fields that share a compound index with a filtered one (issue.indexes.ts) every value of
// the unfiltered field. That last part selects nothing extra (the fields are closed enums the schema
// enforces); it lets the planner run the index as one merged scan per value, delivering the list's order
// instead of sorting. Pure: tests and the plan test build the same conditions.
import type { Actor } from '../../../shared/roles.ts';
import { CHANNEL_IDS, ISSUE_STATES, URGENCIES } from '../../../shared/states.ts';
import { NO_UNIT } from '../../../shared/issue-list.ts';
import { badRequest } from '../../errors.ts';
import { issueVisibilityFilter, LATE_FILTERS } from '../../policies/issue.policy.ts';
import { kpiDrillVisibility } from '../../policies/screens.policy.ts';
import { queueFilter } from '../../workbench/queues.ts';
import type { Filter } from './issue-list.order.ts';
import type { ListIssuesQuery } from './issues.schema.ts';

const inList = (values: readonly string[] | undefined) => (values ? { $in: values } : undefined);

/** Fields that share an index with a filtered one (or with a visibility branch), named in full. */
function completions(actor: Actor, q: ListIssuesQuery): Filter {
  const out: Filter = {};
  // State sits second in {category, state}, {warning, state}, {unitId, state} and every visibility branch,
  // and first in {state, region}.
  const scoped =
    !q.queue && (actor.role === 'handler' || actor.role === 'unit_head' || actor.role === 'leader');
  if (!q.state && !q.queue && (scoped || q.category || q.warning || q.unitId || q.region))
    out.state = { $in: ISSUE_STATES };
  // {channel, urgency, …}: either one alone.
  if (!q.urgency && q.channel) out.urgency = { $in: URGENCIES };
  if (!q.channel && q.urgency) out.channel = { $in: CHANNEL_IDS };
  return out;
}

function fieldFilters(q: ListIssuesQuery): Filter {
  const fields: Filter = {
    state: inList(q.state),
    category: inList(q.category),
    urgency: inList(q.urgency),
    warning: inList(q.warning),
    channel: inList(q.channel),
    unitId: q.unitId === NO_UNIT ? null : q.unitId,
    enterpriseId: q.enterpriseId,
    region: q.region,
    ...(q.late && LATE_FILTERS[q.late]),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Everything a list request asks for except the search text and the cursor. */
export function listConditions(actor: Actor, q: ListIssuesQuery): Filter[] {
  const out: Filter[] = [];
  // A queue's conditions lie within the actor's visibility (its own unit, or the centre's city-wide desks).
  // A KPI's drill-down lists what the figure counted (the KPI scope), not only the actor's own domain.
  const drill = q.scope === 'kpi' ? kpiDrillVisibility(actor) : undefined;
  const visibility = q.queue ? queueOf(actor, q.queue) : (drill ?? issueVisibilityFilter(actor));
  if (Object.keys(visibility).length) out.push(visibility);
  const fields = { ...fieldFilters(q), ...completions(actor, q) };
  if (Object.keys(fields).length) out.push(fields);
  if (q.from || q.to) {
    out.push({ createdAt: { ...(q.from && { $gte: q.from }), ...(q.to && { $lte: q.to }) } });
  }
  // Due soonest reads the dated issues and then the undated ones (issue-read.query.ts), each on its own bounds.
  return out;
}

function queueOf(actor: Actor, queue: NonNullable<ListIssuesQuery['queue']>): Filter {
  const filter = queueFilter(actor, queue);
  if (!filter)
    throw badRequest(
      queue === 'deadLetters' ? '接入失败的消息请在收件箱查看' : '该待办队列不属于您的岗位',
      'invalid_queue',
    );
  return filter;
}

/** One filter document from a list of conditions. */
export function allOf(conditions: Filter[]): Filter {
  if (conditions.length === 0) return {};
  return conditions.length === 1 ? conditions[0] : { $and: conditions };
}
