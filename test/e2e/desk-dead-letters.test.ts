// What a clerk found on 受理分办台 → 接入失败: messages that can never succeed (a NUL in a 12345 order, a body that
// is not JSON) stayed forever, a retry that failed again still said 已重新处理, and reasons read
// `hostile_input: …`. Now each row gives its reason in Chinese, 查看原文 shows what arrived (as text), a retry
// that fails again says so and why, and 作废 with a required reason takes the row off and the tile's count
// down. axe-core on the screen.
//
// Set E2E_SCREENSHOTS=/some/dir to keep the screenshots (desktop and phone).
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { rawPayloadOf, storeDeadLetter } from '../../server/intake/inbox-store.ts';
import { channelBy } from '../../server/intake/pipeline.ts';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

const NUL_ORDER = 'WO-E2E-NUL-1';
const DISCARD_REASON = '报文含非法字符，已电话通知12345平台更正后重新推送';

describe('staff app: 接入失败 on the desk (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  let nulId = '';

  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await session.page.screenshot({ path: `${dir}/failed-dead-letters.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  before(async () => {
    const by = channelBy('hotline12345');
    const letter = (body: string, reason: string, externalId?: string) =>
      storeDeadLetter(t.models, {
        channel: 'hotline12345',
        source: by.source,
        origin: by.origin,
        credentialId: null,
        externalId,
        now: t.clock.now(),
        raw: rawPayloadOf(Buffer.from(body), 'application/json'),
        reason,
      });
    const nul = await letter(
      `{"orderId":"${NUL_ORDER}","content":"园区门口\\u0000积水"}`,
      'hostile_input: 请求体不能包含 NUL 字符',
      NUL_ORDER,
    );
    nulId = String(nul._id);
    await letter('{"orderId":"WO-E2E-CUT", "content": "厂区', 'invalid_json: 请求体不是合法的 JSON');
    // A field the platform left empty: named as a clerk knows it, the platform's field name beside.
    await letter(
      '{"orderId":"WO-E2E-EMPTY","content":""}',
      'missing_field: 缺少必填字段 content',
      'WO-E2E-EMPTY',
    );
  });

  const tileCount = (page: Page) => page.locator('[data-queue="deadLetters"] .count');
  const waitForCount = (page: Page, n: number) =>
    page.waitForFunction(
      (want) => document.querySelector('[data-queue="deadLetters"] .count')?.textContent?.trim() === want,
      String(n),
    );

  it('a clerk reads the reason in Chinese and the message as it arrived', async () => {
    session = await t.open();
    const { page } = session;
    await login(page, t.baseUrl, 'clerk');
    await page.getByRole('heading', { name: '受理分办台' }).waitFor();
    await tileCount(page).waitFor();
    expect((await tileCount(page).textContent())?.trim()).to.equal('3');
    await page.locator('[data-queue="deadLetters"]').click();
    const row = page.getByRole('row').filter({ hasText: NUL_ORDER });
    await row.waitFor();
    const reason = row.getByTestId('dead-letter-reason');
    expect((await reason.textContent())?.replace(/\s+/g, ' ').trim()).to.equal(
      '含不安全内容 请求体不能包含 NUL 字符',
    );
    const reasons = await page.getByTestId('dead-letter-reason').allTextContents();
    expect(reasons.join('\n')).not.to.match(/[a-z]+_[a-z]+:/);
    expect(reasons.join('\n')).to.contain('请求体不是合法的 JSON');
    expect(reasons.join('\n')).to.contain('缺少必填字段「内容」(content)');

    await row.getByRole('button', { name: '查看原文' }).click();
    const dialog = page.getByRole('dialog', { name: /原始消息/ });
    await dialog.waitFor();
    const raw = await dialog.getByTestId('dead-letter-raw').textContent();
    expect(raw).to.equal(`{"orderId":"${NUL_ORDER}","content":"园区门口\\u0000积水"}`);
    expect(await dialog.textContent()).to.contain('application/json');
    expect(await axeFindings(page)).to.deep.equal([]);
    await dialog.getByRole('button', { name: /关闭|Close/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    await snap(page, 'desk-dead-letters');
  });

  it('a retry that fails again says so and why; the row stays', async () => {
    const { page } = session!;
    const row = page.getByRole('row').filter({ hasText: NUL_ORDER });
    await row.getByRole('button', { name: '重试' }).click();
    await page.getByText('重试仍未成功：含不安全内容（请求体不能包含 NUL 字符）').waitFor();
    expect(await page.getByText('已重新处理').count()).to.equal(0);
    await row.waitFor();
    expect((await tileCount(page).textContent())?.trim()).to.equal('3');
    const entry = await t.apiAs('clerk', 'GET', `/api/inbox/${nulId}`);
    expect(entry).to.include({ status: 'failed' });
  });

  it('作废 asks for a reason; the discarded message leaves the list and the count drops', async () => {
    const { page } = session!;
    const row = page.getByRole('row').filter({ hasText: NUL_ORDER });
    await row.getByRole('button', { name: '作废' }).click();
    const form = page.getByRole('form', { name: '作废表单' });
    await form.waitFor();
    await form.getByRole('button', { name: '确认作废' }).click();
    await form.getByText('请填写作废理由').waitFor();
    await form.getByLabel('作废理由').fill(DISCARD_REASON);
    await form.getByRole('button', { name: '确认作废' }).click();
    await page.getByText('已作废', { exact: true }).waitFor();
    await row.waitFor({ state: 'detached' });
    await waitForCount(page, 2);
    expect(await page.getByTestId('dead-letter-reason').count()).to.equal(2);
    const entry = await t.apiAs('clerk', 'GET', `/api/inbox/${nulId}`);
    expect(entry).to.include({ status: 'discarded', discardReason: DISCARD_REASON });
  });
});
