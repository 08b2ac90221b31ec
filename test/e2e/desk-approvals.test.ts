// What a new user's trial found missing: a unit's request for an extension waited unseen, shown only on the
// issue's own page. The dispatcher's 受理分办台 has a 待审批 tile and tab; its card says what is asked (延期 3 个
// 工作日), why (internal), who asked and when, and the issue's current deadline; 批准延期 from the card, with an
// optional explanation for the enterprise, takes it off the queue. axe-core on the screen.
//
// Set E2E_SCREENSHOTS=/some/dir to keep the screenshots (desktop and phone).
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { HOUR_MS } from '../../shared/clock.ts';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

const UNIT_CODE = 'city-econ';
const TITLE = '企业申请的项目备案需跨部门核实';
const REASON = '需协调县发改局核实招标文件';

describe('staff app: 待审批 on the desk (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  let issueId = '';

  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await session.page.screenshot({ path: `${dir}/failed-approvals.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  before(async () => {
    const unit = t.seed.units.find((u) => u.code === UNIT_CODE)!;
    const issue = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises[0]!.creditCode },
      channel: 'window',
      title: TITLE,
      content: '企业反映项目备案材料被要求重复提交，希望有关部门核实后尽快办理。',
      urgency: 'normal',
    });
    issueId = issue.id;
    if (issue.state === 'received' || issue.unitId !== String(unit._id))
      await t.apiAs('dispatcher', 'POST', `/api/issues/${issueId}/actions/dispatch`, {
        unitId: String(unit._id),
      });
    await t.apiAs(`handler-${UNIT_CODE}`, 'POST', `/api/issues/${issueId}/actions/sign`, {});
    await t.apiAs(`handler-${UNIT_CODE}`, 'POST', `/api/issues/${issueId}/actions/request_extension`, {
      workingDays: 3,
      reason: REASON,
    });
    t.clock.advance(2 * HOUR_MS);
  });

  it('the dispatcher finds the request under 待审批, with what is asked, and approves it from the card', async () => {
    session = await t.open();
    const { page } = session;
    // The browser reads the server's simulated time (how long the request has waited, the deadline's chip).
    await session.context.clock.setFixedTime(t.clock.now());
    await login(page, t.baseUrl, 'dispatcher');
    await page.getByRole('heading', { name: '受理分办台' }).waitFor();
    const tile = page.locator('[data-queue="approval"]');
    await tile.waitFor();
    expect((await tile.locator('.count').textContent())?.trim()).to.equal('1');
    await tile.click();
    const card = page.getByRole('listitem', { name: TITLE });
    await card.waitFor();
    const request = card.getByTestId('approval-request');
    expect(await request.textContent()).to.contain('延期 3 个工作日');
    expect(await request.textContent()).to.contain(REASON);
    expect(await request.textContent()).to.contain('当前时限');
    // Where the deadline goes if approved: the date approving then sets.
    const ifApproved = (await card.getByTestId('approval-resolve-by').textContent())!.trim();
    expect(ifApproved).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(await card.getByTestId('waited').textContent()).to.contain('申请已等待');
    expect(await request.textContent()).to.match(/申请人.+ · \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'desk-approval');

    await card.getByRole('button', { name: '批准延期' }).click();
    const form = page.getByRole('form', { name: '批准延期表单' });
    await form.getByLabel(/对企业的说明/).fill('因需跨部门核实，办理期限适当延长。');
    await form.getByRole('button', { name: '确认批准延期' }).click();
    await page.getByText('「批准延期」已完成').waitFor();
    await page.getByText('没有待审批的申请').waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-queue="approval"] .count')?.textContent?.trim() === '0',
    );
    const issue = await t.apiAs('dispatcher', 'GET', `/api/issues/${issueId}`);
    expect(issue.extensionCount).to.equal(1);
    expect(issue.pendingApproval).to.equal(null);
    const cst = (iso: string) =>
      new Date(Date.parse(iso) + 8 * HOUR_MS).toISOString().slice(0, 16).replace('T', ' ');
    expect(cst(issue.deadlines.resolveBy)).to.equal(ifApproved);
    // Nothing to warn of in March: the year's arrangement is in the calendar.
    expect(await page.getByTestId('calendar-warning').count()).to.equal(0);
  });

  it('from October the desk warns the centre of next year’s missing arrangement, saying what is assumed', async () => {
    const { page } = session!;
    t.clock.set(new Date('2026-11-30T01:00:00Z'));
    await session!.context.clock.setFixedTime(t.clock.now());
    await page.reload();
    const warning = page.getByTestId('calendar-warning');
    await warning.waitFor();
    const text = (await warning.textContent()) ?? '';
    expect(text).to.contain('缺少2027年的节假日安排');
    expect(text).to.contain('法定节假日当天放假');
  });
});
