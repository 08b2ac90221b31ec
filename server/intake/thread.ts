// A reply in a conversation the centre already has (an owner answering the acknowledgement mail, 「请问现在进展
// 如何？」) belongs to the issue its thread started, not to a new one: the message names the earlier messages it
// answers (an email's In-Reply-To and References), their inbox entries name the issues they became, and the
// reply joins the one still open, as another source of it. Only from the address that wrote the issue, or one
// registered as the enterprise's: anyone can put any Message-ID in a header and a public credit code in the
// subject (a security review joined another enterprise's issue that way). Likewise a WeChat follower's picture
// sent just after their words (owners write, then photograph) joins the issue those words opened, and their
// words sent just after a picture (owners photograph, then write) describe the issue the picture opened
// (picture-words.ts).
import type { Document } from 'mongodb';
import type { InboundMessage } from '../channels/types.ts';
import { PICTURE_ONLY_CONTENT } from '../channels/wechat/wechat.dialogue.ts';
import type { Models } from '../models/index.ts';
import { AWAITING_RATING, RATING_PHONE_INDEX, RATING_SOURCE_PHONE_INDEX } from '../models/issue.indexes.ts';
import { normaliseMobile } from './match-enterprise.ts';
import { CANDIDATE_FIELDS, OPEN_STATES } from './repeat-candidates.ts';
import type { RepeatCandidate } from './repeat.ts';

/** Earlier messages a reply may name; a longer References header is cut to its newest. */
export const MAX_THREAD_IDS = 20;

interface ThreadIssue extends RepeatCandidate {
  enterpriseId: unknown;
  contact?: { email?: string; openid?: string } | null;
}

/** The open issue the message's thread belongs to, when its sender may add to it; null otherwise. */
export async function threadIssue(models: Models, msg: InboundMessage): Promise<RepeatCandidate | null> {
  if (msg.ratingReply) return ratingReplyIssue(models, msg);
  const ids = (msg.inReplyTo ?? []).slice(-MAX_THREAD_IDS);
  const sender = msg.contact.email?.toLowerCase();
  if (!ids.length || !sender) return null;
  const entries = await models.InboxEntry.collection
    .find(
      { channel: msg.channel, externalId: { $in: ids }, status: 'processed' },
      { projection: { issueId: 1 } },
    )
    .toArray();
  if (!entries.length) return null;
  const issues = (await models.Issue.collection
    .find({ _id: { $in: entries.map((e) => e.issueId) }, state: OPEN_STATES } as Document, {
      projection: CANDIDATE_FIELDS,
    })
    .toArray()) as unknown as ThreadIssue[];
  // The newest of the thread's issues the sender may add to.
  issues.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  for (const issue of issues) {
    if (issue.contact?.email?.toLowerCase() === sender) return issue;
    const own = await models.Enterprise.collection.countDocuments(
      { _id: issue.enterpriseId, emails: sender } as Document,
      { limit: 1 },
    );
    if (own) return issue;
  }
  return null;
}

/**
 * The issue a bare rating sent back answers (满意 or 不满意): the latest issue awaiting its rating that the sender
 * was texted 办理结果 for, as the enterprise's registered mobile or as the mobile that wrote it in (or a repeat
 * merged into it), or of the enterprise a WeChat follower is bound to (the edge names it by the bound credit
 * code).
 */
export async function ratingReplyIssue(models: Models, msg: InboundMessage): Promise<RepeatCandidate | null> {
  const senders = msg.ratingReply ? await ratingSenders(models, msg) : [];
  const found = await Promise.all(
    senders.map(
      ({ filter, hint }) =>
        models.Issue.collection.findOne({ ...filter, ...AWAITING_RATING } as Document, {
          projection: { ...CANDIDATE_FIELDS, updatedAt: 1 },
          sort: { updatedAt: -1 },
          ...(hint ? { hint } : {}),
        }) as Promise<(RepeatCandidate & { updatedAt: Date }) | null>,
    ),
  );
  const latest = found
    .filter((i) => i !== null)
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
  return latest ?? null;
}

/** Which issues a bare rating may answer, each an indexed read (none when the message names no sender). */
async function ratingSenders(
  models: Models,
  msg: InboundMessage,
): Promise<{ filter: Document; hint?: Document }[]> {
  const code = msg.enterprise.creditCode;
  const mobile = msg.channel === 'wechat' ? undefined : normaliseMobile(msg.contact.phone);
  const owner =
    msg.channel === 'wechat'
      ? code && { creditCode: code, provisional: { $ne: true } }
      : mobile && { mobile };
  if (!owner) return [];
  const owners = await models.Enterprise.collection.find(owner, { projection: { _id: 1 } }).toArray();
  const own = owners.length ? [{ filter: { enterpriseId: { $in: owners.map((o) => o._id) } } }] : [];
  if (!mobile) return own;
  // Named: the planner's trial might take the updatedAt index, every issue's.
  return [
    ...own,
    { filter: { 'contact.phone': mobile }, hint: RATING_PHONE_INDEX },
    { filter: { 'sources.contact.phone': mobile }, hint: RATING_SOURCE_PHONE_INDEX },
  ];
}

/** How long after a follower's words their picture still belongs to them. */
export const PICTURE_FOLLOW_UP_MS = 30 * 60_000;

/**
 * The issue a files-only WeChat message follows up (pure): the newest of the enterprise's open candidates that
 * the same follower opened in the last PICTURE_FOLLOW_UP_MS.
 */
export function pictureFollowUp<C extends RepeatCandidate>(
  msg: InboundMessage,
  candidates: readonly C[],
  now: Date,
): C | undefined {
  const openid = msg.contact.openid;
  if (!msg.filesOnly || !openid) return undefined;
  const since = now.getTime() - PICTURE_FOLLOW_UP_MS;
  return [...candidates]
    .filter((c) => c.contact?.openid === openid && c.createdAt.getTime() >= since)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

/**
 * The picture-only issue a WeChat text describes (pure): the newest of the enterprise's open candidates that the
 * same follower opened with a picture alone in the last PICTURE_FOLLOW_UP_MS, still without words.
 */
export function describedPicture<C extends RepeatCandidate>(
  msg: InboundMessage,
  candidates: readonly C[],
  now: Date,
): C | undefined {
  const openid = msg.contact.openid;
  if (msg.filesOnly || msg.channel !== 'wechat' || !openid) return undefined;
  const since = now.getTime() - PICTURE_FOLLOW_UP_MS;
  return [...candidates]
    .filter(
      (c) =>
        c.contact?.openid === openid && c.content === PICTURE_ONLY_CONTENT && c.createdAt.getTime() >= since,
    )
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}
