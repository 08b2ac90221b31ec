// 人工登记: a clerk files a dead letter by hand (POST /api/inbox/:id/register), so an enterprise's problem that a
// channel delivered unreadable or refused (a 12345 order with an invalid field, a WeChat text that could not be
// parsed) is not lost. The clerk corrects the staff form's fields (POST /api/issues's schema), and the issue is
// made by the intake pipeline's own end (createIssueFromMessage: triage, routing, deadlines, the number, the
// opening timeline, notifications) on the dead letter's channel, with its external id, contact and inbox entry,
// as the first source.
//
// One flow, and only one issue per dead letter: the entry is claimed first (inbox-store claimForRegistration),
// an atomic update that a second clerk, a retry and a redelivery all respect; the issue takes the id the entry
// allocated when it arrived, so even a claim lost to a crash cannot make a second one; the entry then records
// the number, the outcome `registered_by_hand`, who and when, and keeps its raw body and failure reason for
// audit. A refusal (an unknown enterprise id, a routing failure) gives the claim back: the dead letter stays.
import { Types } from 'mongoose';
import { CHANNEL_LABELS, type ChannelId } from '../../shared/states.ts';
import type { Actor } from '../../shared/roles.ts';
import type { IssueCreateInput } from '../../shared/schemas.ts';
import type { InboundMessage } from '../channels/types.ts';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { deadLetterDraft, deadLetterRaisedAt } from '../intake/dead-letter-draft.ts';
import {
  claimForRegistration,
  recordRegistered,
  releaseRegistration,
  REGISTERED_BY_HAND,
} from '../intake/inbox-store.ts';
import { createIssueFromMessage } from '../intake/issue-from-message.ts';
import { provisionalEnterprise } from '../intake/match-enterprise.ts';
import { configOf, staffBy, type IntakeBy, type PipelineDeps } from '../intake/pipeline.ts';
import { INTAKE_ENTERPRISE_FIELDS, provisionalOf } from '../intake/intake-enterprise.ts';
import type { IssueDoc, Models, StoredTimelineEvent } from '../models/index.ts';
import type { InboxEntryDoc } from '../models/inbox.model.ts';
import { canManageInbox } from '../policies/intake.policy.ts';
import type { IntakeEnterprise } from './issue-create.command.ts';

/** The staff form's body; channel and external id are the dead letter's own (given, they must match). */
export type InboxRegisterInput = Omit<IssueCreateInput, 'channel'> & {
  channel?: ChannelId;
  /** The name of an enterprise the register does not know yet, named by its credit code. */
  enterpriseName?: string;
};

export interface InboxRegisterResult {
  issue: IssueDoc;
  /** False when the entry's issue already existed (a registration a crash interrupted, finished now). */
  created: boolean;
  entry: InboxEntryDoc;
}

/** An entry that is no dead letter (any more) cannot be registered: 409 saying what it is. */
function refuseUnlessFailed(entry: InboxEntryDoc): void {
  if (entry.status === 'processed')
    throw new AppError(
      'already_processed',
      409,
      entry.number ? `该消息已受理为工单 ${entry.number}，不能重复登记` : '该消息已受理，不能重复登记',
    );
  if (entry.status === 'discarded') throw new AppError('not_failed', 409, '该消息已作废，不能再登记');
  if (entry.status !== 'failed') throw new AppError('not_failed', 409, '该消息正在处理中，请稍后刷新');
}

/** Someone else holds the entry for registration (inbox-store claimForRegistration): retry, discard, register. */
export const registrationInProgress = () =>
  new AppError('registration_in_progress', 409, '该消息正由他人登记，请稍后刷新');

/** The form may repeat the dead letter's channel and external id, never change them. */
function checkSameMessage(entry: InboxEntryDoc, input: InboxRegisterInput): void {
  const label = CHANNEL_LABELS[entry.channel];
  if (input.channel && input.channel !== entry.channel)
    throw badRequest(
      `人工登记沿用来件渠道「${label}」，不能改为「${CHANNEL_LABELS[input.channel]}」`,
      'channel_mismatch',
    );
  if (input.externalId && input.externalId !== (entry.externalId ?? ''))
    throw badRequest(
      entry.externalId
        ? `人工登记沿用来件的外部编号 ${entry.externalId}，不能改写`
        : '该消息没有外部编号，人工登记不能另填',
      'external_id_mismatch',
    );
}

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * The enterprise the form names: by id it must exist (404, as on POST /api/issues); a valid credit code the
 * register does not know is a new enterprise, registered as the channel would have (null here, provisional
 * once the entry is claimed).
 */
async function knownEnterprise(
  models: Models,
  ref: IssueCreateInput['enterprise'],
): Promise<IntakeEnterprise | null> {
  const byId = 'id' in ref;
  const filter = byId
    ? OBJECT_ID.test(ref.id)
      ? { _id: new Types.ObjectId(ref.id) }
      : null
    : { creditCode: ref.creditCode };
  const found =
    filter &&
    (await models.Enterprise.collection.findOne<IntakeEnterprise>(filter, {
      projection: INTAKE_ENTERPRISE_FIELDS,
    }));
  if (!found && byId)
    throw new AppError('enterprise_not_found', 404, '找不到该企业，请核对统一社会信用代码或企业编号');
  return found ?? null;
}

