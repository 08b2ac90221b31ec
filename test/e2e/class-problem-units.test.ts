// 类问题 for the lead unit (issue 7 §3) in real Chromium: after a leader promotes the demo outage cluster with
// 市经济和信息化局 as lead unit, that unit's handler finds 类问题 in the menu, sees the class in the list and opens
// it read-only (no 政策性解决); the member issue's page names its class (所属类问题) and links to it. Another
// unit's handler sees the empty state. axe-core on each screen.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { seedClassIssues } from '../../server/seed/class-issues.seed.ts';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

describe('staff app: 类问题 seen by its lead unit (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  const page = () => session!.page;
  let number = '';
  let memberId = '';

  async function fresh(username: string) {
    await session?.context.close();
    session = await t.open();
    await login(page(), t.baseUrl, username);
    await page().locator('.app-header').waitFor();
  }

  before(async function () {
    this.timeout(60_000);
    await seedClassIssues(t.models, t.clock, t.seed.enterprises);
    await t.apiAs('director', 'POST', '/api/class-problems/cluster');
    const { items } = await t.apiAs('leader', 'GET', '/api/class-problems/candidates');
    const outage = items.find((c: { representative: { text: string } }) =>
      c.representative.text.includes('织里'),
    );
    const unitId = (code: string) => String(t.seed.units.find((u) => u.code === code)!._id);
    const cls = await t.apiAs('leader', 'POST', `/api/class-problems/candidates/${outage.id}/promote`, {
      title: '织里工业园区频繁停电',
      leadUnitId: unitId('city-econ'),
      coUnitIds: [unitId('city-construction')],
      workingDays: 15,
      rootCause: '园区用电负荷增长快，现有主变容量不足。',
      measure: '供电公司新增主变一台并改造园区线路。',
    });
    number = cls.number;
    memberId = cls.members[0].id;
    // One member is the lead unit's own issue (dispatched to it), so its handler can open it.
    await t.models.Issue.updateOne({ _id: memberId }, { $set: { unitId: unitId('city-econ') } });
  });
  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await page().screenshot({ path: `${dir}/failed-class-units.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  it('the lead unit’s handler finds 类问题 in the menu and opens its class read-only', async () => {
    await fresh('handler-city-econ');
    await page().getByRole('link', { name: '类问题' }).first().click();
    const row = page().locator('.classes tbody tr').filter({ hasText: '织里工业园区频繁停电' });
    await row.waitFor();
    expect(await page().getByRole('tab', { name: '候选类问题' }).count()).to.equal(0);
    await row.getByRole('button', { name: '查看' }).click();
    const drawer = page().getByRole('dialog', { name: /织里工业园区频繁停电/ });
    await drawer.getByRole('heading', { name: /成员问题/ }).waitFor();
    expect(await drawer.getByRole('button', { name: '政策性解决' }).count()).to.equal(0);
    expect(await drawer.getByRole('button', { name: '移出' }).count()).to.equal(0);
    expect(await axeFindings(page())).to.deep.equal([]);
    await snap(page(), '66-class-lead-unit', false);
  });

  it('the member issue’s page names its class (所属类问题) with a link that opens it', async () => {
    await page().goto(`${t.baseUrl}/issues/${memberId}`);
    const facts = page().getByTestId('issue-class');
    const link = facts.getByRole('link', { name: `${number} 织里工业园区频繁停电` });
    await link.waitFor();
    expect(await facts.innerText()).to.contain('所属类问题');
    expect(await axeFindings(page())).to.deep.equal([]);
    await link.click();
    await page()
      .getByRole('dialog', { name: /织里工业园区频繁停电/ })
      .waitFor();
  });

  it('another unit’s handler sees the empty state', async () => {
    await fresh('handler-city-drc');
    await page().getByRole('link', { name: '类问题' }).first().click();
    await page().getByText('本单位暂无牵头或协办的类问题').waitFor();
  });
});
