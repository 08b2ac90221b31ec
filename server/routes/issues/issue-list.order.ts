// The staff list's orders and their keyset cursors. Newest first, oldest first and due soonest sort on an
// indexed key with `_id` as tie-breaker (oldest first walks the newest-first indexes backwards); a search by issue number sorts on the (unique) number. A cursor names the last row's
// key, so the next page is "strictly after it" and pages stay stable while issues keep arriving. It is
// opaque to clients (base64url JSON) and validated on the way back in.
import { Types } from 'mongoose';
import type { ListSort } from '../../../shared/issue-list.ts';
import { badRequest } from '../../errors.ts';
import type { IssueDoc } from '../../models/issue.model.ts';

export type Filter = Record<string, unknown>;
export type OrderName = ListSort | 'number';

/**
 * A row's position in an order: a time in ms plus the `_id`, or an issue number; in due order past its dated
 * rows, the `_id` of an issue without a deadline (`u`: undated, after that id).
 */
export type CursorData = { v: number; id: string } | { n: string } | { u: string };

export interface ListOrder {
  name: OrderName;
  sort: Record<string, 1 | -1>;
  /** The fields a row's position is read from (the rest of the row is not needed to page). */
  projection: Record<string, 1>;
  positionOf(row: Pick<IssueDoc, '_id' | 'createdAt' | 'dueAt' | 'number'>): CursorData;
  /** Rows strictly after `c`. */
  after(c: CursorData): Filter[];
  /** Rows up to and including every row whose key equals `c`'s: a search window's far end. */
  through(c: CursorData): Filter[];
  /** A cursor past every row whose key equals `c`'s, to continue after a search window. */
  past(c: CursorData): CursorData;
  /** Rows from `c`'s key on, `c`'s own key included: a plain range (no `$or` for the engine to test per row). */
  from(c: CursorData): Filter[];
}

const MIN_ID = '000000000000000000000000';
const MAX_ID = 'ffffffffffffffffffffffff';

/** An order on a date field with `_id` as tie-breaker; `dir` -1 is newest first. */
function byTime(name: ListSort, field: 'createdAt' | 'dueAt', dir: 1 | -1): ListOrder {
  const [strictly, orEqual] = dir < 0 ? ['$lt', '$lte'] : ['$gt', '$gte'];
  const [backTo] = dir < 0 ? ['$gte'] : ['$lte'];
  /** The `_id` no row passes in this direction: a position past every row of its key. */
  const beyond = dir < 0 ? MIN_ID : MAX_ID;
  const time = (c: CursorData) => ('v' in c ? new Date(c.v) : new Date(NaN));
  return {
    name,
    sort: { [field]: dir, _id: dir },
    projection: { [field]: 1 },
    positionOf: (row) => ({ v: (row[field] as Date).getTime(), id: String(row._id) }),
    // The plain range on the key bounds the index scan; the `$or` settles ties on `_id`. A cursor `past` a
    // search window leaves no tie to settle: the strict range alone, so the engine checks no `$or` per row.
    after: (c) =>
      'id' in c && c.id === beyond
        ? [{ [field]: { [strictly]: time(c) } }]
        : [
            { [field]: { [orEqual]: time(c) } },
            {
              $or: [
                { [field]: { [strictly]: time(c) } },
                { [field]: time(c), _id: { [strictly]: new Types.ObjectId('id' in c ? c.id : MIN_ID) } },
              ],
            },
          ],
    through: (c) => [{ [field]: { [backTo]: time(c) } }],
    past: (c) => ({ v: 'v' in c ? c.v : 0, id: beyond }),
    from: (c) => [{ [field]: { [orEqual]: time(c) } }],
  };
}

const byNumber: ListOrder = {
  name: 'number',
  sort: { number: -1 },
  projection: { number: 1 },
  positionOf: (row) => ({ n: row.number }),
  after: (c) => [{ number: { $lt: 'n' in c ? c.n : '' } }],
  through: (c) => [{ number: { $gte: 'n' in c ? c.n : '' } }],
  past: (c) => c,
  from: (c) => [{ number: { $lte: 'n' in c ? c.n : '' } }],
};

/**
 * Due soonest lists the issues without a deadline yet (待受理, a consultation straight from intake) after the
 * dated ones, oldest first: on the same index, whose keys for a missing due date come first and in `_id`
 * order. The dated part is DATED; this part pages by `_id` (`{u}` cursors).
 */
export const UNDATED = {
  conditions: (after?: string): Filter[] => [
    { dueAt: null },
    ...(after ? [{ _id: { $gt: new Types.ObjectId(after) } }] : []),
  ],
  sort: { dueAt: 1, _id: 1 } as Record<string, 1 | -1>,
  positionOf: (row: Pick<IssueDoc, '_id'>): CursorData => ({ u: String(row._id) }),
  /** Where the undated part starts (before every `_id`). */
  start: { u: MIN_ID } as { u: string },
};

/** The dated part of due soonest; `from` also bounds it (a deadline is counted from dispatch, after intake). */
export const dated = (from?: Date): Filter => ({ dueAt: from ? { $ne: null, $gte: from } : { $ne: null } });

export const ORDERS: Readonly<Record<OrderName, ListOrder>> = Object.freeze({
  createdAt: byTime('createdAt', 'createdAt', -1),
  dueAt: byTime('dueAt', 'dueAt', 1),
  oldest: byTime('oldest', 'createdAt', 1),
  number: byNumber,
});

export function encodeCursor(data: CursorData): string {
  return Buffer.from(JSON.stringify(data)).toString('base64url');
}

/** The cursor's position, if it is well-formed and belongs to `order`; a 400 otherwise. */
export function decodeCursor(cursor: string, order: ListOrder): CursorData {
  try {
    const data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (order.name === 'number') {
      if (typeof data.n === 'string' && data.n.length <= 40) return { n: data.n };
    } else if (order.name === 'dueAt' && typeof data.u === 'string' && Types.ObjectId.isValid(data.u)) {
      return { u: data.u };
    } else if (typeof data.v === 'number' && typeof data.id === 'string' && Types.ObjectId.isValid(data.id)) {
      return { v: data.v, id: data.id };
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw invalidCursor();
}

export const invalidCursor = () => badRequest('分页游标无效，请从第一页重新加载', 'invalid_cursor');
