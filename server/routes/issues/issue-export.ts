// GET /api/issues/export.xlsx?<the list's filters>: the issue list a screen shows (a KPI's drill-down, a search),
// as one Excel sheet, read through the same list query and visibility as GET /api/issues, so the file holds
// exactly the rows the user could page through, up to EXPORT_MAX_ROWS. A text or number search reads one bounded
// window of the list per call (issue-search.ts), so one export reads at most EXPORT_SEARCH_WINDOWS of them: a
// rare word must not read every issue of the city. A file cut short by either bound says so in its first row
// and in a response header the web app shows (X-Export-Truncated).
import type { Writable } from 'node:stream';
import { loadExcel } from '../../lazy-libs.ts';
import { CATEGORY_LABELS } from '../../../config/categories.ts';
import type { Actor } from '../../../shared/roles.ts';
import { STATE_LABELS, URGENCY_LABELS, WARNING_LABELS } from '../../../shared/states.ts';
import type { Models } from '../../models/index.ts';
import type { IssueSummaryDoc } from '../../presenters/issue.presenter.ts';
import type { ListIssuesQuery } from './issues.schema.ts';
import { listIssues } from './issue-read.query.ts';

export const EXPORT_MAX_ROWS = 5000;
/** Search windows (SEARCH_WINDOW rows each, as one list request reads) one export may read. */
export const EXPORT_SEARCH_WINDOWS = 10;

const chinaTime = (d: Date | null | undefined) =>
  d ? new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '';

const COLUMNS: ReadonlyArray<{
  header: string;
  width: number;
  cell: (i: IssueSummaryDoc) => string | number;
}> = [
  { header: '编号', width: 18, cell: (i) => i.number },
  { header: '标题', width: 36, cell: (i) => i.title },
  { header: '企业', width: 28, cell: (i) => i.enterpriseName },
  { header: '问题类别', width: 12, cell: (i) => CATEGORY_LABELS[i.category] ?? i.category },
  { header: '紧急程度', width: 10, cell: (i) => URGENCY_LABELS[i.urgency] ?? i.urgency },
  { header: '状态', width: 10, cell: (i) => STATE_LABELS[i.state] ?? i.state },
  { header: '预警', width: 8, cell: (i) => WARNING_LABELS[i.warning] ?? i.warning },
  { header: '承办单位', width: 24, cell: (i) => i.unitName ?? '' },
  { header: '经办人', width: 10, cell: (i) => i.assigneeName ?? '' },
  { header: '受理时间', width: 17, cell: (i) => chinaTime(i.createdAt) },
  { header: '办结时限', width: 17, cell: (i) => chinaTime(i.dueAt) },
];

export interface ExportResult {
  rows: IssueSummaryDoc[];
  /** Why the file holds fewer rows than the list has: the row cap, or the search's work bound. */
  truncated?: 'rows' | 'search';
  /** Where a search stopped at its bound (as the list's `searchedTo`: an ISO time or an issue number). */
  searchedTo?: string;
}

/**
 * The rows the list query gives the actor, in its order. Each call asks for every row still wanted: a plain
 * list answers with one indexed page, and a search reads one window per call and returns all its matches, so
 * the calls count the windows read.
 */
export async function exportRows(
  models: Models,
  actor: Actor,
  q: ListIssuesQuery,
  searchWindows = EXPORT_SEARCH_WINDOWS,
): Promise<ExportResult> {
  const rows: IssueSummaryDoc[] = [];
  let cursor: string | undefined;
  let searchedTo: string | undefined;
  for (let calls = 0; calls < searchWindows; calls++) {
    const page = await listIssues(models, actor, { ...q, limit: EXPORT_MAX_ROWS - rows.length, cursor });
    rows.push(...page.items);
    cursor = page.next;
    searchedTo = page.searchedTo;
    if (!cursor || rows.length >= EXPORT_MAX_ROWS) break;
  }
  if (!cursor) return { rows };
  if (rows.length >= EXPORT_MAX_ROWS) return { rows, truncated: 'rows' };
  return { rows, truncated: 'search', ...(searchedTo ? { searchedTo } : {}) };
}

const chinaDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** The sheet's first row: when, how many, and, when the file is cut short, why and what to do. */
export function exportNote(result: ExportResult, now: Date): string {
  const n = result.rows.length;
  const head = `导出时间：${chinaDay(now)}，共 ${n} 件`;
  if (result.truncated === 'rows') return `${head}（已达导出上限）；请缩小条件`;
  if (result.truncated !== 'search') return head;
  const to = result.searchedTo;
  const reached = !to
    ? ''
    : /^\d{4}-\d{2}-\d{2}T/.test(to)
      ? `，已搜索至 ${chinaDay(new Date(to))}`
      : `，已搜索至 ${to}`;
  return `${head}。结果过多，仅导出前 ${n} 条${reached}；请缩小条件`;
}

/** What the web app shows after the download (the sheet's first row says the same). */
export function exportHeaders(result: ExportResult): Record<string, string> {
  if (!result.truncated) return {};
  return { 'X-Export-Truncated': result.truncated, 'X-Export-Rows': String(result.rows.length) };
}

export async function writeIssueWorkbook(
  rows: IssueSummaryDoc[],
  note: string,
  out: Writable,
): Promise<void> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '涉企问题高效闭环系统';
  const ws = wb.addWorksheet('工单清单');
  ws.addRow([note]);
  ws.addRow(COLUMNS.map((c) => c.header)).font = { bold: true };
  for (const r of rows) ws.addRow(COLUMNS.map((c) => c.cell(r)));
  COLUMNS.forEach((c, i) => (ws.getColumn(i + 1).width = c.width));
  await wb.xlsx.write(out);
}
