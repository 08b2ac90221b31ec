// Intake of one issue from staff (POST /api/issues, authorised by role and channel) or from a verified owner on
// the enterprise's QR page (their own enterprise only, channel `qr`): authorise, find the enterprise the
// request names, and hand the message to the intake pipeline (server/intake/pipeline.ts), which stores it in
// the raw inbox, absorbs a redelivery of the same (channel, externalId) from the same person, triages, numbers
// and inserts the issue with its opening timeline.
//
// An owner's files (photos, PDFs) go with the message like an email's or a WeChat picture: the pipeline's
// attachMessageFiles stores them with the issue and names the refused ones on it. The owner verified as the
// enterprise's registered mobile, so that mobile (and the owner's name on record) is the issue's contact.
//
// Staff name the enterprise by credit code or id and get a 404 when it is not registered (they can register
// it); only channel messages create provisional enterprises. Staff entries are never merged into another issue
// automatically: the clerk sees the enterprise's issues and merges deliberately.
import type { Collection } from 'mongodb';
import { Types } from 'mongoose';
import type { Actor } from '../../shared/roles.ts';
import { issueCreateSchema, type IssueCreateInput } from '../../shared/schemas.ts';
import type { AttachmentStore } from '../attachments/attachment.store.ts';
import type { RefusedAttachment } from '../attachments/attachment.rules.ts';
import type { InboundAttachment, InboundMessage } from '../channels/types.ts';
import { batchedFindByUnique } from '../db/batched-ops.ts';
import { AppError, forbidden } from '../errors.ts';
import type { IntakeConfig } from '../intake/intake-config.ts';
import { inboxRecorderFor } from '../intake/inbox-store.ts';
import { attachMessageFiles } from '../intake/intake-sink.ts';
import { enterpriseBy, runIntake, staffBy, type IntakeBy, type PipelineDeps } from '../intake/pipeline.ts';
import { INTAKE_ENTERPRISE_FIELDS } from '../intake/intake-enterprise.ts';
import type { EnterpriseDoc, Models } from '../models/index.ts';
import type { IssueDoc } from '../models/issue.model.ts';
import { canCreateIssue } from '../policies/issue.policy.ts';
import type { TriageDeps } from '../intake/triage.ts';
import type { IssueCommandDeps } from './issue-deps.ts';

export type IssueCreateDeps = IssueCommandDeps &
  Omit<TriageDeps, 'config'> & {
    /** The configuration snapshot (the app's cache); without it every intake reads it afresh (the seed). */
    intakeConfig?: () => Promise<IntakeConfig>;
  };

/**
 * What intake copies from the enterprise onto the issue, and how the enterprise is told about it (read in the
 * same read, INTAKE_ENTERPRISE_FIELDS, so the notifier need not read the enterprise again).
 */
export type IntakeEnterprise = Pick<EnterpriseDoc, '_id' | 'name' | 'creditCode' | 'region'> &
  Partial<
    Pick<
      EnterpriseDoc,
      'township' | 'mobile' | 'email' | 'emails' | 'qrToken' | 'wechatOpenids' | 'notify' | 'provisional'
    >
  >;

export interface IssueCreateResult {
  issue: IssueDoc;
  /** False when this was a redelivery of an issue already taken in. */
  created: boolean;
  /** Files that came with it and were not stored, each with why (the QR page tells the owner). */
  refusedAttachments?: RefusedAttachment[];
}

async function findEnterprise(
  models: Models,
  ref: IssueCreateInput['enterprise'],
  extra: Readonly<Record<string, 1>> = {},
): Promise<IntakeEnterprise> {
  const enterprises = models.Enterprise.collection as unknown as Collection;
  let found: IntakeEnterprise | null = null;
  if ('creditCode' in ref) {
    // Shared with the intakes of the same moment: one `$in` read (server/db/batched-ops.ts).
    const byCode = ref.creditCode;
    found = (await batchedFindByUnique(
      enterprises,
      'creditCode',
      byCode,
      INTAKE_ENTERPRISE_FIELDS,
    )) as IntakeEnterprise | null;
  } else if (Types.ObjectId.isValid(ref.id)) {
    found = await models.Enterprise.collection.findOne<IntakeEnterprise>(
      { _id: new Types.ObjectId(ref.id) },
      { projection: { ...INTAKE_ENTERPRISE_FIELDS, ...extra } },
    );
  }
  if (!found)
    throw new AppError('enterprise_not_found', 404, '找不到该企业，请核对统一社会信用代码或企业编号');
  return found;
}

