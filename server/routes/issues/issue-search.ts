// The list's free-text search (`q`), bounded. An issue number or a fragment of one ("HZ-2026-000123",
// "2026-0001", "HZ-2026") is an anchored prefix of the unique number index, listed by number. A whole, valid
// credit code names one enterprise: its issues, as the enterprise filter lists them. Any other text
// is matched literally (escaped) against number, title, content, enterprise name and credit code. Newest
// first, a text holding a dictionary word of two or more Chinese characters is searched among the issues
// holding that word's term (the word index, server/text/search-terms.ts: the rarest of the query's terms),
// which are every issue the text can occur in; a text without one (a single character, letters, digits), or
// a search in due order, among all the list's rows. Either way a request reads at most SEARCH_WINDOW rows of
// the list it searches (with the word index, of the issues holding the word: often all of them, years deep;
// without it a few days of a city's issues, more with filters), in the list's order, returns the matches among
// them and a cursor to continue, and says how far it got (「已搜索至 …，继续搜索更早」). Never an unbounded
// scan per request, on MongoDB as on the embedded server.
//
// Each row of the window is read once (in SEARCH_READS batches), its searched fields only (TEXT_FIELDS), and
// matched here (`textMatcher`, the same literal, case-insensitive test the database's `$regex` made);
// `SearchWalk` decides where the window's steps end and what the page holds, and only the page's rows are
// then read whole. Before,
// each step asked the database twice (where the step ends, then the matches within it), so every row of the
// window was unpacked twice on the database thread: "Text search: the window read once" in bench/LOG.md.
import { isValidCreditCode, normalizeCreditCode } from '../../../shared/credit-code.ts';
import { escapeRegex } from '../../http/validate.ts';
import type { CursorData, Filter, ListOrder } from './issue-list.order.ts';

/** Rows of the searched list one text search request reads (and any after the last that share its key). */
export const SEARCH_WINDOW = 3000;
/**
 * The window is read in two steps: a common word fills the page from the newest 300 rows, so it costs a tenth
 * of the whole window; a rare one goes on through the rest.
 */
export const SEARCH_STEPS: readonly number[] = Object.freeze([300, SEARCH_WINDOW - 300]);
/**
 * How many rows each read of a text search's window asks for, in one batch each (then the last size again,
 * for the rows that share a step's last key): few enough that a page filled early stops early, few reads
 * (each waits its turn on the database's one thread behind other requests) for a rare word.
 */
export const SEARCH_READS: readonly number[] = Object.freeze([300, 900, SEARCH_WINDOW - 1200, 300]);

/**
 * The reads of a search among the issues holding its term: nearly each of them matches (the match still
 * decides: a row holding the query's words apart fails it), so the first read asks for the page and half a
 * page more, not the 300 rows a common word takes to fill a page of the whole list; then the window's reads.
 */
export const termReads = (limit: number): readonly number[] => [
  limit + Math.ceil(limit / 2) + 1,
  ...SEARCH_READS,
];

/** How many of a query's terms (its longest words) are counted to find the rarest. */
export const TERM_CANDIDATES = 6;
/** A term's issues are counted up to here: past it, a term is common enough that length decides. */
export const TERM_COUNT_CAP = 1000;
/**
 * How long a term's count is trusted. It only chooses which term's issues a search reads (the match decides
 * what is listed), and a few minutes of writes move a count little: a two-word search counted each word on
 * every request, a third of its commands ("The list search's counts remembered" in bench/LOG.md).
 */
export const TERM_COUNT_TTL_MS = 5 * 60_000;
/** Terms whose counts are remembered (the least recently counted go first): about 100 bytes each. */
export const TERM_COUNT_ENTRIES = 10_000;

/** Terms' counts (up to TERM_COUNT_CAP) as last read from the word index, each for TERM_COUNT_TTL_MS. Pure. */
export class TermCounts {
  private readonly counts = new Map<number, { n: number; at: number }>();

  constructor(
    private readonly ttlMs = TERM_COUNT_TTL_MS,
    private readonly entries = TERM_COUNT_ENTRIES,
  ) {}

  /** The count read at most `ttlMs` before `now`, if any. */
  get(term: number, now: number): number | undefined {
    const c = this.counts.get(term);
    return c && now - c.at <= this.ttlMs ? c.n : undefined;
  }

  set(term: number, n: number, now: number): void {
    this.counts.delete(term);
    this.counts.set(term, { n, at: now });
    if (this.counts.size > this.entries) this.counts.delete(this.counts.keys().next().value!);
  }
}

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

