// The staff workbench in real Chromium: the web app is built with Vite into a temporary directory, served by
// createApp over the in-memory embedded database with the demo seed, and driven the way staff use it — the
// dispatcher takes an issue in and dispatches it, the unit's handler signs and replies, the dispatcher verifies
// and records the enterprise's rating — asserting what a user sees at each step.
//
// Set E2E_SCREENSHOTS=/some/dir to keep a screenshot of every screen.
import { expect } from 'chai';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { build } from 'vite';
import { createSimulatedClock, MINUTE_MS, type SimulatedClock } from '../../shared/clock.ts';
import { createApp } from '../../server/app.ts';
import { createModels, ensureIndexes } from '../../server/models/index.ts';
import { DEMO_PASSWORD, seedDemo, type SeedSummary } from '../../server/seed/index.ts';
import { demoNameOf, openTestDatabase, TEST_HASH, TEST_START, testConfig } from '../api/helpers.ts';

const WEB_ROOT = fileURLToPath(new URL('../../web', import.meta.url));
const UNIT_CODE = 'city-econ';
const TITLE = '企业反映有关事项需协调办理';

describe('staff workbench (e2e, Chromium)', function () {
  this.timeout(60_000);
  const shots = process.env.E2E_SCREENSHOTS;
  let distDir: string;
  let conn: Connection;
  let clock: SimulatedClock;
  let seed: SeedSummary;
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    distDir = await mkdtemp(path.join(tmpdir(), 'eil-web-'));
    await build({
      root: WEB_ROOT,
      configFile: path.join(WEB_ROOT, 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir: distDir, emptyOutDir: true },
    });
    conn = await openTestDatabase();
    clock = createSimulatedClock(TEST_START);
    const models = createModels(conn, clock);
    await ensureIndexes(models);
    seed = await seedDemo(models, clock, { hashParams: TEST_HASH });
    const app = createApp({
      config: testConfig(),
      conn,
      clock,
      logger: pino({ level: 'silent' }),
      models,
      webDist: distDir,
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    if (shots) await mkdir(shots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    if (server) await new Promise((resolve) => server.close(resolve));
    if (conn) {
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
    }
    if (distDir) await rm(distDir, { recursive: true, force: true });
  });

  const snap = async (name: string) => {
    if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  };
  const unit = () => {
    const u = seed.units.find((x) => x.code === UNIT_CODE);
    if (!u) throw new Error(`no seeded unit ${UNIT_CODE}`);
    return u;
  };
  const timeline = () => page.getByRole('list', { name: '办理过程' });
  const stateInFacts = () => page.getByRole('region', { name: '工单信息' }).locator('dd').first();

  async function login(username: string, password = DEMO_PASSWORD) {
    await page.goto(baseUrl + '/');
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
  }
  async function logout() {
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
  }
  const actionButton = (name: string) =>
    page.getByRole('region', { name: '可执行操作' }).getByRole('button', { name, exact: true });
  async function act(button: string, fill?: () => Promise<void>) {
    clock.advance(30 * MINUTE_MS);
    await actionButton(button).click();
    await fill?.();
    await page.getByRole('button', { name: `确认${button}` }).click();
    await page.getByText(`「${button}」已完成`).waitFor();
  }
  const issueIdFromUrl = () => /#\/issues\/([0-9a-f]{24})/.exec(page.url())?.[1] ?? '';
  /** A request as another staff member, outside the browser. */
  async function apiAs(username: string, method: string, urlPath: string, body: unknown) {
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(baseUrl + urlPath, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).to.equal(200);
  }
  async function openIssueFromList() {
    await page.getByRole('searchbox', { name: '搜索' }).fill(TITLE);
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByRole('link', { name: TITLE }).click();
    await page.getByRole('heading', { name: TITLE }).waitFor();
  }

  it('shows the server’s message for a wrong password, then signs the dispatcher in', async () => {
    await login('dispatcher', 'wrong-password');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).to.match(/用户名或密码/);
    await snap('01-login-error');
    await login('dispatcher');
    await page.getByRole('heading', { name: '工单列表' }).waitFor();
    const who = await page.getByTestId('current-user').textContent();
    expect(who).to.contain('陈志强').and.contain('分办员');
  });

  it('lists the seeded issues with warning lights and China-time deadlines; 加载更多, filter and sort', async () => {
    const rows = page.locator('table.issues tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).to.equal(20);
    expect(await page.locator('table.issues').textContent()).to.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    await snap('02-list');
    await page.getByRole('button', { name: '加载更多' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.issues tbody tr').length > 20);
    await page.getByLabel('状态').selectOption({ label: '已办结' });
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('table.issues tbody tr')).every((tr) =>
        tr.textContent?.includes('已办结'),
      ),
    );
    await page.getByLabel('排序').selectOption({ label: '时限最近' });
    await page.waitForFunction(() => {
      const dues = Array.from(document.querySelectorAll('table.issues td.due')).map(
        (td) => td.textContent?.trim() ?? '',
      );
      return dues.length > 1 && dues.every((d, i) => i === 0 || dues[i - 1] <= d);
    });
    await page.getByRole('button', { name: '重置' }).click();
  });

  it('takes in a new issue for a seeded enterprise, with a classification hint while typing', async () => {
    const enterprise = seed.enterprises[0];
    await page.getByRole('link', { name: '新建工单' }).click();
    await page.getByRole('heading', { name: '新建工单' }).waitFor();
    await page.getByLabel('查找企业').fill(enterprise.name.slice(0, 4));
    await page
      .getByRole('button', { name: new RegExp(enterprise.name) })
      .first()
      .click();
    expect(await page.getByTestId('chosen-enterprise').textContent()).to.contain(enterprise.creditCode);
    await page.getByLabel('问题内容').fill('新建厂房验收迟迟未办理，不动产权证无法办理');
    await page.getByText('智能分类建议').waitFor();
    expect(await page.getByRole('status').textContent()).to.contain('用地厂房');
    await snap('03-create');
    // Neutral wording, so intake cannot auto-dispatch and the dispatcher decides.
    await page.getByLabel('问题内容').fill('企业希望有关部门尽快联系，协调解决生产经营中遇到的具体困难。');
    await page.getByLabel('标题').fill(TITLE);
    await page.getByRole('button', { name: '提交工单' }).click();
    await page.getByRole('heading', { name: TITLE }).waitFor();
    expect(await stateInFacts().textContent()).to.contain('待受理');
    expect(await timeline().textContent()).to.contain('受理登记');
    await snap('04-detail-received');
  });

  it('dispatches it to a unit, offering only the dispatcher’s actions', async () => {
    const actions = page.getByRole('region', { name: '可执行操作' });
    expect(await actions.getByRole('button', { name: '签收' }).count()).to.equal(0);
    await act('分办', async () => {
      await page.getByLabel('承办单位', { exact: true }).selectOption({ label: unit().name });
      await snap('05-dispatch-form');
    });
    expect(await stateInFacts().textContent()).to.contain('待签收');
    const text = await timeline().textContent();
    expect(text).to.contain('分办').and.contain('陈志强（分办员）').and.contain(unit().name);
    await logout();
  });

  it('lets the unit’s handler find it, sign for it (after a conflict) and reply', async () => {
    await login(`handler-${UNIT_CODE}`);
    await page.getByRole('link', { name: TITLE }).waitFor();
    await snap('06-handler-list');
    await page.getByRole('link', { name: TITLE }).click();
    const actions = page.getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '签收' }).waitFor();
    expect(await actions.getByRole('button', { name: '分办' }).count()).to.equal(0);
    // Someone else writes to the issue while the handler has it open: the first attempt meets a conflict,
    // the screen reloads the latest version, and signing again succeeds.
    await actionButton('签收').click();
    await apiAs('dispatcher', 'POST', `/api/issues/${issueIdFromUrl()}/actions/note`, {
      text: '已电话提醒承办单位尽快签收',
      public: false,
    });
    await page.getByRole('button', { name: '确认签收' }).click();
    expect(await page.getByRole('alert').textContent()).to.contain('已载入最新数据');
    await timeline().getByText('已电话提醒承办单位尽快签收').waitFor();
    await page.getByRole('button', { name: '确认签收' }).click();
    await page.getByText('「签收」已完成').waitFor();
    expect(await stateInFacts().textContent()).to.contain('办理中');
    // A refused action shows the server's message and changes nothing.
    await actionButton('申请延期').click();
    await page.getByLabel('延期工作日数').fill('99');
    await page.getByLabel('延期理由').fill('需要等待企业补充材料');
    await page.getByRole('button', { name: '确认申请延期' }).click();
    expect(await page.getByRole('alert').textContent()).to.contain('不能超过30');
    await snap('06b-action-refused');
    await page.getByRole('button', { name: '取消' }).click();
    expect(await stateInFacts().textContent()).to.contain('办理中');
    await act('回单', () =>
      page.getByLabel('答复内容').fill('已电话联系企业，协调相关科室现场办理，问题已解决。'),
    );
    expect(await stateInFacts().textContent()).to.contain('待审核');
    const text = await timeline().textContent();
    expect(text)
      .to.contain('签收')
      .and.contain('回单')
      .and.contain(`${demoNameOf(`handler-${UNIT_CODE}`)}（经办人）`);
    await snap('07-handler-replied');
    await logout();
  });

  it('lets the dispatcher verify the reply and record a good rating, closing the loop', async () => {
    await login('dispatcher');
    await page.getByRole('heading', { name: '工单列表' }).waitFor();
    await openIssueFromList();
    await act('审核通过');
    expect(await stateInFacts().textContent()).to.contain('待评价');
    await act('评价', async () => {
      await page.getByLabel('评价结果').selectOption({ label: '好评' });
      await page.getByLabel('评价等级（可选）').selectOption({ label: '满意' });
    });
    expect(await stateInFacts().textContent()).to.contain('已办结');
    const steps = await timeline().locator('.what').allTextContents();
    expect(steps).to.deep.equal(['受理登记', '分办', '办理进展', '签收', '回单', '审核通过', '评价']);
    expect(await timeline().textContent())
      .to.contain('公开')
      .and.contain('内部');
    await snap('08-detail-closed');
  });

  it('stays usable on a tablet in portrait', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.getByRole('link', { name: '工单列表', exact: true }).click();
    await page.getByRole('heading', { name: '工单列表' }).waitFor();
    await page.locator('table.issues tbody tr').first().waitFor();
    await snap('09-tablet-list');
    await openIssueFromList();
    await snap('10-tablet-detail');
    expect(await page.getByRole('button', { name: '退出' }).isVisible()).to.equal(true);
  });
});
