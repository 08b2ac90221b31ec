// 附件 on the issue page in real Chromium: an enterprise sends three pictures by WeChat (real XML pushes) and
// staff attach a PDF. The media job fetches the first from a local fake of WeChat's API; the second's media id
// is unknown to WeChat; the third arrives after the job ran. The page lists all four with type, size, source
// and status (已保存 / 下载失败 with the reason / 待下载), shows the picture as a thumbnail that opens full
// size, and downloads the PDF under its name; axe-core finds nothing serious.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import { createSimulatedClock } from '../../shared/clock.ts';
import { MAX_ATTACHMENT_BYTES } from '../../server/attachments/attachment.rules.ts';
import { createAttachmentStore } from '../../server/attachments/attachment.store.ts';
import { fetchWechatMedia } from '../../server/jobs/wechat-media.job.ts';
import { createWechatMediaClient } from '../../server/wechat/wechat-media.ts';
import { FAKE_APPID, FAKE_APPSECRET, FakeWechatApi } from '../api/channels/wechat-api.fake.ts';
import { imageXml, plainQuery, textXml } from '../api/channels/wechat.harness.ts';
import { PDF } from '../api/channels/files.fixtures.ts';
import { axeFindings, DEMO_PASSWORD, login, snap, useStaffApp } from './staff-app.harness.ts';

const JPEG = readFileSync(new URL('../fixtures/wechat-photo.jpg', import.meta.url));

