// The screens of issue 9's third wave in real Chromium: a leader clicks the red 超期 KPI, lands on the list
// behind it and exports it to Excel (the file opened with exceljs and checked against the list); a unit head
// assigns an issue to someone else of the unit; a clerk exports the plaques of a county as one PDF (progress
// bar, then the download), reviews provisional enterprises and opens the import tab; the admin edits a
// category's keywords and tests a text, then adds an urgency cue and sees a text with it tested 特急; the
// supervisor starts at 督查工作台 (督办中, 已通报, 全市超期) and 督办 an issue into it. Every new screen passes
// axe-core (no serious or critical finding).
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { makeCreditCode } from '../../shared/credit-code.ts';
import { fixtureIssueDoc } from '../api/kpi-fixture.ts';
import { axeFindings, choose, login, snap, useStaffApp } from './staff-app.harness.ts';

const UNIT = 'deqing-centre';

describe('staff app: drill-down export, assignment, plaques, provisional enterprises, keywords, urgency cues, supervision (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  const page = () => session!.page;

  async function fresh(username: string) {
    await session?.context.close();
    session = await t.open();
    await login(page(), t.baseUrl, username);
  }
  async function expectAccessible() {
    expect(await axeFindings(page())).to.deep.equal([]);
  }
  async function saved(download: Download): Promise<Buffer> {
    return readFile((await download.path())!);
  }

  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await page().screenshot({ path: `${dir}/failed-screens.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  it('a leader clicks the red 超期 KPI, sees the issues behind it and exports them to Excel', async () => {
    const unit = t.seed.units.find((u) => u.code === UNIT)!;
    const ents = t.seed.enterprises.filter((e) => e.region === 'deqing');
    // This month on the server's clock, which the dashboard counts by: three overdue issues and two on time.
    const now = t.clock.now().toISOString();
    const docs = [0, 1, 2, 3, 4].map((n) =>
      fixtureIssueDoc({
        unit,
        ent: ents[n % ents.length],
        createdAt: now,
        state: 'in_progress',
        category: 'land',
        channel: 'hotline12345',
        warning: n < 3 ? 'overdue' : 'none',
        title: `厂房验收问题 ${n}`,
      }),
    );
    // And one refused at intake: counted in 受理, neither 办结 nor 积压, and the dashboard says so.
    const refused = fixtureIssueDoc({
      unit: null,
      ent: ents[0],
      createdAt: now,
      state: 'rejected',
      category: 'land',
      channel: 'window',
    });
    await t.models.Issue.collection.insertMany([...docs, refused]);
    const overdue = docs.slice(0, 3).map((d) => String(d.number));

    await fresh('leader');
    await page().getByRole('heading', { name: '领导驾驶舱' }).waitFor();
    const card = page().locator('.kpi.alarm').first();
    await card.waitFor();
    expect(await page().getByTestId('kpi-refused').textContent()).to.match(
      /受理量 (\d+) 件 = 办结 \d+ \+ 积压 \d+ \+ 不予受理 [1-9]\d*/,
    );
    expect(await card.textContent()).to.contain('3');
    await card.click();
    await page().getByRole('heading', { name: '工单查询' }).waitFor();
    await page().getByText('指标统计范围').waitFor();
    // The drill-down's set of open states reads in Chinese in the 状态 filter, not as the codes it is sent as.
    const filters = page().getByRole('search', { name: '工单筛选' });
    expect(await filters.textContent())
      .to.contain('未办结')
      .and.not.contain('received');
    // The issue table's rows: the 受理时间 picker keeps its calendar's tables (hidden) in the page too.
    const rows = page().locator('table.issues tbody tr');
    await page().waitForFunction(() => document.querySelectorAll('table.issues tbody tr').length === 3);
    expect(await rows.count()).to.equal(3);
    // The leader checks the list against the figure clicked.
    await page().getByText('共 3 条，已显示 3 条').waitFor();
    await expectAccessible();
    await snap(page(), '30-drill-list');

    const [download] = await Promise.all([
      page().waitForEvent('download'),
      page().getByRole('button', { name: '导出Excel' }).click(),
    ]);
    expect(download.suggestedFilename()).to.match(/^工单清单-.*\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await saved(download)) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('工单清单')!;
    expect(sheet.getRow(1).getCell(1).text).to.contain('共 3 件');
    expect(sheet.getRow(2).getCell(1).text).to.equal('编号');
    const numbers = [3, 4, 5].map((r) => sheet.getRow(r).getCell(1).text);
    expect(numbers).to.have.members(overdue);
    expect(sheet.getRow(3).getCell(7).text).to.equal('已超期');
  });

  it('a leader clicks 按期办结率 and sees the issues closed late, not every closed one', async () => {
    const unit = t.seed.units.find((u) => u.code === UNIT)!;
    const ents = t.seed.enterprises.filter((e) => e.region === 'deqing');
    // This month: one issue closed late among three closed.
    const docs = [0, 1, 2].map((n) =>
      fixtureIssueDoc({
        unit,
        ent: ents[n % ents.length],
        createdAt: t.clock.now().toISOString(),
        state: 'closed',
        category: 'land',
        channel: 'window',
        repliedLate: n === 0,
        title: `办结时效问题 ${n}`,
      }),
    );
    await t.models.Issue.collection.insertMany(docs);
    await fresh('leader');
    await page().locator('[data-kpi="onTimeRate"]').click();
    await page().getByRole('heading', { name: '工单查询' }).waitFor();
    await page().getByText('超期办结', { exact: true }).waitFor();
    // The list's address is the drill-down's query: the API gives the same issues.
    const late = await t.apiAs(
      'leader',
      'GET',
      `/api/issues?${new URL(page().url()).search.slice(1)}&limit=100`,
    );
    const lateNumbers = late.items.map((i: { number: string }) => i.number);
    expect(lateNumbers).to.include(docs[0].number).and.not.include(docs[1].number);
    await page().waitForFunction(
      (n) => document.querySelectorAll('table.issues tbody tr').length === n,
      Math.min(lateNumbers.length, 20),
    );
    const shown = await page().locator('table.issues tbody tr').allTextContents();
    expect(shown.some((r) => r.includes(String(docs[0].number)))).to.equal(true);
    expect(shown.some((r) => r.includes(String(docs[1].number)))).to.equal(false);
    await expectAccessible();
  });

  it('a unit head assigns a signed issue to someone else of the unit; the assignee shows on the page', async () => {
    const issue = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises.find((e) => e.region === 'deqing')!.creditCode },
      channel: 'hotline12345',
      category: 'land',
      urgency: 'normal',
      title: '厂房验收迟迟未办理',
      content: '新建厂房验收迟迟未办理，影响投产',
    });
    expect(issue.unitId).to.equal(String(t.seed.units.find((u) => u.code === UNIT)!._id));
    await t.apiAs(`handler-${UNIT}`, 'POST', `/api/issues/${issue.id}/actions/sign`, {});
    const headName = t.seed.accounts.find((a) => a.username === `unithead-${UNIT}`)!.name;

    await fresh(`unithead-${UNIT}`);
    await page().goto(`${t.baseUrl}/issues/${issue.id}`);
    const actions = page().getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '指派经办人' }).click();
    await choose(page(), '指派给', headName, actions);
    await actions.getByLabel('说明（可选）').fill('本人跟进');
    await expectAccessible();
    await actions.getByRole('button', { name: '确认指派经办人' }).click();
    await page().getByText('经办人', { exact: true }).first().waitFor();
    await page().locator('dd', { hasText: headName }).first().waitFor();
    const stored = await t.models.Issue.findById(issue.id).lean();
    expect(stored!.timeline.at(-1)).to.include({ action: 'assign', note: '本人跟进' });
    await snap(page(), '31-assigned');
  });

  it('a clerk exports the plaques of a county as one PDF: progress bar, then the download', async () => {
    const count = await t.models.Enterprise.countDocuments({ region: 'anji' });
    expect(count).to.be.greaterThan(0);
    await fresh('clerk');
    await page().getByRole('link', { name: '企业管理' }).click();
    await page().getByRole('heading', { name: '批量导出码牌' }).waitFor();
    await choose(page(), '导出区县', '安吉县');
    await page().getByRole('button', { name: '生成PDF' }).click();
    const bar = page().getByRole('progressbar', { name: /码牌导出进度/ });
    await bar.waitFor();
    await page().getByRole('button', { name: '下载PDF' }).waitFor();
    expect(await bar.getAttribute('aria-valuenow')).to.equal('100');
    expect(await page().getByText(`已完成 · ${count} / ${count}`).count()).to.equal(1);
    await expectAccessible();
    const [download] = await Promise.all([
      page().waitForEvent('download'),
      page().getByRole('button', { name: '下载PDF' }).click(),
    ]);
    const pdf = await saved(download);
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    expect((pdf.toString('latin1').match(/\/Type \/Page[^s]/g) ?? []).length).to.equal(count);
    await snap(page(), '32-plaque-batch', false);
  });

  it('a clerk confirms one provisional enterprise and merges another; the import tab offers the template', async () => {
    const known = t.seed.enterprises[0];
    await t.models.Enterprise.collection.insertMany([
      {
        name: '来信登记待确认甲有限公司',
        region: 'city',
        industry: '',
        address: '',
        ownerName: '',
        mobile: '13905721111',
        provisional: true,
        provisionalNote: '邮件来信，发件人 a@example.com',
        qrToken: 'prov-token-a-000000000000',
        qrIssuedAt: new Date(),
        createdAt: new Date(),
        updatedAt: new Date(),
      },
      {
        name: '来信登记待确认乙',
        region: 'city',
        industry: '',
        address: '',
        ownerName: '',
        provisional: true,
        provisionalNote: '微信来信',
        qrToken: 'prov-token-b-000000000000',
        qrIssuedAt: new Date(),
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    ] as never);
    await fresh('clerk');
    await page().getByRole('link', { name: '企业管理' }).waitFor();
    // The tab is in the address, so a bookmark or a reload opens it.
    await page().goto(`${t.baseUrl}/enterprises?tab=provisional`);
    const table = page().getByRole('region', { name: '待确认企业' });
    const rowA = table.getByRole('row', { name: /来信登记待确认甲/ });
    await rowA.waitFor();
    await expectAccessible();
    await snap(page(), '33-provisional');

    await rowA.getByRole('button', { name: '确认登记' }).click();
    const dialog = page().getByRole('dialog');
    const code = makeCreditCode('91330523MA2K7Q8Y4');
    await dialog.getByLabel('统一社会信用代码').fill(code.slice(0, 17) + (code[17] === '0' ? '1' : '0'));
    await choose(page(), '所在区县', '安吉县', dialog);
    await dialog.getByRole('button', { name: '确认登记' }).click();
    expect(await dialog.getByRole('alert').textContent()).to.contain('统一社会信用代码');
    await dialog.getByLabel('统一社会信用代码').fill(code);
    // The number the message came from is not taken for the registered mobile: the clerk types one checked.
    await dialog.getByRole('button', { name: '确认登记' }).click();
    await dialog.getByRole('alert').filter({ hasText: '经核实的企业登记手机号' }).waitFor();
    await dialog.getByLabel(/企业登记手机号/).fill('13905722222');
    await dialog.getByRole('button', { name: '确认登记' }).click();
    await page().getByText('已确认登记：来信登记待确认甲有限公司').waitFor();
    await rowA.waitFor({ state: 'detached' });

    await table
      .getByRole('row', { name: /来信登记待确认乙/ })
      .getByRole('button', { name: '合并' })
      .click();
    await page().getByRole('combobox', { name: '查找企业' }).fill(known.name.slice(0, 4));
    await page().locator('.el-select-dropdown__item', { hasText: known.name }).first().click();
    await page().getByRole('dialog').getByRole('button', { name: '确认合并' }).click();
    await page().getByText(`已合并到：${known.name}`).waitFor();
    await table.getByText('没有待确认的企业').waitFor();

    await page().getByRole('tab', { name: '批量导入' }).click();
    await page().getByRole('heading', { name: '批量导入企业' }).waitFor();
    const good = makeCreditCode('91330521MA2K7Q8Y6');
    const csv = [
      '统一社会信用代码,企业名称,所在区县,行业,地址,负责人,手机号',
      `${good},导入测试精工有限公司,deqing,制造业,德清县武康街道,王五,13905723333`,
      '913305210000000001,代码错误的公司,deqing,制造业,德清县,赵六,13905724444',
    ].join('\r\n');
    await page()
      .getByLabel('选择文件')
      .setInputFiles({ name: '企业.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page().getByRole('button', { name: '开始导入' }).click();
    await page().getByText('导入完成，共 2 行').waitFor();
    const summary = await page().locator('.summary').textContent();
    expect(summary)
      .to.match(/新增\s*1/)
      .and.match(/失败\s*1/);
    expect(await page().locator('.errors').textContent()).to.contain('3');
    expect(await t.models.Enterprise.countDocuments({ creditCode: good })).to.equal(1);
    await expectAccessible();
    await snap(page(), '34-import');
  });

  it('the admin edits a category’s keywords (checked before saving) and tests a text against them', async () => {
    await fresh('admin');
    await page().getByRole('tab', { name: '类别与关键词' }).click();
    const panel = page().getByRole('tabpanel', { name: '类别与关键词' });
    const field = panel.getByLabel('用地厂房的关键词');
    await field.waitFor();
    // The boxes show the built-in words until the stored ones arrive, which would overwrite what is typed.
    const loading = panel.locator('.el-loading-mask:visible');
    while ((await loading.count()) > 0) await loading.first().waitFor({ state: 'hidden' });
    expect(await field.inputValue()).to.contain('厂房');
    await expectAccessible();
    await field.fill(`${await field.inputValue()}、${'超'.repeat(31)}`);
    await panel.getByRole('button', { name: '保存', exact: true }).click();
    expect(await panel.getByRole('alert').first().textContent()).to.contain('每个关键词不超过30个字');
    await field.fill(`${(await field.inputValue()).replace(/、超+$/, '')}、消防验收`);
    await panel.getByRole('button', { name: '保存', exact: true }).click();
    await page().getByText('类别关键词已保存').waitFor();
    const settings = await t.apiAs('admin', 'GET', '/api/settings');
    const stored = settings.items.find((s: { key: string }) => s.key === 'classify.keywords');
    expect(stored.value.land).to.include('消防验收');
    expect(Object.keys(stored.value)).to.deep.equal(['land']);

    await panel.getByLabel('问题描述').fill('新建厂房验收迟迟未办理，不动产权证无法办理');
    await panel.getByRole('button', { name: '测试', exact: true }).click();
    const result = page().getByTestId('classify-test-result');
    await result.waitFor();
    expect(await result.textContent())
      .to.contain('用地厂房')
      .and.contain('命中关键词');
    await expectAccessible();
    await snap(page(), '35-categories');
  });

  it('the admin adds an urgency cue (a one-character cue is refused) and a text with it now tests 特急', async () => {
    const panel = page().getByRole('tabpanel', { name: '类别与关键词' });
    const TEXT = '原料供应商卡脖子，订单交付受到影响';
    /** Tests TEXT and waits for this test's answer to show the expected urgency. */
    const test = async (urgency: string) => {
      await panel.getByLabel('问题描述').fill(TEXT);
      const answered = page().waitForResponse((r) => r.url().endsWith('/api/classify'));
      await panel.getByRole('button', { name: '测试', exact: true }).click();
      await answered;
      const result = page().getByTestId('classify-test-result');
      await result.getByText(urgency).first().waitFor();
      return result;
    };
    await test('一般');

    const field = panel.getByLabel('停产停工的提示词');
    expect(await field.inputValue()).to.contain('停产');
    await field.fill(`${await field.inputValue()}、停`);
    await panel.getByRole('button', { name: '保存提示词' }).click();
    expect(await panel.getByRole('alert').first().textContent()).to.contain(
      '「停产停工」每个提示词至少2个字',
    );
    await field.fill(`${(await field.inputValue()).replace(/、停$/, '')}、卡脖子`);
    await panel.getByRole('button', { name: '保存提示词' }).click();
    await page().getByText('紧急程度提示词已保存').waitFor();
    await panel.getByRole('button', { name: '停产停工恢复默认提示词' }).waitFor();
    const settings = await t.apiAs('admin', 'GET', '/api/settings');
    const stored = settings.items.find((s: { key: string }) => s.key === 'classify.urgencyCues');
    expect(Object.keys(stored.value)).to.deep.equal(['stoppage']);
    expect(stored.value.stoppage).to.include('卡脖子');

    const result = await test('特急');
    expect(await result.textContent()).to.contain('卡脖子（停产停工）');
    await expectAccessible();
    await snap(page(), '36-urgency-cues');

    await panel.getByRole('button', { name: '停产停工恢复默认提示词' }).click();
    const saved = page().waitForResponse((r) => r.url().endsWith('/api/settings/classify.urgencyCues'));
    await panel.getByRole('button', { name: '保存提示词' }).click();
    expect((await saved).status()).to.equal(200);
    const settled = await t.apiAs('admin', 'GET', '/api/settings');
    expect(settled.items.find((x: { key: string }) => x.key === 'classify.urgencyCues').value).to.deep.equal(
      {},
    );
    expect(await (await test('一般')).textContent()).not.to.contain('卡脖子');
  });
  it("a supervisor starts at 督查工作台: the city's issues under 督办, under 通报 and overdue; 督办 adds one", async () => {
    const unit = t.seed.units.find((u) => u.code === UNIT)!;
    const ents = t.seed.enterprises.filter((e) => e.region === 'deqing');
    // Two months ago, so that this month's KPIs (the leader's tests) stay as they were.
    const createdAt = new Date(t.clock.now().getTime() - 60 * 86_400_000).toISOString();
    const doc = (title: string, extra: Record<string, unknown>) =>
      fixtureIssueDoc({
        unit,
        ent: ents[0],
        createdAt,
        state: 'in_progress',
        category: 'land',
        title,
        ...extra,
      });
    const flagged = [
      doc('督查样例：已通报', { warning: 'overdue', supervised: true, bulletined: true }),
      // More than a page of them.
      ...Array.from({ length: 21 }, (_, n) =>
        doc(`督查样例：已督办 ${n}`, { warning: 'red', supervised: true }),
      ),
      // Replied late: its light stays, its handling is over.
      doc('督查样例：已答复', { state: 'awaiting_rating', warning: 'overdue', supervised: true }),
    ];
    await t.models.Issue.collection.insertMany(flagged);
    const waiting = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise: { creditCode: ents[1].creditCode },
      channel: 'hotline12345',
      category: 'land',
      urgency: 'normal',
      title: '督查样例：待督办',
      content: '新建厂房验收迟迟未办理，影响投产',
    });
    const counts = async () =>
      Object.fromEntries(
        (await t.apiAs('supervisor', 'GET', '/api/workbench')).queues.map(
          (q: { id: string; count: number }) => [q.id, q.count],
        ),
      );
    const before = await counts();

    await fresh('supervisor');
    await page().getByRole('heading', { name: '督查工作台' }).waitFor();
    const list = page().getByRole('region', { name: '督办中' });
    await list.getByText('督查样例：已通报').waitFor();
    await list.getByText('督查样例：已督办 0', { exact: true }).waitFor();
    // The tile counts them all; the list says how many of them it shows until 加载更多 brings the rest.
    await list.getByText(`已显示 20 / ${before.supervised} 件`).waitFor();
    await list.getByRole('button', { name: '加载更多' }).click();
    await list.getByText(`${Math.min(before.supervised, 40)} 件`, { exact: true }).waitFor();
    expect(await list.textContent()).not.to.contain('督查样例：已答复');
    const tile = (label: string) => page().getByRole('tab', { name: label });
    expect(await tile('督办中').textContent()).to.equal(`${before.supervised}督办中`);
    expect(await tile('全市超期').getAttribute('class')).to.contain('alarm');
    await expectAccessible();
    await snap(page(), '37-supervision');

    await tile('已通报').click();
    const bulletins = page().getByRole('region', { name: '已通报' });
    // Its own rows, loaded (the heading changes at the click).
    await bulletins.getByText(`${before.bulletined} 件`, { exact: true }).waitFor();
    await bulletins.getByText('督查样例：已通报').waitFor();
    expect(await bulletins.textContent()).not.to.contain('督查样例：已督办 ');

    // 督办 from the issue's page: the issue joins 督办中.
    await page().goto(`${t.baseUrl}/issues/${waiting.id}`);
    const actions = page().getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '督办', exact: true }).click();
    await page().getByLabel('督办要求（随督办告知承办单位）').fill('请三个工作日内办结并回复企业');
    await actions.getByRole('button', { name: '确认督办' }).click();
    await page().getByText('「督办」已完成').first().waitFor();
    await page().getByRole('link', { name: '工作台' }).click();
    await page().getByRole('region', { name: '督办中' }).getByText('督查样例：待督办').waitFor();
    expect((await counts()).supervised).to.equal(before.supervised + 1);

    // A handler's link to 待签收 opens the supervisor's first queue, not an error.
    await page().goto(`${t.baseUrl}/workbench?queue=toSign`);
    await page().getByRole('region', { name: '督办中' }).getByText('督查样例：待督办').waitFor();
    // (Within the screen: a notification's toast would be an alert of the page, not of the workbench.)
    expect(await page().locator('.workbench [role=alert]').count()).to.equal(0);
  });
});
