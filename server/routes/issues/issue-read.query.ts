// Staff reads of issues. The detail answers 404 for an issue the actor may not see, exactly as for one that
// does not exist. The list is one indexed query per page (issue-list.filter.ts builds its conditions,
// issue-list.order.ts its order and keyset cursor); a text search reads a bounded window of the list once
// (newest first, of the issues holding its rarest term: the word index), its searched fields only, and then
// its page's rows (issue-search.ts); a number search two queries per step of its window (where the step ends,
// the matches within).
import type { Actor } from '../../../shared/roles.ts';
import type { Models } from '../../models/index.ts';
import { type IssueDoc } from '../../models/issue.model.ts';
import { SEARCH_TERMS_INDEX } from '../../models/issue.indexes.ts';
import {
  ISSUE_CARD_FIELDS,
  ISSUE_SUMMARY_FIELDS,
  type IssueSummaryDoc,
} from '../../presenters/issue.presenter.ts';
import { canReadIssue } from '../../policies/screens.policy.ts';
import { loadIssue, scopeOf } from '../../commands/issue-store.ts';
import { notFound } from '../../errors.ts';
import { allOf, listConditions } from './issue-list.filter.ts';
import {
  dated,
  decodeCursor,
  encodeCursor,
  invalidCursor,
  ORDERS,
  UNDATED,
  type CursorData,
  type Filter,
  type ListOrder,
} from './issue-list.order.ts';
import {
  numberPrefix,
  SEARCH_READS,
  SEARCH_STEPS,
  SearchWalk,
  searchTermOf,
  TEXT_FIELDS,
  TERM_CANDIDATES,
  TERM_COUNT_CAP,
  TermCounts,
  termReads,
  textMatcher,
} from './issue-search.ts';
import { deserialize } from 'bson';
import { readTextRow, type RawTextRow } from './issue-search.row.ts';
import { onlyStopWords, queryTermsOf } from '../../text/search-terms.ts';
import { searchTermsFrontier } from '../../jobs/search-terms.job.ts';
import type { ListIssuesQuery } from './issues.schema.ts';

export interface IssueList {
  items: IssueSummaryDoc[];
  next?: string;
  /**
   * Set when a text search stopped at its work bound before filling the page: how far it got (an ISO time
   * in the list's order, or an issue number), and `next` continues from there.
   */
  searchedTo?: string;
}

/** One page of `conditions` in `order`, with the cursor of its last row when there is more. */
async function page(
  models: Models,
  conditions: Filter[],
  order: Pick<ListOrder, 'sort' | 'positionOf'>,
  limit: number,
  /** Desk cards instead of list rows (`view=cards`): the card's fields (ISSUE_CARD_FIELDS). */
  cards = false,
): Promise<IssueList> {
  const rows = await models.Issue.find(allOf(conditions), cards ? ISSUE_CARD_FIELDS : ISSUE_SUMMARY_FIELDS)
    .sort(order.sort)
    .limit(limit + 1)
    .lean<IssueSummaryDoc[]>();
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return rows.length > limit && last ? { items, next: encodeCursor(order.positionOf(last)) } : { items };
}

/** The `size`-th row of `conditions` in `order` (where a bounded search stops), if there is one. */
async function windowEnd(models: Models, conditions: Filter[], order: ListOrder, size: number) {
  const [row] = await models.Issue.find(allOf(conditions), order.projection)
    .sort(order.sort)
    .skip(size - 1)
    .limit(1)
    .lean<IssueDoc[]>();
  return row ? order.positionOf(row) : undefined;
}

/**
 * A search reads one window of the list (SEARCH_STEPS rows, in steps), or up to the end of the list. A page
 * that fills inside the window pages normally; otherwise the answer says how far it got and continues past
 * the window.
 */
