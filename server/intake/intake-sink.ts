// The pipeline's dependencies as an app builds them, and the IntakeSink channel edges receive (WeChat, SMTP,
// imports, the JSON webhooks): the app's models and clock, the cached configuration, the after-commit listener
// (realtime) and the app's one inbox recorder.
import { Types } from 'mongoose';
import type { AttachmentSource, AttachmentStore } from '../attachments/attachment.store.ts';
import type { RefusedAttachment } from '../attachments/attachment.rules.ts';
import { reparseJsonChannel } from '../channels/json-channels.ts';
import { cachedSettings } from '../commands/issue-deps.ts';
import type { AppContext } from '../http/app-context.ts';
import type { InboundMessage, IntakeAck } from '../channels/types.ts';
import type { Models } from '../models/index.ts';
import type { IssueDoc } from '../models/issue.model.ts';
import { recordRefusedAttachments } from './attachment-refusals.ts';
import { inboxRecorderFor } from './inbox-store.ts';
import { acceptInboundBatch, type BatchMemory } from './intake-batch.ts';
import { channelBy, runIntake, type IntakeOutcome, type IntakeSink, type PipelineDeps } from './pipeline.ts';
import type { RepeatCheckInput } from './repeat.ts';

export function createPipelineDeps(
  ctx: Pick<AppContext, 'models' | 'clock' | 'intakeConfig' | 'onIssueChange' | 'logger'> &
    Partial<Pick<AppContext, 'classifier'>>,
): PipelineDeps {
  const { classifier } = ctx;
  return {
    // The trained model when the app has one (server/text); the keyword rules otherwise.
    ...(classifier
      ? {
          classify: (text: string) => classifier.classify(text),
          checkRepeat: (input: RepeatCheckInput) => classifier.checkRepeat(input),
        }
      : {}),
    models: ctx.models,
    clock: ctx.clock,
    settings: cachedSettings(ctx.intakeConfig),
    intakeConfig: () => ctx.intakeConfig.get(),
    onChange: ctx.onIssueChange,
    reparse: reparseJsonChannel,
    inbox: inboxRecorderFor(ctx.models, (err) =>
      ctx.logger.warn({ err }, 'inbox outcome not recorded; recovery will record it'),
    ),
  };
}

/** Where a channel's files are said to come from (the staff page's 来源). */
function attachmentSourceOf(msg: InboundMessage): AttachmentSource {
  return msg.channel === 'email' || msg.channel === 'wechat' || msg.channel === 'qr' ? msg.channel : 'staff';
}

/**
 * Stores the files a message brought with the issue it created, or with the open issue it was merged into (a
 * second WeChat picture of one enterprise reads like the first and merges: its picture must not be lost).
 * Files the store refuses, and those the edge refused before (`refusedAtEdge`: too large to read whole,
 * beyond the count), are named on the issue, on the inbox entry and in the answer (attachment-refusals.ts).
 * A redelivery stores nothing again.
 */
export async function attachMessageFiles(
  deps: Pick<PipelineDeps, 'models' | 'clock' | 'onChange'>,
  store: AttachmentStore | undefined,
  msg: InboundMessage,
  { ack, issue }: IntakeOutcome,
  refusedAtEdge: readonly RefusedAttachment[] = [],
): Promise<IntakeAck> {
  if (!store || (!msg.attachments?.length && !refusedAtEdge.length)) return ack;
  const issueId = await issueOf(deps.models, ack, issue);
  if (!issueId) return ack;
  const id = new Types.ObjectId(String(issueId));
  const { skipped } = msg.attachments?.length
    ? await store.storeInbound(id, msg.attachments, attachmentSourceOf(msg), new Types.ObjectId(ack.inboxId))
    : { skipped: [] };
  const refused = [...refusedAtEdge, ...skipped];
  if (!refused.length) return ack;
  await recordRefusedAttachments(deps, id, ack.inboxId, refused);
  return { ...ack, refusedAttachments: refused };
}

async function issueOf(models: Models, ack: IntakeAck, issue: IssueDoc | undefined) {
  if (ack.status === 'created') return issue?._id;
  if (ack.status !== 'merged' || !ack.number) return undefined;
  const master = await models.Issue.collection.findOne<Pick<IssueDoc, '_id'>>(
    { number: ack.number },
    { projection: { _id: 1 } },
  );
  return master?._id;
}

/** A sink that also takes many messages at once (batch imports), answering each as the sink would. */
export type IntakeBatch = (
  msgs: readonly InboundMessage[],
  credentialId?: string,
  /** Shared by the batches of one run (createBatchMemory): what the next batch need not read again. */
  memory?: BatchMemory,
) => Promise<IntakeAck[]>;
export type BatchIntakeSink = IntakeSink & { batch?: IntakeBatch };

/**
 * The sink every channel edge hands its messages to, with `batch` for many at once; the files that came with
 * a message go with its issue (attachMessageFiles).
 */
export function createIntakeSink(
  ctx: Parameters<typeof createPipelineDeps>[0],
  attachments?: AttachmentStore,
): IntakeSink & { batch: IntakeBatch } {
  const deps = createPipelineDeps(ctx);
  const sink: IntakeSink = async (msg, credentialId) => {
    const outcome = await runIntake(deps, msg, channelBy(msg.channel, credentialId));
    return attachMessageFiles(deps, attachments, msg, outcome);
  };
  return Object.assign(sink, {
    // Files come one message at a time; a batch with any goes that way.
    batch: (msgs: readonly InboundMessage[], credentialId?: string, memory?: BatchMemory) =>
      msgs.some((m) => m.attachments?.length)
        ? Promise.all(msgs.map((m) => sink(m, credentialId)))
        : acceptInboundBatch(deps, msgs, credentialId, memory),
  });
}
