// What a walk-through found: the centre director chairs the director-tier consultations (会商) but had no queue
// for them; they were found through 驾驶舱 → 待协调事项. The director's 受理分办台 now has a 待会商决定 tile and
// tab: each card shows the problem, how long the consultation has run, and each consulted unit's input or that
// it is still owed; 会商决定 from the card names the lead unit and takes the issue off the queue. A consultation
// at the leader tier is the leaders' and stays off it; the dispatcher has no such tab. A member of a class
// problem says so on its card and in the decision (a walk-through decided one apart from its class).
// axe-core on the screen.
import { expect } from 'chai';
import { Types } from 'mongoose';
import type { BrowserContext, Page } from 'playwright-core';
import { HOUR_MS } from '../../shared/clock.ts';
import { axeFindings, choose, login, snap, useStaffApp } from './staff-app.harness.ts';
import { chinaTimeWithWeekday } from '../../web/src/lib/format.ts';

const LEAD = 'city-econ';
const OTHER = 'city-nrp';
const TITLE = '园区道路改造涉及规划与经信两部门';
const LEADER_TITLE = '跨县供水管网接入需市领导协调';
const INPUT = '我局可配合调整用地规划，需经信局牵头。';

describe('staff app: 待会商决定 on the director desk (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  let issueId = '';
  const unitId = (code: string) => String(t.seed.units.find((u) => u.code === code)!._id);

  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await session.page.screenshot({ path: `${dir}/failed-consultations.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  before(async () => {
    const consulted = async (title: string, tier: 'director' | 'leader', returnedBy?: string) => {
      const issue = await t.apiAs('dispatcher', 'POST', '/api/issues', {
        enterprise: { creditCode: t.seed.enterprises[1]!.creditCode },
        channel: 'meeting',
        title,
        content: '企业反映园区道路改造迟迟未启动，规划和经信部门各执一词，希望协调推进。',
        urgency: 'normal',
      });
      if (returnedBy) {
        // First sent to a unit that hands it back (退单), which the consultation then convenes again.
        if (issue.state !== 'received' || issue.unitId !== unitId(returnedBy))
          await t.apiAs('dispatcher', 'POST', `/api/issues/${issue.id}/actions/dispatch`, {
            unitId: unitId(returnedBy),
          });
        await t.apiAs(`handler-${returnedBy}`, 'POST', `/api/issues/${issue.id}/actions/return`, {
          reason: '道路改造规划不属于本单位职责',
          legalBasis: '本单位三定方案',
        });
      }
      await t.apiAs('dispatcher', 'POST', `/api/issues/${issue.id}/actions/consult`, {
        tier,
        unitIds: [unitId(LEAD), unitId(OTHER)],
      });
      return issue.id as string;
    };
    issueId = await consulted(TITLE, 'director', OTHER);
    // Promoted into a class problem meanwhile (as a leader may): its unit and deadline are the class's.
    await t.models.Issue.updateOne({ _id: issueId }, { $set: { classProblemId: new Types.ObjectId() } });
    await consulted(LEADER_TITLE, 'leader');
    await t.apiAs(`handler-${OTHER}`, 'POST', `/api/issues/${issueId}/actions/consult_input`, {
      text: INPUT,
    });
    t.clock.advance(3 * HOUR_MS);
  });

  it('the director finds the consultation with the units’ input and decides it from the card', async () => {
    session = await t.open();
    const { page } = session;
    await session.context.clock.setFixedTime(t.clock.now());
    await login(page, t.baseUrl, 'director');
    await page.getByRole('heading', { name: '受理分办台' }).waitFor();
    const tile = page.locator('[data-queue="convene"]');
    await tile.waitFor();
    expect((await tile.locator('.count').textContent())?.trim()).to.equal('1');
    await tile.click();
    const card = page.getByRole('listitem', { name: TITLE });
    await card.waitFor();
    expect(await page.getByRole('listitem', { name: LEADER_TITLE }).count()).to.equal(0);
    const panel = card.getByRole('region', { name: '会商' });
    expect(await panel.textContent()).to.contain(INPUT);
    expect(await panel.textContent()).to.contain('待提交意见');
    // The unit that handed it back is marked, so it knows why it is convened again.
    const returned = panel.getByRole('listitem').filter({ hasText: '曾退单' });
    expect(await returned.count()).to.equal(1);
    expect(await card.getByTestId('waited').textContent()).to.contain('会商已进行');
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'desk-convene');

    // The card and the decision say it is a class member, whose lead unit and deadline are the class's.
    expect(await card.getByTestId('class-member').textContent()).to.contain('已纳入类问题');
    await card.getByRole('button', { name: '会商决定' }).click();
    const form = page.getByRole('form', { name: '会商决定表单' });
    await form.getByTestId('class-member-notice').waitFor();
    // The day the default 10 working days land on is shown before it is promised.
    const preview = form.getByTestId('due-preview');
    await preview.waitFor();
    const promised = (await preview.textContent()) ?? '';
    await choose(page, '牵头单位', '市经济和信息化局', form);
    await form.getByLabel(/会商意见/).fill('由市经信局牵头，市自然资源和规划局配合调整规划。');
    await form.getByRole('button', { name: '确认会商决定' }).click();
    await page.getByText(/「会商决定」已完成/).waitFor();
    await page.getByText('没有待会商决定的工单').waitFor();
    const issue = await t.apiAs('director', 'GET', `/api/issues/${issueId}`);
    expect(issue.state).to.equal('in_progress');
    expect(issue.unitId).to.equal(unitId(LEAD));
    expect(promised).to.equal(`办结时限：${chinaTimeWithWeekday(issue.deadlines.resolveBy)}`);
    // Decided, the issue page keeps the consultation as history: the unit that gave no input owes none now.
    await page.goto(`${t.baseUrl}/issues/${issueId}`);
    const history = page.getByRole('region', { name: '会商' });
    await history.getByText(/作出决定/).waitFor();
    const silent = history.getByRole('listitem').filter({ hasText: '未提交意见' });
    expect(await silent.count()).to.equal(1);
    expect(await history.textContent()).to.not.contain('待提交意见');
  });

  it('a unit that no longer has the issue, following an old notice to it, is told why it is gone', async () => {
    const { context, page } = await t.open();
    try {
      await login(page, t.baseUrl, 'handler-city-tax');
      await page.goto(`${t.baseUrl}/issues/${issueId}`);
      await page
        .getByRole('alert')
        .filter({ hasText: '已不在您的办理范围（例如已转交其他单位办理）' })
        .waitFor();
    } finally {
      await context.close();
    }
  });

  it('the dispatcher, who does not chair consultations, has no 待会商决定, not even by its link', async () => {
    const { context, page } = await t.open();
    try {
      await login(page, t.baseUrl, 'dispatcher');
      await page.locator('[data-queue="triage"]').waitFor();
      expect(await page.locator('[data-queue="convene"]').count()).to.equal(0);
      expect(await page.getByRole('tab', { name: '待会商决定' }).count()).to.equal(0);
      // A link to the director's tab (?tab=convene) opens this desk at its first queue, not an empty panel.
      await page.goto(`${t.baseUrl}/desk?tab=convene`);
      await page.getByRole('tab', { name: '待受理分办', exact: true, selected: true }).waitFor();
    } finally {
      await context.close();
    }
  });
});
