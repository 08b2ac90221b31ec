// The downloadable import template: the Chinese column headers users fill in (English names are accepted
// too), with one example row. CSV is UTF-8 with a BOM so Excel on Chinese Windows opens it correctly.
import { loadExcel } from '../lazy-libs.ts';
import { makeCreditCode } from '../../shared/credit-code.ts';
import { CHINESE_HEADERS, IMPORT_FIELDS } from './import.columns.ts';

const EXAMPLE: Record<(typeof IMPORT_FIELDS)[number], string> = {
  creditCode: makeCreditCode('91330500MA2B3C4D5'),
  enterpriseName: '湖州示例机械有限公司',
  contactName: '张经理',
  // A number nobody has (a landline's local part never starts with 0), and no mobile: an import of the template
  // as it comes would otherwise text whoever holds 13800000000 (the row's unknown enterprise takes the mobile).
  contactPhone: '0572-0000000',
  title: '厂房消防验收迟迟未安排',
  content: '新建厂房两个月前已申请消防验收，至今未安排现场检查，影响投产。',
  urgency: '紧急',
  externalId: 'HY-2026-001',
};

const headers = () => IMPORT_FIELDS.map((f) => CHINESE_HEADERS[f]);
const example = () => IMPORT_FIELDS.map((f) => EXAMPLE[f]);

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function templateCsv(): Buffer {
  const lines = [headers(), example()].map((r) => r.map(csvCell).join(','));
  return Buffer.from('\uFEFF' + lines.join('\r\n') + '\r\n', 'utf8');
}

export async function templateXlsx(): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  const sheet = wb.addWorksheet('导入');
  sheet.addRow(headers());
  sheet.addRow(example());
  sheet.getRow(1).font = { bold: true };
  sheet.columns.forEach((c, i) => (c.width = i === 5 ? 60 : 22));
  const notes = wb.addWorksheet('说明');
  notes.addRow(['列', '英文列名', '说明']);
  const help: Record<string, string> = {
    creditCode: '18位统一社会信用代码（与企业名称至少填一项）',
    enterpriseName: '企业全称',
    content: '必填，问题内容',
    urgency: '特急、紧急、一般、疑难复杂（可不填）',
    externalId: '来源系统的编号；不填时按内容去重',
  };
  for (const f of IMPORT_FIELDS) notes.addRow([CHINESE_HEADERS[f], f, help[f] ?? '可不填']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
