// A WeChat follower's words that describe the picture they sent a moment before. Owners often photograph
// first, then write: the picture alone is filed at once (a picture is never held back, so nothing is lost if
// the words never come: staff see it in 待受理 with the picture, and its sender's reply asks for the words), and
// the same follower's text within PICTURE_FOLLOW_UP_MS (thread.ts, the window a picture after words also
// joins in) becomes that issue's title and content instead of a second issue. While the issue still waits
// untouched in 待受理, it is then classified and routed on the words, as it would have been had they come
// first; once staff have acted on it, only its text changes. The words' inbox entry is processed as merged into
// it, so a redelivery of either message answers the same number. Words that repeat another of the
// enterprise's open issues flag the picture's issue 可能重复 with it (and, untouched, keep it in 待受理): the
// dispatcher merges it there with the picture, as with any borderline repeat, rather than finding two issues
// dispatched for one problem.
import type { Types } from 'mongoose';
import { storedEvent, storedLifecycleFields } from '../commands/issue-intake.doc.ts';
import { changeOf, notifyChange } from '../commands/issue-deps.ts';
import type { IssueCreateDeps } from '../commands/issue-create.command.ts';
import { coreFields } from '../commands/issue-store.ts';
import { PICTURE_ONLY_CONTENT } from '../channels/wechat/wechat.dialogue.ts';
import { CHANNEL_LABELS } from '../../shared/states.ts';
import type { IssueDoc, StoredTimelineEvent } from '../models/index.ts';
import type { IntakeConfig } from './intake-config.ts';
import { openingOf, possibleRepeatEvent, type NewIssueInput } from './issue-from-message.ts';
import type { RepeatCandidate } from './repeat.ts';
import { searchTermsOf } from '../text/search-terms.ts';
import { titleFromContent } from './title-from-content.ts';

/** The timeline note's kind: the words that describe the issue's picture. */
export const PICTURE_DESCRIBED = 'picture_described';

type Current = Pick<IssueDoc, '_id' | 'state' | 'version' | 'contact' | 'enterpriseName'> & {
  timeline: Pick<StoredTimelineEvent, 'actorRole'>[];
};

/**
 * The picture's issue with the words as its text (and, untouched in 待受理, opened again on them); null when
 * it has its words already or moved meanwhile (the words are then filed as any message is).
 */
export async function describePicture(
  deps: IssueCreateDeps,
  config: IntakeConfig,
  picture: RepeatCandidate,
  /** possibleRepeat: another open issue the words may repeat. */
  input: Omit<NewIssueInput, 'intakeNote'>,
): Promise<Pick<IssueDoc, '_id' | 'number'> | null> {
  const { entry, msg, by, now, possibleRepeat } = input;
  const issues = deps.models.Issue.collection;
  const current = await issues.findOne<Current>(
    { _id: picture._id as Types.ObjectId, content: PICTURE_ONLY_CONTENT },
    { projection: { state: 1, version: 1, contact: 1, enterpriseName: 1, 'timeline.actorRole': 1 } },
  );
  if (!current) return null;
  const untouched = current.state === 'received' && current.timeline.every((e) => e.actorRole === 'system');
  const note: StoredTimelineEvent = {
    at: now,
    actorId: by.actor.id,
    actorRole: by.actor.role,
    actorName: by.actorName,
    action: 'note',
    fromState: current.state,
    toState: current.state,
    note: `收到企业通过「${CHANNEL_LABELS[msg.channel]}」发来的图片说明，已作为本件内容`,
    public: true,
    data: { kind: PICTURE_DESCRIBED, inboxId: String(entry._id) },
  };
  // The words may name who to call (联系人…手机…): added to the follower the picture came from.
  const contact = { ...(current.contact ?? {}), ...msg.contact };
  const title = msg.title ?? titleFromContent(msg.content);
  let set: Record<string, unknown> = {
    title,
    content: msg.content,
    searchTerms: searchTermsOf(title, msg.content, current.enterpriseName),
    contact,
    updatedAt: now,
    ...(possibleRepeat ? { possibleRepeat } : {}),
  };
  const events = [note, ...(possibleRepeat ? [possibleRepeatEvent(note, possibleRepeat)] : [])];
  if (untouched) {
    const opened = await openingOf(deps, config, input);
    set = {
      ...set,
      ...storedLifecycleFields(coreFields(opened.core, now)),
      classification: { ...opened.triaged.classification },
      routing: { source: opened.routed ? opened.routed.source : 'none' },
      unitName: opened.routed ? opened.routed.unitName : null,
    };
    // The creation is the picture's; the dispatch on the words follows the note.
    events.push(...opened.events.slice(1));
  }
  const updated = (await issues.findOneAndUpdate(
    { _id: current._id, version: current.version },
    { $set: set, $push: { timeline: { $each: events.map(storedEvent) } }, $inc: { version: 1 } } as never,
    { returnDocument: 'after', projection: { sources: 0, content: 0 } },
  )) as IssueDoc | null;
  if (!updated) return null;
  // Dispatched on the words: the unit hears of its new issue, the enterprise who has it.
  if (updated.state !== current.state)
    notifyChange(deps, changeOf(updated, 'dispatch', current.state, by.actor.id, now));
  return updated;
}
