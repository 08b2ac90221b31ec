// 待回访 on the clerk's desk in real Chromium: each card says whom to call, as the issue's facts show it to the
// clerk (the writer's name and a dialable phone; the enterprise's registered owner and mobile when the message
// left no contact), so the call is made from the card without opening the issue.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { fixtureIssueDoc } from '../api/kpi-fixture.ts';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

describe('staff app: 待回访 cards with whom to call (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  after(async () => session?.context.close());

  it('shows the writer’s contact, or the enterprise’s registered one, on each card', async () => {
    const unit = t.seed.units.find((u) => u.code === 'deqing-centre')!;
    const [withContact, without] = t.seed.enterprises.filter((e) => e.region === 'deqing');
    const due = (title: string, ent: typeof withContact, contact: object | null) =>
      fixtureIssueDoc({
        ent: ent!,
        unit,
        title,
        state: 'awaiting_rating',
        callbackRequested: true,
        createdAt: t.clock.now().toISOString(),
        contact,
      });
    await t.models.Issue.collection.insertMany([
      due('回访样例：留了联系人', withContact, { name: '孙八', phone: '13588889999' }),
      due('回访样例：未留联系方式', without, null),
    ] as never[]);

    session = await t.open();
    const { page } = session;
    await login(page, t.baseUrl, 'clerk');
    await page.getByRole('heading', { name: '受理分办台' }).waitFor();
    await page.locator('[data-queue="callback"]').click();

    const named = page
      .getByRole('listitem', { name: '回访样例：留了联系人' })
      .getByTestId('callback-contact');
    await named.locator('a[href="tel:13588889999"]').waitFor();
    expect(await named.textContent()).to.contain('孙八');

    const registered = page
      .getByRole('listitem', { name: '回访样例：未留联系方式' })
      .getByTestId('callback-contact');
    await registered.getByText('企业登记联系人').waitFor();
    expect(await registered.textContent()).to.contain(without!.ownerName);
    await registered.locator(`a[href="tel:${without!.mobile}"]`).waitFor();
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'desk-callback');
  });
});
