// Reads behind the QR page, the path that sees city-scale traffic (every scan of a printed code): the
// enterprise a printed token names, and that enterprise's issues, open ones first (what the owner is waiting
// on), then the most recent finished ones.
//
// Cost per view: one point read for the token (shared with the scans of the same moment, batched-ops.ts) and,
// for almost every enterprise, ONE read of its issues.
//  - Both project only the fields the page shows: the summary never loads an issue's text or timeline, and of
//    its deadlines and rating only the three values it reads (whole, they were most of what decoding a page's
//    rows allocated: bench/LOG.md, "The QR page's garbage"). The engine answers inclusions, paths inside
//    fields too, on the stored bytes; an exclusion or an operator would make it decode each issue whole.
//  - The summary's rows come back raw and are read from their bytes (summary-rows.ts), keeping only those
//    fields' values: the general decoder's object trees were most of what a page allocated after that.
//  - The issues are read on the {enterpriseId, createdAt, _id} index, newest first, named by a hint: the
//    state filter of the bounded reads below must never send the planner to a state index and so through
//    every finished issue in the city.
//  - An enterprise with at most WHOLE_READ issues (nearly all: about ten each at city scale) is read whole,
//    newest first, and split here; a larger one needs one bounded query more (open or finished, whichever
//    list the whole read could not complete).
//  - The summary's whole reads of the scans of the same moment go as one read (coalesce.ts, like the token
//    lookups): at a peak most of a page's cost was its own round trip to the database thread, not the rows.
//  - The summary lists the open issues and the latest RECENT_FINISHED finished ones; the older finished ones
//    are pages of their own (`/e/:token/finished?before=`), each one bounded read on the same index.
import { Types } from 'mongoose';
import type { Collection, Document, Filter, FindOptions } from 'mongodb';
import type { IssueState } from '../../../shared/states.ts';
import { batchedFindByUnique } from '../../db/batched-ops.ts';
import { coalesce, coalescerFor } from '../../db/coalesce.ts';
import type { EnterpriseDoc, Models } from '../../models/index.ts';
import { ENTERPRISE_ISSUES_INDEX } from '../../models/issue.indexes.ts';
import type { PublicIssueFields, PublicSummaryFields } from '../../presenters/issue-public.presenter.ts';
import { rowReader } from './summary-rows.ts';

/** base64url, as newQrToken makes them; anything else is not worth a database round trip. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;
const FINISHED: IssueState[] = ['closed', 'merged', 'rejected'];
const FINISHED_SET: ReadonlySet<IssueState> = new Set(FINISHED);
export const MAX_OPEN = 100;
export const MAX_FINISHED = 30;
/**
 * Finished issues the summary shows under the open ones: the latest few. Years of finished issues are history
 * to an owner on a phone, and were most of a busy enterprise's page; the older ones are a link away
 * (readFinishedPage, 20 a page).
 */
export const RECENT_FINISHED = 5;
export const FINISHED_PAGE = 20;
/** Read an enterprise's issues in one go when there are no more than this many. */
export const WHOLE_READ = MAX_OPEN + MAX_FINISHED;

/** The order the QR page's index (ENTERPRISE_ISSUES_INDEX) delivers. */
const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * What the page needs of the enterprise: its name (masked for guests), where codes are sent, the owner
 * session version (read with the token, so checking a session costs no extra round trip) and the wrong PINs
 * in a row (the verify page says when strangers have locked the PIN).
 */
export type QrEnterprise = Pick<EnterpriseDoc, '_id' | 'name' | 'mobile'> &
  Partial<Pick<EnterpriseDoc, 'ownerSessionVersion' | 'pinFailures' | 'provisional'>>;

export type QrView = 'summary' | 'owner';
type SummaryRow = PublicSummaryFields & Pick<PublicIssueFields, '_id'>;

