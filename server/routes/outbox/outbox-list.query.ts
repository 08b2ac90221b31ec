// The 通知发送 screen's list: one page of outbox rows, latest first, with the keyset cursor of GET /api/issues
// (issue-list.order.ts: the last row's createdAt and `_id`, opaque to clients), so pages stay put while rows keep
// arriving. Every filter it offers is served by an outbox index that delivers the order (outbox.model.ts): a
// status, an issue (by id, or by number through the issues' unique number index), a recipient by exact name.
import type { Types } from 'mongoose';
import type { Models } from '../../models/index.ts';
import type { OutboxDoc } from '../../models/outbox.model.ts';
import { decodeCursor, encodeCursor, ORDERS } from '../issues/issue-list.order.ts';

export interface OutboxListQuery {
  cursor?: string;
  limit: number;
  issueNumber?: string;
}

export interface OutboxPage {
  rows: OutboxDoc[];
  next?: string;
}

/** Newest first, `_id` breaking ties: the order every outbox list index delivers. */
export const OUTBOX_ORDER = ORDERS.createdAt;

/** The rows of `filter` after the cursor's row (all of them without one), as one query. */
export function outboxPageFilter(filter: Record<string, unknown>, cursor?: string): Record<string, unknown> {
  const conditions = [
    ...(Object.keys(filter).length ? [filter] : []),
    ...(cursor ? OUTBOX_ORDER.after(decodeCursor(cursor, OUTBOX_ORDER)) : []),
  ];
  return conditions.length > 1 ? { $and: conditions } : (conditions[0] ?? {});
}

/** One page of the rows `filter` matches, narrowed to an issue number when one is asked for. */
export async function listOutbox(
  models: Models,
  filter: Record<string, unknown>,
  q: OutboxListQuery,
): Promise<OutboxPage> {
  let narrowed = filter;
  if (q.issueNumber) {
    const issue = await models.Issue.findOne({ number: q.issueNumber }, { _id: 1 }).lean<{
      _id: Types.ObjectId;
    }>();
    // Rows name their issue by id: a number no issue has has no rows (nor one that contradicts `issueId`).
    if (!issue || (filter.issueId && String(filter.issueId) !== String(issue._id))) return { rows: [] };
    narrowed = { ...filter, issueId: issue._id };
  }
  const rows = await models.Outbox.find(outboxPageFilter(narrowed, q.cursor))
    .sort(OUTBOX_ORDER.sort)
    .limit(q.limit + 1)
    .lean<OutboxDoc[]>();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  if (rows.length <= q.limit || !last) return { rows: page };
  return { rows: page, next: encodeCursor({ v: last.createdAt.getTime(), id: String(last._id) }) };
}
