// Intake of one issue, from staff (POST /api/issues, authorised by role and channel) or from a verified owner
// on the enterprise's QR page (their own enterprise only, channel `qr`): find the enterprise, absorb
// redeliveries of the same (channel, externalId), triage, number it, and store it with its opening timeline
// (create, plus the automatic dispatch when triage is confident) in one insert. The change is announced after
// the insert.
//
// Intake is the write path that bursts (thousands of issues in minutes), so it keeps its round trips to what
// must be read or written per issue: the enterprise (with the fields the issue copies), the redelivery check
// when there is an external id, the number counter and the insert. Units, rules and the calendar come from the
// configuration snapshot (intake-config.ts). The stored document is cast once by issue-intake.doc.ts and
// inserted through the driver's collection: building a mongoose document, validating it and converting it back
// cost more CPU than the whole rest of intake.
import { Types } from 'mongoose';
import { applyAction, refreshIssue } from '../../shared/lifecycle/apply.ts';
import { computeTriage } from '../../shared/sla.ts';
import {
  createIssueCore,
  creationEvent,
  enterpriseActor,
  SYSTEM_ACTOR,
  type DomainActor,
  type IssueCore,
} from '../../shared/lifecycle/issue-core.ts';
import type { Actor } from '../../shared/roles.ts';
import { issueCreateSchema, type IssueCreateInput } from '../../shared/schemas.ts';
import { AppError, forbidden } from '../errors.ts';
import { loadIntakeConfig, type IntakeConfig } from '../intake/intake-config.ts';
import type { EnterpriseDoc, Models } from '../models/index.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/issue.model.ts';
import { canCreateIssue } from '../policies/issue.policy.ts';
import { triage, type Triage, type TriageDeps } from '../intake/triage.ts';
import { changeOf, notifyChange, type IssueCommandDeps } from './issue-deps.ts';
import { storedIntakeIssue } from './issue-intake.doc.ts';
import { nextIssueNumber, withActorName } from './issue-store.ts';

export type IssueCreateDeps = IssueCommandDeps &
  Omit<TriageDeps, 'config'> & {
    /** The configuration snapshot (the app's cache); without it every intake reads it afresh (the seed). */
    intakeConfig?: () => Promise<IntakeConfig>;
  };

/** What intake copies from the enterprise onto the issue. */
export type IntakeEnterprise = Pick<EnterpriseDoc, '_id' | 'name' | 'creditCode' | 'region'>;
const INTAKE_ENTERPRISE_FIELDS = { name: 1, creditCode: 1, region: 1 } as const;

export interface IssueCreateResult {
  issue: IssueDoc;
  /** False when this was a redelivery of an issue already taken in. */
  created: boolean;
}

const TITLE_FROM_CONTENT = 30;

async function findEnterprise(
  models: Models,
  ref: IssueCreateInput['enterprise'],
): Promise<IntakeEnterprise> {
  const filter =
    'creditCode' in ref
      ? { creditCode: ref.creditCode }
      : Types.ObjectId.isValid(ref.id)
        ? { _id: new Types.ObjectId(ref.id) }
        : null;
  const found = filter
    ? await models.Enterprise.collection.findOne<IntakeEnterprise>(filter, {
        projection: INTAKE_ENTERPRISE_FIELDS,
      })
    : null;
  if (!found)
    throw new AppError('enterprise_not_found', 404, '找不到该企业，请核对统一社会信用代码或企业编号');
  return found;
}

async function findRedelivery(models: Models, input: IssueCreateInput): Promise<IssueDoc | null> {
  if (!input.externalId) return null;
  return models.Issue.collection.findOne<IssueDoc>({ channel: input.channel, externalId: input.externalId });
}

/** Who takes the issue in: staff, or an enterprise on its QR page (with the name the timeline shows). */
export interface IntakeActor {
  actor: DomainActor;
  name: string;
}

/**
 * The core after intake: already dispatched to the routed unit, or received with a triage clock (the calendar
 * and policy come from the configuration snapshot intake already holds: no extra round trip).
 */
async function openingCore(
  deps: IssueCreateDeps,
  by: IntakeActor,
  t: Triage,
  now: Date,
  opening: { config: IntakeConfig; channel: IssueCreateInput['channel'] },
) {
  const core: IssueCore = createIssueCore({ urgency: t.urgency, category: t.category, tier: t.tier });
  const events: StoredTimelineEvent[] = [
    withActorName(creationEvent(now, by.actor, { classification: t.classification.source }), by.name),
  ];
  if (!t.autoDispatch || !t.route) {
    const { calendar, policy } = opening.config;
    core.triage = computeTriage({
      policy,
      urgency: t.urgency,
      channel: opening.channel,
      startAt: now,
      calendar,
    });
    return { core: refreshIssue(core, now), events };
  }
  const { calendar, policy } = await deps.settings();
  const input = { unitId: t.route.unitId, coUnitIds: t.route.coUnitIds, level: t.route.level };
  const result = applyAction(core, 'dispatch', input, { now, actor: SYSTEM_ACTOR, calendar, policy });
  events.push(withActorName({ ...result.event, note: '系统按分类与属地自动分办' }, '系统'));
  return { core: result.issue, events };
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown }).code === 11000;
}

