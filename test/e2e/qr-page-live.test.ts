// The QR page's live update in real Chromium with JavaScript ON, as an owner on a phone meets it: staff act
// on another issue of the enterprise while the owner is reading or halfway through a rating. The page swaps in
// the news when the owner is only reading (keeping open sections open, and with no CSP violation), but never
// over a field in use or a half-filled form: then it only offers the refresh, and swaps once the owner is done.
import { expect } from 'chai';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import type { EnterpriseDoc } from '../../server/models/index.ts';
import {
  handlerOf,
  issueAwaitingRating,
  issueInProgress,
  pageOf,
  staffAction,
  useQrApp,
} from '../api/qr-page.harness.ts';

describe('QR page live update (e2e, Chromium, JavaScript on)', function () {
  this.timeout(60_000);
  const t = useQrApp();
  let server: Server;
  let browser: Browser;
  let page: Page;
  let e: EnterpriseDoc;
  let other: string;
  let toRate: string;
  /** Console errors and CSP violations the page reported. */
  const problems: string[] = [];

  /** A public progress note on the other issue: the page's live stream hears it. */
  const staffNote = async (text: string) =>
    staffAction(t, await handlerOf(t, other), other, 'note', { text, public: true });
  const mainText = () => page.locator('main').textContent();
  const swappedIn = (text: string) =>
    page.waitForFunction((s) => document.querySelector('main')!.textContent!.includes(s), text, {
      timeout: 8000,
    });

  before(async function () {
    this.timeout(120_000);
    e = await t.enterprise(4);
    other = await issueInProgress(t, e, { content: '园区道路破损严重，货车进出困难，请尽快修缮。' });
    toRate = await issueAwaitingRating(t, e, { content: '去年技改项目补贴尚未拨付，请尽快处理。' });
    server = t.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${baseUrl}${pageOf(e)}/verify`);
    await page.getByRole('button', { name: '发送验证码' }).click();
    await page.fill('#code', t.sms.lastCode());
    await page.locator('form[action$="/verify-code"] button').click();
    expect(await page.locator('.notice').innerText()).to.include('验证成功');
    // The live stream is open before staff act.
    await page.waitForTimeout(300);
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('swaps in news while the owner reads, keeping an open section open, with no CSP violation', async () => {
    await page.locator(`#issue-${other} summary`, { hasText: '办理进展' }).click();
    // A tapped <summary> keeps focus on a phone; that is reading, not editing.
    await staffNote('已联系交通部门，本周安排修缮。');
    await swappedIn('已联系交通部门');
    expect(
      await page
        .locator(`#issue-${other} details`)
        .first()
        .evaluate((d) => (d as HTMLDetailsElement).open),
    ).to.equal(true);
    expect(await page.locator('.live-notice').count()).to.equal(0);
    expect(problems, 'console errors (a CSP violation for each refresh)').to.deep.equal([]);
  });

  it('waits while a field has focus, then swaps once the owner leaves it', async () => {
    await page.locator(`#issue-${toRate} summary`, { hasText: '详细评价' }).click();
    await page.locator(`#comment-${toRate}`).focus();
    await staffNote('施工队已进场。');
    await page.locator('.live-notice').waitFor({ timeout: 8000 });
    // It says the news comes once the owner is done, and that refreshing now would drop what is typed.
    expect(await page.locator('.live-notice').innerText()).to.equal(
      '页面有更新，填写完成后自动显示。立即刷新（未提交的内容不保留）',
    );
    expect(await page.locator('.live-notice a').innerText()).to.equal('立即刷新（未提交的内容不保留）');
    expect(await mainText()).to.not.include('施工队已进场');
    await page.locator('header h1').click(); // focus leaves the (still empty) field
    await swappedIn('施工队已进场');
    expect(await page.locator('.live-notice').count()).to.equal(0);
    // 详细评价 was open and stays open.
    expect(
      await page.locator(`#rate-more-${toRate}`).evaluate((d) => (d as HTMLDetailsElement).open),
    ).to.equal(true);
  });

  it('never wipes a half-filled rating: it offers the refresh instead', async () => {
    await page.getByLabel('基本满意').check();
    await page.fill(`#comment-${toRate}`, '办理及时，但补贴到账还需确认');
    await page.locator('header h1').click(); // not focused any more, but the form holds the owner's input
    await staffNote('路面修缮完成。');
    await page.locator('.live-notice').waitFor({ timeout: 8000 });
    await page.waitForTimeout(500);
    expect(await mainText()).to.not.include('路面修缮完成');
    expect(await page.locator(`#comment-${toRate}`).inputValue()).to.equal('办理及时，但补贴到账还需确认');
    expect(await page.getByLabel('基本满意').isChecked()).to.equal(true);
    expect(
      await page.locator(`#rate-more-${toRate}`).evaluate((d) => (d as HTMLDetailsElement).open),
    ).to.equal(true);
    // The owner's own choice: the notice reloads the page with the news.
    await Promise.all([page.waitForEvent('load'), page.locator('.live-notice a').click()]);
    expect(await mainText()).to.include('路面修缮完成');
    expect(problems).to.deep.equal([]);
  });
});
