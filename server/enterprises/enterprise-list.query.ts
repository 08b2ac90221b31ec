// The enterprise directory's list: search by name, credit-code prefix or the whole registered mobile (a clerk
// taking a call finds the caller's enterprise by the number shown; only the roles that read the mobile, or the
// search would unmask it for everyone else: the row shows 7 of its 11 digits), filter by region, industry and
// provisional (registered by intake from an unknown caller), ordered by name and paged by a keyset cursor on
// (name, _id), so page N costs what page 1 costs. Region and industry each lead an index that delivers the
// order (enterprise.model.ts).
import { Types } from 'mongoose';
import { badRequest } from '../errors.ts';
import { escapeRegex } from '../http/validate.ts';
import type { EnterpriseDoc, Models } from '../models/index.ts';
import { MOBILE_PATTERN } from '../models/enterprise.model.ts';

/** Looks like (part of) a credit code: only credit-code characters, at least 4 of them. */
const CODE_PREFIX = /^[0-9A-HJ-NPQRTUWXY]{4,18}$/;

export interface EnterpriseListQuery {
  q?: string;
  region?: string;
  industry?: string;
  provisional?: boolean;
  /** A whole mobile number in `q` finds its enterprise (canFindEnterpriseByMobile); otherwise it is plain text. */
  byMobile?: boolean;
  limit: number;
  cursor?: string;
}

type Filter = Record<string, unknown>;

export function encodeEnterpriseCursor(row: Pick<EnterpriseDoc, 'name' | '_id'>): string {
  return Buffer.from(JSON.stringify({ n: row.name, id: String(row._id) })).toString('base64url');
}

function decodeCursor(cursor: string): { n: string; id: Types.ObjectId } {
  try {
    const data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      n?: unknown;
      id?: unknown;
    };
    if (typeof data.n === 'string' && typeof data.id === 'string' && Types.ObjectId.isValid(data.id))
      return { n: data.n, id: new Types.ObjectId(data.id) };
  } catch {
    // Falls through to the 400 below.
  }
  throw badRequest('分页游标无效，请从第一页重新加载', 'invalid_cursor');
}

/** The conditions of a list request (pure, for tests). */
export function enterpriseListFilter(q: EnterpriseListQuery): Filter {
  const and: Filter[] = [];
  if (q.region) and.push({ region: q.region });
  if (q.industry) and.push({ industry: q.industry });
  if (q.provisional !== undefined) and.push({ provisional: q.provisional ? true : { $ne: true } });
  if (q.q) {
    const upper = q.q.toUpperCase();
    const byCode = (prefix: string) => ({ creditCode: { $regex: `^${prefix}` } });
    // A whole mobile number (as written: 199 3481 1435) is no name: both its clauses read an index at one
    // point, where an unanchored name pattern walks every enterprise's name. The row shows it masked.
    const mobile = q.q.replace(/[\s-]/g, '');
    if (q.byMobile && MOBILE_PATTERN.test(mobile)) and.push({ $or: [{ mobile }, byCode(mobile)] });
    else {
      const byName = { name: { $regex: escapeRegex(q.q) } };
      and.push({ $or: CODE_PREFIX.test(upper) ? [byName, byCode(upper)] : [byName] });
    }
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    and.push({ name: { $gte: c.n } }, { $or: [{ name: { $gt: c.n } }, { name: c.n, _id: { $gt: c.id } }] });
  }
  if (and.length === 0) return {};
  return and.length === 1 ? and[0] : { $and: and };
}

export async function listEnterprises(
  models: Models,
  q: EnterpriseListQuery,
): Promise<{ items: EnterpriseDoc[]; next?: string }> {
  const rows = await models.Enterprise.find(enterpriseListFilter(q))
    .sort({ name: 1, _id: 1 })
    .limit(q.limit + 1)
    .lean<EnterpriseDoc[]>();
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return rows.length > q.limit && last ? { items, next: encodeEnterpriseCursor(last) } : { items };
}
