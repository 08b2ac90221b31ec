// 拆分为新工单 on the issue page in real Chromium: a dispatcher splits a work order intake merged into another
// issue of the same enterprise out into its own issue, giving a reason; the page then links the new issue's
// number and no longer lists the source. axe-core on the page.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

const OTHER = '我司二号仓库的消防喷淋管道漏水，已影响存货，请协调维修单位尽快处理。';

describe('staff app: 拆分为新工单 on a merged source (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  after(async () => session?.context.close());

  it('splits the source with a reason and links the new issue', async () => {
    const enterprise = { creditCode: t.seed.enterprises[6]!.creditCode };
    const master = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise,
      channel: 'window',
      content: '我司一号仓库的消防喷淋管道漏水，已影响存货，请协调维修单位尽快处理。',
      urgency: 'normal',
    });
    const other = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise,
      channel: 'hotline12345',
      externalId: 'WO-E2E-SPLIT-1',
      content: OTHER,
      urgency: 'normal',
    });
    // What intake's automatic merge leaves (issue-from-message.ts mergeAsSource): the message as a source of the
    // master, its inbox entry naming the master, and no issue of its own.
    const doc = (await t.models.Issue.findById(other.id).lean())!;
    await t.models.Issue.deleteOne({ _id: other.id });
    await t.models.InboxEntry.updateOne(
      { _id: doc.inboxId },
      { $set: { issueId: master.id, number: master.number, outcome: 'merged' } },
    );
    const source = {
      inboxId: doc.inboxId,
      channel: doc.channel,
      externalId: doc.externalId,
      receivedAt: doc.createdAt,
      title: doc.title,
      content: doc.content,
      contact: doc.contact ?? null,
    };
    await t.models.Issue.updateOne({ _id: master.id }, { $push: { sources: source } });

    session = await t.open();
    const { page } = session;
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${master.id}`);
    const sources = page.getByRole('region', { name: '合并的来源' });
    await sources.getByText(OTHER).waitFor();
    // Only the merged message is offered, not the issue's own first one.
    expect(await sources.getByRole('button', { name: '拆分为新工单' }).count()).to.equal(1);
    await sources.getByRole('button', { name: '拆分为新工单' }).click();
    const dialog = page.getByRole('dialog', { name: '拆分为新工单' });
    await dialog.getByRole('textbox').fill('同一企业另一仓库的故障');
    await dialog.getByRole('button', { name: '拆分' }).click();
    const link = page.getByRole('status').getByRole('link');
    await link.waitFor();
    const number = (await link.innerText()).trim();
    expect(number).to.match(/^HZ-/).and.not.equal(master.number);
    expect(await page.getByText(OTHER).count(), 'the source is gone from the master').to.equal(0);
    expect(await page.getByText(`拆分：该来源已拆分为新工单 ${number}`).count()).to.equal(1);
    const timeline = page.getByRole('list', { name: '办理过程' });
    expect(await timeline.getByRole('link', { name: number }).count(), 'the timeline links it').to.equal(1);
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'source-split', false);
    await link.click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: '消防喷淋' }).waitFor();
    await page.getByText(OTHER).first().waitFor();
    expect(page.url()).to.not.contain(master.id);
  });
});
