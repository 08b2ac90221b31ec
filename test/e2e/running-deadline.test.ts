// The deadline running in each state, in real Chromium with the browser's clock at the server's simulated time
// (a new user's trial found these): the workbench row of an issue waiting to be signed counts down to 签收时限,
// not 办结时限; a 待受理 issue's page shows its running 分办时限 with the light the desk card shows; an overdue
// 差评待核实 card is no longer green; a 待审核 card shows the enterprise's problem above the unit's reply, kept
// to a few lines on a phone. axe-core on each screen.
//
// Set E2E_SCREENSHOTS=/some/dir to keep the screenshots.
import { expect } from 'chai';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { DAY_MS, HOUR_MS } from '../../shared/clock.ts';
import { axeFindings, DESKTOP, login, PHONE, snap, useStaffApp } from './staff-app.harness.ts';

const UNIT = 'anji-centre';
const NEUTRAL = '企业希望有关部门尽快联系，协调解决生产经营中遇到的具体困难。';
const LONG = `${NEUTRAL}厂区道路年久失修，雨天积水严重，货车进出困难，已影响正常交货。`.repeat(4);
const RECEIVED = '企业反映的事项迟迟未分办';
const TO_SIGN = '企业反映的事项等待签收';
const REPLIED = '企业反映的道路问题已答复';
const REPLIED_LATE = '企业反映的用电问题超期后答复';
const BAD = '企业对答复给出差评';
/** An instant as the screens write it (China time). */
const cst = (iso: string) =>
  new Date(new Date(iso).getTime() + 8 * HOUR_MS).toISOString().slice(0, 16).replace('T', ' ');