async function searchPage(
  models: Models,
  window: { conditions: Filter[]; order: ListOrder },
  match: Filter[],
  limit: number,
): Promise<IssueList> {
  const { order } = window;
  const items: IssueSummaryDoc[] = [];
  let searched: Filter[] = [];
  let end: CursorData | undefined;
  for (const size of SEARCH_STEPS) {
    const conditions = [...window.conditions, ...searched];
    end = await windowEnd(models, conditions, order, size);
    const within = end ? [...conditions, ...order.through(end)] : conditions;
    const found = await page(models, [...within, ...match], order, limit - items.length);
    items.push(...found.items);
    if (found.next) return { items, next: found.next };
    if (!end) return { items };
    if (items.length >= limit)
      return { items, next: encodeCursor(order.positionOf(items[items.length - 1])) };
    searched = order.after(order.past(end));
  }
  const reached = end && ('n' in end ? end.n : 'v' in end ? new Date(end.v).toISOString() : undefined);
  return { items, next: encodeCursor(order.past(end!)), searchedTo: reached };
}

/**
 * A text search: the window's rows read in the list's order with only what the match reads, in reads of
 * `reads` rows (SEARCH_READS: the first 300 suffice for a common word), walked by SearchWalk, then the page's rows read
 * by `_id`. Each read asks for exactly the rows it takes (so the database closes its cursor), and a read that
 * comes back full while the walk still wants rows (the rows after a step's end that share its key) is
 * followed by another after its last row.
 */
async function textSearchPage(
  models: Models,
  conditions: Filter[],
  order: ListOrder,
  text: string,
  limit: number,
  /**
   * Most rows match (the issues holding the query's term, or a text of stop words): the first read asks for
   * a page and a half (termReads) and takes the page's fields too, so a page it fills needs no second read.
   */
  dense = false,
): Promise<IssueList> {
  const walk = new SearchWalk<RawTextRow>(order, SEARCH_STEPS, limit, textMatcher(text));
  const reads = dense ? termReads(limit) : SEARCH_READS;
  const projection = { ...TEXT_FIELDS, ...order.projection };
  /** The first read's rows, whole (dense only): `_id` → the page row. */
  const read = new Map<string, IssueSummaryDoc>();
  let from: Filter[] = [];
  /** The rows read so far with the last row's key: a read that goes on from that key returns them first. */
  let tied = new Set<string>();
  let lastKey: unknown;
  for (let step = 0; ; step++) {
    const size = reads[Math.min(step, reads.length - 1)];
    // Through the driver, as raw rows (readTextRow), with the filter cast by mongoose as the list's find casts it.
    const filter = models.Issue.find(allOf([...conditions, ...from])).cast(models.Issue);
    const take = size + tied.size;
    const whole = dense && step === 0;
    const fields = whole ? { ...ISSUE_SUMMARY_FIELDS, ...projection } : projection;
    const rows = await models.Issue.collection
      .find(filter, { projection: fields, sort: order.sort, limit: take, batchSize: take, raw: true })
      .toArray();
    let wants = true;
    let last: RawTextRow | undefined;
    for (const bson of rows) {
      const row = whole
        ? wholeRow(bson as unknown as Uint8Array, read)
        : readTextRow(bson as unknown as Uint8Array);
      if (tied.has(row._id)) continue;
      const key = order.positionOf(row as never);
      const k = 'v' in key ? key.v : 'n' in key ? key.n : undefined;
      if (k !== lastKey) tied = new Set();
      tied.add(row._id);
      last = row;
      lastKey = k;
      if (!walk.push(row)) {
        wants = false;
        break;
      }
    }
    if (!wants || rows.length < take || !last) break;
    from = order.from(order.positionOf(last as never));
  }
  const found = walk.outcome();
  const ids = found.items.map((r) => r._id);
  const unread = ids.filter((id) => !read.has(id));
  const rows = unread.length
    ? await models.Issue.find({ _id: { $in: unread } }, ISSUE_SUMMARY_FIELDS).lean<IssueSummaryDoc[]>()
    : [];
  for (const r of rows) read.set(String(r._id), r);
  const items = ids.flatMap((id) => read.get(id) ?? []);
  return {
    items,
    ...(found.next ? { next: encodeCursor(found.next) } : {}),
    ...(found.searchedTo ? { searchedTo: found.searchedTo } : {}),
  };
}

