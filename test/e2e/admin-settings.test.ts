// 系统管理 in real Chromium, as a new admin finds it: 通知模板 (edit 催办 with a variable clicked in, an unknown
// variable named under its box, save, 恢复默认), 工作日历 (a paste with a bad line is refused whole, naming the
// line; a clean paste imports the year in one request and the missing-year warning goes), and 用户 (search by
// name or username; 停用 asks first), 时限策略 (unsaved changes said, a save that moves open deadlines asked
// first, 恢复默认 only fills the form). Screenshots with E2E_SCREENSHOTS=/some/dir.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { axeFindings, choose, login, PHONE, snap, useStaffApp } from './staff-app.harness.ts';

describe('staff app: admin settings screens (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page };
  const page = () => session.page;
  const panel = (name: string) => page().getByRole('tabpanel', { name });

  before(async () => {
    session = await t.open({ width: 1366, height: 800 });
    await login(page(), t.baseUrl, 'admin');
  });

  it('通知模板: edits 催办 with a clicked variable, names an unknown one, saves, and restores the default', async () => {
    const askedForClock: string[] = [];
    page().on('request', (r) => {
      if (r.url().includes('/api/dev/clock')) askedForClock.push(r.url());
    });
    await page().goto(`${t.baseUrl}/admin/templates`);
    const box = panel('通知模板').getByLabel('催办模板', { exact: true });
    await box.waitFor();
    // No demo clock on this server: no 演示时钟 either, and no request for it to fail (a 404 in the console).
    expect(await page().getByTestId('demo-clock').count()).to.equal(0);
    expect(askedForClock).to.deep.equal([]);
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir) await page().screenshot({ path: `${dir}/admin-notify-templates.png` });
    expect(await axeFindings(page())).to.deep.equal([]);

    await box.fill('【催办】{{number}}请抓紧。{{unitt}}');
    await panel('通知模板').getByText('不能使用变量 {{unitt}}').waitFor();
    await box.fill('【催办】{{number}}请抓紧。');
    await panel('通知模板').getByRole('button', { name: '在催办模板中插入批示{{instruction}}' }).click();
    expect(await box.inputValue()).to.equal('【催办】{{number}}请抓紧。{{instruction}}');
    await panel('通知模板').getByRole('button', { name: '保存模板' }).click();
    await page().getByText('通知模板已保存').waitFor();
    const saved = await t.apiAs('admin', 'GET', '/api/notifications/templates');
    const urge = () => saved.items.find((i: { event: string }) => i.event === 'urge');
    expect(urge().template).to.equal('【催办】{{number}}请抓紧。{{instruction}}');

    await panel('通知模板').getByRole('button', { name: '催办恢复默认模板' }).click();
    // The first save's notice may still stand: wait for this save's answer, not for the words.
    const reset = page().waitForResponse(
      (r) => r.url().endsWith('/api/settings/notifyTemplates') && r.request().method() === 'PUT',
    );
    await panel('通知模板').getByRole('button', { name: '保存模板' }).click();
    expect((await reset).ok()).to.equal(true);
    const settings = await t.apiAs('admin', 'GET', '/api/settings');
    const stored = settings.items.find((i: { key: string }) => i.key === 'notifyTemplates');
    expect(stored.value).to.deep.equal({});
  });

  it('时限策略: says what is unsaved, asks before a save moves open deadlines, and 恢复默认 only fills the form', async () => {
    await page().goto(`${t.baseUrl}/admin/time-limits`);
    const tl = panel('时限策略');
    const normalResolve = tl.getByLabel('一般办结时限', { exact: true });
    await normalResolve.waitFor();
    const save = tl.getByRole('button', { name: '保存', exact: true });
    expect(await save.isDisabled(), 'nothing to save yet').to.equal(true);
    await normalResolve.fill('6');
    await normalResolve.press('Tab');
    await tl.getByText('有未保存的修改').waitFor();

    // Cancelled at the question: nothing is stored.
    await save.click();
    const ask = page().getByRole('dialog', { name: '保存时限策略' });
    await ask.getByText(/在办工单尚未到期的时限也将按新策略重新计算/).waitFor();
    await ask.getByRole('button', { name: '取消' }).click();
    const before = await t.apiAs('admin', 'GET', '/api/settings');
    expect(before.items.find((i: { key: string }) => i.key === 'timeLimits')).to.equal(undefined);

    await save.click();
    await page().getByRole('dialog', { name: '保存时限策略' }).getByRole('button', { name: '保存' }).click();
    await page().getByText('时限策略已保存，在办工单的时限正在后台重新计算').waitFor();
    await tl.getByText('有未保存的修改').waitFor({ state: 'detached' });
    const after = await t.apiAs('admin', 'GET', '/api/settings');
    const limits = after.items.find((i: { key: string }) => i.key === 'timeLimits');
    expect(limits.value.urgencies.normal.resolve).to.deep.equal({ kind: 'working_days', days: 6 });

    // 恢复默认 fills the form with the defaults; the policy in force stays until saved.
    await tl.getByRole('button', { name: '恢复默认' }).click();
    await page().getByText('已填入默认时限，保存后生效').waitFor();
    await tl.getByText('有未保存的修改').waitFor();
    expect(await normalResolve.inputValue()).to.equal('5');
    await page().reload();
    await normalResolve.waitFor();
    expect(await normalResolve.inputValue()).to.equal('6');
    expect(await tl.getByText('有未保存的修改').count()).to.equal(0);
    expect(await axeFindings(page())).to.deep.equal([]);
  });

  it('工作日历: a paste with a bad line saves nothing and names the line; a clean one ends the warning', async () => {
    await page().goto(`${t.baseUrl}/admin/calendar`);
    const cal = panel('工作日历');
    await cal.getByText('缺少 2027 年的节假日安排').waitFor();
    const paste = cal.getByLabel('年度安排');
    await paste.fill('2027-01-01 放假 元旦\n2027-02-07 上班 春节调休\n2027-13-01 放假\n2027-01-04 上班');
    await cal.getByRole('button', { name: '导入' }).click();
    await cal.getByText('第3行：2027-13-01 不是有效日期').waitFor();
    // A make-up working day on a Monday changes nothing: a typo, named.
    await cal.getByText('第4行：2027-01-04 本是工作日，调休上班日应在周末').waitFor();
    const none = await t.apiAs('admin', 'GET', '/api/calendar/overrides');
    expect(none.items.filter((o: { date: string }) => o.date.startsWith('2027-'))).to.deep.equal([]);

    await paste.fill('2027-01-01 放假 元旦\n2027-02-07 上班 春节调休\n2027-02-08 放假 春节');
    await cal.getByRole('button', { name: '导入' }).click();
    await page().getByText('已导入 2027 年的安排（3 天）').waitFor();
    await cal.getByRole('cell', { name: '春节调休' }).waitFor();
    expect(await cal.getByText('缺少 2027 年的节假日安排').count()).to.equal(0);
    expect(await cal.getByText('第3行').count()).to.equal(0);

    // Deleting an adjustment re-times open issues, so it asks first.
    const row = cal.getByRole('row', { name: /2027-02-07/ });
    await row.getByRole('button', { name: '删除' }).click();
    const ask = page().getByRole('dialog', { name: '删除日历调整' });
    await ask.getByText(/在办工单跨过这一天的时限会随之重新计算/).waitFor();
    await ask.getByRole('button', { name: '取消' }).click();
    const kept = await t.apiAs('admin', 'GET', '/api/calendar/overrides');
    expect(kept.items.map((o: { date: string }) => o.date)).to.include('2027-02-07');
    await row.getByRole('button', { name: '删除' }).click();
    await page().getByRole('dialog', { name: '删除日历调整' }).getByRole('button', { name: '删除' }).click();
    await page().getByText('已删除 2027-02-07 的调整').waitFor();
    const left = await t.apiAs('admin', 'GET', '/api/calendar/overrides');
    expect(left.items.map((o: { date: string }) => o.date)).to.not.include('2027-02-07');
  });

  it('用户: searches by name or username, and 停用 asks first, warning for a unit’s last active member', async () => {
    await page().goto(`${t.baseUrl}/admin/users`);
    const users = panel('用户');
    const search = users.getByLabel('搜索姓名或用户名');
    await search.waitFor();
    await users.getByText('supervisor', { exact: true }).waitFor();
    await search.fill('SUPERV');
    await users.locator('tbody tr').first().waitFor();
    expect(await users.locator('tbody tr').count()).to.equal(1);
    const row = users.locator('tbody tr').first();
    expect(await row.textContent()).to.contain('supervisor');
    const name = (await t.apiAs('admin', 'GET', '/api/users?role=supervisor')).items[0].name as string;
    await search.fill(name);
    expect(await users.locator('tbody tr').first().textContent()).to.contain(name);

    await row.getByRole('button', { name: '停用' }).click();
    const confirm = page().getByRole('dialog', { name: '停用用户' });
    expect(await confirm.textContent()).to.contain('supervisor');
    await confirm.getByRole('button', { name: '取消' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(await row.textContent()).to.contain('正常');
    await row.getByRole('button', { name: '停用' }).click();
    await page().getByRole('dialog', { name: '停用用户' }).getByRole('button', { name: '停用' }).click();
    await page().getByText('已停用，该用户的登录立即失效').waitFor();
    await row.getByText('停用', { exact: true }).first().waitFor();
    const after = (await t.apiAs('admin', 'GET', '/api/users?role=supervisor')).items[0];
    expect(after.disabled).to.equal(true);

    // A unit's last active member: 停用 says the unit's issues would reach no one there.
    const stop = async (username: string) => {
      await search.fill(username);
      const only = users.locator('tbody tr').first();
      await only.getByText(username, { exact: true }).waitFor();
      await only.getByRole('button', { name: '停用' }).click();
      const ask = page().getByRole('dialog', { name: '停用用户' });
      await ask.waitFor();
      return ask;
    };
    const first = await stop('handler-city-justice');
    expect(await first.textContent()).to.not.contain('最后一名在岗人员');
    await first.getByRole('button', { name: '停用' }).click();
    await first.waitFor({ state: 'hidden' });
    const last = await stop('unithead-city-justice');
    expect(await last.textContent()).to.contain(
      '是本单位最后一名在岗人员，停用后分办到该单位的问题将无人签收',
    );
    await last.getByRole('button', { name: '取消' }).click();

    // 新增用户: the unit a handler needs is asked for, and the complaint goes when the role needs none.
    await users.getByRole('button', { name: '新增用户' }).click();
    const add = page().getByRole('dialog', { name: '新增用户' });
    await choose(page(), '角色', '经办人', add);
    await add.getByRole('button', { name: '保存' }).click();
    const unitNeeded = add.getByText('经办人和负责人必须属于一个单位');
    await unitNeeded.waitFor();
    await choose(page(), '角色', '市领导', add);
    await unitNeeded.waitFor({ state: 'detached' });
    await add.getByRole('button', { name: '取消' }).click();
  });

  it('用户: the signed-in admin’s own row offers no 停用 (the server would refuse it), others’ rows do', async () => {
    await page().goto(`${t.baseUrl}/admin/users`);
    const users = panel('用户');
    await users.getByLabel('搜索姓名或用户名').fill('admin');
    const own = users.locator('tbody tr').filter({ hasText: 'admin' }).first();
    await own.getByRole('button', { name: '重置密码' }).waitFor();
    expect(await own.getByRole('button', { name: /停用|启用/ }).count()).to.equal(0);
    await users.getByLabel('搜索姓名或用户名').fill('clerk');
    const other = users.locator('tbody tr').filter({ hasText: 'clerk' }).first();
    await other.getByRole('button', { name: '停用' }).waitFor();
  });

  it('单位: an empty form names every missing field; a new township shows, opened and marked, under its county', async () => {
    await page().goto(`${t.baseUrl}/admin/units`);
    const units = panel('单位');
    await units.getByRole('tree', { name: '单位树' }).waitFor();
    await units.getByRole('button', { name: '新增单位' }).click();
    const dialog = page().getByRole('dialog', { name: '新增单位' });
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.getByText('请填写单位代码和单位名称').waitFor();

    await dialog.getByLabel('单位代码').fill('nanxun-hefu');
    await dialog.getByLabel('单位名称').fill('和孚镇');
    // A city department is the city's: the region is 湖州市 and cannot be another (it was 吴兴区 by default).
    await choose(page(), '层级', '市级部门', dialog);
    const cityRegion = dialog.locator('#unit-region');
    expect(await cityRegion.inputValue()).to.equal('湖州市');
    expect(await cityRegion.isDisabled()).to.equal(true);
    await choose(page(), '层级', '乡镇/街道', dialog);
    await choose(page(), '区域', '南浔区', dialog);
    await choose(page(), '上级单位', '南浔区企业综合服务中心', dialog);
    await dialog.getByRole('button', { name: '保存' }).click();
    await page().getByText('单位已保存').waitFor();
    // Under the county centre, which was closed: opened to show it, and the row marked.
    const row = units.getByRole('treeitem', { name: /和孚镇/ });
    await row.waitFor();
    expect(await row.isVisible()).to.equal(true);
    expect(await row.getAttribute('class')).to.contain('is-current');
  });

  it('用户 on a phone: each row keeps its operations in view, role and unit under the name', async () => {
    const phone = await t.open(PHONE);
    await login(phone.page, t.baseUrl, 'admin');
    await phone.page.goto(`${t.baseUrl}/admin/users`);
    const rows = phone.page.getByRole('tabpanel', { name: '用户' }).locator('tbody tr');
    const own = rows.first();
    await own.waitFor();
    expect(await own.textContent()).to.contain('系统管理员 · ');
    // The signed-in admin's own row offers no 停用 (85cd7b4); the first row that does keeps it in view.
    const toggle = /停用|启用/;
    const row = rows.filter({ has: phone.page.getByRole('button', { name: toggle }) }).first();
    const box = (await row.getByRole('button', { name: toggle }).boundingBox())!;
    expect(box.x + box.width, 'the button ends inside the screen').to.be.at.most(PHONE.width);
    expect(await row.textContent()).to.match(/\S · \S/);
    expect(await axeFindings(phone.page)).to.deep.equal([]);
    await phone.context.close();
  });
});

describe('staff app: 演示时钟 with DEMO_CLOCK=1 (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp({ demoClock: true });

  it('shows the simulated time to the admin and moves it a day, running the sweep', async () => {
    const session = await t.open({ width: 1366, height: 800 });
    try {
      const page = session.page;
      await login(page, t.baseUrl, 'admin');
      await page.goto(`${t.baseUrl}/admin/rules`);
      const clock = page.getByTestId('demo-clock');
      await clock.waitFor();
      const before = t.clock.now().getTime();
      await clock.getByRole('button', { name: '前进1天' }).click();
      await page.getByText(/演示时钟已拨至 .+，时限检查已运行/).waitFor();
      expect(t.clock.now().getTime() - before).to.equal(24 * 3600_000);
      const shown = (await page.getByTestId('demo-clock-now').textContent()) ?? '';
      const expected = new Date(t.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 16);
      expect(shown.replace(/\//g, '-')).to.contain(expected.replace('T', ' '));
      expect(await axeFindings(page)).to.deep.equal([]);
      await snap(page, 'admin-demo-clock');
    } finally {
      await session.context.close();
    }
  });
});
