// What a new user's trial found missing, in real Chromium with the browser's clock at the server's simulated
// time: the 受理分办台 cards say how long each issue has waited (已等待 2 天 3 小时) with its light and the triage
// countdown (超时 / 剩), and a reply waiting for verification says how long since it came; the leader's 本月
// reads 较上月同期 with the stretch of last month it is compared with; 通知发送 pages by cursor with Element
// Plus's pager and finds rows by status, issue number and recipient. axe-core on each screen.
//
// Set E2E_SCREENSHOTS=/some/dir to keep the screenshots.
import { expect } from 'chai';
import { Types } from 'mongoose';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { DAY_MS, HOUR_MS } from '../../shared/clock.ts';
import { axeFindings, choose, login, snap, useStaffApp } from './staff-app.harness.ts';

const NEUTRAL = '企业希望有关部门尽快联系，协调解决生产经营中遇到的具体困难。';
const OLD = '企业反映的事项一直无人受理';
const NEW = '企业刚刚反映的事项等待分办';
const REPLIED = '企业反映的事项已答复待审核';

describe('staff app: queue waiting times, like-for-like comparison, outbox pages (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  const page = () => session!.page;

  /** A fresh browser whose clock reads the server's simulated time, signed in as `username`. */
  async function fresh(username: string) {
    await session?.context.close();
    session = await t.open();
    await session.context.clock.setFixedTime(t.clock.now());
    await login(page(), t.baseUrl, username);
  }
  async function expectAccessible() {
    expect(await axeFindings(page())).to.deep.equal([]);
  }
  async function received(title: string) {
    const issue = await t.apiAs('clerk', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises[0]!.creditCode },
      channel: 'window',
      title,
      content: NEUTRAL,
      // 紧急: dispatched within 4 working hours (DEFAULT_TRIAGE_POLICY), yellow after two thirds of them.
      urgency: 'urgent',
    });
    expect(issue.state).to.equal('received');
    return issue as { id: string; number: string };
  }

  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await page().screenshot({ path: `${dir}/failed-trial.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  it('the desk cards say how long each issue has waited, with its light and the triage countdown', async () => {
    const unit = t.seed.units.find((u) => u.code === 'city-econ')!;
    await received(OLD);
    const replied = await received(REPLIED);
    await t.apiAs('dispatcher', 'POST', `/api/issues/${replied.id}/actions/dispatch`, {
      unitId: String(unit._id),
    });
    await t.apiAs('handler-city-econ', 'POST', `/api/issues/${replied.id}/actions/sign`, {});
    await t.apiAs('handler-city-econ', 'POST', `/api/issues/${replied.id}/actions/reply`, {
      text: '已联系企业并协调解决。',
    });
    t.clock.advance(2 * DAY_MS);
    await received(NEW);
    t.clock.advance(3 * HOUR_MS);

    await fresh('dispatcher');
    const card = (title: string): Locator => page().getByRole('listitem', { name: title });
    await card(OLD).waitFor();
    // Waiting two days: past its 4-working-hour triage limit (14:30 that Monday) and the working day after.
    expect(await card(OLD).getByTestId('waited').textContent()).to.equal('已等待 2 天 3 小时');
    const oldChip = card(OLD).locator('.chip');
    expect(await oldChip.getAttribute('data-level')).to.equal('overdue');
    expect(await oldChip.textContent()).to.contain('超时');
    expect(await card(OLD).getByTestId('queue-timing').textContent()).to.contain('已超期');
    // Three hours in (09:00 to 12:00): past two thirds of its working hours, so yellow, due at 14:30.
    expect(await card(NEW).getByTestId('waited').textContent()).to.equal('已等待 3 小时');
    const newChip = card(NEW).locator('.chip');
    expect(await newChip.getAttribute('data-level')).to.equal('yellow');
    expect(await newChip.textContent()).to.contain('剩 2小时30分');
    const timing = await card(NEW).getByTestId('queue-timing').textContent();
    expect(timing).to.contain('黄灯预警');
    expect(timing).to.contain('分办时限');
    await expectAccessible();
    await snap(page(), '40-desk-triage-waiting');

    await page()
      .getByRole('tab', { name: /待审核/ })
      .first()
      .click();
    const reply = page().locator('li.item').filter({ hasText: REPLIED });
    await reply.waitFor();
    expect(await reply.getByTestId('waited').textContent()).to.equal('答复已等待 2 天 3 小时');
    await expectAccessible();
    await snap(page(), '41-desk-verify-waiting', false);
  });

  it('a clerk starts a new issue from the desk (新建工单), not only from 工单查询', async () => {
    await fresh('clerk');
    await page().getByRole('heading', { name: '受理分办台' }).waitFor();
    await page().getByRole('button', { name: '新建工单' }).click();
    await page().waitForURL((u) => u.pathname === '/issues/new');
  });

  it('本月 is compared with last month up to the same day and time, and says so', async () => {
    await fresh('leader');
    await page().getByRole('heading', { name: '领导驾驶舱' }).waitFor();
    const comparison = page().getByTestId('comparison');
    await comparison.waitFor();
    // The browser and the server both read Wednesday 4 March 2026, 12:00.
    expect((await comparison.textContent())?.replace(/\s+/g, ' ').trim()).to.equal(
      '· 较上月同期（2026-02-01 至 2026-02-04 12:00）',
    );
    // The month so far (至今), against the same stretch of February.
    expect(await page().locator('p.period').textContent()).to.contain('统计区间 2026-03-01 至今');
    expect(await page().locator('[data-kpi="received"] .trend').textContent()).to.match(/^上月同期 \d+$/);
    await expectAccessible();
    await snap(page(), '42-dashboard-like-for-like');
    await page().locator('label.el-radio-button', { hasText: '本季度' }).click();
    await page().waitForFunction(() =>
      document.querySelector('[data-testid="comparison"]')?.textContent?.includes('较上季度同期'),
    );
    expect(await comparison.textContent()).to.contain('2025-10-01 至 2025-12-04 12:00');
    // The period is in the address: a reload (or Back from a drill-down) shows the quarter again.
    expect(new URL(page().url()).searchParams.get('period')).to.equal('quarter');
    await page().reload();
    await page().waitForFunction(() =>
      document.querySelector('[data-testid="comparison"]')?.textContent?.includes('较上季度同期'),
    );
  });

  it('通知发送 pages with the pager and finds rows by status, issue number and recipient', async () => {
    const [one, two] = [await received('通知测试工单一'), await received('通知测试工单二')];
    const ent = t.seed.enterprises[0]!;
    const who = ['张明', '李华', ent.name];
    const base = t.clock.now().getTime();
    const rows = Array.from({ length: 45 }, (_, i) => ({
      _id: new Types.ObjectId(),
      key: `e2e:${i}`,
      event: i % 3 === 2 ? 'enterprise_received' : 'issue_assigned',
      channel: i % 3 === 2 ? 'sms' : 'inapp',
      recipient:
        i % 3 === 2
          ? { kind: 'enterprise', id: String(ent._id), name: who[2], address: '13812345678' }
          : { kind: 'user', id: `u${i % 3}`, name: who[i % 3], address: null },
      // The issue number search goes by the issue's id, as the notifier writes both.
      issueId: new Types.ObjectId(i < 6 ? one.id : two.id),
      issueNumber: i < 6 ? one.number : two.number,
      title: '通知',
      text: '内容',
      status: i % 4 === 0 ? 'dead' : 'sent',
      attempts: 1,
      nextAttemptAt: new Date(base),
      lockedUntil: null,
      lastError: i % 4 === 0 ? '短信网关不可用' : null,
      providerId: null,
      createdAt: new Date(base - i * 60_000),
      sentAt: null,
    }));
    await t.models.Outbox.collection.deleteMany({});
    await t.models.Outbox.collection.insertMany(rows as never);

    await fresh('admin');
    await page().goto(`${t.baseUrl}/admin/outbox`);
    const panel = page().getByRole('tabpanel', { name: '通知发送' });
    const bodyRows = panel.locator('.el-table__body tr');
    const pager = panel.locator('.el-pagination');
    await bodyRows.first().waitFor();
    expect(await bodyRows.count()).to.equal(20);
    const pages = async () => (await pager.locator('.el-pager li').allTextContents()).map((s) => s.trim());
    expect(await pages()).to.deep.equal(['1', '2']);
    const firstPage = await bodyRows.first().textContent();
    await pager.getByRole('button', { name: /下一页/ }).click();
    await page().waitForFunction(() => document.querySelectorAll('.el-pager li').length === 3);
    expect(await bodyRows.count()).to.equal(20);
    expect(await bodyRows.first().textContent()).to.not.equal(firstPage);
    await pager.locator('.el-pager li', { hasText: '3' }).click();
    await page().waitForFunction(() => document.querySelectorAll('.el-table__body tr').length === 5);
    await expectAccessible();
    await snap(page(), '43-outbox-page-3');

    await choose(page(), '发送状态', '发送失败', panel);
    await page().waitForFunction(() => document.querySelectorAll('.el-table__body tr').length === 12);
    expect(await panel.locator('.el-table__body .el-tag').allTextContents()).to.satisfy((tags: string[]) =>
      tags.every((s) => s.trim() === '发送失败'),
    );
    expect(await pages()).to.deep.equal(['1']);

    await panel.getByRole('textbox', { name: '工单编号或接收方' }).fill(one.number);
    await panel.getByRole('button', { name: '搜索' }).click();
    // Rows 0–5 are the old issue's; of them 0 and 4 failed.
    await page().waitForFunction(() => document.querySelectorAll('.el-table__body tr').length === 2);
    await snap(page(), '44-outbox-search', false);

    await choose(page(), '发送状态', '全部状态', panel);
    await panel.getByRole('textbox', { name: '工单编号或接收方' }).fill('');
    await panel.getByRole('button', { name: '搜索' }).click();
    await page().waitForFunction(() => document.querySelectorAll('.el-table__body tr').length === 20);
    // A recipient's name in a row finds all of theirs.
    await panel.getByRole('button', { name: '李华' }).first().click();
    await page().waitForFunction(() => document.querySelectorAll('.el-table__body tr').length === 15);
    expect(await panel.getByRole('textbox', { name: '工单编号或接收方' }).inputValue()).to.equal('李华');
    await expectAccessible();
    await snap(page(), '45-outbox-recipient', false);
  });
});
