/**
 * The enterprise's QR page, `GET /e/:token`, over random enterprises' printed tokens at concurrency 50 (a
 * district's scans at a peak), against a static file of the same byte size served by the same server from
 * web/dist (written there while the app runs, removed after). Targets at 1,000,000: ≥ 1,000 pages/s,
 * p99 < 50 ms, ≥ 50 % of the static file's rate.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './lib/app/app-process.ts';
import { printFlatness, recordFlat, sizes, withApp } from './lib/app/app-session.ts';
import { httpLoad } from './lib/app/http-load.ts';
import { reportLoad } from './lib/app/load-report.ts';
import { note } from './lib/report.ts';

const CONNECTIONS = 50;
const WEB_DIST = path.join(REPO_ROOT, 'web', 'dist');

if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
  note('web/dist is missing: building the workbench (npm run build) so the static baseline is served');
  spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
}

/**
 * The median page of 25 tokens spread evenly over those the load takes in turn. (The first 25 were the data
 * set's busiest enterprises: the generator numbers them first, so the static file had the size of their pages,
 * about twice the typical one.)
 */
async function pageBytes(baseUrl: string, tokens: readonly string[]): Promise<number> {
  const sizes: number[] = [];
  const step = Math.max(1, Math.floor(tokens.length / 25));
  for (const t of tokens.filter((_, i) => i % step === 0).slice(0, 25)) {
    const res = await fetch(`${baseUrl}/e/${t}`);
    if (!res.ok) throw new Error(`GET /e/:token answered ${res.status}`);
    sizes.push((await res.arrayBuffer()).byteLength);
  }
  sizes.sort((a, b) => a - b);
  return sizes[Math.floor(sizes.length / 2)];
}

/** An HTML file of exactly `bytes` bytes (ASCII). */
function staticPage(bytes: number): string {
  const head = '<!doctype html><html lang="zh"><meta charset="utf-8"><title>static</title><body><p>';
  const tail = '</p></body></html>\n';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}

for (const size of sizes()) {
  await withApp('QR page GET /e/:token', size, async (s) => {
    const tokens = s.manifest.samples.qrTokens;
    const bytes = await pageBytes(s.app.baseUrl, tokens);
    note(`median QR page ${bytes.toLocaleString('en-US')} bytes; the static file has the same size`);
    const file = `bench-static-${process.pid}.html`;
    await writeFile(path.join(WEB_DIST, file), staticPage(bytes));
    try {
      const common = { baseUrl: s.app.baseUrl, pid: s.app.pid, connections: CONNECTIONS };
      const staticLoad = await httpLoad({ ...common, paths: [`/${file}`] });
      const qr = await httpLoad({ ...common, paths: tokens.map((t) => `/e/${t}`), commands: s.commands });
      reportLoad(
        'QR page c=50',
        qr,
        { name: 'static file', result: staticLoad },
        {
          rate: '≥ 1,000 pages/s and ≥ 0.50× static',
          p99: '< 50 ms',
        },
      );
      recordFlat('QR page p50 ms', size, qr.completed ? qr.p50 : NaN);
      recordFlat('QR page CPU ms/request', size, qr.cpuMsPerRequest);
    } finally {
      await rm(path.join(WEB_DIST, file), { force: true });
    }
  });
}
printFlatness();