function pipelineDeps(deps: IssueCreateDeps & Partial<PipelineDeps>): PipelineDeps {
  return deps.inbox ? (deps as PipelineDeps) : { ...deps, inbox: inboxRecorderFor(deps.models) };
}

/** The staff form as an inbound message (the enterprise is already resolved). */
function messageOf(input: IssueCreateInput, enterprise: IntakeEnterprise): InboundMessage {
  return {
    channel: input.channel,
    externalId: input.externalId ?? '',
    title: input.title,
    content: input.content,
    urgency: input.urgency,
    category: input.category,
    enterprise: {
      id: String(enterprise._id),
      creditCode: enterprise.creditCode || undefined,
      name: enterprise.name,
    },
    contact: input.contact ?? {},
  };
}

async function intakeAs(
  deps: IssueCreateDeps & Partial<PipelineDeps>,
  by: IntakeBy,
  msg: InboundMessage,
  files?: { store: AttachmentStore; refused: readonly RefusedAttachment[] },
): Promise<IssueCreateResult> {
  const outcome = await runIntake(pipelineDeps(deps), msg, by);
  const { ack, issue } = outcome;
  if (!issue) throw new AppError('intake_pending', 409, `该问题仍在处理中（${ack.status}），请稍后刷新`);
  const created = ack.status === 'created';
  if (!files) return { issue, created };
  const { refusedAttachments } = await attachMessageFiles(deps, files.store, msg, outcome, files.refused);
  return { issue, created, ...(refusedAttachments ? { refusedAttachments } : {}) };
}

/** POST /api/issues: staff intake, authorised by role and channel. */
export async function issueCreateCommand(
  deps: IssueCreateDeps & Partial<PipelineDeps>,
  actor: Actor,
  input: IssueCreateInput,
): Promise<IssueCreateResult> {
  if (!canCreateIssue(actor, input.channel)) throw forbidden('您的角色无权从该渠道受理问题');
  const enterprise = await findEnterprise(deps.models, input.enterprise);
  return intakeAs(deps, staffBy(actor, enterprise), messageOf(input, enterprise));
}

/** What an owner types on the QR page's new-issue form. */
export interface EnterpriseIssueForm {
  title?: string;
  content: string;
  /** Random id of the form the owner opened: resubmitting the same form creates nothing new. */
  submissionId: string;
  /** The files read from the form (checked by the store), and those the page refused before reading them. */
  attachments?: InboundAttachment[];
  refusedAttachments?: RefusedAttachment[];
}

/**
 * The QR page: a verified owner raises an issue for their enterprise, on channel `qr`, as the enterprise
 * actor. The enterprise comes from the session, never from the form; the shared schema applies its limits.
 */
export async function enterpriseIssueCreateCommand(
  deps: IssueCreateDeps & Partial<PipelineDeps> & { attachments?: AttachmentStore },
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
  const enterprise = await findEnterprise(deps.models, input.enterprise, { ownerName: 1 });
  const ownerName = (enterprise as IntakeEnterprise & { ownerName?: string }).ownerName;
  const msg: InboundMessage = {
    ...messageOf(input, enterprise),
    contact: {
      ...(ownerName ? { name: ownerName } : {}),
      ...(enterprise.mobile ? { phone: enterprise.mobile } : {}),
    },
    ...(form.attachments?.length ? { attachments: form.attachments } : {}),
  };
  const files = deps.attachments && { store: deps.attachments, refused: form.refusedAttachments ?? [] };
  return intakeAs(deps, enterpriseBy(enterprise), msg, files);
}
