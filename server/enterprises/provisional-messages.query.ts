// What the writers sent, for the centre's queue of provisional enterprises: intake names such an enterprise
// after its writer (待确认企业（139****1111）) or after what the message said, so the messages themselves are
// how staff tell which enterprise it is before confirming it under its real name or merging it.
import type { Types } from 'mongoose';
import type { ChannelId } from '../../shared/states.ts';
import { messagesOf } from '../models/issue.model.ts';
import { ENTERPRISE_ISSUES_INDEX, NEWEST_FIRST } from '../models/issue.indexes.ts';
import type { Models } from '../models/index.ts';

/** Enough to recognise the enterprise by; the whole text is on the issue. */
const PER_ENTERPRISE = 3;
const TEXT_CHARS = 300;

export interface WriterMessage {
  issueId: string;
  number: string;
  channel: ChannelId;
  at: string;
  text: string;
}

/** The newest messages of each enterprise's issues (repeats merged into them included), by enterprise id. */
export async function writerMessages(
  models: Models,
  enterpriseIds: Types.ObjectId[],
): Promise<Map<string, WriterMessage[]>> {
  const each = await Promise.all(
    enterpriseIds.map(async (enterpriseId) => {
      const issues = await models.Issue.find({ enterpriseId })
        .select({ number: 1, channel: 1, createdAt: 1, title: 1, content: 1, sources: 1 })
        .sort(NEWEST_FIRST)
        .hint(ENTERPRISE_ISSUES_INDEX)
        .limit(PER_ENTERPRISE)
        .lean();
      const messages = issues.flatMap((issue) =>
        messagesOf(issue).map((m) => ({
          issueId: String(issue._id),
          number: issue.number,
          channel: m.channel,
          at: new Date(m.receivedAt).toISOString(),
          text: [...(m.content || m.title)].slice(0, TEXT_CHARS).join(''),
        })),
      );
      return [String(enterpriseId), messages.slice(0, PER_ENTERPRISE)] as const;
    }),
  );
  return new Map(each);
}
