// GET /api/issues/export.xlsx?<the list's filters>: the issue list a screen shows (a KPI's drill-down, a search),
// as one Excel sheet, read page by page through the same list query and visibility as GET /api/issues, so the
// file holds exactly the rows the user could page through, up to EXPORT_MAX_ROWS.
import type { Writable } from 'node:stream';
import { loadExcel } from '../../lazy-libs.ts';
import { CATEGORY_LABELS } from '../../../config/categories.ts';
import type { Actor } from '../../../shared/roles.ts';
import { STATE_LABELS, URGENCY_LABELS, WARNING_LABELS } from '../../../shared/states.ts';
import type { Models } from '../../models/index.ts';
import type { IssueSummaryDoc } from '../../presenters/issue.presenter.ts';
import { LIST_MAX_LIMIT, type ListIssuesQuery } from './issues.schema.ts';
import { listIssues } from './issue-read.query.ts';

export const EXPORT_MAX_ROWS = 5000;

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

/** Every row the list query gives the actor, page after page (at most EXPORT_MAX_ROWS). */
export async function exportRows(
  models: Models,
  actor: Actor,
  q: ListIssuesQuery,
): Promise<IssueSummaryDoc[]> {
  const rows: IssueSummaryDoc[] = [];
  let cursor: string | undefined;
  do {
    const page = await listIssues(models, actor, { ...q, limit: LIST_MAX_LIMIT, cursor });
    rows.push(...page.items);
    cursor = page.next;
  } while (cursor && rows.length < EXPORT_MAX_ROWS);
  return rows.slice(0, EXPORT_MAX_ROWS);
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
