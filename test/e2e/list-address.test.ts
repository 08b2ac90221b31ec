// The issue list reads its filters from the address (a bookmark, a drill-down, a hand-typed link). A value it
// does not know (`state=bogus`, a mistyped category, a queue id that never existed) is left out and said so,
// rather than shown raw in a select and refused by the server as 状态无效 with an empty list.
import { expect } from 'chai';
import { login, useStaffApp } from './staff-app.harness.ts';

describe('staff app: the issue list and unknown filters in its address (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();

  it('ignores unknown values, says which, keeps the known ones and drops the rest from the address', async () => {
    await t.apiAs('clerk', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises[0]!.creditCode },
      channel: 'window',
      title: '厂房验收迟迟未办理',
      content: '厂房验收迟迟未办理，影响投产，希望尽快安排。',
    });
    const { context, page } = await t.open();
    try {
      await login(page, t.baseUrl, 'dispatcher');
      const asked: string[] = [];
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (url.pathname === '/api/issues') asked.push(url.search);
      });
      await page.goto(`${t.baseUrl}/issues?state=bogus&channel=window,nope&urgency=x&queue=qq&from=someday`);
      await page.getByRole('status').filter({ hasText: '地址中的筛选条件无法识别' }).waitFor();
      const note = await page.getByRole('status').filter({ hasText: '已忽略' }).innerText();
      expect(note).to.include('状态').and.include('渠道').and.include('紧急程度').and.include('待办');
      expect(note).to.include('受理时间');
      await page.waitForURL((url) => url.search === '?channel=window');
      await page.locator('table.issues tbody tr').filter({ hasText: '厂房验收迟迟未办理' }).waitFor();
      expect(await page.getByRole('alert').count(), 'no error in place of the list').to.equal(0);
      // The selects show their 全部 placeholder and the known category, never the raw value.
      const form = page.getByRole('search', { name: '工单筛选' });
      expect(await form.innerText()).not.to.match(/bogus|nope|qq|someday/);
      expect(await form.innerText())
        .to.include('综合窗口')
        .and.include('全部状态');
      expect(
        asked.every((q) => !/bogus|nope|qq|someday|urgency|state/.test(q)),
        asked.join(' '),
      ).to.equal(true);
    } finally {
      await context.close();
    }
  });

  it('drops a unit id that names no unit, instead of showing the bare id in 承办单位', async () => {
    const { context, page } = await t.open();
    try {
      await login(page, t.baseUrl, 'dispatcher');
      await page.goto(`${t.baseUrl}/issues?unitId=0123456789abcdef01234567&state=dispatched`);
      await page.getByRole('status').filter({ hasText: '已忽略：承办单位' }).waitFor();
      await page.waitForURL((url) => url.search === '?state=dispatched');
      const form = page.getByRole('search', { name: '工单筛选' });
      expect(await form.innerText()).not.to.include('0123456789abcdef01234567');
      expect(await form.innerText()).to.include('全部单位');
    } finally {
      await context.close();
    }
  });
});
