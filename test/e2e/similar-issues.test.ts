// 相似问题 on the issue page in real Chromium: two issues of one enterprise telling the same complaint, the
// panel on one lists the other under 本企业 as a link that opens it (the page then shows that issue, with its
// own similar issues); axe-core finds nothing serious.
import { expect } from 'chai';
import { axeFindings, login, snap, useStaffApp } from './staff-app.harness.ts';

const TEXT =
  '厂区自本周一起自来水水压严重不足，印染车间无法正常用水，已多次联系水务公司未果，请协调尽快处理。';

describe('staff app: similar issues on the issue page (e2e, Chromium)', function () {
  this.timeout(90_000);
  const t = useStaffApp();

  it('lists the same enterprise’s similar issue as a link to it', async () => {
    const enterprise = { id: String(t.seed.enterprises[1]._id) };
    const create = (content: string) =>
      t.apiAs('clerk', 'POST', '/api/issues', { enterprise, channel: 'window', content });
    const first = await create(TEXT);
    const second = await create(`再次反映：${TEXT}`);
    const { page } = await t.open();
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${second.id}`);
    const panel = page.getByRole('region', { name: '相似问题' });
    const link = panel.getByRole('link', { name: /自来水水压/ });
    await link.waitFor();
    expect(await panel.getByRole('heading', { name: '本企业' }).count()).to.equal(1);
    expect(await panel.textContent()).to.contain(first.number);
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'similar-issues');
    await link.click();
    await page.waitForURL(`**/issues/${first.id}`);
    // The page shows the issue the link named, not only its address (the view is reused for it).
    await page.locator('header.title .mono', { hasText: first.number }).waitFor();
    await panel.getByRole('link', { name: /再次反映/ }).waitFor();
    expect(await panel.textContent()).to.contain(second.number);
  });
});