/** What every card of the page shows, whether the summary or the owner's page. */
const CARD_FIELDS = {
  number: 1,
  state: 1,
  unitName: 1,
  createdAt: 1,
  // A class problem's member is promised the class's deadline (server/classes/class-qr.ts).
  classProblemId: 1,
} as const;

const SUMMARY_FIELDS = {
  ...CARD_FIELDS,
  // What the promise reads (presentIssuePublicSummary): the due date unless paused; a bad rating's check.
  'deadlines.resolveBy': 1,
  'deadlines.pausedAt': 1,
  'rating.verification': 1,
} as const;

const OWNER_FIELDS = {
  ...CARD_FIELDS,
  deadlines: 1,
  rating: 1,
  title: 1,
  content: 1,
  category: 1,
  reply: 1,
  rejectReason: 1,
  rateBy: 1,
  closedAt: 1,
  // A merged issue names the enterprise's issue it is handled with.
  mergedInto: 1,
  // The progress names the unit a step handed the issue to; the current one is named by the issue itself.
  unitId: 1,
  timeline: 1,
  // The owner hears how many of their files were kept.
  attachmentCount: 1,
  // Files the unit made 企业可见 are listed beside the owner's own (qr-files.ts).
  staffAttachmentCount: 1,
} as const;

export async function findEnterpriseByToken(models: Models, token: string): Promise<QrEnterprise | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const enterprises = models.Enterprise.collection as unknown as Collection;
  const projection = { name: 1, mobile: 1, ownerSessionVersion: 1, pinFailures: 1, provisional: 1 };
  const found = await batchedFindByUnique(enterprises, 'qrToken', token, projection);
  return found as QrEnterprise | null;
}

/** The read of a code no enterprise prints (exported so a test can explain it: an unknown code costs a key). */
export const mergedTokenFilter = (token: string) => ({ mergedQrTokens: token });

/** Whether the token was a provisional enterprise's, merged into a registered one (its page says so). */
export async function isMergedToken(models: Models, token: string): Promise<boolean> {
  if (!TOKEN_SHAPE.test(token)) return false;
  return (await models.Enterprise.collection.countDocuments(mergedTokenFilter(token), { limit: 1 })) > 0;
}

type Id = EnterpriseDoc['_id'];

/** One find as the page issues it (exported so a test can explain exactly these). */
export interface IssueRead {
  filter: { enterpriseId: Id; state?: object; createdAt?: object; $or?: object[] };
  options: {
    projection: Readonly<Record<string, 1>>;
    sort: typeof NEWEST_FIRST;
    limit: number;
    hint: typeof ENTERPRISE_ISSUES_INDEX;
  };
}

/** The whole-enterprise read and, for a large enterprise, the bounded open and finished reads. */
export function enterpriseIssueReads(enterpriseId: Id, view: QrView) {
  const projection = view === 'owner' ? OWNER_FIELDS : SUMMARY_FIELDS;
  const read = (state: object | undefined, limit: number): IssueRead => ({
    filter: state ? { enterpriseId, state } : { enterpriseId },
    options: { projection, sort: NEWEST_FIRST, limit, hint: ENTERPRISE_ISSUES_INDEX },
  });
  return {
    whole: read(undefined, WHOLE_READ + 1),
    open: read({ $nin: FINISHED }, MAX_OPEN),
    finished: read({ $in: FINISHED }, MAX_FINISHED),
  };
}

/**
 * Enterprises whose whole reads share one read at most: as many as a peak's scans in flight, so they go as one
 * command rather than several queued behind each other (16 made 0.16-0.17 commands a page at c=50, 64 made
 * 0.12-0.13: bench/LOG.md, "The QR page at 100,000: the summary's rows read from their bytes"). The read's limit
 * grows with it, so a busy enterprise cuts the others short no more often.
 */
export const WHOLE_BATCH = 64;

/**
 * The whole reads of several enterprises as one read: on the same index, in its order (enterprise by
 * enterprise, each newest first), at most WHOLE_READ + 1 rows an enterprise in all. The limit may cut off the
 * enterprises last in that order when one before them is busy; summaryWholeReads reads those alone.
 */
