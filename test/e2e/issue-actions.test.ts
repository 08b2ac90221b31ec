// Actions on the issue page, in real Chromium. 重新分类 of a waiting (待受理) issue routes it by the new
// category, which the dispatcher did not choose, so the notice names the new state and the unit (a new-user
// trial saw only 「重新分类」已完成 and found the issue dispatched). A progress note marked 已与企业联系 records
// the first contact that 首次联系时限 asks for, and the page says it was made (the trial found no way to). An
// issue's page fits a phone's width whatever its cards hold (a similar issue's long title had made it 570 px).
// A handler's 退单 asks for its basis and then leaves the page it may no longer read (it had stayed, with a
// 问题不存在 error on the attachments and a 办理进展 button that answered 404). A supervisor's 督办 must say
// what it asks of the unit (a trial sent an empty one, twice).
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { choose, login, useStaffApp } from './staff-app.harness.ts';

describe('staff app: an action’s notice says where the issue went (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  after(async () => session?.context.close());

  it('重新分类 of a 待受理 issue: 现为「待签收」 and the unit it was routed to', async () => {
    const issue = await t.apiAs('clerk', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises[0]!.creditCode },
      channel: 'window',
      title: '企业反映的事项等待分办',
      content: '企业希望有关部门尽快联系，协调解决生产经营中遇到的具体困难。',
      urgency: 'normal',
    });
    expect(issue.state).to.equal('received');
    session = await t.open();
    const page = session.page;
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${issue.id}`);
    const actions = page.getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '重新分类', exact: true }).click();
    await choose(page, '问题类别', '水电气');
    await page.getByLabel('重新分类理由').fill('企业反映的是园区供水问题');
    await page.getByRole('button', { name: '确认重新分类' }).click();
    await page.getByText('「重新分类」已完成').waitFor();
    const after = await t.apiAs('dispatcher', 'GET', `/api/issues/${issue.id}`);
    expect(after.state).to.equal('dispatched');
    const notice = await page.getByText('「重新分类」已完成').textContent();
    expect(notice).to.contain('现为「待签收」');
    expect(notice).to.contain(`承办单位：${after.unitName}`);
    // The timeline says what changed, not only why.
    await page
      .getByRole('region', { name: '办理过程' })
      .getByText(/类别：.+ → 水电气/)
      .waitFor();
  });

  it('办理进展 with 已与企业联系: the page shows 首次联系 as recorded, on time', async () => {
    const [issue] = (await t.apiAs('dispatcher', 'GET', '/api/issues?state=dispatched&limit=1')).items;
    const handler = `handler-${t.seed.units.find((u) => String(u._id) === issue.unitId)!.code}`;
    await t.apiAs(handler, 'POST', `/api/issues/${issue.id}/actions/sign`, {});
    await session?.context.close();
    session = await t.open();
    const page = session.page;
    await login(page, t.baseUrl, handler);
    await page.goto(`${t.baseUrl}/issues/${issue.id}`);
    const shown = page.getByTestId('first-contact');
    await shown.getByText('尚未记录联系').waitFor();
    const actions = page.getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '办理进展', exact: true }).click();
    await page.getByLabel('进展内容').fill('已电话联系企业负责人，约定明天上门了解情况');
    await page.getByText('已与企业联系（记为首次联系）').click();
    await page.getByRole('button', { name: '确认办理进展' }).click();
    await page.getByText('「办理进展」已完成').waitFor();
    await shown.getByText('已联系').waitFor();
    expect(await shown.textContent()).to.not.contain('超时');
  });

  it('an answered issue no longer says 尚未记录联系 (nothing is awaited of the unit any more)', async () => {
    const unit = t.seed.units.find((u) => u.code === 'city-drc')!;
    const handler = `handler-${unit.code}`;
    const issue = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises[1]!.creditCode },
      channel: 'window',
      title: '项目备案进度咨询',
      content: '企业询问投资项目备案的办理进度，希望有关部门告知所需材料和时间。',
      urgency: 'normal',
    });
    if (issue.state === 'received' || issue.unitId !== String(unit._id))
      await t.apiAs('dispatcher', 'POST', `/api/issues/${issue.id}/actions/dispatch`, {
        unitId: String(unit._id),
      });
    await t.apiAs(handler, 'POST', `/api/issues/${issue.id}/actions/sign`, {});
    await t.apiAs(handler, 'POST', `/api/issues/${issue.id}/actions/reply`, {
      text: '已告知企业备案所需材料。',
    });
    await t.apiAs('dispatcher', 'POST', `/api/issues/${issue.id}/actions/verify`, {});
    await session?.context.close();
    session = await t.open();
    const page = session.page;
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${issue.id}`);
    const shown = page.getByTestId('first-contact');
    await shown.waitFor();
    expect(await shown.textContent()).to.not.contain('尚未记录联系');
  });

  it('a handler’s 退单 needs its basis, then leaves the page it may no longer read for the workbench', async () => {
    const unit = t.seed.units.find((u) => u.code === 'city-drc')!;
    const issue = await t.apiAs('clerk', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises[2]!.creditCode },
      channel: 'window',
      title: '企业咨询用地指标',
      content: '企业希望了解新厂房用地指标的申请条件和办理流程。',
      urgency: 'normal',
    });
    if (issue.state === 'received')
      await t.apiAs('dispatcher', 'POST', `/api/issues/${issue.id}/actions/dispatch`, {
        unitId: String(unit._id),
      });
    const { unitId } = await t.apiAs('dispatcher', 'GET', `/api/issues/${issue.id}`);
    const handler = `handler-${t.seed.units.find((u) => String(u._id) === unitId)!.code}`;
    await session?.context.close();
    session = await t.open();
    const page = session.page;
    const refused: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) refused.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await login(page, t.baseUrl, handler);
    await page.goto(`${t.baseUrl}/issues/${issue.id}`);
    const actions = page.getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '退单', exact: true }).click();
    await page.getByLabel('退单理由').fill('该事项不属于本单位职责');
    await page.getByRole('button', { name: '确认退单' }).click();
    await page.getByText('请填写「依据（法律法规或职责文件）」').waitFor();
    await page.getByLabel('依据（法律法规或职责文件）').fill('本单位“三定”方案');
    await page.getByRole('button', { name: '确认退单' }).click();
    await page.getByText(`「退单」已完成，${issue.number} 已不在本单位办理`).waitFor();
    await page.waitForURL((u) => u.pathname === '/workbench');
    expect((await t.apiAs('dispatcher', 'GET', `/api/issues/${issue.id}`)).state).to.equal('received');
    expect(refused).to.deep.equal([]);
  });

  it('a supervisor’s 督办 must say what it asks of the unit, the timeline keeps it, and a second is 再次督办', async () => {
    const issue = await t.apiAs('clerk', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises[3]!.creditCode },
      channel: 'window',
      category: 'land',
      urgency: 'normal',
      content: '企业新厂房竣工验收申请已提交一个月，至今没有安排现场验收。',
    });
    await session?.context.close();
    session = await t.open();
    const page = session.page;
    await login(page, t.baseUrl, 'supervisor');
    await page.goto(`${t.baseUrl}/issues/${issue.id}`);
    const actions = page.getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '督办', exact: true }).click();
    await page.getByRole('button', { name: '确认督办' }).click();
    await page.getByText('请填写「督办要求（随督办告知承办单位）」').waitFor();
    expect((await t.apiAs('supervisor', 'GET', `/api/issues/${issue.id}`)).supervised).to.equal(false);
    await page.getByLabel('督办要求（随督办告知承办单位）').fill('请本周内安排现场验收并回复企业');
    await page.getByRole('button', { name: '确认督办' }).click();
    await page.getByText('「督办」已完成').first().waitFor();
    const done = await t.apiAs('supervisor', 'GET', `/api/issues/${issue.id}`);
    expect(done.supervised).to.equal(true);
    expect(done.timeline.at(-1).note).to.equal('请本周内安排现场验收并回复企业');
    // Once supervised, another says it is a second one (the unit hears it again).
    await actions.getByRole('button', { name: '再次督办', exact: true }).waitFor();
    expect(await actions.getByRole('button', { name: '督办', exact: true }).count()).to.equal(0);
  });

  it('an issue in consultation fits a phone’s width (390 px): the page never scrolls sideways', async () => {
    // Two enterprises write of the same outage: each page lists the other as a similar issue, whose long title
    // is cut with an ellipsis on one line (it had widened the page to 570 px).
    const outage = (n: number) =>
      t.apiAs('dispatcher', 'POST', '/api/issues', {
        enterprise: { creditCode: t.seed.enterprises[n]!.creditCode },
        channel: 'zheliban',
        externalId: `ZLB-2026-12-04-class-demo-power-outage-00000000000${n}`,
        category: 'utilities',
        title: '织里镇工业园区晚上经常跳闸停电，夜班没法开工，旺季订单做不完，请供电部门尽快排查',
        content: '织里镇工业园区晚上经常跳闸停电，夜班没法开工，旺季订单做不完，请供电部门尽快排查线路负荷。',
        urgency: 'normal',
      });
    await outage(1);
    const issue = await outage(0);
    await t.apiAs('director', 'POST', `/api/issues/${issue.id}/actions/escalate`, { reason: '涉及多部门' });
    const list = { items: [issue] };
    await session?.context.close();
    session = await t.open({ width: 390, height: 844 });
    const page = session.page;
    await login(page, t.baseUrl, 'director');
    await page.goto(`${t.baseUrl}/issues/${list.items[0].id}`);
    await page.getByRole('region', { name: '可执行操作' }).waitFor();
    await page.getByText('意见截止').waitFor();
    await page.getByRole('heading', { name: '相似问题' }).waitFor();
    await page
      .getByRole('link', { name: /织里镇工业园区晚上经常跳闸停电/ })
      .first()
      .waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(390);
  });
});
