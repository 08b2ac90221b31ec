// One lifecycle action on one issue (POST /api/issues/:id/actions/:action): load, authorise with the pure
// policies, resolve the units or issue the body names, apply the shared state machine, and write state and
// timeline event in one version-checked update. Listeners hear about it only after the write committed.
import { Types } from 'mongoose';
import { ACTION_LABELS, roleMayPerform, type ActionId } from '../../shared/lifecycle/actions.ts';
import { ACTION_SCHEMAS } from '../../shared/schemas.ts';
import type { Actor } from '../../shared/roles.ts';
import { STATE_LABELS, TERMINAL_STATES } from '../../shared/states.ts';
import { AppError, conflict, forbidden, notFound } from '../errors.ts';
import type { Models, UnitDoc } from '../models/index.ts';
import { messagesOf, type IssueDoc, type IssueSource } from '../models/issue.model.ts';
import { canActOnIssue } from '../policies/issue.policy.ts';
import { canReadIssue } from '../policies/screens.policy.ts';
import { coordinationTier, defaultRouting } from '../../config/routing.ts';
import { loadIntakeConfig, type IntakeConfig } from '../intake/intake-config.ts';
import { routeIssue, type DefaultRouting } from '../../shared/route-issue.ts';
import { issueText } from '../text/issue-text.ts';
import { changeOf, notifyChange, type IssueCommandDeps } from './issue-deps.ts';
import {
  applicableOrFail,
  applyOrFail,
  changedSet,
  loadIssue,
  saveTransition,
  scopeOf,
  toCore,
  withActorName,
} from './issue-store.ts';

type ParsedRequest = IssueActionRequest & { input: Record<string, unknown> };

export interface IssueActionRequest {
  issueId: string;
  action: ActionId;
  /**
   * The body as sent: checked against ACTION_SCHEMAS here, once the caller may act on the issue, so a caller
   * who may not is told that (403/404), never what their body lacks.
   */
  input: unknown;
  /** The version the client saw (If-Match); a stale one answers 409 `conflict` before anything is tried. */
  expectedVersion?: number;
}

const LEAD_UNIT_ACTIONS = new Set<ActionId>(['dispatch', 'transfer', 'decide', 'reclassify']);

/** Routing for `reclassify` (the issues router passes the app's configuration snapshot). */
export type IssueActionDeps = IssueCommandDeps & {
  intakeConfig?: () => Promise<IntakeConfig>;
  defaultRouting?: DefaultRouting;
};

/**
 * Where a reclassified issue goes: nowhere once signed for; a waiting issue to its new category's route when
 * routing is sure of it (as intake would have done); a dispatched one to that route when the category changed.
 */
async function reclassifyRoute(deps: IssueActionDeps, doc: IssueDoc, input: Record<string, unknown>) {
  const category = (input.category as IssueDoc['category'] | undefined) ?? doc.category;
  const waiting = doc.state === 'received';
  if (!waiting && (doc.state !== 'dispatched' || category === doc.category)) return {};
  // The township intake routed by (the desk previews by it); an issue taken in before issues kept one reads
  // its enterprise's.
  const [config, township] = await Promise.all([
    deps.intakeConfig ? deps.intakeConfig() : loadIntakeConfig(deps.models),
    doc.township ??
      deps.models.Enterprise.findById(doc.enterpriseId, { township: 1 })
        .lean()
        .then((e) => e?.township),
  ]);
  const query = { category, region: doc.region, township, text: issueText(doc) };
  const route = routeIssue(config, query, deps.defaultRouting ?? defaultRouting);
  if (!route || (waiting && !route.confident)) return {};
  return { unitId: route.unitId, coUnitIds: route.coUnitIds };
}

/** The coordination tier intake would give the corrected category and urgency. */
function reclassifyTier(doc: IssueDoc, input: Record<string, unknown>) {
  const category = (input.category as IssueDoc['category'] | undefined) ?? doc.category;
  const urgency = (input.urgency as IssueDoc['urgency'] | undefined) ?? doc.urgency;
  return coordinationTier({ categories: [category], regions: [doc.region], complex: urgency === 'complex' });
}

