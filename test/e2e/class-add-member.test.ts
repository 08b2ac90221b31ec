// 纳入类问题 from the issue page (issue 7 §3) in real Chromium: with the demo 出口退税 and outage clusters
// promoted (one 出口退税 complaint left out), the director opens the left-out issue, sees 纳入类问题, and the
// dialog lists the open classes with the issue's own category first. The server's refusal shows in the
// dialog in its words (the issue was put in another class meanwhile); once free again, the director adds it
// and the page names its class (所属类问题). A handler who may open the issue sees no such button.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { seedClassIssues } from '../../server/seed/class-issues.seed.ts';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

describe('staff app: 纳入类问题 from the issue page (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  const page = () => session!.page;
  let rebate = { id: '', number: '' };
  let outage = { id: '', number: '' };
  let outsider = { id: '', number: '' };

  async function fresh(username: string) {
    await session?.context.close();
    session = await t.open();
    await login(page(), t.baseUrl, username);
    await page().locator('.app-header').waitFor();
  }
  const unitId = (code: string) => String(t.seed.units.find((u) => u.code === code)!._id);

  before(async function () {
    this.timeout(60_000);
    await seedClassIssues(t.models, t.clock, t.seed.enterprises);
    await t.apiAs('director', 'POST', '/api/class-problems/cluster');
    const { items } = await t.apiAs('leader', 'GET', '/api/class-problems/candidates');
    const find = (word: string) =>
      items.find((c: { representative: { text: string } }) => c.representative.text.includes(word));
    const promote = async (clusterId: string, title: string, memberIds?: string[]) =>
      t.apiAs('leader', 'POST', `/api/class-problems/candidates/${clusterId}/promote`, {
        title,
        leadUnitId: unitId('city-econ'),
        workingDays: 15,
        rootCause: '原因待查明。',
        measure: '协调相关部门处理。',
        ...(memberIds ? { memberIds } : {}),
      });
    // 出口退税 promoted first, so the server lists it after the outage class (newest first): the dialog puts it
    // first for its category.
    const tax = await t.apiAs('leader', 'GET', `/api/class-problems/candidates/${find('出口退税').id}`);
    const [left, ...rest] = tax.members as { id: string; number: string }[];
    outsider = { id: left!.id, number: left!.number };
    rebate = await promote(
      tax.id,
      '出口退税进度慢',
      rest.map((m) => m.id),
    );
    outage = await promote(find('织里').id, '织里工业园区频繁停电');
    // The left-out complaint is the handler's unit's, so the handler may open it.
    await t.models.Issue.updateOne({ _id: outsider.id }, { $set: { unitId: unitId('city-econ') } });
  });
  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await page().screenshot({ path: `${dir}/failed-class-add-member.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  it('a handler who may open the issue sees no 纳入类问题', async () => {
    await fresh('handler-city-econ');
    await page().goto(`${t.baseUrl}/issues/${outsider.id}`);
    await page().getByRole('heading', { name: '问题内容' }).waitFor();
    await page().getByText(outsider.number).first().waitFor();
    expect(await page().getByRole('button', { name: '纳入类问题' }).count()).to.equal(0);
  });

  it('the director’s dialog lists the open classes, own category first, and shows a refusal in its words', async () => {
    await fresh('director');
    await page().goto(`${t.baseUrl}/issues/${outsider.id}`);
    await page().getByRole('button', { name: '纳入类问题' }).click();
    const dialog = page().getByRole('dialog', { name: '纳入类问题' });
    const options = dialog.getByRole('radio');
    await options.nth(1).waitFor();
    const labels = await dialog.locator('.option').allInnerTexts();
    expect(labels).to.have.length(2);
    expect(labels[0]).to.contain(rebate.number).and.contain('出口退税进度慢').and.contain('4 个成员');
    expect(labels[1]).to.contain(outage.number).and.contain('织里工业园区频繁停电');
    expect(await axeFindings(page())).to.deep.equal([]);

    // Meanwhile a leader puts it in the outage class: the director's choice is refused, in the server's words.
    await t.apiAs('leader', 'POST', `/api/class-problems/${outage.id}/members`, { issueIds: [outsider.id] });
    await dialog.getByText('出口退税进度慢').click();
    await dialog.getByRole('button', { name: '纳入', exact: true }).click();
    await dialog.getByRole('alert').getByText(`问题 ${outsider.number} 已属于另一个类问题`).waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    await t.apiAs('leader', 'DELETE', `/api/class-problems/${outage.id}/members/${outsider.id}`, {
      reason: '演示：撤回',
    });
  });

  it('the director adds the issue, and the page names its class (所属类问题)', async () => {
    await page().reload();
    await page().getByRole('button', { name: '纳入类问题' }).click();
    const dialog = page().getByRole('dialog', { name: '纳入类问题' });
    await dialog.getByText('出口退税进度慢').click();
    await snap(page(), '68-class-add-member', false);
    await dialog.getByRole('button', { name: '纳入', exact: true }).click();
    const facts = page().getByTestId('issue-class');
    await facts.getByRole('link', { name: `${rebate.number} 出口退税进度慢` }).waitFor();
    expect(await facts.innerText()).to.contain('所属类问题');
    await page().getByRole('status').getByText(`已纳入类问题 ${rebate.number}`).waitFor();
    expect(await page().getByRole('button', { name: '纳入类问题' }).count()).to.equal(0);
    const cls = await t.apiAs('director', 'GET', `/api/class-problems/${rebate.id}`);
    expect(cls.members.map((m: { id: string }) => m.id)).to.include(outsider.id);
    expect(await axeFindings(page())).to.deep.equal([]);
    await snap(page(), '69-class-added');
  });
});
