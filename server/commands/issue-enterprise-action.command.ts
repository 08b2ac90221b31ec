// An action by a verified enterprise owner on the QR page (today: the good/bad rating). The owner's session is
// scoped to one enterprise, so another enterprise's issue is simply not found. Same single version-checked
// write as staff actions; the timeline records the enterprise, not a person. A rating is given once: a
// repeat (a second tap, or two taps racing) answers 409 `already_rated` and changes nothing.
import { ACTION_LABELS, ENTERPRISE_ACTIONS, type ActionId } from '../../shared/lifecycle/actions.ts';
import { enterpriseActor } from '../../shared/lifecycle/issue-core.ts';
import { AppError, forbidden, isAppError, notFound } from '../errors.ts';
import type { IssueDoc } from '../models/issue.model.ts';
import { enterpriseOwnsIssue } from '../policies/issue.policy.ts';
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

const alreadyRated = () => new AppError('already_rated', 409, '该问题已评价');

async function loadOwnIssue(deps: IssueCommandDeps, req: EnterpriseActionRequest): Promise<IssueDoc> {
  const doc = await loadIssue(deps.models, req.issueId);
  if (!enterpriseOwnsIssue(req.enterpriseId, doc)) throw notFound('问题不存在');
  if (req.action === 'rate' && doc.rating) throw alreadyRated();
  return doc;
}

export async function issueEnterpriseActionCommand(
  deps: IssueCommandDeps,
  req: EnterpriseActionRequest,
): Promise<IssueDoc> {
  if (!ENTERPRISE_ACTIONS.includes(req.action))
    throw forbidden(`企业不能执行「${ACTION_LABELS[req.action]}」`);
  const doc = await loadOwnIssue(deps, req);
  const { calendar, policy } = await deps.settings();
  const now = deps.clock.now();
  const actor = enterpriseActor(req.enterpriseId);
  const ctx = { now, actor, calendar, policy, issueId: String(doc._id) };
  const result = applyOrFail(toCore(doc), req.action, req.input, ctx);
  const set = changedSet(toCore(doc), result.issue, now);
  let updated: IssueDoc;
  try {
    updated = await saveTransition(deps.models, doc, set, withActorName(result.event, doc.enterpriseName));
  } catch (err) {
    // Lost a race: if the winner was the same owner's other tap, say so rather than "conflict".
    if (isAppError(err) && err.code === 'conflict') await loadOwnIssue(deps, req);
    throw err;
  }
  notifyChange(deps, changeOf(updated, req.action, doc.state, actor.id, now));
  return updated;
}