async function findUnits(models: Models, ids: readonly string[]): Promise<Map<string, UnitDoc>> {
  if (!ids.length) return new Map();
  const bad = ids.find((id) => !Types.ObjectId.isValid(id));
  if (bad) throw new AppError('unknown_unit', 400, `单位不存在：${bad}`);
  const units = await models.Unit.find({ _id: { $in: ids } }).lean();
  const byId = new Map(units.map((u) => [String(u._id), u]));
  const missing = ids.find((id) => !byId.has(id));
  if (missing) throw new AppError('unknown_unit', 400, `单位不存在：${missing}`);
  return byId;
}

/** Units the body names must exist; the lead unit's level travels with it into the core. */
async function resolveReferences(deps: IssueActionDeps, doc: IssueDoc, req: ParsedRequest) {
  const { models } = deps;
  const input = { ...req.input };
  if (req.action === 'reclassify')
    Object.assign(input, await reclassifyRoute(deps, doc, input), { tier: reclassifyTier(doc, input) });
  const ids = [
    input.unitId,
    ...((input.coUnitIds as string[]) ?? []),
    ...((input.unitIds as string[]) ?? []),
  ];
  const units = await findUnits(
    models,
    ids.filter((x): x is string => typeof x === 'string'),
  );
  const lead = typeof input.unitId === 'string' ? units.get(input.unitId) : undefined;
  if (lead && LEAD_UNIT_ACTIONS.has(req.action)) input.level = lead.level;
  if (req.action === 'merge') input.intoNumber = await checkMergeTarget(models, doc, String(input.intoId));
  const assignee = req.action === 'assign' ? await checkAssignee(models, doc, String(input.userId)) : null;
  return { input, lead, assignee };
}

/** The new assignee must be an active handler (or the head) of the issue's lead unit. */
async function checkAssignee(models: Models, doc: IssueDoc, userId: string) {
  const user = Types.ObjectId.isValid(userId)
    ? await models.User.findById(userId, { name: 1, role: 1, unitId: 1, disabled: 1 }).lean()
    : null;
  const inUnit =
    !!user &&
    !user.disabled &&
    (user.role === 'handler' || user.role === 'unit_head') &&
    !!doc.unitId &&
    String(user.unitId) === String(doc.unitId);
  if (!user || !inUnit) throw new AppError('invalid_assignee', 400, '只能指派给本单位在岗的经办人');
  return { id: String(user._id), name: user.name };
}

/** The assignee's name travels with the id (lists show it without a lookup). */
function assigneeNameOf(
  before: IssueDoc,
  assigneeId: string | null | undefined,
  actor: Actor,
  assignee: { id: string; name: string } | null,
): string | null {
  if (!assigneeId) return null;
  if (assignee?.id === assigneeId) return assignee.name;
  if (assigneeId === actor.id) return actor.name ?? actor.username;
  return before.assigneeName ?? null;
}

/** The master exists and is still being handled; its number, for the merge's timeline entry. */
async function checkMergeTarget(models: Models, doc: IssueDoc, intoId: string): Promise<string> {
  if (intoId === String(doc._id)) throw new AppError('invalid_input', 400, '不能将问题合并到其自身');
  const target = Types.ObjectId.isValid(intoId)
    ? await models.Issue.findById(intoId, { state: 1, number: 1 }).lean<Pick<IssueDoc, 'state' | 'number'>>()
    : null;
  if (!target) throw new AppError('unknown_issue', 400, '要合并到的问题不存在');
  // A finished master would take the duplicate with it: closed, the duplicate's complaint was never handled.
  if (TERMINAL_STATES.includes(target.state)) {
    throw new AppError(
      'illegal_transition',
      409,
      `不能合并到${STATE_LABELS[target.state]}的问题${target.number}：请合并到仍在办理的问题，或单独分办`,
    );
  }
  return target.number;
}

