// The files of a channel message that the attachment store refused (over the per-issue limit, over 10 MB, a
// type it does not take): named with their reasons in an internal note on the issue the message became or
// joined, and on the message's inbox entry, so staff know what the sender meant to send and can ask for it;
// the sender is told which files did not arrive and why, on the channel the message came by.
import { Types } from 'mongoose';
import { SYSTEM_ACTOR } from '../../shared/lifecycle/issue-core.ts';
import type { RefusedAttachment } from '../attachments/attachment.store.ts';
import { changeOf, notifyChange, type IssueCommandDeps } from '../commands/issue-deps.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/index.ts';

/** The event's `data.kind`, beside intake's source_merged and the staff upload's attachments_added. */
export const ATTACHMENTS_REFUSED = 'attachments_refused';
const LISTED = 20;

export function refusedNote(refused: readonly RefusedAttachment[]): string {
  const named = refused.slice(0, LISTED).map((r) => `${r.filename}（${r.reason}）`);
  return `${refused.length}个附件未保存：${named.join('、')}${refused.length > LISTED ? '等' : ''}`;
}

export async function recordRefusedAttachments(
  deps: Pick<IssueCommandDeps, 'models' | 'onChange'>,
  issueId: Types.ObjectId,
  inboxId: string,
  refused: readonly RefusedAttachment[],
  now: Date,
): Promise<void> {
  const kept = refused.slice(0, 100).map(({ filename, reason }) => ({ filename, reason }));
  await deps.models.InboxEntry.collection.updateOne(
    { _id: new Types.ObjectId(inboxId) },
    { $set: { refusedAttachments: kept } },
  );
  const issues = deps.models.Issue.collection;
  const note = refusedNote(refused);
  const data = { kind: ATTACHMENTS_REFUSED, inboxId, attachments: kept };
  // The note names the state the issue is in when it lands (a lifecycle action may move it meanwhile).
  for (let tries = 0; tries < 4; tries++) {
    const current = await issues.findOne<Pick<IssueDoc, 'state'>>(
      { _id: issueId },
      { projection: { state: 1 } },
    );
    if (!current) return;
    const event: StoredTimelineEvent = {
      at: now,
      actorId: SYSTEM_ACTOR.id,
      actorRole: SYSTEM_ACTOR.role,
      actorName: '系统',
      action: 'note',
      fromState: current.state,
      toState: current.state,
      note,
      public: false,
      data,
    };
    const updated = (await issues.findOneAndUpdate(
      tries < 3 ? { _id: issueId, state: current.state } : { _id: issueId },
      { $push: { timeline: event }, $inc: { version: 1 }, $set: { updatedAt: now } } as never,
      { returnDocument: 'after', projection: { timeline: 0, sources: 0, content: 0 } },
    )) as IssueDoc | null;
    if (updated) {
      // The sender hears which files did not arrive (notify/intents.ts), on the channel the message came by.
      const change = changeOf(updated, 'note', updated.state, SYSTEM_ACTOR.id, now);
      notifyChange(deps, { ...change, actorRole: SYSTEM_ACTOR.role, note, data, public: false });
      return;
    }
  }
}
