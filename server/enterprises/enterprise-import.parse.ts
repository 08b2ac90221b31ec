// Reading an enterprise list from a CSV (UTF-8 or the GBK that Excel saves in China) or XLSX file into rows
// keyed by our field names. Columns may be headed in English or Chinese; a region may be given by its code or
// its name, a township (所在乡镇) by its name or code. Pure apart from the file bytes; validation of each row happens in the import job. An XLSX is read
// by the issue import's bounded streaming reader (a workbook too large is refused there, with an AppError).
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { isAppError } from '../errors.ts';
import { readRows } from '../imports/import.reader.ts';
import { COUNTIES } from '../../config/units.ts';

export const IMPORT_FIELDS = [
  'creditCode',
  'name',
  'region',
  'township',
  'industry',
  'address',
  'ownerName',
  'mobile',
  'email',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
export type ImportRow = Partial<Record<ImportField, string>>;

const HEADINGS: Readonly<Record<string, ImportField>> = Object.freeze({
  统一社会信用代码: 'creditCode',
  信用代码: 'creditCode',
  企业名称: 'name',
  名称: 'name',
  所在区县: 'region',
  区县: 'region',
  区域: 'region',
  所在乡镇: 'township',
  乡镇: 'township',
  '乡镇/街道': 'township',
  乡镇街道: 'township',
  所在乡镇街道: 'township',
  '所在乡镇（街道）': 'township',
  行业: 'industry',
  所属行业: 'industry',
  地址: 'address',
  企业地址: 'address',
  负责人: 'ownerName',
  负责人姓名: 'ownerName',
  联系人: 'ownerName',
  手机号: 'mobile',
  手机号码: 'mobile',
  手机: 'mobile',
  登记手机号: 'mobile',
  负责人手机号: 'mobile',
  联系电话: 'mobile',
  邮箱: 'email',
  电子邮箱: 'email',
  企业邮箱: 'email',
});

/** The import template's header row (Chinese, as staff fill it in). */
export const TEMPLATE_HEADER = [
  '统一社会信用代码',
  '企业名称',
  '所在区县',
  '所在乡镇',
  '行业',
  '地址',
  '负责人',
  '手机号',
  '邮箱',
];

function fieldOf(heading: string): ImportField | undefined {
  const h = heading.trim().replace(/^\uFEFF/, '');
  if ((IMPORT_FIELDS as readonly string[]).includes(h)) return h as ImportField;
  return HEADINGS[h];
}

const REGION_BY_NAME = new Map<string, string>(COUNTIES.map((c) => [c.name, c.code]));

function toRow(header: (ImportField | undefined)[], cells: unknown[]): ImportRow {
  const row: ImportRow = {};
  header.forEach((field, i) => {
    if (!field) return;
    const raw = cells[i];
    const text =
      raw === null || raw === undefined
        ? ''
        : typeof raw === 'object' && 'text' in raw
          ? String(raw.text)
          : String(raw);
    if (text.trim() !== '') row[field] = text.trim();
  });
  if (row.region) row.region = REGION_BY_NAME.get(row.region) ?? row.region;
  return row;
}

export class ImportFileError extends Error {}

/** UTF-8 when the bytes are valid UTF-8, otherwise GBK. */
function decodeText(bytes: Buffer): string {
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gbk') : utf8;
}

/** A data row and its row number in the file (the header is row 1), for per-row errors. */
export interface NumberedRow {
  line: number;
  row: ImportRow;
}

function rowsFrom(table: unknown[][]): NumberedRow[] {
  const [head, ...body] = table;
  if (!head) throw new ImportFileError('文件为空');
  const header = head.map((h) => fieldOf(String(h ?? '')));
  // A column the import does not know is named when a needed one is missing: it is likely that one, misnamed.
  const unknown = head.map((h) => String(h ?? '').trim()).filter((h, i) => h && !header[i]);
  const named = unknown.length
    ? `；无法识别的列：${unknown.join('、')}（列名请按模板：${TEMPLATE_HEADER.join('、')}）`
    : '';
  if (!header.includes('creditCode')) throw new ImportFileError(`缺少“统一社会信用代码”列${named}`);
  if (unknown.length && !header.includes('mobile')) throw new ImportFileError(`缺少“手机号”列${named}`);
  return body
    .map((cells, i) => ({ line: i + 2, cells }))
    .filter(({ cells }) => cells.some((c) => String(c ?? '').trim() !== ''))
    .map(({ line, cells }) => ({ line, row: toRow(header, cells) }));
}

export async function parseEnterpriseFile(fileName: string, bytes: Buffer): Promise<NumberedRow[]> {
  if (/\.xlsx$/i.test(fileName)) {
    const table: unknown[][] = [];
    try {
      for await (const r of readRows(Readable.from([bytes]), 'xlsx')) {
        if ('cells' in r) table[r.row - 1] = r.cells; // at its row number, so errors name the sheet's rows
      }
    } catch (err) {
      if (isAppError(err)) throw err;
      throw new ImportFileError('无法读取该 Excel 文件（请另存为 .xlsx）');
    }
    for (let i = 0; i < table.length; i++) table[i] ??= [];
    return rowsFrom(table);
  }
  if (/\.csv$/i.test(fileName)) {
    try {
      return rowsFrom(
        parse(decodeText(bytes), { bom: true, relax_column_count: true, skip_empty_lines: true }),
      );
    } catch (err) {
      if (err instanceof ImportFileError) throw err;
      throw new ImportFileError('CSV 格式有误，无法解析');
    }
  }
  throw new ImportFileError('只支持 .csv 或 .xlsx 文件');
}