function authorise(actor: Actor, doc: IssueDoc, action: ActionId): void {
  // Invisible issues are "not found": a handler must not learn that another unit's issue exists.
  if (!canReadIssue(actor, scopeOf(doc))) throw notFound('问题不存在');
  if (!canActOnIssue(actor, action, scopeOf(doc))) {
    throw forbidden(`您无权对该问题执行「${ACTION_LABELS[action]}」`);
  }
}

export async function issueActionCommand(
  deps: IssueActionDeps,
  actor: Actor,
  req: IssueActionRequest,
): Promise<IssueDoc> {
  const { models } = deps;
  if (!roleMayPerform(actor.role, req.action))
    throw forbidden(`您的角色无权执行「${ACTION_LABELS[req.action]}」`);
  const doc = await loadIssue(models, req.issueId);
  authorise(actor, doc, req.action);
  if (req.expectedVersion !== undefined && req.expectedVersion !== doc.version) {
    throw conflict('该问题已被他人更新，请刷新后重试', 'conflict');
  }
  // What the state allows, then the body: a step the issue cannot take is refused as such, whatever was sent.
  applicableOrFail(doc.state, req.action);
  const body = ACTION_SCHEMAS[req.action].parse(req.input ?? {}) as Record<string, unknown>;
  const { input, lead, assignee } = await resolveReferences(deps, doc, { ...req, input: body });
  const { calendar, policy } = await deps.settings();
  const now = deps.clock.now();
  const ctx = { now, actor, calendar, policy, issueId: String(doc._id), channel: doc.channel };
  const result = applyOrFail(toCore(doc), req.action, input, ctx);
  const core = result.issue;
  const unitName = !core.unitId ? null : lead && String(lead._id) === core.unitId ? lead.name : doc.unitName;
  const set = {
    ...changedSet(toCore(doc), core, now),
    ...(unitName !== doc.unitName ? { unitName } : {}),
    ...((core.assigneeId ?? null) !== (doc.assigneeId ?? null)
      ? { assigneeName: assigneeNameOf(doc, core.assigneeId, actor, assignee) }
      : {}),
    // A person's correction: the issue becomes training data for the classifier (server/text).
    ...(req.action === 'reclassify' ? { 'classification.human': true } : {}),
  };
  const updated = await saveTransition(
    models,
    doc,
    set,
    withActorName(result.event, actor.name ?? actor.username),
  );
  await afterCommit(deps, actor, doc, updated, req.action);
  return updated;
}

/** The messages a master takes over: those that came through the inbox (an origin is keyed by its entry). */
const inboxMessagesOf = (issue: IssueDoc): IssueSource[] =>
  messagesOf(issue).filter((m): m is IssueSource => m.inboxId !== null);

async function afterCommit(
  deps: IssueCommandDeps,
  actor: Actor,
  before: IssueDoc,
  after: IssueDoc,
  action: ActionId,
) {
  if (action === 'merge' && after.mergedInto) {
    // The master lists its duplicates, and takes over the merged issue's messages as its sources, so each is
    // answered like the master's own (a 12345 work order hears the reply and the outcome). A link, not a
    // lifecycle change, so the master's version stays.
    const messages = inboxMessagesOf(after);
    const master = await deps.models.Issue.collection.findOneAndUpdate(
      { _id: after.mergedInto },
      { $addToSet: { mergedFrom: after._id }, $push: { sources: { $each: messages } } } as never,
      { returnDocument: 'after', projection: { number: 1 } },
    );
    // Recorded as intake records a repeat it merged: each message's inbox entry names the master, so a
    // redelivery answers the master's number and 拆分为新工单 may take the message out of it again. Only entries
    // naming the merged issue (or one merged into it before they were recorded so) move: one a split has
    // claimed meanwhile keeps its new issue.
    if (master && messages.length)
      await deps.models.InboxEntry.collection.updateMany(
        {
          _id: { $in: messages.map((m) => m.inboxId) },
          issueId: { $in: [after._id, ...(after.mergedFrom ?? [])] },
          status: 'processed',
        },
        {
          $set: { issueId: master._id, number: master.number, outcome: 'merged', updatedAt: after.updatedAt },
        },
      );
  }
  notifyChange(deps, changeOf(after, action, before.state, actor.id, after.updatedAt));
}
