// What a new user found missing or awkward, in real Chromium: 工作日历 shows the year itself (holidays and 调休
// working days by festival with their source, month grids marking 休/班, an admin's change drawn at once), 分办规则
// says which rule wins and where an issue goes when none matches (and the default units it lists are the ones
// intake really uses), and on a phone the top bar is one row: the name shortens and the screens scroll sideways,
// each still a link reached by Tab. Screenshots at 1280 and 390 with E2E_SCREENSHOTS=/some/dir.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { axeFindings, login, PHONE, snap, useStaffApp } from './staff-app.harness.ts';

const WIDE = { width: 1280, height: 900 } as const;

describe('staff app: the calendar year, routing explained, a one-row header on a phone (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  const page = () => session!.page;

  async function fresh(
    username: string,
    viewport: { width: number; height: number } = WIDE,
    password?: string,
  ) {
    await session?.context.close();
    session = await t.open(viewport);
    await login(page(), t.baseUrl, username, password);
  }
  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await page().screenshot({ path: `${dir}/failed-first-use.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  it('工作日历 shows 2026 by festival with its source and marks 休/班; a new override appears at once', async () => {
    await fresh('admin');
    await page().goto(`${t.baseUrl}/admin/calendar`);
    const year = page().getByTestId('calendar-year');
    const festival = (title: string) =>
      year
        .getByTestId('festival')
        .filter({ has: page().locator('.title', { hasText: new RegExp(`^${title}$`) }) });
    const spring = festival('春节');
    await spring.waitFor();
    // The app's clock is in March 2026: the view opens on 2026.
    expect(await page().getByLabel('查看年份').inputValue()).to.equal('2026年');
    expect(await year.textContent()).to.contain('2026 年完全按国务院公布的放假安排');
    expect(await page().getByTestId('calendar-year-totals').innerText()).to.match(
      /全年工作日 \d+ 天，休息日 \d+ 天；其中节假日（休）\d+ 天，调休上班（班）6 天/,
    );
    const springText = await spring.innerText();
    expect(springText).to.contain('2月15日—2月23日（9天）');
    expect(springText).to.contain('2月14日（周六）');
    expect(springText).to.contain('2月28日（周六）');
    expect(springText).to.contain('国务院安排');
    // In the order they fall: 中秋 (from 25 Sep) before 国庆节 (from 1 Oct, though its first 班 is 20 Sep).
    expect(await year.locator('[data-testid="festival"] .title').allInnerTexts()).to.deep.equal([
      '元旦',
      '春节',
      '清明',
      '劳动节',
      '端午',
      '中秋',
      '国庆节',
    ]);
    // The month grid: 14 Feb is a 班, 15 Feb a 休, each told to a screen reader in words.
    const cell = (date: string) => year.locator(`td[data-date="${date}"]`);
    expect(await cell('2026-02-14').innerText()).to.contain('班');
    expect(await cell('2026-02-15').innerText()).to.contain('休');
    expect(await cell('2026-02-14').textContent()).to.contain('2月14日 周六 调休上班（国务院安排：春节）');
    expect(await cell('2026-03-02').textContent()).to.contain('今天');
    expect(await axeFindings(page())).to.deep.equal([]);
    await snap(page(), 'first-use-calendar-year');

    // An override made below is in the year at once, as 本地调整 with its note.
    await page().getByLabel('调整日期').fill('2026-03-06');
    await page().getByLabel('调整日期').press('Enter');
    await page().getByLabel('说明').fill('防汛停工');
    await page().getByRole('button', { name: '添加调整' }).click();
    const march = festival('3月');
    await march.waitFor();
    expect(await march.innerText())
      .to.contain('3月6日（周五）')
      .and.contain('防汛停工')
      .and.contain('本地调整');
    expect(await cell('2026-03-06').innerText()).to.contain('休');
    expect(await cell('2026-03-06').getAttribute('class')).to.contain('local');
    await snap(page(), 'first-use-calendar-local');

    // A year the package lacks says it counts Monday to Friday.
    await page().getByRole('button', { name: '下一年' }).click();
    await year.getByText('没有 2027 年的放假安排数据').waitFor();
    expect(await page().getByLabel('查看年份').inputValue()).to.equal('2027年');
    await page().getByRole('button', { name: '上一年' }).click();
    await march.waitFor();
    await t.apiAs('admin', 'DELETE', '/api/calendar/overrides/2026-03-06');
  });

  it('分办规则 says which rule wins and where an issue goes when none matches, as intake really does', async () => {
    await fresh('admin');
    await page().goto(`${t.baseUrl}/admin/rules`);
    const how = page().getByTestId('routing-how');
    await how.waitFor();
    const text = await how.innerText();
    expect(text).to.contain('优先级数字大的优先');
    expect(text).to.contain('指定区域的优先于全市规则');
    expect(text).to.contain('没有匹配时');
    expect(text).to.contain('工单留在「待受理」，由分办员人工分办');
    await how.getByRole('button', { name: '默认规则：没有匹配时各类别交给谁（12 类）' }).click();
    const land = how.getByRole('row', { name: /^用地厂房/ });
    const policy = how.getByRole('row', { name: /^政策兑现/ });
    await land.waitFor();
    expect(await land.innerText())
      .to.contain('企业所在区县的企业综合服务中心')
      .and.contain('市自然资源和规划局');
    expect(await policy.innerText()).to.contain('市经济和信息化局');
    expect(await axeFindings(page())).to.deep.equal([]);
    await snap(page(), 'first-use-routing');

    // With no rules, intake sends a 吴兴区 enterprise's 用地厂房 issue to 吴兴区's centre and its 政策兑现 one to
    // 市经济和信息化局, exactly as listed.
    const rules = await t.apiAs('admin', 'GET', '/api/routing-rules');
    expect(rules.items).to.deep.equal([]);
    const [first, second] = t.seed.enterprises.filter((e) => e.region === 'wuxing');
    const unitNameOf = (id: string) => t.seed.units.find((u) => String(u._id) === id)?.name;
    const create = (enterpriseId: string, category: string) =>
      t.apiAs('clerk', 'POST', '/api/issues', {
        enterprise: { id: String(enterpriseId) },
        channel: 'window',
        content: '企业反映的问题，用于核对默认分办是否与说明一致。',
        category,
        urgency: 'normal',
      });
    expect(unitNameOf((await create(String(first._id), 'land')).unitId)).to.equal('吴兴区企业综合服务中心');
    expect(unitNameOf((await create(String(second._id), 'policy')).unitId)).to.equal('市经济和信息化局');
  });

  it('on a phone the header is one row; its screens scroll sideways, each a link reached by Tab', async () => {
    // The director has the most screens (受理分办, 驾驶舱, 工单查询, 类问题, 企业管理).
    await fresh('director', PHONE);
    await page().getByRole('heading', { name: '受理分办台' }).waitFor();
    const header = page().locator('header.app-header');
    expect((await header.boundingBox())!.height, 'one row of header').to.be.at.most(60);
    expect(await page().evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(PHONE.width);
    // The seal (named for the home page), the bell, the shortened name and 退出 are on the row, in view.
    for (const item of [
      page().getByRole('link', { name: '涉企问题闭环' }),
      page().getByTestId('bell'),
      page().getByTestId('current-user'),
      page().getByRole('button', { name: '退出' }),
    ]) {
      const box = (await item.boundingBox())!;
      expect(box.x + box.width).to.be.at.most(PHONE.width);
      expect(box.y + box.height).to.be.at.most(60);
    }
    expect(await page().getByTestId('current-user').textContent()).to.contain('沈建华');

    // Every screen is a link, in order, the current one marked and in view; the hidden end fades.
    const nav = page().getByRole('navigation', { name: '主导航' });
    expect(await nav.getByRole('link').allInnerTexts()).to.deep.equal([
      '受理分办',
      '驾驶舱',
      '工单查询',
      '类问题',
      '企业管理',
    ]);
    const inView = async (name: string) => {
      const [link, strip] = [
        (await nav.getByRole('link', { name }).boundingBox())!,
        (await nav.boundingBox())!,
      ];
      return link.x >= strip.x - 1 && link.x + link.width <= strip.x + strip.width + 1;
    };
    expect(await nav.locator('[aria-current="page"]').innerText()).to.equal('受理分办');
    expect(await inView('受理分办')).to.equal(true);
    expect(await inView('企业管理')).to.equal(false);
    expect(await nav.getAttribute('class')).to.contain('more-after');
    expect(await axeFindings(page())).to.deep.equal([]);
    await snap(page(), 'first-use-header-phone', false);

    // Keyboard: Tab from the seal walks the links, each scrolled into view as it takes focus.
    await page().getByRole('link', { name: '涉企问题闭环' }).focus();
    for (const name of ['受理分办', '驾驶舱', '工单查询', '类问题', '企业管理']) {
      await page().keyboard.press('Tab');
      expect(await page().evaluate(() => document.activeElement?.textContent?.trim())).to.equal(name);
      await page().waitForFunction((label) => {
        const nav = document.querySelector('nav[aria-label="主导航"]')!.getBoundingClientRect();
        const a = Array.from(document.querySelectorAll('nav[aria-label="主导航"] a')).find(
          (el) => el.textContent?.trim() === label,
        )!;
        const box = a.getBoundingClientRect();
        return box.left >= nav.left - 1 && box.right <= nav.right + 1;
      }, name);
    }
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir) await page().screenshot({ path: `${dir}/first-use-header-phone-scrolled.png` });
    // Enter opens the screen; on arriving, its link is the current one and in view.
    await page().keyboard.press('Enter');
    await page().waitForURL((u) => u.pathname === '/enterprises');
    await nav.locator('[aria-current="page"]', { hasText: '企业管理' }).waitFor();
    expect(await inView('企业管理')).to.equal(true);
    expect(await nav.getAttribute('class')).to.contain('more-before');
    // A tap on a screen at the other end goes there too.
    await nav.getByRole('link', { name: '受理分办' }).click();
    await page().getByRole('heading', { name: '受理分办台' }).waitFor();
    expect(await inView('受理分办')).to.equal(true);
  });

  it('the header is one row at every width from a phone to a desktop, for the longest names', async () => {
    // A long name in the unit with the longest name: the name and the unit shorten, nothing wraps.
    const taxOffice = t.seed.units.find((u) => u.code === 'city-tax')!;
    const password = 'Long-name-2026';
    await t.apiAs('admin', 'POST', '/api/users', {
      username: 'long-name',
      name: '欧阳玉兰芳菲',
      password,
      role: 'dispatcher',
      unitId: String(taxOffice._id),
    });
    for (const [who, pass] of [
      ['admin', undefined],
      ['director', undefined],
      ['long-name', password],
    ] as const) {
      await fresh(who, WIDE, pass);
      for (const width of [1280, 1024, 900, 800, 600, 390]) {
        await page().setViewportSize({ width, height: 800 });
        await page().getByTestId('current-user').waitFor();
        const box = (await page().locator('header.app-header').boundingBox())!;
        expect(box.height, `${who} at ${width}px`).to.be.at.most(60);
        const overflow = await page().evaluate(() => document.documentElement.scrollWidth);
        expect(overflow, `${who} at ${width}px`).to.be.at.most(width);
        await snap(page(), `first-use-header-${who}-${width}`, false);
      }
    }
  });
});
