// Bounds the work an uploaded XLSX can cause before exceljs sees it: a zip bomb (a 1.5 MB upload that unpacks
// to hundreds of MB) would otherwise be unpacked and parsed in full, in the process that also runs the database.
//  - The zip is read by its central directory (yauzl): its entries must declare at most MAX_UNPACKED_BYTES in
//    all, which is cheap to check at upload.
//  - The entries the reader needs are then inflated once (in zlib's thread pool, the output dropped) with their
//    declared sizes enforced, since a declared size may lie; a file whose data does not match its directory is
//    refused as damaged. Checking before parsing costs a second inflation (fast, and off the main thread), but
//    exceljs is never handed a stream that fails midway, which it does not always notice.
//  - What exceljs's streaming reader parses is a plain zip rebuilt as a stream from those checked entries only,
//    stored with their sizes in their headers (so nothing hidden between entries is read), holding just the
//    parts it reads, with the shared strings ahead of the sheets (so it never spools a sheet to a temp file).
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { AppError } from '../errors.ts';

/** The unpacked size of a workbook we read: about 10× what the largest real import (50,000 rows) needs. */
export const MAX_UNPACKED_BYTES = 100 * 1024 * 1024;
const MAX_ENTRIES = 10_000;

const tooLarge = () =>
  new AppError(
    'file_too_large',
    413,
    `该 Excel 文件解压后超过${MAX_UNPACKED_BYTES / 1024 / 1024}MB，请删除无关的工作表或分批导入`,
  );
const damaged = () =>
  new AppError(
    'invalid_file',
    400,
    '无法读取该 XLSX 文件（文件损坏或不是 Excel 工作簿），请用 Excel 另存为 .xlsx',
  );

/** The parts exceljs's reader uses, in the order it needs them; other parts (images, drawings) are left out. */
const PARTS = ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'];
const SHEET = /^xl\/worksheets\/sheet\d+\.xml$/;

function open(bytes: Buffer): Promise<yauzl.ZipFile> {
  const options = { lazyEntries: true, validateEntrySizes: true, strictFileNames: false };
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(bytes, options, (err, zip) => (err ? reject(damaged()) : resolve(zip))),
  );
}

function entriesOf(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  if (zip.entryCount > MAX_ENTRIES) return Promise.reject(tooLarge());
  const entries: yauzl.Entry[] = [];
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', () => reject(damaged()));
    zip.readEntry();
  });
}

/** The workbook's entries, refused when they declare more than MAX_UNPACKED_BYTES unpacked. */
async function checkedEntries(bytes: Buffer): Promise<{ zip: yauzl.ZipFile; entries: yauzl.Entry[] }> {
  const zip = await open(bytes);
  const entries = await entriesOf(zip);
  const declared = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (declared > MAX_UNPACKED_BYTES) throw tooLarge();
  return { zip, entries };
}

/** Refuses (413 file_too_large, or 400 invalid_file) a workbook too large or not a readable zip; reads no data. */
export async function checkXlsxSize(bytes: Buffer): Promise<void> {
  (await checkedEntries(bytes)).zip.close();
}

function localHeader(name: string, size: number): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const head = Buffer.alloc(30);
  head.writeUInt32LE(0x04034b50, 0);
  head.writeUInt16LE(20, 4); // version needed
  head.writeUInt16LE(0x0800, 6); // UTF-8 name; sizes here, no data descriptor
  // method 0 (stored), time, date and CRC left 0: only exceljs's reader reads this stream, and it checks none.
  head.writeUInt32LE(size, 18);
  head.writeUInt32LE(size, 22);
  head.writeUInt16LE(fileName.length, 26);
  return Buffer.concat([head, fileName]);
}

const END_OF_DIRECTORY = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);

function inflated(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => (err ? reject(damaged()) : resolve(stream))),
  );
}

/** Inflates the entries to nowhere: rejects (damaged) as soon as one outgrows its declared size. */
async function verify(zip: yauzl.ZipFile, entries: yauzl.Entry[]): Promise<void> {
  for (const entry of entries) {
    try {
      for await (const _chunk of await inflated(zip, entry)); // yauzl stops an entry past its declared size
    } catch {
      throw damaged();
    }
  }
}

/**
 * The workbook as a stream exceljs's reader can parse, bounded as above: a bomb is refused (an AppError)
 * before any of it is inflated, one that lies about its sizes before any of it is parsed.
 */
export async function boundedXlsx(bytes: Buffer): Promise<Readable> {
  const { zip, entries } = await checkedEntries(bytes);
  const byName = new Map(entries.map((e) => [e.fileName, e]));
  const wanted = [
    ...PARTS.flatMap((name) => byName.get(name) ?? []),
    ...entries.filter((e) => SHEET.test(e.fileName)),
  ];
  try {
    await verify(zip, wanted);
  } catch (err) {
    zip.close();
    throw err;
  }
  return Readable.from(
    (async function* () {
      try {
        for (const entry of wanted) {
          yield localHeader(entry.fileName, entry.uncompressedSize);
          for await (const chunk of await inflated(zip, entry)) yield chunk as Buffer;
        }
        yield END_OF_DIRECTORY;
      } finally {
        zip.close();
      }
    })(),
    { objectMode: false },
  );
}
