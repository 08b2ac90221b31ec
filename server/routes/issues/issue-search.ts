// The list's free-text search (`q`), bounded. An issue number or a fragment of one ("HZ-2026-000123",
// "2026-0001", "HZ-2026") is an anchored prefix of the unique number index, listed by number. Any other text
// is matched literally (escaped) against number, title, content, enterprise name and credit code. A literal match is no index range, so a
// request reads at most SEARCH_WINDOW rows of the list it searches, newest first (or in the chosen order),
// returns the matches among them and a cursor to continue, and says how far it got
// (「已搜索至 …，继续搜索更早」). The list searched is the issues holding the query's word
// (server/text/search-terms.ts), so the window is mostly matches and reaches back years; a query without one
// (a single character, a stopword) searches the whole list, a few days of a city's issues per window.
// Never an unbounded scan per request, on MongoDB as on the embedded server.
import type { Types } from 'mongoose';
import { escapeRegex } from '../../http/validate.ts';
import type { Models } from '../../models/index.ts';
import { searchKeyOf } from '../../text/search-terms.ts';
import type { Filter } from './issue-list.order.ts';

/** Rows of the searched list one request reads at most (its window's boundary lookup reads as many). */
export const SEARCH_WINDOW = 3000;
/**
 * The window is read in two steps: a common word fills the page from the newest 300 rows, so it costs a tenth
 * of the whole window; a rare one goes on through the rest.
 */
export const SEARCH_STEPS: readonly number[] = Object.freeze([300, SEARCH_WINDOW - 300]);

export type SearchTerm = { kind: 'number'; prefix: string } | { kind: 'text'; text: string };

const NUMBER_FRAGMENT = /^(?:HZ-?(\d{0,4})|HZ-?(\d{4})-(\d*)|(\d{4})-(\d*))$/i;

/** A number-like query becomes the canonical prefix ("2026-12" → "HZ-2026-12"); anything else is text. */
export function searchTermOf(q: string): SearchTerm {
  const m = NUMBER_FRAGMENT.exec(q.trim());
  if (!m) return { kind: 'text', text: q };
  const year = m[1] ?? m[2] ?? m[4] ?? '';
  const seq = m[3] ?? m[5];
  return { kind: 'number', prefix: `HZ-${year}${seq === undefined ? '' : `-${seq}`}` };
}

/** Issues whose number starts with the prefix: a range of the number index. */
export function numberPrefix(prefix: string): Filter {
  return { number: { $regex: `^${escapeRegex(prefix)}` } };
}

/**
 * Issues whose number, title, content, enterprise name or enterprise credit code contains the text
 * (case-insensitive, literally): the fields the search terms are made of, and the number.
 */
export function textMatch(text: string): Filter {
  const rx = { $regex: escapeRegex(text), $options: 'i' };
  return {
    $or: [
      { number: rx },
      { title: rx },
      { content: rx },
      { enterpriseName: rx },
      { enterpriseCreditCode: rx },
    ],
  };
}

/** A query that may be the start of a credit code (six characters name the county that issued it). */
const CODE_PREFIX = /^[0-9A-HJ-NPQRTUWXY]{6,18}$/;
/** Enterprises a credit-code prefix may name before the search reads the whole list instead. */
export const CODE_PREFIX_ENTERPRISES = 100;

/**
 * The issues a text search reads through (its window runs along them), or no condition for the whole list.
 * Those holding the query's word (search-terms.ts); with a credit-code prefix, also those of the enterprises
 * whose code starts with it, unless it names more than CODE_PREFIX_ENTERPRISES (then the whole list).
 */
export async function searchedIssues(models: Models, text: string): Promise<Filter[]> {
  const key = searchKeyOf(text);
  const code = text.trim().toUpperCase();
  if (!CODE_PREFIX.test(code)) return key === undefined ? [] : [{ searchTerms: key }];
  const enterprises = await models.Enterprise.find({ creditCode: { $regex: `^${code}` } }, { _id: 1 })
    .limit(CODE_PREFIX_ENTERPRISES + 1)
    .lean<{ _id: Types.ObjectId }[]>();
  if (enterprises.length > CODE_PREFIX_ENTERPRISES) return [];
  const branches: Filter[] = [];
  if (key !== undefined) branches.push({ searchTerms: key });
  if (enterprises.length) branches.push({ enterpriseId: { $in: enterprises.map((e) => e._id) } });
  return branches.length > 1 ? [{ $or: branches }] : branches;
}
