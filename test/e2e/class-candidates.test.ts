// 候选类问题 opened before 立项 (issue 7 §3), in real Chromium on the demo data: a leader opens a candidate and
// sees its members (number linking to the issue, enterprise, region, state, the start of the text), unchecks
// one and promotes the rest, with the representative's words as the default title; on a phone the candidates
// are cards whose counts stay on screen, and 立项 is disabled with a hint once fewer than two members are
// checked. Every screen passes axe-core.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { seedClassIssues } from '../../server/seed/class-issues.seed.ts';
import { axeFindings, choose, login, PHONE, snap, useStaffApp } from './staff-app.harness.ts';

interface Candidate {
  id: string;
  memberCount: number;
  keywords: string[];
  representative: { text: string };
}

describe('staff app: a candidate class problem’s members, a subset promoted (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  const page = () => session!.page;
  let tax: Candidate;

  async function fresh(username: string, viewport?: { width: number; height: number }) {
    await session?.context.close();
    session = await t.open(viewport);
    await login(page(), t.baseUrl, username);
    await page().locator('.app-header').waitFor();
    await page().getByRole('link', { name: '类问题' }).first().click();
    await page()
      .getByRole('heading', { name: /类问题/, level: 1 })
      .waitFor();
  }

  before(async function () {
    this.timeout(60_000);
    expect(await seedClassIssues(t.models, t.clock, t.seed.enterprises)).to.be.greaterThan(15);
    await t.apiAs('director', 'POST', '/api/class-problems/cluster');
    const list = await t.apiAs('leader', 'GET', '/api/class-problems/candidates');
    tax = list.items.find((c: Candidate) => c.representative.text.includes('退税'));
    expect(tax, JSON.stringify(list.items)).to.not.equal(undefined);
    expect(tax.memberCount).to.be.at.least(3);
  });
  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await page().screenshot({ path: `${dir}/failed-class-candidates.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  it('on a phone: cards keep the counts on screen; 立项 is disabled below two checked members', async () => {
    await fresh('leader', PHONE);
    const card = page().locator('.candidate-card').filter({ hasText: '退税' });
    await card.waitFor();
    expect(await card.innerText()).to.contain(`${tax.memberCount} 个问题`);
    const box = await card.getByText(`${tax.memberCount} 个问题`).boundingBox();
    expect(box!.x + box!.width, 'the counts fit the screen').to.be.at.most(PHONE.width);
    await card.getByRole('button', { name: /查看成员/ }).click();
    const boxes = card.locator('.candidate-members input[type=checkbox]');
    await boxes.first().waitFor();
    expect(await boxes.count()).to.equal(tax.memberCount);
    for (let i = 0; i < tax.memberCount - 1; i++) await boxes.nth(i).uncheck();
    await card.getByText('至少选择 2 个才能立项').waitFor();
    expect(await card.getByRole('button', { name: '立项所选问题' }).isDisabled()).to.equal(true);
    expect(await card.getByRole('button', { name: '立项', exact: true }).isDisabled()).to.equal(true);
    expect(await axeFindings(page())).to.deep.equal([]);
    await snap(page(), '68-class-candidate-phone', false);
  });

  it('a leader opens a candidate, sees its members, unchecks one and promotes the rest', async () => {
    await fresh('leader');
    const row = page().locator('.candidates tbody tr').filter({ hasText: '退税' }).first();
    await row.click();
    const members = page().locator('.candidates .candidate-members');
    await members.locator('li').first().waitFor();
    const detail = await t.apiAs('leader', 'GET', `/api/class-problems/candidates/${tax.id}`);
    expect(await members.locator('li').count()).to.equal(tax.memberCount);
    const first = detail.members[0];
    const firstItem = members.locator('li').first();
    const text = await firstItem.innerText();
    expect(text).to.contain(first.enterpriseName);
    expect(text).to.contain(first.region);
    expect(text).to.contain(first.stateLabel);
    expect(text).to.contain(first.excerpt.slice(0, 20));
    expect(await firstItem.getByRole('link', { name: first.number }).getAttribute('href')).to.contain(
      `/issues/${first.id}`,
    );
    const boxes = members.locator('input[type=checkbox]');
    for (let i = 0; i < tax.memberCount; i++) expect(await boxes.nth(i).isChecked()).to.equal(true);
    await members.getByLabel(`纳入 ${first.number}`).uncheck();
    await members.getByText(`已选 ${tax.memberCount - 1} / ${tax.memberCount} 个问题`).waitFor();
    expect(await axeFindings(page())).to.deep.equal([]);
    await snap(page(), '69-class-candidate-members');

    await members.getByRole('button', { name: '立项所选问题' }).click();
    const dialog = page().getByRole('dialog', { name: '立项为类问题' });
    await dialog.waitFor();
    await dialog.getByText(`已选 ${tax.memberCount - 1} / ${tax.memberCount} 个问题`).waitFor();
    const title = await dialog.getByLabel('类问题名称').inputValue();
    expect(title, 'the representative’s words, not the keywords').to.equal(detail.suggestedTitle);
    expect(title).to.not.contain(tax.keywords.slice(0, 3).join('、'));
    expect(title.length).to.be.within(4, 100);
    await choose(page(), '牵头单位', '国家税务总局湖州市税务局', dialog);
    await dialog.getByLabel('根本原因').fill('退税审核环节多，函调周期长。');
    await dialog.getByLabel('解决措施').fill('税务局简化函调流程，限时办结。');
    await dialog.getByRole('button', { name: '立项' }).click();

    const drawer = page().getByRole('dialog', { name: new RegExp(title.slice(0, 8)) });
    await drawer.getByRole('heading', { name: `成员问题（${tax.memberCount - 1}）` }).waitFor();
    const left = await t.apiAs('leader', 'GET', `/api/issues/${first.id}`);
    expect(left.classProblemId, 'the unchecked member stays out').to.equal(null);
    const taken = await t.apiAs('leader', 'GET', `/api/issues/${detail.members[1].id}`);
    expect(taken.classProblemId).to.be.a('string');
  });

  it('a candidate whose members are mostly finished waits behind 一并显示, its 立项 disabled', async () => {
    const list = await t.apiAs('leader', 'GET', '/api/class-problems/candidates');
    const other = list.items.find((c: Candidate & { promotableCount: number }) => c.promotableCount >= 2)!;
    expect(other, 'another candidate 立项 could take').to.not.equal(undefined);
    const detail = await t.apiAs('leader', 'GET', `/api/class-problems/candidates/${other.id}`);
    const finished = detail.members.slice(1).map((m: { id: string }) => m.id);
    await t.models.Issue.updateMany({ _id: { $in: finished } }, { $set: { state: 'closed' } });

    await fresh('leader');
    const rep = other.representative.text.slice(0, 12);
    await page().locator('.candidates tbody tr').first().waitFor();
    const hidden = page().getByText(/另有 \d+ 个候选暂不可立项/);
    await hidden.waitFor();
    expect(await page().locator('.candidates tbody tr').filter({ hasText: rep }).count()).to.equal(0);
    await page().getByRole('button', { name: '一并显示' }).click();
    const row = page().locator('.candidates tbody tr').filter({ hasText: rep }).first();
    await row.waitFor();
    expect(await row.getByRole('button', { name: '立项' }).isDisabled()).to.equal(true);
    expect(await row.innerText()).to.contain('可立项 1');
    expect(await axeFindings(page())).to.deep.equal([]);
  });
});