/** A row read with the page's fields too: decoded whole (as the page's read by `_id` decodes it), kept. */
function wholeRow(bson: Uint8Array, read: Map<string, IssueSummaryDoc>): RawTextRow {
  const doc = deserialize(bson) as IssueSummaryDoc;
  const id = String(doc._id);
  read.set(id, doc);
  return { ...(doc as unknown as RawTextRow), _id: id };
}

/**
 * A text search newest first among the issues holding its rarest term; while the issues stored before the word
 * index are still being given their terms (jobs/search-terms.job.ts), only those created after its progress
 * are read so, and the rest, once they are reached, through the window as before the index.
 */
async function indexedSearchPage(
  models: Models,
  base: Filter[],
  order: ListOrder,
  text: string,
  terms: readonly number[],
  limit: number,
): Promise<IssueList> {
  const [frontier, term] = await Promise.all([searchTermsFrontier(models), rarestTerm(models, terms)]);
  const indexed = [...base, { searchTerms: term }, ...(frontier ? [{ createdAt: { $gt: frontier } }] : [])];
  const found = await textSearchPage(models, indexed, order, text, limit, true);
  if (!frontier || found.next) return found;
  const room = limit - found.items.length;
  const older = { v: frontier.getTime(), id: 'f'.repeat(24) };
  if (room === 0) return { ...found, next: encodeCursor(older) };
  const rest = await textSearchPage(models, [...base, ...order.after(older)], order, text, room);
  return { ...rest, items: [...found.items, ...rest.items] };
}

/** Each database's remembered term counts (a test's fresh database starts with none). */
const termCounts = new WeakMap<Models, TermCounts>();

/**
 * Of a query's terms (longest word first), the one the fewest issues hold, counted from the word index's keys
 * up to TERM_COUNT_CAP each (a place's 南浔 is held by many issues, a company's own words by a few) and
 * remembered a while (TermCounts); ties, and terms past TERM_CANDIDATES, go to the longer word.
 */
async function rarestTerm(models: Models, terms: readonly number[]): Promise<number> {
  if (terms.length === 1) return terms[0];
  const issues = models.Issue.collection;
  const hint = SEARCH_TERMS_INDEX;
  const candidates = terms.slice(0, TERM_CANDIDATES);
  let known = termCounts.get(models);
  if (!known) termCounts.set(models, (known = new TermCounts()));
  const now = performance.now();
  const counts = await Promise.all(
    candidates.map(async (h) => {
      const cached = known.get(h, now);
      if (cached !== undefined) return cached;
      const n = await issues.countDocuments({ searchTerms: h }, { limit: TERM_COUNT_CAP, hint });
      known.set(h, n, now);
      return n;
    }),
  );
  let best = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] < counts[best]) best = i;
  return candidates[best];
}

/**
 * The staff list: the actor's visibility AND the filters, in an indexed order, paged by keyset cursor. Every
 * query it sends is served by an index that delivers its order (test/api/issues/list-plans.test.ts).
 */
