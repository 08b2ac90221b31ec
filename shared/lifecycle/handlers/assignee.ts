// The unit head hands an issue to one of the unit's handlers (issue 9). Whether the user is an active handler
// of the lead unit is the server's check (it knows the users); the core records who and why.

import type { AssignInput } from '../../schemas.ts';
import { fail, type Handler } from '../helpers.ts';

export const assign: Handler<AssignInput> = (issue, input) => {
  if (issue.assigneeId === input.userId) fail('invalid_input', '该问题已由此人办理');
  const from = issue.assigneeId ?? null;
  issue.assigneeId = input.userId;
  return { note: input.reason, data: { assigneeId: input.userId, fromAssigneeId: from } };
};