export function batchedWholeRead(ids: readonly Id[]) {
  const limit = ids.length * (WHOLE_READ + 1);
  return {
    filter: { enterpriseId: { $in: ids } },
    options: {
      projection: { ...SUMMARY_FIELDS, enterpriseId: 1 },
      sort: ENTERPRISE_ISSUES_INDEX,
      limit,
      // In the first reply: the driver would otherwise ask for 101 rows and fetch the rest with a getMore.
      batchSize: limit,
      hint: ENTERPRISE_ISSUES_INDEX,
    },
  };
}

/** A summary row from its bytes: the summary's fields and, in the batched read, its enterprise. */
export const summaryRowOf = rowReader({ ...SUMMARY_FIELDS, enterpriseId: 1 });

/** A summary read's rows, each read from its bytes (summary-rows.ts) instead of decoded whole. */
async function summaryRows<T>(
  issues: Collection,
  filter: Filter<Document>,
  options: FindOptions,
): Promise<T[]> {
  const rows = await issues.find(filter, { ...options, raw: true }).toArray();
  return (rows as unknown as Uint8Array[]).map((r) => summaryRowOf(r) as T);
}

type WholeRead = (id: Id) => Promise<SummaryRow[]>;
const wholeReaders = new WeakMap<object, WholeRead>();

/**
 * The summary's whole read of one enterprise, shared with the scans of the same moment (each read starts
 * after every scan it answers arrived, so nothing is served stale). Each enterprise gets what its own read
 * would have returned: all its issues, or its newest WHOLE_READ + 1.
 */
function summaryWholeReads(models: Models): WholeRead {
  const issues = models.Issue.collection as unknown as Collection;
  const alone = (id: Id) => {
    const { filter, options } = enterpriseIssueReads(id, 'summary').whole;
    return summaryRows<SummaryRow>(issues, filter, options);
  };
  return coalescerFor(wholeReaders, issues, () =>
    coalesce<Id, SummaryRow[]>(
      async (ids) => {
        const distinct = [...new Map(ids.map((id) => [String(id), id])).values()];
        const byId = new Map<string, SummaryRow[]>(distinct.map((id) => [String(id), []]));
        if (distinct.length === 1) byId.set(String(distinct[0]), await alone(distinct[0]));
        else {
          const { filter, options } = batchedWholeRead(distinct);
          const rows = await summaryRows<SummaryRow & { enterpriseId: Id }>(issues, filter, options);
          // The rows come enterprise by enterprise: an enterprise's list is looked up where the run changes.
          let mine: SummaryRow[] | undefined;
          rows.forEach((r, i) => {
            if (i === 0 || !r.enterpriseId.equals(rows[i - 1].enterpriseId))
              mine = byId.get(String(r.enterpriseId));
            mine?.push(r);
          });
          // Cut short by the limit: the last enterprise read and those after it (ObjectIds order as their hex).
          const cut = rows.length >= options.limit ? String(rows[rows.length - 1].enterpriseId) : undefined;
          await Promise.all(
            distinct.map(async (id) => {
              const key = String(id);
              const mine = byId.get(key)!;
              if (cut !== undefined && key >= cut && mine.length <= WHOLE_READ)
                byId.set(key, await alone(id));
              else byId.set(key, mine.slice(0, WHOLE_READ + 1));
            }),
          );
        }
        return ids.map((id) => ({ ok: true as const, value: byId.get(String(id))! }));
      },
      { maxBatch: WHOLE_BATCH },
    ),
  );
}

