// What each screen must say plainly (a new user's trial misread these), in real Chromium. The dashboard's 超期
// counts only the period's own issues and says so, beside a 当前超期 tile for every open overdue issue; 名次 1 of a 排名 is the best, with the
// laggards first on request; 重新分类 of a 待受理 issue says before saving that it will be dispatched; on a
// phone the volume bars lie down so the unit names do not run into each other; an issue opened from 工作台
// keeps 工作台 highlighted; the plaque shows the link its QR code holds, to copy; the attachments card says
// 加载中 rather than "0 个" while it loads.
import { expect } from 'chai';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { COUNTIES, REGION_LABELS, type RegionCode } from '../../config/units.ts';
import { axeFindings, choose, login, PHONE, useStaffApp } from './staff-app.harness.ts';

const OPEN = 'received,dispatched,in_progress,suspended,consulting,replied,awaiting_rating';

/** A /api/kpis answer with the given on-time rates per unit (the rest filled in). */
function kpiAnswer(rates: [name: string, onTimeRate: number | null][]) {
  const figures = (onTimeRate: number | null, received = 10) => ({
    received,
    closed: 5,
    backlog: 5,
    overdue: 0,
    satisfactionRate: 0.9,
    signTimelyRate: 0.95,
    onTimeRate,
    oneTimeRate: 0.8,
    repeatRate: 0,
    returnRate: 0,
    rectificationRate: null,
  });
  const items = rates.map(([name, rate], i) => ({
    key: `u${i}`.padEnd(24, '0'),
    name,
    ...figures(rate, 10 + i),
  }));
  const totals = { ...figures(0.85, 100), overdue: 0 };
  return { items, totals, previous: { items, totals: { ...totals, overdue: 2 } } };
}

