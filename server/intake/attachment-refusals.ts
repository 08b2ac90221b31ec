// The files of a channel message that the attachment store refused (over the per-issue limit, over 10 MB, a
// type it does not take): named with their reasons in an internal note on the issue the message became or
// joined, and on the message's inbox entry, so staff know what the sender meant to send and can ask for it;
// the sender is told which files did not arrive and why, on the channel the message came by.
import { Types } from 'mongoose';
import { SYSTEM_ACTOR } from '../../shared/lifecycle/issue-core.ts';
import type { RefusedAttachment } from '../attachments/attachment.rules.ts';
import { appendNote } from '../attachments/attachment-upload.command.ts';
import type { IssueCommandDeps } from '../commands/issue-deps.ts';
import type { IssueDoc } from '../models/index.ts';

/** The event's `data.kind`, beside intake's source_merged and the staff upload's attachments_added. */
export const ATTACHMENTS_REFUSED = 'attachments_refused';
const LISTED = 20;

export function refusedNote(refused: readonly RefusedAttachment[]): string {
  const named = refused.slice(0, LISTED).map((r) => `${r.filename}（${r.reason}）`);
  return `${refused.length}个附件未保存：${named.join('、')}${refused.length > LISTED ? '等' : ''}`;
}

export async function recordRefusedAttachments(
  deps: Pick<IssueCommandDeps, 'models' | 'clock' | 'onChange'>,
  issueId: Types.ObjectId,
  inboxId: string,
  refused: readonly RefusedAttachment[],
): Promise<void> {
  const kept = refused.slice(0, 100).map(({ filename, reason }) => ({ filename, reason }));
  await deps.models.InboxEntry.collection.updateOne(
    { _id: new Types.ObjectId(inboxId) },
    { $set: { refusedAttachments: kept } },
  );
  const issue = await deps.models.Issue.collection.findOne<Pick<IssueDoc, '_id' | 'state'>>(
    { _id: issueId },
    { projection: { state: 1 } },
  );
  if (!issue) return;
  // The sender hears which files did not arrive (notify/intents.ts), on the channel the message came by.
  await appendNote(deps, issue, SYSTEM_ACTOR.id, (state, now) => ({
    at: now,
    actorId: SYSTEM_ACTOR.id,
    actorRole: SYSTEM_ACTOR.role,
    actorName: '系统',
    action: 'note',
    fromState: state,
    toState: state,
    note: refusedNote(refused),
    public: false,
    data: { kind: ATTACHMENTS_REFUSED, inboxId, attachments: kept },
  }));
}
