// The QR page in real Chromium on a phone-sized viewport with JavaScript DISABLED: the page must work as plain
// HTML forms. A code holder sees the summary, the owner verifies with the SMS code, reads the details, rates
// an issue with one tap and raises a new one with a photo.
//
// Set E2E_SCREENSHOTS=/some/dir to keep a screenshot of every screen.
import { expect } from 'chai';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import type { EnterpriseDoc } from '../../server/models/index.ts';
import {
  handlerOf,
  issueAwaitingRating,
  issueInProgress,
  pageOf,
  staffAction,
  staffIssue,
  useQrApp,
} from '../api/qr-page.harness.ts';

/** A 1×1 PNG, as a phone's camera would send a (much larger) one. */
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

describe('QR page (e2e, Chromium, no JavaScript)', function () {
  this.timeout(60_000);
  const shots = process.env.E2E_SCREENSHOTS;
  const t = useQrApp();
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let e: EnterpriseDoc;
  let toRate: string;
  let open: string;

  async function shot(name: string) {
    if (shots) await page.screenshot({ path: path.join(shots, `qr-${name}.png`), fullPage: true });
  }

  before(async function () {
    this.timeout(120_000);
    if (shots) await mkdir(shots, { recursive: true });
    e = await t.enterprise(3);
    open = await issueInProgress(t, e, {
      title: '新厂房消防验收',
      content: '新厂房已完工，消防验收迟迟未安排。',
    });
    await staffAction(t, await handlerOf(t, open), open, 'note', {
      text: '已联系消防大队，本周内安排现场验收。',
      public: true,
    });
    toRate = await issueAwaitingRating(t, e, {
      title: '技改补贴兑现',
      content: '去年技改项目补贴尚未拨付。',
    });
    server = t.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 390, height: 844 },
    });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('shows the summary to anyone holding the code', async () => {
    await page.goto(baseUrl + pageOf(e));
    await expect(await page.locator('h1').innerText()).to.include('****');
    const text = await page.locator('main').innerText();
    expect(text).to.include('办理中');
    expect(text).to.include('待评价');
    expect(text).to.include('承诺办结');
    expect(text).to.not.include('消防验收迟迟未安排');
    await shot('1-summary');
  });

  it('verifies the owner with the SMS code, without JavaScript', async () => {
    await page.getByRole('link', { name: '企业负责人验证' }).click();
    await page.getByRole('button', { name: '发送验证码' }).click();
    expect(await page.locator('.notice').innerText()).to.include('验证码已发送');
    await shot('2-verify');
    await page.fill('#code', t.sms.lastCode());
    await page.locator('form[action$="/verify-code"] button').click();
    expect(await page.locator('.notice').innerText()).to.include('验证成功');
    expect(await page.locator('h1').innerText()).to.equal(e.name);
    const text = await page.locator('main').innerText();
    expect(text).to.include('消防验收迟迟未安排');
    expect(text).to.include('已协调落实补贴发放');
    await page.locator('details summary', { hasText: '办理进展' }).first().click();
    await shot('3-detail');
  });

  it('rates with one tap and raises a new issue', async () => {
    await page.locator(`#issue-${toRate} details summary`, { hasText: '详细评价' }).click();
    await shot('4-rating-form');
    await page.locator(`#issue-${toRate} button.good`).click();
    expect(await page.locator('.notice').innerText()).to.include('感谢您的评价');
    expect((await staffIssue(t, toRate)).state).to.equal('closed');
    await shot('5-rated');
    await page.getByRole('link', { name: '反映新问题' }).click();
    // The label says the real bounds, and the browser itself refuses a description that is too short, before
    // anything is sent: the photo chosen stays chosen (a refusal by the server would drop it).
    expect(await page.locator('label[for=content]').innerText()).to.equal('问题描述（必填，10–2000字）');
    await page.fill('#content', '道路限行');
    await page.setInputFiles('#files', [{ name: '路口.png', mimeType: 'image/png', buffer: PHOTO }]);
    const form = page.url();
    await page.getByRole('button', { name: '提交' }).click();
    expect(page.url()).to.equal(form);
    const tooShort = await page
      .locator('#content')
      .evaluate((el) => (el as HTMLTextAreaElement).validity.tooShort);
    expect(tooShort).to.equal(true);
    expect(await page.locator('#files').evaluate((el) => (el as HTMLInputElement).files?.length)).to.equal(1);
    expect(await page.locator('[role=alert]').count()).to.equal(0);
    expect(await t.models.Issue.countDocuments({ content: '道路限行' })).to.equal(0);
    await page.fill('#content', '园区道路限行，货车无法进入厂区，影响原料进场。');
    // A photo from the phone, and a document the page does not take: the issue is filed with the photo and
    // the owner is told which file was not.
    await page.setInputFiles('#files', [
      { name: '路口.png', mimeType: 'image/png', buffer: PHOTO },
      {
        name: '说明.docx',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('PK\x03\x04 not a photo'),
      },
    ]);
    await shot('6-new-issue');
    await page.getByRole('button', { name: '提交' }).click();
    expect(await page.locator('.notice').innerText()).to.match(
      /问题已提交（编号 HZ-\d{4}-\d{6}），已上传1个附件/,
    );
    expect(await page.locator('[role=alert]').innerText()).to.include('说明.docx（类型不支持）');
    expect(await page.locator('main').innerText()).to.include('园区道路限行');
    await shot('7-submitted');
    const issue = await t.models.Issue.findOne({ content: /园区道路限行/ }).lean();
    expect(issue?.contact).to.deep.equal({ name: e.ownerName, phone: e.mobile });
  });

  it('sends 补充材料 with a photo to an issue being handled, then lists and opens the photo', async () => {
    const card = page.locator(`#issue-${open}`);
    await card.locator('summary', { hasText: '补充说明或材料' }).click();
    await card.getByLabel('补充说明').fill('消防设施检测报告已拍照上传。');
    await card
      .getByLabel('照片或文件（可选）')
      .setInputFiles([{ name: '检测报告.png', mimeType: 'image/png', buffer: PHOTO }]);
    await card.getByRole('button', { name: '提交补充材料' }).click();
    expect(await page.locator('.notice').innerText()).to.include('补充材料已提交');
    const after = page.locator(`#issue-${open}`);
    expect(await after.innerText()).to.include('提交的材料');
    await after.locator('summary', { hasText: '办理进展' }).click();
    expect(await after.locator('ol.progress').innerText()).to.include(
      '企业补充材料：消防设施检测报告已拍照上传。',
    );
    const link = after.getByRole('link', { name: '检测报告.png' });
    const photo = await page.request.get(new URL((await link.getAttribute('href'))!, baseUrl).href);
    expect(photo.status()).to.equal(200);
    expect(photo.headers()['content-type']).to.equal('image/png');
    expect(Buffer.compare(await photo.body(), PHOTO)).to.equal(0);
    await shot('8-supplement');
  });
});
