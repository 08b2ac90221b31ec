// What a verified owner changes from the QR page, as the enterprise actor of the shared state machine
// (`enterpriseActor`, allowed ENTERPRISE_ACTIONS only):
//  - rate: the real `rate` action — the same schema, transition table, handler (a bad rating goes to
//    verification), timeline event and version-checked write as every staff action;
//  - submit: intake of a new issue on channel `qr` for the session's enterprise, through the same schema,
//    triage, numbering and opening timeline as staff intake.
// The staff commands take a staff Actor and staff policies; these replace only that authorisation step with
// "the issue belongs to the session's enterprise" and reuse the rest of the pipeline's parts.
import { applyAction } from '../../../shared/lifecycle/apply.ts';
import { isTransitionError } from '../../../shared/lifecycle/errors.ts';
import {
  createIssueCore,
  creationEvent,
  enterpriseActor,
  SYSTEM_ACTOR,
  type IssueCore,
} from '../../../shared/lifecycle/issue-core.ts';
import { issueCreateSchema, type RateInput } from '../../../shared/schemas.ts';
import type { IssueState } from '../../../shared/states.ts';
import type { IssueCreateDeps } from '../../commands/issue-create.command.ts';
import { notifyChange, type IssueChange, type IssueCommandDeps } from '../../commands/issue-deps.ts';
import {
  changedSet,
  coreToSet,
  loadIssue,
  nextIssueNumber,
  saveTransition,
  toCore,
  withActorName,
} from '../../commands/issue-store.ts';
import { AppError, isAppError, notFound } from '../../errors.ts';
import type { EnterpriseDoc } from '../../models/index.ts';
import type { IssueDoc, StoredTimelineEvent } from '../../models/issue.model.ts';
import { triage } from '../../intake/triage.ts';

const TITLE_FROM_CONTENT = 30;

function changeRecord(
  issue: IssueDoc,
  action: IssueChange['action'],
  from: IssueState | null,
  actorId: string,
) {
  return {
    issueId: String(issue._id),
    number: issue.number,
    action,
    fromState: from,
    state: issue.state,
    unitId: issue.unitId ? String(issue.unitId) : null,
    coUnitIds: (issue.coUnitIds ?? []).map(String),
    enterpriseId: String(issue.enterpriseId),
    actorId,
    at: issue.updatedAt,
  };
}

export interface RateOutcome {
  issue: IssueDoc;
  /** The issue already carried a rating: a repeated tap changes nothing. */
  duplicate: boolean;
}

export async function enterpriseRateCommand(
  deps: IssueCommandDeps,
  enterprise: Pick<EnterpriseDoc, '_id' | 'name'>,
  issueId: string,
  input: RateInput,
): Promise<RateOutcome> {
  const doc = await loadIssue(deps.models, issueId);
  // Another enterprise's issue does not exist as far as this page is concerned.
  if (String(doc.enterpriseId) !== String(enterprise._id)) throw notFound('问题不存在');
  if (doc.rating) return { issue: doc, duplicate: true };
  const actor = enterpriseActor(String(enterprise._id));
  const { calendar, policy } = await deps.settings();
  const now = deps.clock.now();
  let result;
  try {
    result = applyAction(toCore(doc), 'rate', input, { now, actor, calendar, policy, issueId });
  } catch (err) {
    if (isTransitionError(err)) throw new AppError(err.code, err.status, err.message);
    throw err;
  }
  let updated: IssueDoc;
  try {
    const set = changedSet(toCore(doc), result.issue, now);
    updated = await saveTransition(deps.models, doc, set, withActorName(result.event, enterprise.name));
  } catch (err) {
    // Two taps racing: the first one's rating is the answer to both.
    const again = isAppError(err) && err.code === 'conflict' ? await loadIssue(deps.models, issueId) : null;
    if (again?.rating) return { issue: again, duplicate: true };
    throw err;
  }
  notifyChange(deps, changeRecord(updated, 'rate', doc.state, actor.id));
  return { issue: updated, duplicate: false };
}

export interface SubmitInput {
  title?: string;
  content: string;
  /** Random id of the form the owner opened: resubmitting the same form creates nothing new. */
  submissionId: string;
}

type Triaged = Awaited<ReturnType<typeof triage>>;

/** Received, or already dispatched by the system when triage is confident (as at staff intake). */
async function openingTimeline(deps: IssueCreateDeps, enterprise: EnterpriseDoc, t: Triaged, now: Date) {
  const actor = enterpriseActor(String(enterprise._id));
  const core: IssueCore = createIssueCore({ urgency: t.urgency, category: t.category, tier: t.tier });
  const events: StoredTimelineEvent[] = [
    withActorName(creationEvent(now, actor, { classification: t.classification.source }), enterprise.name),
  ];
  const routed = t.autoDispatch && t.route ? t.route : null;
  if (!routed) return { core, events, routed };
  const { calendar, policy } = await deps.settings();
  const input = { unitId: routed.unitId, coUnitIds: routed.coUnitIds, level: routed.level };
  const result = applyAction(core, 'dispatch', input, { now, actor: SYSTEM_ACTOR, calendar, policy });
  events.push(withActorName({ ...result.event, note: '系统按分类与属地自动分办' }, '系统'));
  return { core: result.issue, events, routed };
}

export async function enterpriseSubmitCommand(
  deps: IssueCreateDeps,
  enterprise: EnterpriseDoc,
  form: SubmitInput,
): Promise<{ issue: IssueDoc; created: boolean }> {
  const { models } = deps;
  // The enterprise comes from the session, never from the form; the shared schema applies its limits.
  const input = issueCreateSchema.parse({
    enterprise: { id: String(enterprise._id) },
    channel: 'qr',
    ...(form.title ? { title: form.title } : {}),
    content: form.content,
    externalId: `qr:${String(enterprise._id)}:${form.submissionId}`,
  });
  const redelivered = () =>
    models.Issue.findOne({ channel: 'qr', externalId: input.externalId }).lean<IssueDoc>();
  const existing = await redelivered();
  if (existing) return { issue: existing, created: false };

  const triaged = await triage(
    { models, classify: deps.classify, defaultRouting: deps.defaultRouting },
    { title: input.title, content: input.content, region: enterprise.region },
  );
  const now = deps.clock.now();
  const actor = enterpriseActor(String(enterprise._id));
  const { core, events, routed } = await openingTimeline(deps, enterprise, triaged, now);
  const doc = {
    ...coreToSet(core, now),
    number: await nextIssueNumber(models, now),
    enterpriseId: enterprise._id,
    enterpriseName: enterprise.name,
    enterpriseCreditCode: enterprise.creditCode,
    region: enterprise.region,
    channel: 'qr' as const,
    externalId: input.externalId,
    title: input.title ?? input.content.slice(0, TITLE_FROM_CONTENT),
    content: input.content,
    classification: triaged.classification,
    routing: { source: routed ? routed.source : 'none' },
    unitName: routed ? routed.unitName : null,
    timeline: events,
    version: 1,
    createdBy: actor.id,
    createdAt: now,
  };
  let issue: IssueDoc;
  try {
    issue = (await new models.Issue(doc).save()).toObject() as IssueDoc;
  } catch (err) {
    // A double tap racing its twin: the unique (channel, externalId) index let one in.
    const raced = (err as { code?: unknown }).code === 11000 ? await redelivered() : null;
    if (raced) return { issue: raced, created: false };
    throw err;
  }
  notifyChange(deps, changeRecord(issue, 'create', null, actor.id));
  return { issue, created: true };
}