describe('staff app: screens say what they mean (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  afterEach(async () => {
    await session?.context.close();
    session = undefined;
  });

  const unit = () => t.seed.units.find((u) => u.code === 'city-econ')!;
  async function receivedIssue(title = '企业反映的事项等待分办') {
    return t.apiAs('clerk', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises[0]!.creditCode },
      channel: 'window',
      title,
      content: '企业希望有关部门尽快联系，协调解决生产经营中遇到的具体困难。',
      urgency: 'normal',
    });
  }
  async function mockKpis(page: Page, answer: unknown) {
    await page.route(
      (url) => url.pathname === '/api/kpis',
      (route: Route) => route.fulfill({ json: answer }),
    );
  }
  /** The leader's dashboard over these units' on-time rates, and its 部门排名 table. */
  async function ranking(
    viewport: { width: number; height: number } | undefined,
    rates: [name: string, onTimeRate: number | null][],
  ) {
    session = await t.open(viewport);
    const { page } = session;
    await mockKpis(page, kpiAnswer(rates));
    await login(page, t.baseUrl, 'leader');
    await page.goto(`${t.baseUrl}/dashboard`);
    const table = page.getByTestId('kpi-ranking');
    await table.waitFor();
    return { page, table };
  }

  it('驾驶舱: 超期 says it counts the period’s issues; 当前超期 counts every issue not yet answered past its deadline', async () => {
    // Two open issues past their deadlines (the sweep's lights, set directly, moving updatedAt as the sweep does so
    // the KPI rollups count them): one red (the light at the due time), one 已超期 (a working day later). 当前超期 counted the second only, beside a workbench 已超期 of both.
    const late = await receivedIssue('已超期的工单');
    await t.models.Issue.updateOne(
      { _id: late.id },
      { $set: { warning: 'overdue', updatedAt: t.clock.now() } },
    );
    const red = await receivedIssue('红灯的工单');
    await t.models.Issue.updateOne({ _id: red.id }, { $set: { warning: 'red', updatedAt: t.clock.now() } });
    // A third, answered late: its light stays as the record, but it is not overdue now. 当前超期 counted it, so
    // the leader read more than the supervisor's 全市超期 for the same issues.
    const answered = await receivedIssue('已答复的超期工单');
    await t.models.Issue.updateOne(
      { _id: answered.id },
      { $set: { state: 'replied', warning: 'overdue', updatedAt: t.clock.now() } },
    );
    const open = await t.apiAs(
      'leader',
      'GET',
      `/api/issues?scope=kpi&state=${OPEN}&warning=red,overdue&limit=1`,
    );
    expect(open.total).to.equal(3);
    session = await t.open();
    const { page } = session;
    await login(page, t.baseUrl, 'leader');
    // The dashboard asks for the device's month until an answer has told it the server's (the test clock's), then
    // for the server's: the figures to read are that answer's. The answer may be the one the login's own landing
    // on the dashboard got, whose body is gone once the navigation below replaces that page; so the test reads
    // the same question again rather than that body.
    const month = new Date(t.clock.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 7);
    const answeredKpis = page.waitForResponse((r) => {
      const url = new URL(r.url());
      return url.pathname === '/api/kpis' && (url.searchParams.get('from') ?? '').startsWith(month);
    });
    await page.goto(`${t.baseUrl}/dashboard`);
    const asked = new URL((await answeredKpis).url());
    const kpis = (await t.apiAs('leader', 'GET', asked.pathname + asked.search)) as {
      totals: { overdue: number };
    };
    const overdue = page.locator('[data-kpi="overdue"]');
    await overdue.locator('.value', { hasText: String(kpis.totals.overdue) }).waitFor();
    // The period's 超期 goes by the same rule (it counted 已超期 only): its hint says so, and its drill-down
    // lists as many issues as it shows, red ones among them.
    expect(await overdue.innerText()).to.contain('本期受理的事项中已过时限（红灯及已超期）');
    const periodCount = Number(await overdue.locator('.value').innerText());
    expect(periodCount, 'both of this month’s issues past their deadline').to.be.at.least(2);
    await overdue.click();
    await page.waitForURL((u) => u.pathname === '/issues');
    const drilled = new URL(page.url()).searchParams;
    expect(drilled.get('warning')).to.equal('red,overdue');
    const listed = await t.apiAs('leader', 'GET', `/api/issues?${drilled.toString()}&limit=1`);
    expect(listed.total).to.equal(periodCount);
    await page.goto(`${t.baseUrl}/dashboard`);
    const current = page.locator('[data-kpi="currentOverdue"]');
    await current.waitFor();
    expect(await current.innerText()).to.contain('当前超期');
    expect(await current.locator('.value').innerText(), 'the two not yet answered').to.equal('2');
    await current.click();
    await page.waitForURL((u) => u.pathname === '/issues');
    const q = new URL(page.url()).searchParams;
    expect(q.get('warning')).to.equal('red,overdue');
    expect(q.get('from'), 'not only the period’s issues').to.equal(null);
    expect(q.get('state')?.split(','), 'not the answered ones').to.not.include.members(['replied']);
    // The list's filter names the set, not its code.
    await page.getByText('已过时限（红灯及已超期）').first().waitFor();
  });

  it('工单查询: 受理时间 picks whole China days, 承办单位 and 区域 are chosen there, and a drill-down shows its period', async () => {
    const [earlier, later] = ['受理时间较早的工单', '受理时间较晚的工单'];
    await receivedIssue(earlier);
    t.clock.advance(2 * 24 * 3600_000);
    await receivedIssue(later);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(t.clock.now());
    session = await t.open();
    const { page } = session;
    // Searches of the whole page for unnamed picker panels (lib/picker-panels.ts names each as it arrives).
    await page.addInitScript(() => {
      const w = window as unknown as { pageSearches: number };
      w.pageSearches = 0;
      const all = Document.prototype.querySelectorAll;
      Document.prototype.querySelectorAll = function (this: Document, selector: string) {
        if (selector.includes('el-picker__popper')) w.pageSearches += 1;
        return all.call(this, selector);
      } as typeof all;
    });
    const pageSearches = () =>
      page.evaluate(() => (window as unknown as { pageSearches: number }).pageSearches);
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues`);
    const filters = page.getByRole('search', { name: '工单筛选' });
    await page.getByRole('link', { name: '受理时间较早的工单' }).waitFor();
    // The open date panel is a named dialog, not a bare "dialog" (axe: aria-dialog-name).
    await filters.getByPlaceholder('开始日期').click();
    await page.getByRole('dialog', { name: '日期选择' }).waitFor();
    expect(await axeFindings(page)).to.deep.equal([]);
    await filters.getByPlaceholder('开始日期').fill(day);
    await filters.getByPlaceholder('结束日期').fill(day);
    await filters.getByPlaceholder('结束日期').press('Enter');
    await page.waitForURL((u) => u.searchParams.has('from'));
    const q = new URL(page.url()).searchParams;
    // The whole China day, 00:00 to 23:59:59.999 at +08:00, whatever the browser's own time zone.
    expect(new Date(q.get('from')!).getTime()).to.equal(new Date(`${day}T00:00:00+08:00`).getTime());
    expect(new Date(q.get('to')!).getTime()).to.equal(new Date(`${day}T23:59:59.999+08:00`).getTime());
    // The address changes before the list reloads: wait for the earlier issue to leave, then for the later one.
    await page.getByRole('link', { name: earlier }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: later }).waitFor();
    // The screens' own changes (the list loading twice, a panel opening) never send it through the whole page.
    expect(await pageSearches(), 'whole-page searches for picker panels').to.equal(0);
    // The period is the picker's, not a tag beside it.
    expect(await filters.textContent()).to.not.contain('自 ');
    expect(await axeFindings(page)).to.deep.equal([]);

    // 区域 and 承办单位 are chosen here too, not only brought by a drill-down. (区域 first: the units' names
    // hold the regions', and a closing 承办单位 dropdown would still offer them.)
    await page.goto(`${t.baseUrl}/issues`);
    const region = t.seed.enterprises[0]!.region as RegionCode;
    const elsewhere = COUNTIES.find((c) => c.code !== region)!;
    await choose(page, '区域', elsewhere.name);
    await page.waitForURL((u) => u.searchParams.get('region') === elsewhere.code);
    await page.getByRole('link', { name: later }).waitFor({ state: 'detached' });
    await page.getByText('没有符合条件的工单').or(page.locator('table.issues tbody tr').first()).waitFor();
    await choose(page, '区域', REGION_LABELS[region]);
    await page.waitForURL((u) => u.searchParams.get('region') === region);
    await page.getByRole('link', { name: later }).waitFor();
    await choose(page, '承办单位', '未分派');
    await page.waitForURL((u) => u.searchParams.get('unitId') === 'none');
    await page.getByRole('link', { name: later }).waitFor();
    expect(new URL(page.url()).searchParams.get('region')).to.equal(region);

    // A drill-down's exact instants show as their days in the picker and stay as sent until days are picked.
    const from = new Date(`${day}T00:00:00+08:00`).toISOString();
    const to = t.clock.now().toISOString();
    await page.goto(`${t.baseUrl}/issues?from=${from}&to=${to}`);
    await page.getByRole('link', { name: later }).waitFor();
    expect(await filters.getByPlaceholder('开始日期').inputValue()).to.equal(day);
    expect(await filters.getByPlaceholder('结束日期').inputValue()).to.equal(day);
    // Another filter applied with it keeps the period as sent.
    await choose(page, '状态', '待受理');
    await page.waitForURL((u) => u.searchParams.get('state') === 'received');
    expect(new URL(page.url()).searchParams.get('to')).to.equal(to);
    // The dashboard's periods end at the next midnight: the picker shows the day before as the last.
    const nextMidnight = new Date(Date.parse(`${day}T00:00:00+08:00`) + 24 * 3600_000).toISOString();
    await page.goto(`${t.baseUrl}/issues?from=${from}&to=${nextMidnight}`);
    await page.getByRole('link', { name: later }).waitFor();
    expect(await filters.getByPlaceholder('结束日期').inputValue()).to.equal(day);
  });

  it('部门排名: 名次 1 is the best on-time rate; 后进在前 lists the worst first, still numbered from the best', async () => {
    const { page, table } = await ranking(undefined, [
      ['甲局', 0.95],
      ['乙局', 0.762],
      ['丙局', 1],
      ['丁局', null],
    ]);
    const rows = async () =>
      (await table.locator('tbody tr').all()).map(async (r) => [
        await r.locator('td').first().innerText(),
        await r.locator('th').innerText(),
      ]);
    expect(await Promise.all(await rows())).to.deep.equal([
      ['1', '丙局'],
      ['2', '甲局'],
      ['3', '乙局'],
      ['—', '丁局'],
    ]);
    expect(await page.getByTestId('rank-note').innerText()).to.contain('第 1 名按期办结率最高');
    expect(await axeFindings(page)).to.deep.equal([]);
    await page.getByText('后进在前').click();
    expect(await Promise.all(await rows())).to.deep.equal([
      ['3', '乙局'],
      ['2', '甲局'],
      ['1', '丙局'],
      ['—', '丁局'],
    ]);
  });

  it('部门排名 on a phone: the KPI the 名次 stand for is the column next to the name', async () => {
    const { page, table } = await ranking(PHONE, [
      ['甲局', 0.95],
      ['乙局', 0.762],
    ]);
    const heads = async () => (await table.locator('thead th').allInnerTexts()).slice(0, 4);
    // It was the tenth column, past the right edge at 390 px: the 名次 read without their reason.
    expect(await heads()).to.deep.equal(['名次', '部门', '按期办结率', '受理量']);
    const sorted = table.locator('thead th', { hasText: '按期办结率' });
    await sorted.scrollIntoViewIfNeeded();
    const box = (await sorted.boundingBox())!;
    expect(box.x + box.width).to.be.at.most(PHONE.width);
    expect(await table.locator('tbody tr').first().locator('td').nth(1).innerText()).to.equal('95.0%');
    await choose(page, '排名指标', '满意率');
    expect(await heads()).to.deep.equal(['名次', '部门', '满意率', '受理量']);
    expect(await table.locator('thead th').allInnerTexts()).to.include('按期办结率');
    expect(await axeFindings(page)).to.deep.equal([]);
  });

  it('重新分类 of a 待受理 issue says, before saving, that it will be dispatched', async () => {
    const issue = await receivedIssue();
    expect(issue.state).to.equal('received');
    session = await t.open();
    const { page } = session;
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${issue.id}`);
    const actions = page.getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '重新分类', exact: true }).click();
    const notice = page.getByTestId('reclassify-notice');
    await notice.waitFor();
    const text = await notice.innerText();
    expect(text).to.contain('待受理事项重新分类后');
    expect(text).to.contain('待签收');
    expect(await axeFindings(page)).to.deep.equal([]);
  });

  it('on a phone the volume bars lie down, one unit name per line', async () => {
    session = await t.open(PHONE);
    const { page } = session;
    await mockKpis(
      page,
      kpiAnswer(
        [
          '吴兴区企业综合服务中心',
          '国家税务总局湖州市税务局',
          '市发展和改革委员会',
          '市经济和信息化局',
        ].flatMap(
          (n) =>
            [
              [n, 0.9],
              [`${n}二`, 0.8],
            ] as [string, number][],
        ),
      ),
    );
    await login(page, t.baseUrl, 'leader');
    await page.goto(`${t.baseUrl}/dashboard`);
    const box = page.locator('section[aria-labelledby="vol-title"] [data-layout]');
    await box.waitFor();
    expect(await box.getAttribute('data-layout')).to.equal('horizontal');
    // Tall enough for a line per unit (8 of them), not the fixed 320 px the upright bars had.
    const canvas = (await box.boundingBox())!;
    expect(canvas.height).to.be.greaterThan(8 * 36);
  });

  it('on a desktop the volume bars lie down when six long unit names would run into each other', async () => {
    session = await t.open();
    const { page } = session;
    const long = ['国家税务总局湖州市税务局', '吴兴区企业综合服务中心', '长兴县企业综合服务中心'];
    await mockKpis(
      page,
      kpiAnswer([...long, '市交通运输局', '市科学技术局', '市委金融办'].map((n) => [n, 0.9])),
    );
    await login(page, t.baseUrl, 'leader');
    await page.goto(`${t.baseUrl}/dashboard`);
    const box = page.locator('section[aria-labelledby="vol-title"] [data-layout]');
    await box.waitFor();
    // Half the page wide: about 80 px a unit, and 国家税务总局湖州市税务局 needs some 150 under its bars.
    expect((await box.boundingBox())!.width).to.be.below(6 * 150);
    expect(await box.getAttribute('data-layout')).to.equal('horizontal');
    // Short names fit upright: the regions stay standing.
    await page.unroute((url) => url.pathname === '/api/kpis');
    await mockKpis(page, kpiAnswer(['吴兴区', '南浔区', '德清县', '长兴县', '安吉县'].map((n) => [n, 0.9])));
    await page.reload();
    await box.waitFor();
    expect(await box.getAttribute('data-layout')).to.equal('vertical');
  });

  it('an issue opened from 工作台 keeps 工作台 highlighted, not 工单查询', async () => {
    const issue = await receivedIssue('工作台打开的工单');
    await t.apiAs('dispatcher', 'POST', `/api/issues/${issue.id}/actions/dispatch`, {
      unitId: String(unit()._id),
    });
    session = await t.open();
    const { page } = session;
    await login(page, t.baseUrl, 'handler-city-econ');
    await page.goto(`${t.baseUrl}/workbench`);
    await page.getByRole('link', { name: '工作台打开的工单' }).click();
    await page.waitForURL((u) => u.pathname === `/issues/${issue.id}`);
    const nav = page.getByRole('navigation', { name: '主导航' });
    const current = nav.locator('[aria-current="page"]');
    expect(await current.innerText()).to.equal('工作台');
    // Reloaded, the page still knows where it was opened from.
    await page.reload();
    await nav.waitFor();
    expect(await current.innerText()).to.equal('工作台');
  });

  it('码牌 shows the link its QR code holds, and 复制链接 copies it', async () => {
    const e = t.seed.enterprises[0]!;
    const detail = await t.apiAs('clerk', 'GET', `/api/enterprises/${String(e._id)}`);
    expect(detail.qrUrl).to.match(/\/e\//);
    session = await t.open();
    const { page, context } = session;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.baseUrl });
    await login(page, t.baseUrl, 'clerk');
    await page.goto(`${t.baseUrl}/enterprises/${String(e._id)}/plaque`);
    const link = page.getByLabel('企业码链接');
    await link.waitFor();
    expect(await link.inputValue()).to.equal(detail.qrUrl);
    await page.getByRole('main', { name: '企业码牌' }).getByText(e.name).waitFor();
    expect(await axeFindings(page)).to.deep.equal([]);
    await page.getByRole('button', { name: '复制链接' }).click();
    await page.getByText('企业码链接已复制').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(detail.qrUrl);
    // 企业管理: the row's 更多 menu copies it too.
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await page.goto(`${t.baseUrl}/enterprises?q=${encodeURIComponent(e.creditCode)}`);
    await page.getByRole('button', { name: `${e.name}的更多操作` }).click();
    await page.getByRole('menuitem', { name: '复制企业码链接' }).click();
    await page.getByText(`已复制「${e.name}」的企业码链接`).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(detail.qrUrl);
  });

  it('附件 says 加载中 while the list loads, not "0 个"', async () => {
    const issue = await receivedIssue('附件加载中的工单');
    session = await t.open();
    const { page } = session;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => url.pathname.endsWith('/attachments'),
      async (route: Route) => {
        await held;
        await route.continue();
      },
    );
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${issue.id}`);
    const count = page.getByRole('region', { name: '附件', exact: true }).locator('.count');
    await count.waitFor();
    expect(await count.innerText()).to.equal('加载中…');
    release();
    await page.getByText('暂无附件').waitFor();
    expect(await count.innerText()).to.equal('0 个');
  });
});
