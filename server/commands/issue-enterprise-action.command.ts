// An action by a verified enterprise owner on the QR page (today: the good/bad rating). The owner's session is
// scoped to one enterprise, so another enterprise's issue is simply not found. Same single version-checked
// write as staff actions; the timeline records the enterprise, not a person.
import { ACTION_LABELS, ENTERPRISE_ACTIONS, type ActionId } from '../../shared/lifecycle/actions.ts';
import { enterpriseActor } from '../../shared/lifecycle/issue-core.ts';
import { forbidden, notFound } from '../errors.ts';
import type { IssueDoc } from '../models/issue.model.ts';
import { changeOf, notifyChange, type IssueCommandDeps } from './issue-deps.ts';
import { applyOrFail, changedSet, loadIssue, saveTransition, toCore, withActorName } from './issue-store.ts';

export interface EnterpriseActionRequest {
  /** The enterprise the owner verified for (from their session, never from the request body). */
  enterpriseId: string;
  issueId: string;
  action: ActionId;
  /** Already validated against ACTION_SCHEMAS. */
  input: Record<string, unknown>;
}

export async function issueEnterpriseActionCommand(
  deps: IssueCommandDeps,
  req: EnterpriseActionRequest,
): Promise<IssueDoc> {
  if (!ENTERPRISE_ACTIONS.includes(req.action))
    throw forbidden(`企业不能执行「${ACTION_LABELS[req.action]}」`);
  const doc = await loadIssue(deps.models, req.issueId);
  if (String(doc.enterpriseId) !== req.enterpriseId) throw notFound('问题不存在');
  const { calendar, policy } = await deps.settings();
  const now = deps.clock.now();
  const actor = enterpriseActor(req.enterpriseId);
  const result = applyOrFail(toCore(doc), req.action, req.input, {
    now,
    actor,
    calendar,
    policy,
    issueId: String(doc._id),
  });
  const set = changedSet(toCore(doc), result.issue, now);
  const updated = await saveTransition(
    deps.models,
    doc,
    set,
    withActorName(result.event, doc.enterpriseName),
  );
  notifyChange(deps, changeOf(updated, req.action, doc.state, actor.id, now));
  return updated;
}
