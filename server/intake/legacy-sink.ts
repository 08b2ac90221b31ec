// TEMPORARY: the intake sink the transports (WeChat, email, imports) use until the intake pipeline
// (server/intake/pipeline.ts, `acceptInbound`) is merged; the lead replaces this file with the pipeline. It
// maps an InboundMessage onto the existing takeInIssue: the enterprise is found by credit code, then by exact
// name; an unknown enterprise or an invalid message is answered `failed` with the reason (the pipeline will
// keep it in the dead-letter list instead). There is no raw inbox here, so `inboxId` is the issue's id.
import { Types } from 'mongoose';
import { SYSTEM_ACTOR } from '../../shared/lifecycle/issue-core.ts';
import { isValidCreditCode, normalizeCreditCode } from '../../shared/credit-code.ts';
import { issueCreateSchema } from '../../shared/schemas.ts';
import type { AttachmentStore } from '../attachments/attachment.store.ts';
import type { InboundMessage, IntakeAck, IntakeSink } from '../channels/types.ts';
import {
  takeInIssue,
  type IntakeEnterprise,
  type IssueCreateDeps,
} from '../commands/issue-create.command.ts';
import { cachedSettings, type IssueChangeListener } from '../commands/issue-deps.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Models } from '../models/index.ts';
import type { IntakeConfigSource } from './intake-config.ts';

const ENTERPRISE_FIELDS = { projection: { name: 1, creditCode: 1, region: 1 } } as const;

async function findEnterprise(deps: IssueCreateDeps, msg: InboundMessage): Promise<IntakeEnterprise | null> {
  const enterprises = deps.models.Enterprise.collection;
  const code = msg.enterprise.creditCode ? normalizeCreditCode(msg.enterprise.creditCode) : '';
  if (isValidCreditCode(code)) {
    const byCode = await enterprises.findOne<IntakeEnterprise>({ creditCode: code }, ENTERPRISE_FIELDS);
    if (byCode) return byCode;
  }
  const name = msg.enterprise.name?.trim();
  return name ? enterprises.findOne<IntakeEnterprise>({ name }, ENTERPRISE_FIELDS) : null;
}

export interface LegacySinkDeps {
  models: Models;
  clock: Clock;
  intakeConfig: IntakeConfigSource;
  attachments?: AttachmentStore;
  onChange?: IssueChangeListener;
}

export function createLegacySink(sinkDeps: LegacySinkDeps): IntakeSink {
  const { intakeConfig, attachments } = sinkDeps;
  const deps: IssueCreateDeps = {
    models: sinkDeps.models,
    clock: sinkDeps.clock,
    settings: cachedSettings(intakeConfig),
    intakeConfig: () => intakeConfig.get(),
    onChange: sinkDeps.onChange,
  };
  return async (msg): Promise<IntakeAck> => {
    const enterprise = await findEnterprise(deps, msg);
    if (!enterprise)
      return {
        inboxId: '',
        status: 'failed',
        reason: '未找到对应企业（请提供正确的统一社会信用代码或企业全称）',
      };
    const parsed = issueCreateSchema.safeParse({
      enterprise: { id: String(enterprise._id) },
      channel: msg.channel,
      ...(msg.title ? { title: msg.title.slice(0, 200) } : {}),
      content: msg.content,
      ...(msg.urgency ? { urgency: msg.urgency } : {}),
      externalId: msg.externalId,
    });
    if (!parsed.success)
      return { inboxId: '', status: 'failed', reason: parsed.error.issues[0]?.message ?? '内容无效' };
    const by = { actor: SYSTEM_ACTOR, name: msg.contact.name || '系统' };
    const { issue, created } = await takeInIssue(deps, by, enterprise, parsed.data);
    if (created && attachments && msg.attachments?.length) {
      const source = msg.channel === 'email' || msg.channel === 'wechat' ? msg.channel : 'staff';
      await attachments.storeInbound(new Types.ObjectId(String(issue._id)), msg.attachments, source);
    }
    return { inboxId: String(issue._id), number: issue.number, status: created ? 'created' : 'duplicate' };
  };
}