describe('staff app: attachments on the issue page (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  const wechat = new FakeWechatApi();
  let apiBase = '';
  before(async () => {
    apiBase = await wechat.start();
  });
  after(() => wechat.close());

  const openid = 'oE2E_attachments_0001';
  async function push(xml: string) {
    const q = new URLSearchParams(plainQuery(openid));
    const res = await fetch(`${t.baseUrl}/api/intake/wechat?${q}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: xml,
    });
    expect(res.status).to.equal(200);
    return res.text();
  }

  async function uploadPdf(issueId: string) {
    const login = await fetch(`${t.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'clerk', password: DEMO_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const form = new FormData();
    form.append('file', new Blob([PDF], { type: 'application/pdf' }), '营业执照副本.pdf');
    const res = await fetch(`${t.baseUrl}/api/issues/${issueId}/attachments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    expect(res.status, await res.clone().text()).to.equal(201);
  }

  let id = '';
  it('lists every attachment with its status, shows the picture and downloads the PDF', async () => {
    const enterprise = t.seed.enterprises[3]!;
    await push(textXml(openid, enterprise.creditCode, 'e2e-bind'));
    await push(imageXml(openid, 'MEDIA_e2e_site_photo', 'e2e-img-1'));
    await push(imageXml(openid, 'MEDIA_e2e_unknown', 'e2e-img-2'));
    const issue = await t.models.Issue.findOne({ channel: 'wechat', externalId: 'e2e-img-1' }).lean();
    id = String(issue!._id);
    await uploadPdf(id);

    wechat.media.set('MEDIA_e2e_site_photo', { data: JPEG, contentType: 'image/jpeg' });
    const conn = t.models.Issue.db as Connection;
    const report = await fetchWechatMedia({
      store: createAttachmentStore(conn, t.models),
      media: createWechatMediaClient({
        apiBase,
        appId: FAKE_APPID,
        appSecret: FAKE_APPSECRET,
        maxBytes: MAX_ATTACHMENT_BYTES,
      }),
      clock: createSimulatedClock(new Date()),
      logger: pino({ level: 'silent' }),
    });
    expect(report).to.deep.equal({ stored: 1, retried: 0, failed: 1 });
    await push(imageXml(openid, 'MEDIA_e2e_later', 'e2e-img-3'));

    const { page } = await t.open();
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${id}`);
    const card = page.getByRole('region', { name: '附件' });
    const rows = card.getByRole('listitem');
    await rows.nth(3).waitFor();
    expect(await rows.count()).to.equal(4);

    const photo = rows.filter({ hasText: '已保存' }).filter({ hasText: 'JPEG 图片' });
    expect(await photo.textContent())
      .to.contain('微信公众号')
      .and.contain(sizeText(JPEG.length));
    const thumb = photo.getByRole('button', { name: /查看大图/ });
    await thumb.locator('img').waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.thumb img');
      return !!img && img.complete && img.naturalWidth > 0;
    });

    const failed = rows.filter({ hasText: '下载失败' });
    expect(await failed.textContent())
      .to.contain('原因：')
      .and.contain('40007');
    expect(await rows.filter({ hasText: '待下载' }).count()).to.equal(1);
    const pdf = rows.filter({ hasText: '营业执照副本.pdf' });
    expect(await pdf.textContent())
      .to.contain('PDF 文档')
      .and.contain('工作人员上传')
      .and.contain('已保存');

    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'issue-attachments');

    await thumb.click();
    const viewer = page.locator('.el-image-viewer__wrapper');
    await viewer.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.el-image-viewer__img');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await snap(page, 'issue-attachments-viewer', false);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      pdf.getByRole('button', { name: '下载' }).click(),
    ]);
    expect(download.suggestedFilename()).to.equal('营业执照副本.pdf');
  });

  it('staff upload a photo from the page, marked 企业可见: listed with the tag, stored public, told on the public timeline', async () => {
    const { page } = await t.open();
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${id}`);
    const card = page.getByRole('region', { name: '附件' });
    await card.getByRole('listitem').nth(3).waitFor();
    await card.getByRole('button', { name: '上传附件' }).click();
    const dialog = page.getByRole('dialog', { name: '上传附件' });
    await dialog.getByRole('button', { name: '上传', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: '请选择要上传的文件' }).waitFor();
    await dialog
      .getByLabel(/选择文件/)
      .setInputFiles({ name: '整改照片.jpg', mimeType: 'image/jpeg', buffer: JPEG });
    await dialog.getByText(/企业可见/).click();
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'issue-attachments-upload', false);
    await dialog.getByRole('button', { name: '上传', exact: true }).click();
    const row = card.getByRole('listitem').filter({ hasText: '整改照片.jpg' });
    await row.waitFor();
    // The upload's own push is not news from someone else.
    await page.waitForTimeout(1500);
    expect(await page.getByText('此工单刚有新的办理进展').count()).to.equal(0);
    expect(await row.textContent())
      .to.contain('企业可见')
      .and.contain('工作人员上传');
    const stored = await t.apiAs('dispatcher', 'GET', `/api/issues/${id}/attachments`);
    const photo = (stored.items as { filename: string; public: boolean }[]).find(
      (a) => a.filename === '整改照片.jpg',
    );
    expect(photo?.public).to.equal(true);
    const doc = await t.models.Issue.findById(id, { timeline: 1 }).lean();
    expect(doc!.timeline.at(-1)).to.include({ public: true, note: '提供材料（企业可查看）：整改照片.jpg' });
  });

  it('the reply waiting for the centre (待审核答复) names the files staff attached, and each opens from the card', async () => {
    const current = await t.apiAs('dispatcher', 'GET', `/api/issues/${id}`);
    let unitId = current.unitId as string | null;
    if (current.state === 'received') {
      unitId = String(t.seed.units.find((u) => u.code === 'city-drc')!._id);
      await t.apiAs('dispatcher', 'POST', `/api/issues/${id}/actions/dispatch`, { unitId });
    }
    const handler = `handler-${t.seed.units.find((u) => String(u._id) === unitId)!.code}`;
    await t.apiAs(handler, 'POST', `/api/issues/${id}/actions/sign`, {});
    await t.apiAs(handler, 'POST', `/api/issues/${id}/actions/reply`, { text: '已整改，整改照片见附件。' });

    const { page } = await t.open();
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/desk?tab=verify`);
    const files = page.getByTestId('unit-files');
    await files.waitFor();
    expect(await files.textContent())
      .to.contain('营业执照副本.pdf')
      .and.contain('整改照片.jpg（企业可见）');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      files.getByRole('button', { name: '整改照片.jpg' }).click(),
    ]);
    expect(download.suggestedFilename()).to.equal('整改照片.jpg');
  });

  it('the window takes in an issue with the files the enterprise brought; too many files are refused first', async () => {
    const enterprise = t.seed.enterprises[5]!;
    const { page } = await t.open();
    await login(page, t.baseUrl, 'clerk');
    await page.goto(`${t.baseUrl}/issues/new`);
    await page.getByRole('combobox', { name: '查找企业' }).fill(enterprise.name.slice(0, 4));
    await page
      .locator('.el-select-dropdown:visible .el-select-dropdown__item')
      .filter({ hasText: enterprise.name })
      .first()
      .click();
    await page.getByLabel('标题').fill('窗口收到的厂房漏水照片');
    await page.getByLabel('问题内容').fill('企业到窗口反映厂房屋顶漏水，带来现场照片和情况说明。');
    const picker = page.getByLabel('附件（可选）');
    const jpeg = (name: string) => ({ name, mimeType: 'image/jpeg', buffer: JPEG });
    await picker.setInputFiles([1, 2, 3, 4, 5, 6].map((n) => jpeg(`现场${n}.jpg`)));
    const before = await t.models.Issue.countDocuments({});
    await page.getByRole('button', { name: '提交工单' }).click();
    expect(await page.getByRole('alert').textContent()).to.contain('附件最多 5 个');
    expect(await t.models.Issue.countDocuments({}), 'nothing taken in').to.equal(before);

    await picker.setInputFiles([
      jpeg('屋顶漏水.jpg'),
      { name: '情况说明.pdf', mimeType: 'application/pdf', buffer: PDF },
    ]);
    await page.getByRole('button', { name: '提交工单' }).click();
    await page.waitForURL(/\/issues\/[0-9a-f]{24}$/);
    await page.getByText('附件 2 个已上传').waitFor();
    const card = page.getByRole('region', { name: '附件' });
    await card.getByRole('listitem').filter({ hasText: '屋顶漏水.jpg' }).waitFor();
    await card.getByRole('listitem').filter({ hasText: '情况说明.pdf' }).waitFor();
    expect(await card.getByTestId('attachment-count').textContent()).to.equal('2 个');
    const issueId = /\/issues\/([0-9a-f]{24})$/.exec(page.url())![1];
    const stored = await t.apiAs('clerk', 'GET', `/api/issues/${issueId}/attachments`);
    expect(
      stored.items.map((a: { filename: string; public?: boolean }) => [a.filename, !!a.public]),
    ).to.have.deep.members([
      ['屋顶漏水.jpg', false],
      ['情况说明.pdf', false],
    ]);
    expect(await axeFindings(page)).to.deep.equal([]);
  });

  it('a handler answers (回单) with the rectification photo, shown to the enterprise when ticked', async () => {
    const issue = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises.find((e) => e.region === 'deqing')!.creditCode },
      channel: 'window',
      category: 'land',
      urgency: 'normal',
      title: '厂区围墙倒塌待修复',
      content: '厂区东侧围墙倒塌，请协调修复。',
    });
    const unit = t.seed.units.find((u) => String(u._id) === issue.unitId)!;
    await t.apiAs(`handler-${unit.code}`, 'POST', `/api/issues/${issue.id}/actions/sign`, {});

    const { page } = await t.open();
    await login(page, t.baseUrl, `handler-${unit.code}`);
    await page.goto(`${t.baseUrl}/issues/${issue.id}`);
    const actions = page.getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '回单', exact: true }).click();
    await page.getByLabel('答复内容').fill('围墙已修复，整改照片见附件。');
    await page
      .getByLabel('附件（可选）')
      .setInputFiles({ name: '围墙修复.jpg', mimeType: 'image/jpeg', buffer: JPEG });
    await actions.getByText('附件对企业公开（企业扫码可见）').click();
    await page.getByRole('button', { name: '确认回单' }).click();
    await page.getByText('「回单」已完成').waitFor();
    const row = page
      .getByRole('region', { name: '附件' })
      .getByRole('listitem')
      .filter({ hasText: '围墙修复.jpg' });
    await row.waitFor();
    expect(await row.textContent()).to.contain('企业可见');
    // Its own upload is no news from someone else.
    expect(await page.getByText('已更新：此工单刚有新的办理进展').count()).to.equal(0);
    const stored = await t.apiAs('dispatcher', 'GET', `/api/issues/${issue.id}`);
    expect(stored.state).to.equal('replied');
    const files = await t.apiAs('dispatcher', 'GET', `/api/issues/${issue.id}/attachments`);
    expect(
      files.items.map((a: { filename: string; public?: boolean }) => [a.filename, !!a.public]),
    ).to.deep.equal([['围墙修复.jpg', true]]);
    expect(await axeFindings(page)).to.deep.equal([]);
  });
});

function sizeText(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