interface NewIssueParts {
  actor: DomainActor;
  input: IssueCreateInput;
  enterprise: IntakeEnterprise;
  triaged: Triage;
  core: IssueCore;
  events: StoredTimelineEvent[];
  number: string;
  now: Date;
}

function newIssueDoc({ actor, input, enterprise, triaged, core, events, number, now }: NewIssueParts) {
  const routed = triaged.autoDispatch && triaged.route ? triaged.route : null;
  return storedIntakeIssue({
    core,
    now,
    number,
    enterprise,
    channel: input.channel,
    externalId: input.externalId,
    title: input.title ?? input.content.slice(0, TITLE_FROM_CONTENT),
    content: input.content,
    classification: triaged.classification,
    routing: { source: routed ? routed.source : 'none' },
    unitName: routed ? routed.unitName : null,
    timeline: events,
    createdBy: actor.id,
  });
}

/**
 * The intake pipeline after authorisation, for every way in (staff, the QR page, channel adapters): absorb a
 * redelivery, triage, number, insert with the opening timeline, announce.
 */
export async function takeInIssue(
  deps: IssueCreateDeps,
  by: IntakeActor,
  enterprise: IntakeEnterprise,
  input: IssueCreateInput,
): Promise<IssueCreateResult> {
  const { models } = deps;
  const [existing, config] = await Promise.all([
    findRedelivery(models, input),
    deps.intakeConfig ? deps.intakeConfig() : loadIntakeConfig(models),
  ]);
  if (existing) return { issue: existing, created: false };
  const triageDeps = { config, classify: deps.classify, defaultRouting: deps.defaultRouting };
  const triaged = triage(triageDeps, { ...input, region: enterprise.region });
  const now = deps.clock.now();
  const { core, events } = await openingCore(deps, by, triaged, now, { config, channel: input.channel });
  const number = await nextIssueNumber(models, now);
  const issue = newIssueDoc({ actor: by.actor, input, enterprise, triaged, core, events, number, now });
  try {
    await models.Issue.collection.insertOne(issue, { ignoreUndefined: true });
  } catch (err) {
    // Two deliveries of the same message racing: the unique index let one in; answer with that one.
    const raced = isDuplicateKey(err) ? await findRedelivery(models, input) : null;
    if (raced) return { issue: raced, created: false };
    throw err;
  }
  notifyChange(deps, changeOf(issue, 'create', null, by.actor.id, now));
  return { issue, created: true };
}

/** POST /api/issues: staff intake, authorised by role and channel. */
export async function issueCreateCommand(
  deps: IssueCreateDeps,
  actor: Actor,
  input: IssueCreateInput,
): Promise<IssueCreateResult> {
  if (!canCreateIssue(actor, input.channel)) throw forbidden('您的角色无权从该渠道受理问题');
  const enterprise = await findEnterprise(deps.models, input.enterprise);
  return takeInIssue(deps, { actor, name: actor.name ?? actor.username }, enterprise, input);
}

/** What an owner types on the QR page's new-issue form. */
export interface EnterpriseIssueForm {
  title?: string;
  content: string;
  /** Random id of the form the owner opened: resubmitting the same form creates nothing new. */
  submissionId: string;
}

/**
 * The QR page: a verified owner raises an issue for their enterprise, on channel `qr`, as the enterprise
 * actor. The enterprise comes from the session, never from the form; the shared schema applies its limits.
 */
export async function enterpriseIssueCreateCommand(
  deps: IssueCreateDeps,
  enterpriseId: string,
  form: EnterpriseIssueForm,
): Promise<IssueCreateResult> {
  const input = issueCreateSchema.parse({
    enterprise: { id: enterpriseId },
    channel: 'qr',
    ...(form.title ? { title: form.title } : {}),
    content: form.content,
    externalId: `qr:${enterpriseId}:${form.submissionId}`,
  });
  const enterprise = await findEnterprise(deps.models, input.enterprise);
  return takeInIssue(
    deps,
    { actor: enterpriseActor(enterpriseId), name: enterprise.name },
    enterprise,
    input,
  );
}