describe('staff app: the deadline running in each state (e2e)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let session: { context: BrowserContext; page: Page } | undefined;
  const page = () => session!.page;
  const ids: Record<string, string> = {};

  /** A fresh browser whose clock reads the server's simulated time (or `device`), signed in as `username`. */
  async function fresh(username: string, viewport?: { width: number; height: number }, device?: Date) {
    await session?.context.close();
    session = await t.open(viewport);
    await session.context.clock.setFixedTime(device ?? t.clock.now());
    await login(page(), t.baseUrl, username);
  }
  async function expectAccessible() {
    expect(await axeFindings(page())).to.deep.equal([]);
  }
  async function received(title: string, content = NEUTRAL): Promise<string> {
    const issue = await t.apiAs('clerk', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises[0]!.creditCode },
      channel: 'window',
      title,
      content,
      urgency: 'urgent',
    });
    expect(issue.state).to.equal('received');
    return (ids[title] = issue.id);
  }
  const act = (who: string, title: string, action: string, body: unknown = {}) =>
    t.apiAs(who, 'POST', `/api/issues/${ids[title]}/actions/${action}`, body);
  async function dispatched(title: string, content?: string) {
    await received(title, content);
    const unit = t.seed.units.find((u) => u.code === UNIT)!;
    await act('dispatcher', title, 'dispatch', { unitId: String(unit._id) });
  }
  async function replied(title: string, content?: string) {
    await dispatched(title, content);
    await act(`handler-${UNIT}`, title, 'sign');
    await act(`handler-${UNIT}`, title, 'reply', { text: '已联系企业，安排养护单位修复道路，问题已解决。' });
  }
  const card = (title: string): Locator => page().getByRole('listitem', { name: title });

  before(async () => {
    await received(RECEIVED);
    await replied(REPLIED, LONG);
    await replied(REPLIED_LATE);
    await replied(BAD);
    await act('dispatcher', BAD, 'verify');
    await act('clerk', BAD, 'rate', { rating: 'bad', comment: '仍未解决' });
    // Days later: the triage limit and the rating check (1 working day) are long past.
    t.clock.advance(4 * DAY_MS);
    await dispatched(TO_SIGN);
    t.clock.advance(HOUR_MS);
  });
  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && session && this.currentTest?.state === 'failed')
      await page().screenshot({ path: `${dir}/failed-running-deadline.png`, fullPage: true });
  });
  after(async () => session?.context.close());

  it('counts a 待签收 row on the phone workbench down to 签收时限, as the issue page does', async () => {
    const issue = await t.apiAs(`handler-${UNIT}`, 'GET', `/api/issues/${ids[TO_SIGN]}`);
    const signBy = cst(issue.deadlines.signBy);
    expect(signBy).to.not.equal(cst(issue.deadlines.resolveBy));
    await fresh(`handler-${UNIT}`, PHONE);
    await page().goto(`${t.baseUrl}/workbench?queue=toSign`);
    const row = page().locator('table.issues tbody tr').filter({ hasText: TO_SIGN });
    const due = row.getByTestId('row-deadline');
    await due.waitFor();
    expect(await due.getAttribute('data-label')).to.equal('签收时限');
    expect(await due.textContent()).to.contain(signBy);
    // 紧急 signs within 2 working hours: an hour in, half of it is left.
    expect(await due.locator('.chip').textContent()).to.match(/剩 1小时/);
    await expectAccessible();
    await snap(page(), 'running-01-workbench-to-sign', false);
    await page().setViewportSize(DESKTOP);
    await snap(page(), 'running-01-workbench-to-sign-desktop', false);

    await row.getByRole('link', { name: TO_SIGN }).click();
    const running = page().getByTestId('running-deadline');
    expect(await running.textContent())
      .to.contain('当前签收时限')
      .and.to.contain(signBy);
  });

  it('counts on the server’s clock when the device’s is months off (a wrong PC clock, or DEMO_CLOCK)', async () => {
    await fresh(`handler-${UNIT}`, DESKTOP, new Date(t.clock.now().getTime() + 200 * DAY_MS));
    await page().goto(`${t.baseUrl}/workbench?queue=toSign`);
    const row = page().locator('table.issues tbody tr').filter({ hasText: TO_SIGN });
    const chip = row.getByTestId('row-deadline').locator('.chip');
    await chip.waitFor();
    expect(await chip.textContent()).to.match(/剩 1小时/);
    await row.getByRole('link', { name: TO_SIGN }).click();
    const running = page().getByTestId('running-deadline');
    await running.waitFor();
    expect(await running.locator('.chip').textContent()).to.match(/剩 1小时/);
    // The sign-for limit's chip names that limit, never the issue's light (红灯预警 beside a 黄灯 issue).
    expect(await running.locator('.chip').getAttribute('title')).to.equal('签收时限');
    expect(await page().locator('dt:text-is("预警") + dd').textContent()).to.not.contain('超期');
  });

  it('shows a 待受理 issue’s running 分办时限 on its page with the desk card’s light', async () => {
    await fresh('dispatcher');
    await page().goto(`${t.baseUrl}/desk?tab=triage`);
    const deskChip = card(RECEIVED).locator('.chip');
    await deskChip.waitFor();
    expect(await deskChip.getAttribute('data-level')).to.equal('overdue');
    await page().goto(`${t.baseUrl}/issues/${ids[RECEIVED]}`);
    const running = page().getByTestId('running-deadline');
    await running.waitFor();
    expect(await running.textContent())
      .to.contain('当前分办时限')
      .and.to.contain('超时');
    expect(await running.locator('.chip').getAttribute('data-level')).to.equal('overdue');
    expect(await running.locator('.chip').getAttribute('title')).to.equal('已超期'); // the triage clock is the light's
    expect(await page().getByText('尚未分办，暂无办理时限').count()).to.equal(0);
    // The issue's light is the running deadline's, live, not the one stored at the last sweep.
    const light = page().locator('dt:text-is("预警") + dd');
    expect(await light.textContent()).to.contain('已超期');
    await expectAccessible();
    await snap(page(), 'running-02-issue-received');
  });

  it('lights an overdue 差评待核实 card red, not green', async () => {
    await fresh('dispatcher');
    await page().goto(`${t.baseUrl}/desk?tab=ratingCheck`);
    const timing = card(BAD).getByTestId('queue-timing');
    await timing.waitFor();
    expect(await timing.textContent())
      .to.contain('核实时限')
      .and.to.contain('超时');
    expect(await timing.locator('.chip').getAttribute('data-level')).to.equal('overdue');
    expect(await timing.locator('.chip').getAttribute('title')).to.equal('核实时限已过');
    expect(await timing.textContent()).to.contain('已超期');
    expect(await card(BAD).getAttribute('data-level')).to.equal('overdue');
    await expectAccessible();
    await snap(page(), 'running-03-desk-rating-check');
    expect(await card(BAD).getByRole('button', { name: '差评核实' }).count()).to.equal(1);
    // The dialog shows the rating it judges (the card is behind it), and names the action once.
    await card(BAD).getByRole('button', { name: '差评核实' }).click();
    const dialog = page().getByRole('dialog', { name: /^差评核实 · / });
    await dialog.getByText('企业差评：仍未解决').waitFor();
    expect(await dialog.getByRole('heading', { name: '差评核实', exact: true }).count()).to.equal(0);
    await expectAccessible();
    await dialog.getByRole('button', { name: '取消' }).click();
  });

  it('shows a clerk the 差评待核实 card without 差评核实, which only a dispatcher or the director may do', async () => {
    await fresh('clerk');
    await page().goto(`${t.baseUrl}/desk?tab=ratingCheck`);
    await card(BAD).getByTestId('queue-timing').waitFor();
    expect(await card(BAD).getByRole('button').count()).to.equal(0);
  });

  it('shows the enterprise’s problem above the reply on a 待审核 card, a few lines on a phone', async () => {
    await fresh('dispatcher', PHONE);
    await page().goto(`${t.baseUrl}/desk?tab=verify`);
    const problem = card(REPLIED).getByTestId('problem');
    await problem.waitFor();
    expect(await problem.textContent())
      .to.contain('企业诉求')
      .and.to.contain(NEUTRAL);
    const reply = card(REPLIED).locator('.reply');
    const [p, r] = [(await problem.boundingBox())!, (await reply.boundingBox())!];
    expect(p.y + p.height).to.be.at.most(r.y);
    // The long text stays within three lines of the card (the rest is on the issue page).
    const lineHeight = await problem.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 22);
    expect(p.height).to.be.at.most(3 * lineHeight + 2);
    await expectAccessible();
    await snap(page(), 'running-04-desk-verify-phone', false);
    await page().setViewportSize(DESKTOP);
    await snap(page(), 'running-04-desk-verify', false);
  });

  it('a 待审核 row in 工单查询 shows no deadline (nothing runs for the staff), not a past 办结时限', async () => {
    await fresh('dispatcher');
    await page().goto(`${t.baseUrl}/issues`);
    const row = page().getByRole('row').filter({ hasText: REPLIED });
    const due = row.getByTestId('row-deadline');
    await due.waitFor();
    expect((await due.textContent())!.trim()).to.equal('—');
  });

  it('a 待审核 row answered after its deadline says so (超期后答复): the 已超期 counts keep it until it closes', async () => {
    // The light the sweep stored before the late answer (the answer itself leaves the light as it was).
    await t.models.Issue.updateOne({ _id: ids[REPLIED_LATE] }, { $set: { warning: 'overdue' } });
    await fresh('dispatcher');
    await page().goto(`${t.baseUrl}/issues?warning=overdue`);
    const row = page().getByRole('row').filter({ hasText: REPLIED_LATE });
    const due = row.getByTestId('row-deadline');
    await due.waitFor();
    expect((await due.textContent())!.trim()).to.equal('超期后答复');
  });

  it('an unsigned issue past its 签收时限: the chip says 超时 in red, and so does the row’s dot; the 预警 light stays the one the 红灯 filter counts', async () => {
    const issue = await t.apiAs(`handler-${UNIT}`, 'GET', `/api/issues/${ids[TO_SIGN]}`);
    t.clock.set(new Date(new Date(issue.deadlines.signBy).getTime() + HOUR_MS));
    const now = await t.apiAs(`handler-${UNIT}`, 'GET', `/api/issues/${ids[TO_SIGN]}`);
    expect(now.warning).to.equal('none');
    const red = await t.apiAs('dispatcher', 'GET', '/api/issues?warning=red&limit=100');
    expect(red.items.map((i: { id: string }) => i.id)).to.not.include(ids[TO_SIGN]);
    await fresh(`handler-${UNIT}`);
    await page().goto(`${t.baseUrl}/workbench?queue=toSign`);
    const row = page().locator('table.issues tbody tr').filter({ hasText: TO_SIGN });
    const chip = row.getByTestId('row-deadline').locator('.chip');
    await chip.waitFor();
    expect(await chip.textContent()).to.contain('超时');
    expect(await chip.getAttribute('data-level')).to.equal('red');
    // The row's dot beside that chip is not green (正常 beside 超时): the sign-for limit's red, named by it.
    const dot = row.locator('td.light .warning');
    expect(await dot.getAttribute('class')).to.contain('w-red');
    expect(await dot.getAttribute('title')).to.equal('签收时限已过');
    await row.getByRole('link', { name: TO_SIGN }).click();
    const light = page().locator('dt:text-is("预警") + dd');
    await light.waitFor();
    expect(await light.textContent()).to.contain('正常');
    // …and says which deadline it goes by, so 正常 beside 签收时限已过 is no contradiction.
    expect(await light.textContent()).to.contain('按办结时限');
    expect(await page().getByTestId('running-deadline').locator('.chip').textContent()).to.contain('超时');
  });

  it('opens the monthly report at the server’s last whole month, on a device whose clock is months off', async () => {
    await fresh('leader', DESKTOP, new Date(t.clock.now().getTime() + 200 * DAY_MS));
    // Opened directly (a bookmark, a reload), on a slow line: no answer has said the server's time by the time
    // the page sets itself up.
    await page().route('**/api/**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await route.continue();
    });
    await page().goto(`${t.baseUrl}/reports/monthly`);
    const china = new Date(t.clock.now().getTime() + 8 * HOUR_MS);
    const [y, m] = [china.getUTCFullYear(), china.getUTCMonth() + 1];
    const last = m === 1 ? `${y - 1}年12月` : `${y}年${m - 1}月`;
    await page()
      .getByRole('heading', { name: `${last}营商环境月度分析` })
      .waitFor();
    await page().unroute('**/api/**');
  });

  it('opens the dashboard on the server’s month, on a slow line from a device whose clock is months off', async () => {
    await fresh('leader', DESKTOP, new Date(t.clock.now().getTime() + 200 * DAY_MS));
    await page().route('**/api/**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await route.continue();
    });
    await page().goto(`${t.baseUrl}/dashboard`);
    const month = new Date(t.clock.now().getTime() + 8 * HOUR_MS).toISOString().slice(0, 7);
    await page().getByText(`统计区间 ${month}-01 至今`).waitFor();
    await page().unroute('**/api/**');
  });
});
