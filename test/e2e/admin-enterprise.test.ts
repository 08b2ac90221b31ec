// The configuration and enterprise screens in real Chromium: the admin tests a text against the routing rules,
// adds a rule for it and sees the answer change, then edits the rule and sees it change again, and tests the
// text for a township (乡镇/街道) and adds a rule for one township, named (not coded) in the table; the admin
// issues a channel API key (shown once), finds it by its last 4 characters and revokes it after confirming; a
// clerk registers an unknown enterprise (the credit code checked as the API checks it) and opens its printable
// plaque with the QR code; a new enterprise gets the township its address names, and the clerk may choose
// another of its county only; the leader's dashboard and the admin's other tabs render without accessibility
// findings. Screenshots of each screen at desktop and phone size with E2E_SCREENSHOTS=/some/dir.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { REGION_LABELS, type RegionCode } from '../../config/units.ts';
import { makeCreditCode } from '../../shared/credit-code.ts';
import { axeFindings, choose, login, PHONE, snap, useStaffApp } from './staff-app.harness.ts';

const TEXT = '新建厂房验收迟迟未办理，不动产权证无法办理';

describe('staff app: admin and enterprises (e2e, Chromium)', function () {
  this.timeout(90_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page };
  const page = () => session.page;
  const unitName = (code: string) => t.seed.units.find((u) => u.code === code)!.name;
  async function expectAccessible() {
    expect(await axeFindings(page())).to.deep.equal([]);
  }
  async function testText() {
    await page().getByRole('button', { name: '测试', exact: true }).click();
    return page().getByTestId('route-test-result');
  }

  beforeEach(async () => {
    session ??= await t.open();
  });
  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && this.currentTest?.state === 'failed')
      await page().screenshot({ path: `${dir}/failed-admin.png`, fullPage: true });
  });

  it('lets the admin test a text, add a routing rule for it and edit it, seeing the answer change', async () => {
    await login(page(), t.baseUrl, 'admin');
    await page().getByRole('heading', { name: '系统管理' }).waitFor();
    await page().getByLabel('问题描述').fill(TEXT);
    await choose(page(), '企业所在区域', '吴兴区');
    const result = await testText();
    await result.waitFor();
    expect(await result.textContent())
      .to.contain('用地厂房')
      .and.contain('按默认规则');
    await expectAccessible();
    await snap(page(), '20-admin-rules');

    await page().getByRole('button', { name: '新增规则' }).click();
    await choose(page(), '问题类别', '用地厂房');
    await choose(page(), '区域', '吴兴区');
    await choose(page(), '承办单位', unitName('city-nrp'));
    await page().getByRole('button', { name: '保存规则' }).click();
    await page().getByText('分办规则已保存').first().waitFor();
    await page()
      .getByRole('cell', { name: unitName('city-nrp') })
      .first()
      .waitFor();
    expect(await (await testText()).textContent())
      .to.contain(`分办至：${unitName('city-nrp')}`)
      .and.contain('按分办规则');

    await page().getByRole('button', { name: '编辑规则 用地厂房' }).click();
    await choose(page(), '承办单位', unitName('city-construction'));
    await page().getByRole('button', { name: '保存规则' }).click();
    await page()
      .getByRole('cell', { name: unitName('city-construction') })
      .first()
      .waitFor();
    expect(await (await testText()).textContent()).to.contain(`分办至：${unitName('city-construction')}`);
    const rules = await t.apiAs('admin', 'GET', '/api/routing-rules');
    expect(rules.items).to.have.length(1);
    expect(rules.items[0]).to.include({ category: 'land', region: 'wuxing' });
  });

  it('shows the admin’s other tabs (time limits, calendar, units, users, channels, outbox)', async () => {
    for (const [tab, heading, ready] of [
      ['时限策略', '时限策略', 'table'],
      ['工作日历', '工作日历', '.el-table'],
      ['单位', '单位', '.el-tree-node'],
      ['用户', '用户', '.el-table__row'],
      ['渠道凭据', '渠道凭据', '.el-empty, .el-table'],
      ['通知发送', '通知发送记录', '.el-empty, .el-table'],
      ['操作日志', '操作日志', '.el-table__row'],
    ]) {
      await page().getByRole('tab', { name: tab, exact: true }).click();
      const panel = page().getByRole('tabpanel', { name: tab });
      await panel.getByRole('heading', { name: heading, exact: true }).waitFor();
      await panel.locator(ready).first().waitFor();
      await expectAccessible();
      await snap(page(), `21-admin-${tab}`, false);
    }
    // The rule the admin added and edited above is in the log, by name (系统管理员 says the role already, so
    // it is not said twice).
    const audit = page().getByRole('tabpanel', { name: '操作日志' });
    await audit.getByRole('cell', { name: '新增分办规则' }).waitFor();
    await audit.getByRole('cell', { name: '修改分办规则' }).first().waitFor();
    expect(await audit.getByRole('cell', { name: '系统管理员', exact: true }).count()).to.be.greaterThan(1);
    expect(await audit.getByRole('cell', { name: /（系统管理员）/ }).count()).to.equal(0);
    await page().getByRole('button', { name: '退出' }).click();
    await page().getByRole('heading', { name: '登录' }).waitFor();
  });

  it('lets the admin try 测试分办 for a township and add a rule for one township, named in the table', async () => {
    // With the 吴兴区 rule of the first test (→ city-construction).
    await login(page(), t.baseUrl, 'admin');
    await page().getByLabel('问题描述').fill(TEXT);
    await choose(page(), '企业所在区域', '吴兴区');
    await choose(page(), '乡镇/街道', '织里镇');
    expect(await (await testText()).textContent()).to.contain(`分办至：${unitName('city-construction')}`);

    await page().getByRole('button', { name: '新增规则' }).click();
    await choose(page(), '问题类别', '用地厂房');
    // 区域 offers each county's townships under it.
    await page()
      .getByRole('combobox', { name: '区域', exact: true })
      .locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " el-select ")][1]')
      .click();
    const group = page()
      .locator('.el-select-dropdown:visible .el-select-group__wrap')
      .filter({ hasText: '吴兴区' });
    await group.getByText('织里镇').waitFor();
    expect(await group.locator('.el-select-dropdown__item').allTextContents()).to.include.members([
      '吴兴区',
      '织里镇',
      '八里店镇',
    ]);
    await snap(page(), '20-admin-rule-region-townships', false);
    await choose(page(), '区域', '织里镇');
    await choose(page(), '承办单位', unitName('city-gov-service'));
    await page().getByRole('button', { name: '保存规则' }).click();
    await page().getByText('分办规则已保存').first().waitFor();
    // The table names the township (under its county), not its code.
    await page().getByRole('cell', { name: '织里镇 吴兴区' }).waitFor();
    expect(await page().getByRole('cell', { name: 'wuxing-zhili' }).count()).to.equal(0);
    const township = await testText();
    expect(await township.textContent())
      .to.contain(`分办至：${unitName('city-gov-service')}`)
      .and.contain('按分办规则');
    await snap(page(), '20-admin-rules-township');
    // Another township of 吴兴区, or none: the county's rule.
    await choose(page(), '乡镇/街道', '八里店镇');
    expect(await (await testText()).textContent()).to.contain(`分办至：${unitName('city-construction')}`);
    // The result's tag zooms in: axe reads its colours once it stands still.
    await page().waitForFunction(() => document.getAnimations().length === 0);
    await expectAccessible();
    const rules = await t.apiAs('admin', 'GET', '/api/routing-rules');
    expect(rules.items.map((r: { region: string }) => r.region)).to.have.members(['wuxing', 'wuxing-zhili']);
    await page().getByRole('button', { name: '退出' }).click();
    await page().getByRole('heading', { name: '登录' }).waitFor();
  });

  it('lets the admin issue a channel API key (shown once), tell keys apart by their last 4 characters and revoke one', async () => {
    await login(page(), t.baseUrl, 'admin');
    await page().getByRole('tab', { name: '渠道凭据', exact: true }).click();
    const panel = page().getByRole('tabpanel', { name: '渠道凭据' });
    const discovery = panel.getByRole('region', { name: '主动发现', exact: true });
    await discovery.getByText('POST /api/intake/discovery').waitFor();
    // Channels that take no credential get no rows and no 吊销 button, only a line naming them.
    expect(await panel.getByRole('region', { name: '企业码', exact: true }).count()).to.equal(0);
    expect(await panel.getByText(/无需接口凭据的渠道：.*企业码/).count()).to.equal(1);

    await discovery.getByRole('button', { name: '签发API Key' }).click();
    const issue = page().getByRole('dialog', { name: '签发凭据 · 主动发现' });
    await issue.getByLabel(/名称/).fill('数据预警平台');
    await issue.getByRole('button', { name: '签发', exact: true }).click();
    const shown = page().getByRole('dialog', { name: '凭据已签发' });
    const key = (await shown.getByTestId('issued-secret').textContent())!.trim();
    expect(key).to.match(/^discovery_[\w-]{20,}$/);
    expect(await shown.textContent()).to.contain('关闭后不会再显示');
    await expectAccessible();
    await snap(page(), '22-admin-channel-issued', false);
    // Closing without copying asks first; once closed the key is nowhere on the page.
    await shown.getByRole('button', { name: '我已保存，关闭' }).click();
    await page().getByRole('dialog', { name: '尚未复制' }).getByRole('button', { name: '确认关闭' }).click();
    await shown.waitFor({ state: 'hidden' });
    const row = discovery.getByRole('row').filter({ hasText: `…${key.slice(-4)}` });
    await row.waitFor();
    expect(await row.textContent())
      .to.contain('数据预警平台')
      .and.contain('API Key')
      .and.contain('有效');
    expect(await page().content()).to.not.contain(key);

    await row.getByRole('button', { name: `吊销 主动发现 尾号 ${key.slice(-4)}` }).click();
    const confirm = page().getByRole('dialog', { name: '吊销凭据' });
    expect(await confirm.textContent()).to.contain(key.slice(-4));
    await confirm.getByRole('button', { name: '吊销' }).click();
    await row.getByText('已吊销').waitFor();
    expect(await row.getByRole('button', { name: /吊销/ }).count()).to.equal(0);
    const stored = await t.models.ChannelCredential.findOne({ label: '数据预警平台' }).lean();
    expect(stored?.hint).to.equal(key.slice(-4));
    expect(stored?.revokedAt).to.be.instanceOf(Date);
    await snap(page(), '23-admin-channel-revoked', false);
    await page().getByRole('button', { name: '退出' }).click();
    await page().getByRole('heading', { name: '登录' }).waitFor();
  });

  it('lets a clerk register an unknown enterprise and open its plaque with the QR code', async () => {
    await login(page(), t.baseUrl, 'clerk');
    await page().getByRole('link', { name: '企业管理' }).click();
    await page().getByRole('heading', { name: '企业管理' }).waitFor();
    await expectAccessible();
    await snap(page(), '22-enterprises');
    await page().getByRole('button', { name: '登记企业' }).click();
    const dialog = page().getByRole('dialog');
    const code = makeCreditCode('91330502MA2K7Q8X3');
    await dialog.getByLabel('统一社会信用代码').fill(code.slice(0, 17) + (code[17] === '0' ? '1' : '0'));
    await dialog.getByLabel('企业名称').fill('湖州新登记精密机械有限公司');
    await choose(page(), '所在区县', '吴兴区', dialog);
    await dialog.getByLabel('登记手机号').fill('13905720001');
    await page().getByRole('button', { name: '保存' }).click();
    expect(await dialog.getByRole('alert').textContent()).to.contain('统一社会信用代码无效');
    await dialog.getByLabel('统一社会信用代码').fill(code);
    await page().getByRole('button', { name: '保存' }).click();
    await page().getByText('已登记：湖州新登记精密机械有限公司').waitFor();
    const row = page().getByRole('row', { name: /湖州新登记精密机械有限公司/ });
    await row.waitFor();
    expect(await row.textContent()).to.contain(code);

    await row.getByRole('link', { name: /码牌/ }).click();
    const plaque = page().getByRole('main', { name: '企业码牌' });
    await plaque.waitFor();
    expect(await plaque.textContent())
      .to.contain('湖州新登记精密机械有限公司')
      .and.contain(code)
      .and.contain('扫码查看诉求办理进度、评价服务')
      // The same words as the PDF for print shops (shared/plaque-text.ts).
      .and.contain('涉企问题高效闭环服务')
      .and.contain('请妥善张贴，勿遮挡涂改');
    await page().waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img.qr');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await expectAccessible();
    await snap(page(), '23-plaque');

    // The owner's 通知方式 (chosen on the QR page) shows where the centre edits the addresses.
    await t.models.Enterprise.updateOne(
      { creditCode: code },
      { $set: { notify: { channel: 'email', email: 'boss@xindengji.cn', updatedAt: t.clock.now() } } },
    );
    await page().goBack();
    await page().getByLabel('企业名称或信用代码').fill(code);
    await page().getByLabel('企业名称或信用代码').press('Enter');
    await page()
      .getByRole('row', { name: /湖州新登记精密机械有限公司/ })
      .getByRole('button', { name: '编辑' })
      .click();
    await page()
      .getByTestId('notify-choice')
      .getByText('通知方式：电子邮件：boss@xindengji.cn（企业在企业码页面选择）')
      .waitFor();
    await page().getByRole('dialog').getByRole('button', { name: '取消' }).click();

    // A PIN the server would refuse is refused in the dialog, which stays open with what was typed.
    await page().getByRole('button', { name: '湖州新登记精密机械有限公司的更多操作' }).click();
    await page().getByRole('menuitem', { name: '设置企业 PIN' }).click();
    const ask = page().getByRole('dialog', { name: '设置企业 PIN' });
    await ask.locator('input').fill('123456');
    await ask.getByRole('button', { name: '保存' }).click();
    await ask.getByText('PIN 过于简单').waitFor();
    expect(await ask.isVisible()).to.equal(true);
    await ask.locator('input').fill('482915');
    await ask.getByRole('button', { name: '保存' }).click();
    await page().getByText('企业 PIN 已设置').waitFor();
    const stored = await t.models.Enterprise.findOne({ creditCode: code }, { pinHash: 1 }).lean();
    expect(stored?.pinHash).to.be.a('string');
  });

  it('on a phone the enterprise list keeps the name and the operations, 区县 and 行业 under the name', async () => {
    const phone = await t.open(PHONE);
    await login(phone.page, t.baseUrl, 'clerk');
    await phone.page.goto(`${t.baseUrl}/enterprises`);
    const list = phone.page.getByRole('region', { name: '企业列表' });
    const enterprise = t.seed.enterprises[0]!;
    const row = list.getByRole('row', { name: new RegExp(enterprise.name) });
    await row.waitFor();
    expect(await list.getByRole('columnheader', { name: '区县' }).count()).to.equal(0);
    expect(await row.textContent()).to.contain(REGION_LABELS[enterprise.region as RegionCode]);
    // The operations fit beside the name: 编辑 lies within the screen, not behind a column pinned off it.
    const edit = await row.getByRole('button', { name: '编辑' }).boundingBox();
    expect(edit!.x + edit!.width).to.be.at.most(PHONE.width);
    expect(await axeFindings(phone.page)).to.deep.equal([]);
    await phone.context.close();
  });

  it('opens the leader’s dashboard and the monthly report page', async () => {
    await session.context.close();
    session = await t.open();
    await login(page(), t.baseUrl, 'leader');
    await page().getByRole('heading', { name: '领导驾驶舱' }).waitFor();
    await page().waitForLoadState('networkidle');
    await expectAccessible();
    await snap(page(), '24-dashboard');
    // 本年 opens this month's report (on the server's clock), not January's.
    await page().getByText('本年', { exact: true }).click();
    await page().getByRole('button', { name: '月度分析报告' }).click();
    const month = new Date(t.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 7);
    await page().waitForURL((url) => url.searchParams.get('month') === month);
    await page()
      .getByRole('heading', { name: /营商环境月度分析/ })
      .waitFor();
    await page().waitForLoadState('networkidle');
    await expectAccessible();
    await snap(page(), '25-monthly');
  });

  it('reads a new enterprise’s township from its address, and lets the clerk choose another of its county', async () => {
    await session.context.close();
    session = await t.open();
    await login(page(), t.baseUrl, 'clerk');
    await page().getByRole('link', { name: '企业管理' }).click();
    await page().getByRole('heading', { name: '企业管理' }).waitFor();
    await page().getByRole('button', { name: '登记企业' }).click();
    const dialog = page().getByRole('dialog');
    const code = makeCreditCode('91330502MA2K7Q8T4');
    await dialog.getByLabel('统一社会信用代码').fill(code);
    await dialog.getByLabel('企业名称').fill('湖州织里乡镇测试童装有限公司');
    await choose(page(), '所在区县', '吴兴区', dialog);
    await dialog.getByLabel('地址', { exact: true }).fill('浙江省湖州市吴兴区织里镇大港路18号');
    await dialog.getByLabel('登记手机号').fill('13905720002');
    await page().getByRole('button', { name: '保存' }).click();
    await page().getByText('已登记：湖州织里乡镇测试童装有限公司').waitFor();
    const row = page().getByRole('row', { name: /湖州织里乡镇测试童装有限公司/ });
    await row.getByText('织里镇').waitFor();

    await row.getByRole('button', { name: '编辑' }).click();
    const township = dialog.getByRole('combobox', { name: '所在乡镇/街道', exact: true });
    await township
      .locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " el-select ")][1]')
      .click();
    const offered = page().locator('.el-select-dropdown:visible .el-select-dropdown__item');
    await offered.first().waitFor();
    // Only 吴兴区's townships are offered.
    expect(await offered.allTextContents()).to.have.members(
      t.seed.units.filter((u) => u.level === 'township' && u.region === 'wuxing').map((u) => u.name),
    );
    await offered.getByText('八里店镇', { exact: true }).click();
    await expectAccessible();
    await snap(page(), '26-enterprise-township');
    await page().getByRole('button', { name: '保存' }).click();
    await row.getByText('八里店镇').waitFor();
    expect((await t.models.Enterprise.findOne({ creditCode: code }).lean())?.township).to.equal(
      'wuxing-balidian',
    );
  });
});