export async function listIssues(models: Models, actor: Actor, q: ListIssuesQuery): Promise<IssueList> {
  const term = q.q ? searchTermOf(q.q) : undefined;
  if (term?.kind === 'enterprise') {
    // Through the enterprise filter's index: the text window read 3,000 issues to find one enterprise's few.
    const ent = await models.Enterprise.findOne({ creditCode: term.creditCode }, { _id: 1 }).lean();
    const id = ent ? String(ent._id) : undefined;
    if (!id || (q.enterpriseId && q.enterpriseId !== id)) return { items: [] };
    return listIssues(models, actor, { ...q, q: undefined, enterpriseId: id });
  }
  const order = ORDERS[term?.kind === 'number' ? 'number' : q.sort];
  const position = q.cursor ? decodeCursor(q.cursor, order) : undefined;
  if (!term && order.name === 'dueAt') return duePage(models, listConditions(actor, q), position, q);
  if (position && 'u' in position) throw invalidCursor();
  const after = position ? order.after(position) : [];
  // A search in due order reads the dated issues only (its window runs along the due dates).
  const base = [...listConditions(actor, q), ...after, ...(order.name === 'dueAt' ? [dated(q.from)] : [])];
  if (!term) return page(models, base, order, q.limit, q.view === 'cards');
  if (term.kind === 'text') {
    // Newest first, the rows holding one of the query's terms are the list's rows that can match, in order.
    const terms = order.name === 'createdAt' ? queryTermsOf(term.text) : [];
    // A text of stop words only (有限公司) is matched by most rows, as a term's issues are.
    const dense = onlyStopWords(term.text);
    if (!terms.length) return textSearchPage(models, base, order, term.text, q.limit, dense);
    return indexedSearchPage(models, base, order, term.text, terms, q.limit);
  }
  // By number: the window runs along the number index; visibility and filters apply to what it holds.
  const prefix = numberPrefix(term.prefix);
  return searchPage(models, { conditions: [prefix, ...after], order }, base, q.limit);
}

/**
 * Due soonest: the dated issues, soonest first, then those without a deadline yet, oldest first (UNDATED), so
 * the list holds what its filters select (a drill-down's total counts them all). A page that ends the dated
 * part is filled from the undated one: two queries for that page, one for every other.
 */
async function duePage(
  models: Models,
  conditions: Filter[],
  position: CursorData | undefined,
  q: Pick<ListIssuesQuery, 'from' | 'limit' | 'view'>,
): Promise<IssueList> {
  const cards = q.view === 'cards';
  const undated = (after?: string, limit = q.limit) =>
    page(models, [...conditions, ...UNDATED.conditions(after)], UNDATED, limit, cards);
  if (position && 'u' in position) return undated(position.u === UNDATED.start.u ? undefined : position.u);
  const order = ORDERS.dueAt;
  const after = position ? order.after(position) : [];
  const first = await page(models, [...conditions, dated(q.from), ...after], order, q.limit, cards);
  if (first.next) return first;
  const room = q.limit - first.items.length;
  if (room === 0) {
    // The dated issues filled the page exactly: the next page starts the undated ones, if there are any.
    const more = await models.Issue.exists(allOf([...conditions, ...UNDATED.conditions()]) as never);
    return more ? { ...first, next: encodeCursor(UNDATED.start) } : first;
  }
  const rest = await undated(undefined, room);
  return { items: [...first.items, ...rest.items], ...(rest.next ? { next: rest.next } : {}) };
}

/** A drill-down's count stops here: a figure that large is read on the dashboard, not counted row by row. */
export const DRILL_COUNT_LIMIT = 10_000;

/**
 * How many issues a KPI drill-down holds (its first page only; none for a search): the leader checks the list
 * against the figure clicked. Counted on the list's own conditions, in creation order (a due-date order only
 * adds `dueAt` bounds that select nothing more), up to DRILL_COUNT_LIMIT.
 */
export async function drillTotal(
  models: Models,
  actor: Actor,
  q: ListIssuesQuery,
): Promise<number | undefined> {
  if (q.scope !== 'kpi' || q.cursor || q.q) return undefined;
  const filter = allOf(listConditions(actor, { ...q, sort: 'createdAt' }));
  // Through mongoose, which casts ids the way the list's find does.
  return models.Issue.countDocuments(filter as never, { limit: DRILL_COUNT_LIMIT });
}

export async function getVisibleIssue(models: Models, actor: Actor, id: string): Promise<IssueDoc> {
  const issue = await loadIssue(models, id);
  if (!canReadIssue(actor, scopeOf(issue))) throw notFound('问题不存在');
  return issue;
}
