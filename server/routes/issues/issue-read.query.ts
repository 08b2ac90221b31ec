// Staff reads of issues. The detail answers 404 for an issue the actor may not see, exactly as for one that
// does not exist. The list is one MongoDB query: the actor's visibility (from the policies) AND the filters, sorted on an
// indexed key with _id as tie-breaker, paged by an opaque keyset cursor so pages stay stable while issues keep
// arriving. Search text is escaped: it is matched literally, never as a pattern.
import { Types } from 'mongoose';
import type { Actor } from '../../../shared/roles.ts';
import { badRequest } from '../../errors.ts';
import { escapeRegex } from '../../http/validate.ts';
import type { Models } from '../../models/index.ts';
import type { IssueDoc } from '../../models/issue.model.ts';
import { canViewIssue, issueVisibilityFilter } from '../../policies/issue.policy.ts';
import { loadIssue, scopeOf } from '../../commands/issue-store.ts';
import { notFound } from '../../errors.ts';
import type { ListIssuesQuery } from './issues.schema.ts';

type Filter = Record<string, unknown>;
interface CursorData {
  /** Sort key of the last row: createdAt or dueAt in ms. */
  v: number;
  id: string;
}

export function encodeCursor(data: CursorData): string {
  return Buffer.from(JSON.stringify(data)).toString('base64url');
}

function decodeCursor(cursor: string): CursorData {
  try {
    const data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorData>;
    if (typeof data.v === 'number' && typeof data.id === 'string' && Types.ObjectId.isValid(data.id)) {
      return { v: data.v, id: data.id };
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw badRequest('分页游标无效，请从第一页重新加载', 'invalid_cursor');
}

const inList = (values: readonly string[] | undefined) => (values ? { $in: values } : undefined);

function filtersOf(q: ListIssuesQuery): Filter[] {
  const fields: Filter = {
    state: inList(q.state),
    category: inList(q.category),
    urgency: inList(q.urgency),
    warning: inList(q.warning),
    channel: inList(q.channel),
    unitId: q.unitId,
    enterpriseId: q.enterpriseId,
  };
  const out: Filter[] = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ [k]: v }));
  if (q.q) {
    const rx = { $regex: escapeRegex(q.q), $options: 'i' };
    out.push({ $or: [{ number: rx }, { title: rx }, { content: rx }] });
  }
  if (q.from || q.to)
    out.push({ createdAt: { ...(q.from && { $gte: q.from }), ...(q.to && { $lte: q.to }) } });
  return out;
}

/** Rows strictly after the cursor in the chosen order. */
function afterCursor(q: ListIssuesQuery, c: CursorData): Filter {
  const id = new Types.ObjectId(c.id);
  const v = new Date(c.v);
  if (q.sort === 'dueAt') return { $or: [{ dueAt: { $gt: v } }, { dueAt: v, _id: { $gt: id } }] };
  return { $or: [{ createdAt: { $lt: v } }, { createdAt: v, _id: { $lt: id } }] };
}

export async function listIssues(models: Models, actor: Actor, q: ListIssuesQuery) {
  const and: Filter[] = [issueVisibilityFilter(actor), ...filtersOf(q)];
  // "Due soonest" lists the issues that have a due date at all.
  if (q.sort === 'dueAt') and.push({ dueAt: { $ne: null } });
  if (q.cursor) and.push(afterCursor(q, decodeCursor(q.cursor)));
  const sort: Record<string, 1 | -1> = q.sort === 'dueAt' ? { dueAt: 1, _id: 1 } : { createdAt: -1, _id: -1 };
  const rows = await models.Issue.find({ $and: and }, { timeline: 0 })
    .sort(sort)
    .limit(q.limit + 1)
    .lean<IssueDoc[]>();
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  const more = rows.length > q.limit && last;
  const key = (d: IssueDoc) => (q.sort === 'dueAt' ? (d.dueAt as Date) : d.createdAt).getTime();
  return { items, next: more ? encodeCursor({ v: key(last), id: String(last._id) }) : undefined };
}

export async function getVisibleIssue(models: Models, actor: Actor, id: string): Promise<IssueDoc> {
  const issue = await loadIssue(models, id);
  if (!canViewIssue(actor, scopeOf(issue))) throw notFound('问题不存在');
  return issue;
}
