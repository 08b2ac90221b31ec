// The printable plaque as an HTML page: A5 with print CSS (no browser chrome, exact size), the QR code as inline
// SVG. Staff open it from the enterprise page and print; the PDF (plaque.pdf.ts) says the same for print shops.
import { html, SafeHtml } from '../routes/public/html.ts';
import { renderQrSvg } from '../presenters/enterprise-qr.presenter.ts';
import {
  PLAQUE_FOOTER,
  PLAQUE_INSTRUCTIONS,
  PLAQUE_SUBTITLE,
  PLAQUE_TITLE,
  type PlaqueContent,
} from './plaque-content.ts';

const STYLE = `
@page { size: A5 portrait; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; background: #eef1f5; color: #1f2d3d;
  font-family: "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
.toolbar { text-align: center; padding: 12px; margin: 0; font-size: 14px; }
.plaque { width: 148mm; height: 210mm; margin: 8mm auto 24px; background: #fff; padding: 10mm;
  display: flex; flex-direction: column; align-items: center; text-align: center;
  border: 2px solid #c0392b; outline: 6mm solid #fff; }
h1 { color: #c0392b; font-size: 30pt; margin: 6mm 0 1mm; letter-spacing: 4pt; }
.subtitle { font-size: 12pt; margin: 0 0 7mm; }
.name { font-size: 18pt; margin: 0 0 2mm; }
.code { font-size: 10pt; margin: 0 0 6mm; }
.qr { width: 78mm; height: 78mm; }
.qr svg { width: 100%; height: 100%; }
.how { font-size: 15pt; margin: 6mm 0 2mm; }
.hotline { font-size: 12pt; margin: 0; }
.footer { margin-top: auto; font-size: 8pt; color: #666; }
@media print {
  html, body { background: #fff; }
  .toolbar { display: none; }
  .plaque { margin: 0; page-break-after: always; }
}`;

export async function renderPlaqueHtml(p: PlaqueContent): Promise<string> {
  const svg = new SafeHtml(await renderQrSvg(p.url));
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${PLAQUE_TITLE} · ${p.name}</title>
        <style>
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body>
        <p class="toolbar">按 Ctrl+P（Mac：⌘+P）打印，纸张选 A5、边距选“无”；印刷厂请用 PDF 版。</p>
        <main class="plaque" aria-label="企业码牌">
          <h1>${PLAQUE_TITLE}</h1>
          <p class="subtitle">${PLAQUE_SUBTITLE}</p>
          <p class="name">${p.name}</p>
          <p class="code">统一社会信用代码：${p.creditCode}</p>
          <div class="qr" role="img" aria-label="企业码二维码">${svg}</div>
          <p class="how">${PLAQUE_INSTRUCTIONS}</p>
          <p class="hotline">服务热线：${p.hotline}</p>
          <p class="footer">${PLAQUE_FOOTER}</p>
        </main>
      </body>
    </html>`.toString();
}