/** What the issue is made from: the clerk's text on the dead letter's channel, id and (WeChat) sender. */
function messageOf(
  entry: InboxEntryDoc,
  input: InboxRegisterInput,
  enterprise: IntakeEnterprise,
): InboundMessage {
  // The sender WeChat vouched for (a signed push): replies reach them there; the form cannot name another.
  const openid = entry.channel === 'wechat' ? deadLetterDraft(entry).contact.openid : undefined;
  return {
    channel: entry.channel,
    externalId: entry.externalId ?? '',
    receivedAt: entry.receivedAt,
    // Registered after the fact (minutes or days later): the issue says when the enterprise raised it as its
    // channel would have (a 12345 order's receivedAt), else when the message came in (来件时间); its time limits
    // still start now (DESIGN §5).
    raisedAt: deadLetterRaisedAt(entry),
    ...(input.title ? { title: input.title } : {}),
    content: input.content,
    ...(input.urgency ? { urgency: input.urgency } : {}),
    ...(input.category ? { category: input.category } : {}),
    enterprise: {
      id: String(enterprise._id),
      creditCode: enterprise.creditCode || undefined,
      name: enterprise.name,
    },
    contact: { ...(input.contact ?? {}), ...(openid ? { openid } : {}) },
  };
}

/** `invalid_field: 字段 … 无效` as its Chinese part, for the timeline. */
const reasonWords = (reason: string | null) => (reason ?? '').replace(/^[a-z][a-z0-9_]*:\s*/, '').trim();

/** The internal note that says where the issue came from, stored with the issue's opening events. */
function registrationNote(
  entry: InboxEntryDoc,
  by: IntakeBy,
  now: Date,
): Omit<StoredTimelineEvent, 'fromState' | 'toState'> {
  const label = CHANNEL_LABELS[entry.channel];
  const id = entry.externalId ? ` ${entry.externalId}` : '';
  const why = reasonWords(entry.reason);
  return {
    at: now,
    actorId: by.actor.id,
    actorRole: by.actor.role,
    actorName: by.actorName,
    action: 'note',
    note: `由接入失败消息人工登记：「${label}」来件${id}未能自动受理${why ? `（${why}）` : ''}，经核对后登记`,
    public: false,
    data: { kind: REGISTERED_BY_HAND, inboxId: String(entry._id), channel: entry.channel },
  };
}

/** POST /api/inbox/:id/register: the dead letter, filed by hand as the issue the clerk corrected. */
export async function inboxRegisterCommand(
  deps: PipelineDeps,
  actor: Actor,
  entryId: Types.ObjectId,
  input: InboxRegisterInput,
): Promise<InboxRegisterResult> {
  if (!canManageInbox(actor)) throw forbidden('您的角色无权登记接入失败的消息');
  const { models } = deps;
  const entry = await models.InboxEntry.collection.findOne<InboxEntryDoc>({ _id: entryId });
  if (!entry) throw notFound('收件记录不存在');
  refuseUnlessFailed(entry);
  checkSameMessage(entry, input);
  const known = await knownEnterprise(models, input.enterprise);
  const now = deps.clock.now();
  const claimed = await claimForRegistration(models, entry._id, now);
  if (!claimed) {
    const current = await models.InboxEntry.collection.findOne<InboxEntryDoc>({ _id: entryId });
    if (current) refuseUnlessFailed(current);
    throw registrationInProgress();
  }
  const claim = claimed.registering;
  try {
    const contact = input.contact ?? {};
    const label = CHANNEL_LABELS[entry.channel];
    const code = (input.enterprise as { creditCode: string }).creditCode;
    const enterprise =
      known ??
      (await provisionalOf(models, {
        ...provisionalEnterprise({ creditCode: code, name: input.enterpriseName }, contact, label),
        provisionalNote: `由「${label}」接入失败的来件经人工登记，待中心确认或合并`,
      }));
    const by = staffBy(actor, enterprise);
    const { issue, created } = await createIssueFromMessage(deps, await configOf(deps), {
      entry: claimed,
      msg: messageOf(claimed, input, enterprise),
      by,
      enterprise,
      now,
      intakeNote: registrationNote(claimed, by, now),
    });
    const registration = { by: { id: actor.id, name: by.actorName, role: actor.role }, at: now };
    const recorded = await recordRegistered(models, claimed._id, claim, issue, registration);
    // Null only when the claim's lease ran out meanwhile: the issue is this entry's either way.
    const after = recorded ?? (await models.InboxEntry.collection.findOne<InboxEntryDoc>({ _id: entryId }));
    return { issue, created, entry: after ?? claimed };
  } catch (err) {
    await releaseRegistration(models, claimed._id, claim).catch(() => undefined);
    throw err;
  }
}
