// The class problems' monthly report as Excel (issue 7 §3): the list with its figures and the month-by-month
// table, from the same listClassProblems result the screen shows (as the KPI export does, kpi-export.ts).
import type { Writable } from 'node:stream';
import { loadExcel } from '../lazy-libs.ts';
import { chinaDateKey } from '../../shared/calendar.ts';
import type { listClassProblems } from './class-problem.query.ts';

type Report = Awaited<ReturnType<typeof listClassProblems>>;

export async function writeClassReport(report: Report, label: string, out: Writable): Promise<void> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '涉企问题高效闭环系统';
  const list = wb.addWorksheet('类问题清单');
  list.addRow([`类问题（一类事）清单：${label}`]);
  const head = list.addRow([
    '编号',
    '名称',
    '类别',
    '状态',
    '成员问题',
    '涉及企业',
    '未答复',
    '差评',
    '立项天数',
    '修复后新增',
    '牵头单位',
    '协办单位',
    '办结时限',
    '立项日期',
    '政策性解决日期',
    '根本原因',
    '解决措施',
    '统一答复',
  ]);
  head.font = { bold: true };
  for (const c of report.items) {
    list.addRow([
      c.number,
      c.title,
      c.categoryLabel,
      c.stateLabel,
      c.memberCount,
      c.enterpriseCount,
      c.openCount,
      c.badRatingCount,
      c.ageDays,
      c.newAfterFix,
      c.leadUnitName,
      c.coUnitNames.join('、'),
      chinaDateKey(c.deadline),
      chinaDateKey(c.createdAt),
      c.resolvedAt ? chinaDateKey(c.resolvedAt) : '',
      c.rootCause,
      c.measure,
      c.answer ?? '',
    ]);
  }
  // Every column wide enough for its heading or its usual content (Chinese characters count double).
  const widths = [14, 28, 12, 10, 10, 10, 8, 8, 10, 12, 20, 24, 12, 12, 16, 40, 40, 40];
  widths.forEach((w, i) => (list.getColumn(i + 1).width = w));
  list.views = [{ state: 'frozen', ySplit: 2 }];
  const months = wb.addWorksheet('按月统计');
  const mh = months.addRow(['月份', '立项', '政策性解决', '成员问题', '涉及企业', '修复后新增']);
  mh.font = { bold: true };
  [10, 8, 12, 10, 10, 12].forEach((w, i) => (months.getColumn(i + 1).width = w));
  months.views = [{ state: 'frozen', ySplit: 1 }];
  for (const m of report.byMonth) {
    months.addRow([m.month, m.promoted, m.resolved, m.members, m.enterprises, m.newAfterFix]);
  }
  await wb.xlsx.write(out);
}
