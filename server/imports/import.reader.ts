// Reads the rows of an uploaded CSV or XLSX as a stream, never the whole file at once:
//  - CSV through csv-parse, in UTF-8 (with or without BOM) or GB18030 (what Excel on Chinese Windows saves),
//    detected from the first 64 KB; a record the parser cannot read is reported as a bad row and skipped;
//  - XLSX through exceljs's streaming WorkbookReader, first worksheet only, over the bounded zip of
//    import.unzip.ts, and at most MAX_SHEET_ROWS rows of MAX_ROW_CELLS cells (an AppError past them).
// Rows are numbered as the user sees them in Excel (the header is row 1).
import type ExcelJS from 'exceljs';
import { loadExcel } from '../lazy-libs.ts';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { AppError } from '../errors.ts';
import { boundedXlsx } from './import.unzip.ts';

export type ImportFormat = 'csv' | 'xlsx';

export type SheetRow = { row: number; cells: string[] } | { row: number; error: string };

const DETECT_BYTES = 64 * 1024;
const MAX_RECORD_BYTES = 64 * 1024;
/** Rows of a sheet, blank ones included: 2.5× the largest enterprise list (20,000) and any batch of records. */
export const MAX_SHEET_ROWS = 50_000;
/** Columns of a row: the templates have about ten; a few hundred more leave room for notes. */
export const MAX_ROW_CELLS = 1_000;
/** What an XLSX upload may weigh when read back (both routes cap it lower). */
const MAX_XLSX_BYTES = 32 * 1024 * 1024;

/**
 * UTF-8 when the head decodes as UTF-8, else GB18030. `complete` says the head is the whole file; otherwise a
 * multi-byte character cut at its end is allowed.
 */
export function detectEncoding(head: Buffer, complete: boolean): 'utf8' | 'gb18030' {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const cuts = complete ? [0] : [0, 1, 2, 3];
  for (const cut of cuts) {
    try {
      decoder.decode(head.subarray(0, Math.max(0, head.length - cut)));
      return 'utf8';
    } catch {
      // try a shorter head, or it is not UTF-8
    }
  }
  return 'gb18030';
}

/** The source with its first DETECT_BYTES read ahead, and what they say about the encoding. */
async function decoded(source: Readable): Promise<NodeJS.ReadWriteStream> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < DETECT_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    size += next.value.length;
  }
  const first = Buffer.concat(head);
  const encoding = detectEncoding(first, done);
  const bytes = Readable.from(
    (async function* () {
      yield first;
      if (done) return;
      for (let n = await iterator.next(); !n.done; n = await iterator.next()) yield n.value;
    })(),
  );
  return bytes.pipe(iconv.decodeStream(encoding, { stripBOM: true }));
}

async function* csvRows(source: Readable): AsyncGenerator<SheetRow> {
  const skipped: SheetRow[] = [];
  const parser = parse({
    relax_column_count: true,
    // A quote inside a cell that does not start with one (窗口说"材料不全") is text, as Excel writes and reads it;
    // strict quoting refused that row and, reading on for its closing quote, every row after it.
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    info: true,
  });
  // Rows are numbered by the parser's own count: a refusal is told while rows before it still wait to be read.
  parser.on('skip', (err: Error & { records?: number }) => {
    skipped.push({ row: (err.records ?? 0) + 1, error: `CSV 格式有误：${err.message.slice(0, 120)}` });
  });
  (await decoded(source)).pipe(parser);
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { records: number };
  }>) {
    while (skipped.length && skipped[0].row < info.records) yield skipped.shift()!;
    yield { row: info.records, cells: record };
  }
  while (skipped.length) yield skipped.shift()!;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return String(value);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('text' in value) return String(value.text);
  if ('result' in value) return value.result === undefined ? '' : cellText(value.result as ExcelJS.CellValue);
  if ('error' in value) return '';
  return '';
}

async function bytesOf(source: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_XLSX_BYTES) throw new AppError('file_too_large', 413, '文件过大');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const tooManyRows = () => new AppError('too_many_rows', 400, `工作表超过${MAX_SHEET_ROWS}行，请分批导入`);
const tooManyCells = (row: number) =>
  new AppError('too_many_columns', 400, `第${row}行超过${MAX_ROW_CELLS}列，请删除无关的列后重试`);

async function* xlsxRows(source: Readable): AsyncGenerator<SheetRow> {
  const zip = await boundedXlsx(await bytesOf(source));
  const reader = new (await loadExcel()).stream.xlsx.WorkbookReader(zip, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
  });
  let rows = 0;
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
        if (++rows > MAX_SHEET_ROWS) throw tooManyRows();
        const values = row.values as ExcelJS.CellValue[];
        if (values.length - 1 > MAX_ROW_CELLS) throw tooManyCells(row.number);
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        if (cells.some((c) => c.trim() !== '')) yield { row: row.number, cells };
      }
      break; // the first worksheet is the import; others are notes
    }
  } finally {
    zip.destroy();
  }
}

export function readRows(source: Readable, format: ImportFormat): AsyncGenerator<SheetRow> {
  return format === 'csv' ? csvRows(source) : xlsxRows(source);
}
