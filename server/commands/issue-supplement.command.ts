// 补充材料: a verified owner adds a note and files to one of the enterprise's issues still being handled, from
// the QR page (DESIGN §3: a unit may wait on the enterprise's materials), or to one whose bad rating the
// centre is checking (DESIGN §6: the one-tap 不满意 says no why; the owner's reasons and photos are what
// the check reads). One command: the issue must be the enterprise's own (another's is simply not found) and
// in one of those states, not waiting for a rating or finished; the files the store accepts are kept (the
// others are named back, as on the new-issue form), and one public timeline note records the words and the
// files, in the enterprise's name. Not a lifecycle action: no state or clock moves.
import { Types } from 'mongoose';
import { chinaDateKey } from '../../shared/calendar.ts';
import { enterpriseActor } from '../../shared/lifecycle/issue-core.ts';
import { CLOCKED_STATES, STATE_LABELS, type IssueState } from '../../shared/states.ts';
import { appendNote } from '../attachments/attachment-upload.command.ts';
import type { AttachmentInfo, AttachmentStore } from '../attachments/attachment.store.ts';
import type { RefusedAttachment } from '../attachments/attachment.rules.ts';
import type { InboundAttachment } from '../channels/types.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import type { IssueDoc } from '../models/issue.model.ts';
import { enterpriseOwnsIssue } from '../policies/issue.policy.ts';
import type { IssueCommandDeps } from './issue-deps.ts';
import { loadIssue, noteEvent } from './issue-store.ts';

/** The event's `data.kind`, which the QR page labels 补充材料. */
export const ENTERPRISE_SUPPLEMENT = 'enterprise_supplement';

/** Being handled, or answered and waiting for the centre's check; once awaiting a rating, the owner rates. */
const TAKES_SUPPLEMENT: ReadonlySet<IssueState> = new Set([...CLOCKED_STATES, 'replied']);

/** What the two checks below read of an issue. */
type SupplementFields = {
  state: IssueState;
  rating?: Partial<Pick<NonNullable<IssueDoc['rating']>, 'rating' | 'verification'>> | null;
};

/** A bad rating the centre has not checked yet: the owner may still say why. */
export const badRatingPending = (doc: SupplementFields): boolean =>
  doc.state === 'awaiting_rating' && doc.rating?.rating === 'bad' && doc.rating.verification === 'pending';

export const takesSupplement = (doc: SupplementFields): boolean =>
  TAKES_SUPPLEMENT.has(doc.state) || badRatingPending(doc);

/** Supplements one issue takes per China day, and in all: each is a public note the units are told of. */
export const SUPPLEMENTS_PER_DAY = 5;
export const SUPPLEMENTS_IN_ALL = 30;

/**
 * The enterprise's own issue, if it takes a supplement now: the route asks before it reads any file, the
 * command again before it writes.
 */
export async function supplementTarget(
  deps: Pick<IssueCommandDeps, 'models' | 'clock'>,
  enterpriseId: string,
  issueId: string,
): Promise<IssueDoc> {
  const doc = await loadIssue(deps.models, issueId);
  if (!enterpriseOwnsIssue(enterpriseId, doc)) throw notFound('问题不存在');
  if (!takesSupplement(doc))
    throw new AppError(
      'issue_not_open',
      409,
      `该问题处于「${STATE_LABELS[doc.state]}」状态，不能再补充材料；如有新情况，请反映新问题。`,
    );
  const earlier = doc.timeline.filter((e) => e.data?.kind === ENTERPRISE_SUPPLEMENT);
  const today = chinaDateKey(deps.clock.now());
  if (earlier.filter((e) => chinaDateKey(new Date(e.at)) === today).length >= SUPPLEMENTS_PER_DAY)
    throw tooMany(`本问题今日已补充${SUPPLEMENTS_PER_DAY}次，请明天再补充，或直接联系承办单位。`);
  if (earlier.length >= SUPPLEMENTS_IN_ALL)
    throw tooMany(`本问题已补充${SUPPLEMENTS_IN_ALL}次，请直接联系承办单位。`);
  return doc;
}

const tooMany = (message: string) => new AppError('supplement_limit', 429, message);

export interface SupplementRequest {
  /** The enterprise the owner verified for (from the session, never from the form). */
  enterpriseId: string;
  issueId: string;
  text: string;
  files: readonly InboundAttachment[];
  /** Files the page refused before reading them. */
  refused: readonly RefusedAttachment[];
}

export interface SupplementResult {
  stored: AttachmentInfo[];
  refused: RefusedAttachment[];
}

export async function enterpriseSupplementCommand(
  deps: IssueCommandDeps,
  store: AttachmentStore,
  req: SupplementRequest,
): Promise<SupplementResult> {
  const doc = await supplementTarget(deps, req.enterpriseId, req.issueId);
  const text = req.text.trim();
  if (!text && !req.files.length) throw badRequest('请填写补充说明或选择文件', 'supplement_empty');
  const { stored, skipped } = req.files.length
    ? await store.storeInbound(new Types.ObjectId(req.issueId), req.files, 'qr')
    : { stored: [], skipped: [] };
  const refused = [...req.refused, ...skipped];
  if (!text && !stored.length) return { stored, refused };
  const actor = { ...enterpriseActor(req.enterpriseId), name: doc.enterpriseName };
  const named = stored.length ? `附件：${stored.map((a) => a.filename).join('、')}` : '';
  const note = [text, named].filter(Boolean).join('\n');
  await appendNote(deps, doc, actor.id, (state, now) =>
    noteEvent(actor, state, now, note, {
      public: true,
      data: {
        kind: ENTERPRISE_SUPPLEMENT,
        attachments: stored.map((a) => ({ id: a.id, filename: a.filename })),
      },
    }),
  );
  return { stored, refused };
}
