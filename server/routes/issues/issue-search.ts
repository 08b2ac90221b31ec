// The list's free-text search (`q`), bounded. An issue number or a fragment of one ("HZ-2026-000123",
// "2026-0001", "HZ-2026") is an anchored prefix of the unique number index, listed by number. A whole, valid
// credit code names one enterprise: its issues, as the enterprise filter lists them. Any other text
// is matched literally (escaped) against number, title, content, enterprise name and credit code, which no
// index can serve; so a request reads at most SEARCH_WINDOW rows of the list it searches (a few days of a
// city's issues, more with filters: matching text costs the engine about 10 µs a row), newest first (or in the
// chosen order), returns the matches among them and a cursor to continue, and says how far it got
// (「已搜索至 …，继续搜索更早」). Never an unbounded scan per request, on MongoDB as on the embedded server.
import { isValidCreditCode, normalizeCreditCode } from '../../../shared/credit-code.ts';
import { escapeRegex } from '../../http/validate.ts';
import type { Filter } from './issue-list.order.ts';

/** Rows of the searched list one request reads at most (its window's boundary lookup reads as many). */
export const SEARCH_WINDOW = 3000;
/**
 * The window is read in two steps: a common word fills the page from the newest 300 rows, so it costs a tenth
 * of the whole window; a rare one goes on through the rest.
 */
export const SEARCH_STEPS: readonly number[] = Object.freeze([300, SEARCH_WINDOW - 300]);

export type SearchTerm =
  | { kind: 'number'; prefix: string }
  | { kind: 'enterprise'; creditCode: string }
  | { kind: 'text'; text: string };

const NUMBER_FRAGMENT = /^(?:HZ-?(\d{0,4})|HZ-?(\d{4})-(\d*)|(\d{4})-(\d*))$/i;

/**
 * A number-like query becomes the canonical prefix ("2026-12" → "HZ-2026-12"), a valid credit code its
 * enterprise (checked, so a number that merely has 18 characters stays text); anything else is text.
 */
export function searchTermOf(q: string): SearchTerm {
  if (isValidCreditCode(q)) return { kind: 'enterprise', creditCode: normalizeCreditCode(q) };
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
 * Issues whose number, title, content, enterprise name or credit code contains the text (case-insensitive,
 * literally): what the search box says it searches.
 */
export function textMatch(text: string): Filter {
  const rx = { $regex: escapeRegex(text), $options: 'i' };
  const fields = ['number', 'title', 'content', 'enterpriseName', 'enterpriseCreditCode'];
  return { $or: fields.map((field) => ({ [field]: rx })) };
}
