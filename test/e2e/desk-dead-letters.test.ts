// What a clerk found on 受理分办台 → 接入失败: messages that can never succeed (a NUL in a 12345 order, a body that
// is not JSON) stayed forever, a retry that failed again still said 已重新处理, and reasons read
// `hostile_input: …`. Now each row gives its reason in Chinese, 查看原文 shows what arrived (as text), a body
// that can never parse offers no 重试 (it failed the same way on every retry), and 作废 with a required reason
// takes the row off and the tile's count down. And a dead letter that is a real complaint (a 12345 order refused for one bad field) could only be
// retried, failing the same way, or discarded: 人工登记 opens the staff form prefilled from it, and the clerk's
// corrected issue is filed, its number linked, and the row leaves. axe-core on the screen and the form.
//
// Set E2E_SCREENSHOTS=/some/dir to keep the screenshots (desktop and phone).
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { rawPayloadOf, storeDeadLetter } from '../../server/intake/inbox-store.ts';
import { channelBy } from '../../server/intake/pipeline.ts';
import { axeFindings, choose, login, snap, useStaffApp } from './staff-app.harness.ts';

const NUL_ORDER = 'WO-E2E-NUL-1';
const HAND_ORDER = 'WO-E2E-HAND-1';
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

  it('a message whose body can never parse offers no 重试 (it failed the same way each time), and says why', async () => {
    // It offered one, which failed again with the same reason and counted another attempt.
    const { page } = session!;
    const row = page.getByRole('row').filter({ hasText: NUL_ORDER });
    const retry = row.getByTestId('dead-letter-retry');
    expect(await retry.isDisabled()).to.equal(true);
    expect(await retry.getAttribute('title')).to.equal('原始报文无法重新解析，请人工登记或作废');
    expect(await row.getByRole('button', { name: '人工登记' }).isEnabled()).to.equal(true);
    expect((await tileCount(page).textContent())?.trim()).to.equal('3');
    const entry = await t.apiAs('clerk', 'GET', `/api/inbox/${nulId}`);
    expect(entry).to.include({ status: 'failed', retryable: false, attempts: 1 });
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

  it('人工登记 opens the staff form prefilled from the refused order; the corrected issue is filed and linked', async () => {
    const { page } = session!;
    const ent = t.seed.enterprises[0];
    const order = {
      orderId: HAND_ORDER,
      creditCode: ent.creditCode,
      contactName: '周九',
      contactPhone: '13600001111',
      title: '出口退税迟迟未到账',
      content: '企业反映出口退税申报三个月仍未到账，资金周转困难，请求协调税务部门加快办理。',
      urgency: '很急',
    };
    const by = channelBy('hotline12345');
    const letter = await storeDeadLetter(t.models, {
      channel: 'hotline12345',
      source: by.source,
      origin: by.origin,
      credentialId: null,
      externalId: HAND_ORDER,
      now: t.clock.now(),
      raw: rawPayloadOf(Buffer.from(JSON.stringify(order)), 'application/json'),
      reason:
        'invalid_field: 字段 urgency 无效：紧急程度无效（critical/urgent/normal/complex 或 特急/紧急/一般/疑难复杂）',
    });
    await page.reload();
    await waitForCount(page, 3);
    await page.locator('[data-queue="deadLetters"]').click();
    const row = page.getByRole('row').filter({ hasText: HAND_ORDER });
    await row.getByRole('button', { name: '人工登记' }).click();

    const form = page.getByRole('form', { name: '人工登记表单' });
    await form.waitFor();
    // Prefilled from what arrived: the enterprise found by its code, the text, the caller.
    await form.getByTestId('chosen-enterprise').getByText(ent.name).waitFor();
    expect(await form.getByLabel('标题').inputValue()).to.equal(order.title);
    expect(await form.getByLabel('问题内容').inputValue()).to.equal(order.content);
    expect(await form.getByLabel('联系人').inputValue()).to.equal('周九');
    expect(await form.getByLabel('联系电话').inputValue()).to.equal('13600001111');
    expect(await form.getByLabel('来源渠道').inputValue()).to.equal('12345热线');
    expect(await form.getByLabel('外部编号').inputValue()).to.equal(HAND_ORDER);
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'desk-dead-letter-register');

    // The clerk checks the form as the server does before sending: an emptied text is named.
    await form.getByLabel('问题内容').fill('');
    await form.getByRole('button', { name: '提交登记' }).click();
    await form.getByText('请填写问题内容').or(form.getByText('问题内容不能为空')).first().waitFor();
    await form.getByLabel('问题内容').fill(order.content);
    // What the platform sent wrong, corrected: the urgency it meant.
    await choose(page, '紧急程度', '紧急', form);
    await form.getByRole('button', { name: '提交登记' }).click();

    const done = page.getByTestId('dead-letter-registered');
    await done.waitFor();
    const number = /HZ-\d{4}-\d{6}/.exec((await done.textContent()) ?? '')?.[0];
    expect(number, (await done.textContent()) ?? '').to.be.a('string');
    await row.waitFor({ state: 'detached' });
    await waitForCount(page, 2);
    const entry = await t.apiAs('clerk', 'GET', `/api/inbox/${String(letter._id)}`);
    expect(entry).to.include({ status: 'processed', number, outcome: 'registered_by_hand' });
    expect(entry.registeredBy).to.include({ role: 'clerk' });

    await done.getByRole('link', { name: '查看工单' }).click();
    await page.getByText(number!, { exact: true }).waitFor();
    await page.getByRole('heading', { name: order.title }).waitFor();
    await page
      .getByText(/由接入失败消息人工登记/)
      .first()
      .waitFor();
    const issue = await t.apiAs('clerk', 'GET', `/api/issues/${entry.issueId}`);
    expect(issue).to.include({ channel: 'hotline12345', externalId: HAND_ORDER, urgency: 'urgent' });
  });

  it('a WeChat push that could not be read offers no 重试 (nothing can parse it again), only 人工登记 and 作废', async () => {
    const { page } = session!;
    const by = channelBy('wechat');
    await storeDeadLetter(t.models, {
      channel: 'wechat',
      source: by.source,
      origin: by.origin,
      credentialId: null,
      now: t.clock.now(),
      raw: rawPayloadOf(
        Buffer.from('<xml><MsgType>text</MsgType><Content>厂区停电</Content></xml>'),
        'text/xml',
      ),
      reason: 'invalid_message: 微信消息缺少必要字段',
    });
    await page.goto(`${t.baseUrl}/`);
    await waitForCount(page, 3);
    await page.locator('[data-queue="deadLetters"]').click();
    const wechat = page.getByRole('row').filter({ hasText: '微信消息缺少必要字段' });
    await wechat.waitFor();
    expect(await wechat.getByTestId('dead-letter-retry').isDisabled()).to.equal(true);
    expect(await wechat.getByRole('button', { name: '人工登记' }).isEnabled()).to.equal(true);
    // A 12345 order refused for an empty field is as unparseable today: 人工登记 is its way in.
    const hotline = page.getByRole('row').filter({ hasText: 'WO-E2E-EMPTY' });
    expect(await hotline.getByTestId('dead-letter-retry').isDisabled()).to.equal(true);
    expect(await hotline.getByRole('button', { name: '人工登记' }).isEnabled()).to.equal(true);
  });
});
