// Plaques as PDF (pdfkit): one A5 page per enterprise, the QR code drawn as vector squares, Chinese text in
// Noto Sans SC from an npm package (never a system font). pdfkit embeds only the glyphs used (a subset), so a
// plaque is tens of kilobytes although the font file is 10 MB. A batch writes page after page into one stream
// and yields to the event loop between pages, so a 10,000-page export never holds the document in memory and
// never stalls the server.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { loadPdfkit } from '../lazy-libs.ts';
import QRCode from 'qrcode';
import {
  PLAQUE_FOOTER,
  PLAQUE_INSTRUCTIONS,
  PLAQUE_SUBTITLE,
  PLAQUE_TITLE,
  type PlaqueContent,
} from './plaque-content.ts';

const FONT_PATH = createRequire(import.meta.url).resolve(
  '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
);
let fontBytes: Promise<Buffer> | undefined;
/** The font file, read once per process. */
const cjkFont = () => (fontBytes ??= readFile(FONT_PATH));

const A5: [number, number] = [419.53, 595.28];
const MARGIN = 36;
const QR_SIZE = 220;
const INK = '#1f2d3d';
const ACCENT = '#c0392b';

/** Dark modules as runs per row, so a code is a few hundred rectangles rather than thousands. */
function drawQr(doc: PDFKit.PDFDocument, url: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const cell = size / n;
  for (let r = 0; r < n; r++) {
    let c = 0;
    while (c < n) {
      if (!modules.get(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < n && modules.get(r, c)) c++;
      // A hair of overlap hides the seams some viewers draw between adjacent squares.
      doc.rect(x + start * cell, y + r * cell, (c - start) * cell + 0.2, cell + 0.2);
    }
  }
  doc.fill('#000000');
}

function drawPlaque(doc: PDFKit.PDFDocument, p: PlaqueContent): void {
  const [w, h] = A5;
  const inner = w - 2 * MARGIN;
  doc
    .rect(MARGIN / 2, MARGIN / 2, w - MARGIN, h - MARGIN)
    .lineWidth(2)
    .stroke(ACCENT);
  doc.fillColor(ACCENT).fontSize(30).text(PLAQUE_TITLE, MARGIN, 48, { width: inner, align: 'center' });
  doc.fillColor(INK).fontSize(12).text(PLAQUE_SUBTITLE, { width: inner, align: 'center' });
  doc.moveDown(1.2);
  doc.fontSize(18).text(p.name, { width: inner, align: 'center' });
  doc.moveDown(0.3);
  doc.fontSize(10).text(`统一社会信用代码：${p.creditCode}`, { width: inner, align: 'center' });
  const qrY = Math.max(doc.y + 16, 200);
  // White margin of four modules' width around the code: scanners need the quiet zone.
  drawQr(doc, p.url, (w - QR_SIZE) / 2, qrY, QR_SIZE);
  doc.fillColor(INK).fontSize(15);
  doc.text(PLAQUE_INSTRUCTIONS, MARGIN, qrY + QR_SIZE + 18, { width: inner, align: 'center' });
  doc.moveDown(0.5);
  doc.fontSize(12).text(`服务热线：${p.hotline}`, { width: inner, align: 'center' });
  doc
    .fillColor('#666666')
    .fontSize(8)
    .text(PLAQUE_FOOTER, MARGIN, h - MARGIN - 24, { width: inner, align: 'center' });
}

export interface PlaqueWriteOptions {
  /** Called after each page; return false to stop (a cancelled export). */
  onPage?: (done: number) => boolean | void;
}

/** Writes one page per plaque into `out` and resolves when the stream has flushed; false when stopped. */
export async function writePlaquesPdf(
  plaques: AsyncIterable<PlaqueContent> | Iterable<PlaqueContent>,
  out: Writable,
  options: PlaqueWriteOptions = {},
): Promise<boolean> {
  const PDFDocument = await loadPdfkit();
  const doc = new PDFDocument({
    size: A5,
    margin: MARGIN,
    autoFirstPage: false,
    info: { Title: '企业码牌' },
  });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  doc.registerFont('cjk', await cjkFont());
  let done = 0;
  let completed = true;
  for await (const p of plaques) {
    doc.addPage();
    doc.font('cjk');
    drawPlaque(doc, p);
    done += 1;
    if (options.onPage?.(done) === false) {
      completed = false;
      break;
    }
    if (done % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  if (done === 0) doc.addPage();
  doc.end();
  await finished;
  return completed;
}
