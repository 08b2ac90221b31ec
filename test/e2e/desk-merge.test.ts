// 可能重复 on the 受理分办台 in real Chromium: a message intake flagged as a possible repeat of the enterprise's
// open issue offers 合并到 <number> beside 分办; it opens 合并工单 with both issues side by side (the check
// before an irreversible merge), and 确认合并 merges it into the master; on a phone the card's actions wrap.
// axe-core on the screen.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { VAGUE_TEXT } from '../api/issues/fixtures.ts';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

describe('staff app: 可能重复 merged from the desk (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  after(async () => session?.context.close());

  it('a flagged card offers 合并到…, shows the pair, and merges on 确认合并', async () => {
    const enterprise = { creditCode: t.seed.enterprises[5]!.creditCode };
    const master = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise,
      channel: 'window',
      title: '仓库门口道路塌陷两周无人修',
      content: '仓库门口道路塌陷两周无人修，货车进出困难，请尽快修复。',
      category: 'logistics',
      urgency: 'normal',
    });
    const repeat = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise,
      channel: 'hotline12345',
      content: VAGUE_TEXT,
      urgency: 'normal',
    });
    expect(repeat.state).to.equal('received');
    // What intake's duplicate check leaves on a borderline message (server/intake/issue-from-message.ts).
    await t.models.Issue.updateOne(
      { _id: repeat.id },
      {
        $set: {
          possibleRepeat: { issueId: master.id, number: master.number, title: master.title, score: 0.62 },
        },
      },
    );

    session = await t.open();
    const { page } = session;
    await login(page, t.baseUrl, 'dispatcher');
    await page.getByRole('heading', { name: '受理分办台' }).waitFor();
    const card = page.getByRole('listitem').filter({ hasText: repeat.number });
    await card.getByText('可能重复').waitFor();
    const button = card.getByRole('button', { name: `合并到 ${master.number}` });
    // On a phone the card's actions wrap: the unit select keeps its width and the button stays on screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await snap(page, 'desk-merge-card', false);
    const box = (await button.boundingBox())!;
    const select = (await card.locator('.unit').boundingBox())!;
    expect(box.x + box.width, 'the button within the screen').to.be.at.most(390);
    expect(select.width, 'the unit select keeps its width').to.be.at.least(200);
    expect(await card.evaluate((el) => el.scrollWidth <= el.clientWidth)).to.equal(true);
    await page.setViewportSize({ width: 1366, height: 900 });
    await button.click();

    const pair = page.locator('.pair');
    await pair.waitFor();
    expect(await pair.innerText())
      .to.contain(repeat.number)
      .and.contain(master.number);
    expect(await page.getByLabel('重复工单编号').inputValue()).to.equal(repeat.number);
    expect(await page.getByLabel('合并到主工单编号').inputValue()).to.equal(master.number);
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'desk-merge');
    await page.getByRole('button', { name: '确认合并' }).click();
    await page.getByText(`${repeat.number} 已合并至 ${master.number}`).waitFor();
    const merged = await t.apiAs('dispatcher', 'GET', `/api/issues/${repeat.id}`);
    expect(merged.state).to.equal('merged');
  });
});
