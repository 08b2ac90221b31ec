// The leader dashboard's Excel export: one sheet per grouping (部门, 区域, 类别, 渠道), each row a group with
// volumes and the seven rates as percentages, the city's totals last. Built with exceljs from the same
// KpiResult the dashboard shows, so the file and the screen never disagree.
import type { Writable } from 'node:stream';
import { loadExcel } from '../lazy-libs.ts';
import type { KpiGroupBy } from './kpi.pipeline.ts';
import type { KpiFigures, KpiResult } from './kpi.query.ts';

export const SHEET_NAMES: Readonly<Record<KpiGroupBy, string>> = Object.freeze({
  unit: '按部门',
  region: '按区域',
  category: '按类别',
  channel: '按渠道',
});

const GROUP_HEADINGS: Readonly<Record<KpiGroupBy, string>> = Object.freeze({
  unit: '责任单位',
  region: '区域',
  category: '问题类别',
  channel: '受理渠道',
});

/** The figure columns, in the dashboard's order and with its words (web lib/kpis COUNT_LABELS, RATES). */
export const KPI_COLUMNS: ReadonlyArray<{ key: keyof KpiFigures; header: string; rate: boolean }> =
  Object.freeze([
    { key: 'received', header: '受理量', rate: false },
    { key: 'closed', header: '办结量', rate: false },
    { key: 'backlog', header: '积压', rate: false },
    { key: 'overdue', header: '超期', rate: false },
    { key: 'signTimelyRate', header: '及时签收率', rate: true },
    { key: 'onTimeRate', header: '按期办结率', rate: true },
    { key: 'satisfactionRate', header: '满意率', rate: true },
    { key: 'oneTimeRate', header: '一次性解决率', rate: true },
    { key: 'repeatRate', header: '重复投诉率', rate: true },
    { key: 'returnRate', header: '退单率', rate: true },
    { key: 'rectificationRate', header: '差评整改率', rate: true },
  ]);

const cellsOf = (f: KpiFigures) => KPI_COLUMNS.map((c) => f[c.key] ?? '—');

/** Writes the workbook for `results` (one per grouping) into `out`. */
export async function writeKpiWorkbook(
  results: KpiResult[],
  period: { label: string },
  out: Writable,
): Promise<void> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '涉企问题高效闭环系统';
  for (const r of results) {
    const ws = wb.addWorksheet(SHEET_NAMES[r.groupBy]);
    ws.addRow([`统计区间：${period.label}（按受理时间）`]);
    const header = ws.addRow([GROUP_HEADINGS[r.groupBy], ...KPI_COLUMNS.map((c) => c.header)]);
    header.font = { bold: true };
    for (const item of r.items) ws.addRow([item.name, ...cellsOf(item)]);
    const total = ws.addRow(['合计', ...cellsOf(r.totals)]);
    total.font = { bold: true };
    ws.getColumn(1).width = 24;
    KPI_COLUMNS.forEach((c, i) => {
      const col = ws.getColumn(i + 2);
      col.width = 12;
      if (c.rate) col.numFmt = '0.0%';
    });
    ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 2 }];
  }
  await wb.xlsx.write(out);
}