export function listEnterpriseIssues(models: Models, id: Id, view: 'summary'): Promise<SummaryRow[]>;
export function listEnterpriseIssues(models: Models, id: Id, view: 'owner'): Promise<PublicIssueFields[]>;
export function listEnterpriseIssues(models: Models, id: Id, view: QrView): Promise<SummaryRow[]>;
export async function listEnterpriseIssues(
  models: Models,
  enterpriseId: Id,
  view: QrView,
): Promise<SummaryRow[]> {
  const reads = enterpriseIssueReads(enterpriseId, view);
  const run = ({ filter, options }: IssueRead) =>
    models.Issue.collection.find<SummaryRow>(filter, options).toArray();
  const whole = view === 'summary' ? await summaryWholeReads(models)(enterpriseId) : await run(reads.whole);
  // All of them, or the newest WHOLE_READ + 1: more than MAX_OPEN + MAX_FINISHED, so they hold the newest
  // MAX_OPEN open ones or the newest MAX_FINISHED finished ones (or both); only a list they leave short is read.
  const all = whole.length <= WHOLE_READ;
  const open = whole.filter((i) => !FINISHED_SET.has(i.state));
  const finished = whole.filter((i) => FINISHED_SET.has(i.state));
  const [openRows, finishedRows] = await Promise.all([
    all || open.length >= MAX_OPEN ? open.slice(0, MAX_OPEN) : run(reads.open),
    all || finished.length >= MAX_FINISHED ? finished.slice(0, MAX_FINISHED) : run(reads.finished),
  ]);
  return [...openRows, ...finishedRows];
}

/** Where a page of finished issues starts: just older than this issue, in the list's order (newest first). */
export interface FinishedCursor {
  createdAt: Date;
  _id: Id;
}

const CURSOR = /^(\d{1,15})-([0-9a-f]{24})$/;

export const cursorOf = (i: { createdAt: Date; _id: Id }) =>
  `${new Date(i.createdAt).getTime()}-${String(i._id)}`;

/** The `before` of a 更早 link, or null for anything else (the page answers 400). */
export function parseCursor(text: string): FinishedCursor | null {
  const m = CURSOR.exec(text);
  return m ? { createdAt: new Date(Number(m[1])), _id: new Types.ObjectId(m[2]) } : null;
}

/** The read behind a page of finished issues (exported so a test can explain it: the enterprise's index). */
export function finishedPageRead(enterpriseId: Id, before: FinishedCursor | null): IssueRead {
  const older = before && {
    $or: [
      { createdAt: { $lt: before.createdAt } },
      { createdAt: before.createdAt, _id: { $lt: before._id } },
    ],
  };
  return {
    // The range on createdAt bounds the index scan; the $or then drops the rows of its instant not older.
    filter: {
      enterpriseId,
      state: { $in: FINISHED },
      ...(before && { createdAt: { $lte: before.createdAt } }),
      ...older,
    },
    options: {
      projection: SUMMARY_FIELDS,
      sort: NEWEST_FIRST,
      limit: FINISHED_PAGE + 1,
      hint: ENTERPRISE_ISSUES_INDEX,
    },
  };
}

/** One page of the enterprise's finished issues older than `before`, and whether there are older ones still. */
export async function readFinishedPage(models: Models, enterpriseId: Id, before: FinishedCursor | null) {
  const { filter, options } = finishedPageRead(enterpriseId, before);
  const rows = await models.Issue.collection.find<SummaryRow>(filter, options).toArray();
  return { issues: rows.slice(0, FINISHED_PAGE), more: rows.length > FINISHED_PAGE };
}

/**
 * The summary's list from the page's order (open first, then finished, newest first: sortForOwner): every open
 * issue and the RECENT_FINISHED latest finished ones; `older` is the cursor of the last one listed when the
 * enterprise has older finished issues.
 */
export function withRecentFinished<T extends SummaryRow>(sorted: readonly T[]) {
  const first = sorted.findIndex((i) => FINISHED_SET.has(i.state));
  const end = first < 0 ? sorted.length : first + RECENT_FINISHED;
  return { issues: sorted.slice(0, end), older: sorted.length > end ? cursorOf(sorted[end - 1]) : undefined };
}