/** The fields a text search matches, as a projection: all a window row needs besides its position. */
export const TEXT_FIELDS = Object.freeze({
  _id: 1,
  number: 1,
  title: 1,
  content: 1,
  enterpriseName: 1,
  enterpriseCreditCode: 1,
} as const);

type TextRow = { readonly [field: string]: unknown };

/**
 * Whether a row read with TEXT_FIELDS has the text in its number, title, content, enterprise name or credit
 * code (case-insensitive, literally: what the search box says it searches). The test the database's `$regex`
 * made (the escaped text, flag `i`; a field that is not a string, null or missing, never matches).
 */
export function textMatcher(text: string): (row: TextRow) => boolean {
  const rx = new RegExp(escapeRegex(text), 'i');
  const fields = ['number', 'title', 'content', 'enterpriseName', 'enterpriseCreditCode'] as const;
  return (row) => fields.some((f) => typeof row[f] === 'string' && rx.test(row[f]));
}

/** What a text search's walk through its window found: the page, and where the next request goes on. */
export interface WalkOutcome<R> {
  items: R[];
  next?: CursorData;
  /** The window's far end (an ISO time or an issue number) when it ended before the page filled. */
  searchedTo?: string;
}

const keyOf = (pos: CursorData) => ('v' in pos ? pos.v : 'n' in pos ? pos.n : pos.u);

/**
 * A window walked row by row, in the list's order, in SEARCH_STEPS: a step holds its size in rows and every
 * later row with the same key as its last (a key is never split between two requests), and the next step
 * starts after them. The page fills with the matching rows; once it is full the walk goes on to the end of
 * the step only to learn whether more matches follow (then, as on any full page, `next` continues after the
 * page's last row). A walk whose steps all end without filling the page stops at the window's end and
 * continues past it (`searchedTo`); a list that ends within a step ends the search. Pure: `push` each row
 * while it answers true, then read `outcome`.
 */
export class SearchWalk<R> {
  private step = 0;
  private inStep = 0;
  /** The current step's last row, once it has its size. */
  private end: CursorData | undefined;
  private readonly items: R[] = [];
  private decided: WalkOutcome<R> | undefined;

  constructor(
    private readonly order: Pick<ListOrder, 'positionOf' | 'past'>,
    private readonly steps: readonly number[],
    private readonly limit: number,
    private readonly matches: (row: R) => boolean,
  ) {}

  /** Takes the next row of the list; false once the outcome is decided (read no further). */
  push(row: R): boolean {
    if (this.decided) return false;
    const pos = this.order.positionOf(row as never);
    if (this.end && keyOf(pos) !== keyOf(this.end)) {
      // The step ended before this row.
      if (this.full) return this.decide({ next: this.lastItem() });
      if (!this.nextStep()) return false;
    }
    this.inStep++;
    if (this.inStep === this.steps[this.step]) this.end = pos;
    if (!this.matches(row)) return true;
    if (this.full) return this.decide({ next: this.lastItem() });
    this.items.push(row);
    return true;
  }

  /** The page and where to go on, once `push` said false or the list has no more rows. */
  outcome(): WalkOutcome<R> {
    if (this.decided) return this.decided;
    // The list ended within a step: nothing lies beyond it.
    if (!this.end) return { items: this.items };
    if (this.full) return { items: this.items, next: this.lastItem() };
    // The list ended just after a step's last row (and its ties): the search ends there, unless that was the
    // window's last step, which says how far it got as it always does.
    return this.nextStep() ? { items: this.items } : this.decided!;
  }

  private get full(): boolean {
    return this.items.length >= this.limit;
  }

  private lastItem(): CursorData {
    return this.order.positionOf(this.items[this.items.length - 1] as never);
  }

  /** Moves past the step that just ended; false (and decided) when it was the window's last. */
  private nextStep(): boolean {
    const end = this.end!;
    this.step++;
    this.inStep = 0;
    this.end = undefined;
    if (this.step < this.steps.length) return true;
    const reached = 'n' in end ? end.n : 'v' in end ? new Date(end.v).toISOString() : undefined;
    this.decide({ next: this.order.past(end), ...(reached ? { searchedTo: reached } : {}) });
    return false;
  }

  private decide(rest: Omit<WalkOutcome<R>, 'items'>): false {
    this.decided = { items: this.items, ...rest };
    return false;
  }
}
