// Start-up does not pay for the libraries only rare requests use (server/lazy-libs.ts): importing the app and
// the services main.ts starts leaves exceljs, mailparser and nodemailer unloaded until a request needs them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';

const LAZY = ['exceljs', 'mailparser', 'nodemailer'];

const PROBE = `
import { createRequire } from 'node:module';
await import('./server/app.ts');
await import('./server/notify/notify-service.ts');
await import('./server/channels/email/smtp.listener.ts');
const before = Object.keys(createRequire(import.meta.url).cache);
const { loadExcel } = await import('./server/lazy-libs.ts');
await loadExcel();
const after = Object.keys(createRequire(import.meta.url).cache);
const has = (keys, m) => keys.some((k) => k.includes('/node_modules/' + m + '/'));
console.log(JSON.stringify({ before: ${JSON.stringify(LAZY)}.filter((m) => has(before, m)), excelAfter: has(after, 'exceljs') }));
`;

describe('libraries loaded on first use', () => {
  it('are not loaded by importing the app, and load when asked', async function () {
    this.timeout(60_000);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', PROBE],
      { cwd: process.cwd() },
    );
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { before: string[]; excelAfter: boolean };
    expect(out.before).to.deep.equal([]);
    expect(out.excelAfter).to.equal(true);
  });
});
