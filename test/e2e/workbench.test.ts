// The daily loop in real Chromium, each role in its own browser context: the dispatcher takes an issue in and
// dispatches it from the triage queue with one click while the unit's handler — on a phone — watches the
// to-do counts change live and gets a toast; the handler signs, asks for an extension (the dispatcher's
// approval arrives live), and replies; the dispatcher verifies the reply from the desk. A new tab joins the
// session, logout ends it. axe-core runs on every screen (no serious or critical findings).
//
// Set E2E_SCREENSHOTS=/some/dir to keep a screenshot of every screen at desktop and phone size.
import { expect } from 'chai';
import { OPEN_STATES } from '../../shared/states.ts';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { MINUTE_MS } from '../../shared/clock.ts';
import { makeCreditCode } from '../../shared/credit-code.ts';
import { PHONE_MESSAGE } from '../../shared/schemas.ts';
import { axeFindings, choose, login, PHONE, snap, useStaffApp } from './staff-app.harness.ts';

const UNIT_CODE = 'city-econ';
const TITLE = '企业反映有关事项需协调办理';

describe('staff app: triage, to-do queue, verification (e2e, Chromium)', function () {
  this.timeout(90_000);
  const t = useStaffApp();
  let desk: { context: BrowserContext; page: Page };
  let field: { context: BrowserContext; page: Page };
  let issueId = '';

  const unit = () => t.seed.units.find((u) => u.code === UNIT_CODE)!;
  const tileCount = async (page: Page, queue: string) =>
    Number((await page.locator(`[data-queue="${queue}"] .count`).textContent())?.replace('+', ''));
  async function expectAccessible(page: Page) {
    expect(await axeFindings(page)).to.deep.equal([]);
  }

  afterEach(async function () {
    const dir = process.env.E2E_SCREENSHOTS;
    if (dir && this.currentTest?.state === 'failed') {
      await desk.page.screenshot({ path: `${dir}/failed-desk.png`, fullPage: true });
      await field.page.screenshot({ path: `${dir}/failed-field.png`, fullPage: true });
    }
  });

  before(async () => {
    desk = await t.open();
    field = await t.open(PHONE);
  });

  it('refuses a wrong password with the server’s message, then opens the dispatcher’s desk', async () => {
    const { page } = desk;
    // A browser that never signed in has no session to resume: its login page asks for none (no refresh that
    // can only answer 401 into the console).
    const refreshes: string[] = [];
    const onRequest = (r: Request) => {
      if (new URL(r.url()).pathname === '/api/auth/refresh') refreshes.push(r.url());
    };
    page.on('request', onRequest);
    await login(page, t.baseUrl, 'dispatcher', 'wrong-password');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).to.match(/用户名或密码/);
    page.off('request', onRequest);
    expect(refreshes).to.deep.equal([]);
    await expectAccessible(page);
    await snap(page, '01-login');
    await login(page, t.baseUrl, 'dispatcher');
    await page.getByRole('heading', { name: '受理分办台' }).waitFor();
    expect(new URL(page.url()).pathname).to.equal('/desk');
    expect(await page.getByTestId('current-user').textContent()).to.contain('陈志强');
    // Six tiles (待受理分办, 待审批, 待审核答复, 差评待核实, 待回访, 接入失败); the 接入失败 tile counts the failed
    // inbound messages, and each tile's words are its tab's.
    const deadLetters = page.locator('[data-queue="deadLetters"] .count');
    await page.waitForFunction(() => document.querySelectorAll('[data-queue]').length === 6);
    expect((await deadLetters.textContent())?.trim()).to.match(/^\d+$/);
    for (const label of await page.locator('[data-queue] .label').allTextContents())
      expect(await page.getByRole('tab', { name: label.trim(), exact: true }).count(), label).to.equal(1);
  });

  it('takes in a new issue with a classification hint, validated like the API', async () => {
    const { page } = desk;
    const enterprise = t.seed.enterprises[0];
    // An issue the enterprise already has open, for the form to show.
    await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise: { creditCode: enterprise.creditCode },
      channel: 'window',
      title: '厂区门口道路破损',
      content: '厂区门口道路破损严重，货车进出困难。',
      category: 'logistics',
      urgency: 'normal',
    });
    await page.goto(`${t.baseUrl}/issues/new`);
    await page.getByRole('heading', { name: '新建工单' }).waitFor();
    await page.getByRole('button', { name: '提交工单' }).click();
    // Every missing field at once, each under its field (they came one at a time in the banner); the banner
    // under the form sums up (each field's message is an alert of its own too).
    const banner = page.locator('.el-alert[role="alert"]');
    await banner.filter({ hasText: '请按提示修改标红的项目' }).waitFor();
    const fieldErrors = async () => {
      await page.locator('.el-form-item__error').first().waitFor();
      return page.locator('.el-form-item__error').allTextContents();
    };
    expect((await fieldErrors()).map((e) => e.trim())).to.include('请先选择企业');
    expect((await fieldErrors()).some((e) => e.includes('问题内容'))).to.equal(true);
    await page.getByRole('combobox', { name: '查找企业' }).fill(enterprise.name.slice(0, 4));
    await page
      .locator('.el-select-dropdown:visible .el-select-dropdown__item')
      .filter({ hasText: enterprise.name })
      .first()
      .click();
    const chosen = (await page.getByTestId('chosen-enterprise').textContent()) ?? '';
    expect(chosen).to.contain(enterprise.creditCode);
    // Its region and industry follow, each after one separator, none dangling.
    expect(chosen.replace(/\s+/g, ' ')).to.not.match(/·\s*·|·\s*更换企业|·\s*$/);
    // The enterprise's open issues show under it, so a repeat is seen before it is filed again.
    const stillOpen = await t.apiAs(
      'dispatcher',
      'GET',
      `/api/issues?enterpriseId=${String(enterprise._id)}&state=${OPEN_STATES.join(',')}&limit=5`,
    );
    expect(stillOpen.items, 'the demo enterprise has open issues').to.have.length.greaterThan(0);
    const note = page.getByRole('note', { name: '该企业在办的问题' });
    await note.waitFor();
    const listed = await note.getByRole('link').allTextContents();
    expect(listed).to.deep.equal(stillOpen.items.map((i: { number: string }) => i.number));
    await page.getByLabel('问题内容').fill('新建厂房验收迟迟未办理，不动产权证无法办理');
    await page.getByText('智能分类建议').waitFor();
    expect(await page.getByRole('status').textContent()).to.contain('用地厂房');
    await expectAccessible(page);
    await snap(page, '02-create');
    // Neutral wording, so intake cannot auto-dispatch and the dispatcher decides.
    await page.getByLabel('问题内容').fill('企业希望有关部门尽快联系，协调解决生产经营中遇到的具体困难。');
    await page.getByLabel('标题').fill(TITLE);
    // Who raised it, checked like the API: a phone that is no contact number (five digits passed before) is
    // refused before anything is sent, the message saying what a number looks like.
    await page.getByLabel('联系电话', { exact: true }).fill('12345');
    await page.getByRole('button', { name: '提交工单' }).click();
    await banner.filter({ hasText: '联系电话格式无效' }).waitFor();
    expect((await fieldErrors()).map((e) => e.trim())).to.deep.equal([PHONE_MESSAGE]);
    await snap(page, '02-create-phone-refused');
    await page.getByLabel('联系人', { exact: true }).fill('钱七');
    await page.getByLabel('联系电话', { exact: true }).fill('13566667777');
    await page.getByLabel('电子邮箱', { exact: true }).fill('qian@example.com');
    await page.getByRole('button', { name: '提交工单' }).click();
    await page.getByRole('heading', { name: TITLE }).waitFor();
    issueId = /\/issues\/([0-9a-f]{24})/.exec(page.url())![1];
    const facts = page.getByRole('region', { name: '工单信息' });
    expect(await facts.textContent())
      .to.contain('待受理')
      .and.contain('钱七');
    expect(await facts.locator('a[href="tel:13566667777"]').count()).to.equal(1);
    expect(await facts.locator('a[href="mailto:qian@example.com"]').count()).to.equal(1);
    await expectAccessible(page);
    await snap(page, '03-detail-received');
  });

  it('dispatches from the triage queue in one click while the handler’s phone updates live', async () => {
    const { page } = field;
    await login(page, t.baseUrl, `handler-${UNIT_CODE}`);
    await page.getByRole('heading', { name: '工作台' }).waitFor();
    await page.locator('[data-queue="toSign"]').waitFor();
    const before = await tileCount(page, 'toSign');
    await expectAccessible(page);
    await snap(page, '04-workbench-before');

    // The guesses are the ones the classifier stored at intake: no request to the classifier per card.
    const asked: string[] = [];
    const onRequest = (r: { url(): string }) =>
      void (r.url().endsWith('/api/classify') && asked.push(r.url()));
    desk.page.on('request', onRequest);
    await desk.page.goto(`${t.baseUrl}/desk`);
    const row = desk.page.getByRole('listitem', { name: TITLE });
    await row.waitFor();
    expect(await row.textContent()).to.match(/智能分类.*\d+%/);
    const stored = (await t.apiAs('dispatcher', 'GET', `/api/issues/${issueId}`)).classification;
    expect(stored.alternatives, 'the classifier stored its guesses').to.have.length.greaterThan(0);
    const top = stored.alternatives[0] as { probability: number };
    expect(await row.locator('.guess .el-tag').first().textContent()).to.contain(
      `${Math.round(top.probability * 100)}%`,
    );
    desk.page.off('request', onRequest);
    expect(asked).to.deep.equal([]);
    expect(await row.textContent()).to.contain('建议承办');
    await expectAccessible(desk.page);
    await snap(desk.page, '05-desk-triage');
    t.clock.advance(30 * MINUTE_MS);
    await choose(desk.page, `${(await row.locator('.mono').textContent())!.trim()} 承办单位`, unit().name);
    await row.getByRole('button', { name: '分办' }).click();
    await desk.page.getByText(`已分办至 ${unit().name}`).waitFor();
    await row.waitFor({ state: 'detached' });

    // The handler's phone: the count, the row, a toast and the unread count, with no reload.
    await page.waitForFunction(
      ([n]) => Number(document.querySelector('[data-queue="toSign"] .count')?.textContent) === n,
      [before + 1],
    );
    await page.getByRole('link', { name: TITLE }).waitFor();
    await page.getByRole('heading', { name: '新工单待签收' }).waitFor();
    expect(await page.getByTestId('bell').getAttribute('aria-label')).to.contain('1 条未读');
    await snap(page, '06-workbench-live', false);

    // Opening the notice from the bell opens the issue, closes the list (on a phone it would cover the
    // actions) and reads the notice.
    await page.getByTestId('bell').click();
    const notice = page.getByRole('link', { name: '新工单待签收' });
    await notice.click();
    await page.getByRole('region', { name: '可执行操作' }).waitFor();
    await notice.waitFor({ state: 'hidden' });
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="bell"]')?.getAttribute('aria-label')?.includes('0 条未读'),
    );
    await page.goBack();
  });

  it('lets the handler sign, ask for an extension (approved live) and reply from the phone', async () => {
    const { page } = field;
    await page.getByRole('link', { name: TITLE }).click();
    const actions = page.getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '签收' }).waitFor();
    expect(await actions.getByRole('button', { name: '分办' }).count()).to.equal(0);
    await expectAccessible(page);
    await snap(page, '07-detail-phone', false);
    t.clock.advance(30 * MINUTE_MS);
    await actions.getByRole('button', { name: '签收', exact: true }).click();
    await page.getByRole('button', { name: '确认签收' }).click();
    await page.getByText('「签收」已完成').waitFor();

    // The form says the issue's limit for its urgency (and the one extension the policy allows), and keeps
    // the number within it: the default and a typed 99 both become at most that.
    await actions.getByRole('button', { name: '申请延期', exact: true }).click();
    const form = page.getByRole('form', { name: '申请延期表单' });
    const limit = /本问题单次最多延期 (\d+) 个工作日，还可申请 1 次/.exec((await form.textContent())!);
    expect(limit, 'the limit is shown').to.not.equal(null);
    const max = Number(limit![1]);
    expect(Number(await page.getByLabel('延期工作日数').inputValue())).to.equal(Math.min(5, max));
    await page.getByLabel('延期工作日数').fill('99');
    await page.getByLabel('延期工作日数').press('Tab');
    expect(Number(await page.getByLabel('延期工作日数').inputValue())).to.equal(max);
    await page.getByLabel('延期理由').fill('需要等待企业补充材料');
    // The push of this tab's own change may beat the HTTP answer (here it is made to): it must not read as
    // someone else's 已更新, which would also replace the 已完成 notice.
    await page.route('**/actions/request_extension', async (route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.fulfill({ response });
    });
    await page.getByLabel('延期工作日数').fill('3');
    await page.getByLabel('延期工作日数').press('Tab');
    await page.getByRole('button', { name: '确认申请延期' }).click();
    await page.getByText('「申请延期」已提交，等待服务中心审批').waitFor();
    await page.unroute('**/actions/request_extension');
    await page.waitForTimeout(300);
    expect(await page.getByText('已更新：此工单刚有新的办理进展').count()).to.equal(0);
    await snap(page, '08-extension-requested', false);

    await t.apiAs('dispatcher', 'POST', `/api/issues/${issueId}/actions/approve_extension`, {});
    await page.getByText('已更新：此工单刚有新的办理进展').waitFor();
    // The notice comes with the push; the timeline re-renders when its refetch lands.
    const timeline = page.getByRole('list', { name: '办理过程' });
    await timeline.getByText('批准延期').first().waitFor();
    expect(await timeline.textContent()).to.contain('批准延期');

    t.clock.advance(30 * MINUTE_MS);
    await actions.getByRole('button', { name: '回单', exact: true }).click();
    await page.getByLabel('答复内容').fill('已电话联系企业，协调相关科室现场办理，问题已解决。');
    await page.getByRole('button', { name: '确认回单' }).click();
    await page.getByText('「回单」已完成').waitFor();
    expect(await page.getByRole('region', { name: '工单信息' }).textContent()).to.contain('待审核');
  });

  it('lets the dispatcher verify the reply from the desk', async () => {
    const { page } = desk;
    await page
      .getByRole('tab', { name: /待审核/ })
      .first()
      .click();
    const item = page.locator('li.item').filter({ hasText: TITLE });
    await item.waitFor();
    expect(await item.textContent()).to.contain('问题已解决');
    await expectAccessible(page);
    await snap(page, '09-desk-verify');
    await item.getByRole('button', { name: '审核通过' }).click();
    await page.getByRole('button', { name: '确认审核通过' }).click();
    await page.getByText('「审核通过」已完成').waitFor();
    await item.waitFor({ state: 'detached' });
    const issue = await t.apiAs('dispatcher', 'GET', `/api/issues/${issueId}`);
    expect(issue.state).to.equal('awaiting_rating');
  });

  it('keeps the session in a reloaded tab and ends it on logout in every tab', async () => {
    const { context, page } = desk;
    await page.reload();
    await page.getByRole('heading', { name: '受理分办台' }).waitFor();
    const second = await context.newPage();
    await second.goto(`${t.baseUrl}/issues/${issueId}`);
    await second
      .getByRole('heading', { name: /登录|企业反映/ })
      .first()
      .waitFor();
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await second.getByRole('heading', { name: '登录' }).waitFor();
    await page.goto(`${t.baseUrl}/desk`);
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await second.close();
  });

  it('confirms a bad rating without a rectification time when none is typed (the server’s 5 working days)', async () => {
    await t.apiAs('clerk', 'POST', `/api/issues/${issueId}/actions/rate`, {
      rating: 'bad',
      comment: '仍未解决',
    });
    const { context, page } = await t.open();
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${issueId}`);
    const actions = page.getByRole('region', { name: '可执行操作' });
    await actions.getByRole('button', { name: '差评核实', exact: true }).click();
    // The optional number starts empty: it once showed (and sent) its minimum, 1 working day.
    expect(await page.getByLabel('整改时限（工作日，可选）').inputValue()).to.equal('');
    await page.locator('label.el-radio', { hasText: '是' }).click();
    const sent = page.waitForRequest((r) => r.url().endsWith('/actions/verify_rating'));
    await page.getByRole('button', { name: '确认差评核实' }).click();
    expect((await sent).postDataJSON()).to.deep.equal({ reasonable: true });
    await page.getByText('「差评核实」已完成').waitFor();
    await context.close();
  });

  it('shows an unknown address as 页面不存在 and a handler’s list at phone width', async () => {
    const { page } = field;
    await page.goto(`${t.baseUrl}/nowhere`);
    await page.getByText('页面不存在').waitFor();
    await page.goto(`${t.baseUrl}/issues`);
    await page.locator('table.issues tbody tr').first().waitFor();
    await expectAccessible(page);
    await snap(page, '10-list-phone', false);
    // A tap on the row's number (not only its title) opens the issue.
    const number = (await page.locator('table.issues tbody tr .mono').first().textContent())!.trim();
    await page.locator('table.issues tbody tr .mono').first().click();
    await page.waitForURL(/\/issues\/[0-9a-f]{24}$/);
    await page.getByText(number).first().waitFor();
  });

  it('registers an enterprise the window has never seen from the new-issue form, then takes in its issue', async () => {
    // A handler takes in issues too, but does not register enterprises (the server's canCreateEnterprise).
    await field.page.goto(`${t.baseUrl}/issues/new`);
    await field.page.getByRole('heading', { name: '新建工单' }).waitFor();
    expect(await field.page.getByRole('button', { name: '登记新企业' }).count()).to.equal(0);

    const { context, page } = await t.open();
    await login(page, t.baseUrl, 'clerk');
    await page.goto(`${t.baseUrl}/issues/new`);
    await page.getByRole('button', { name: '登记新企业' }).click();
    const dialog = page.getByRole('dialog');
    const code = makeCreditCode('91330502MA2K7Q8Y4');
    await dialog.getByLabel('统一社会信用代码').fill(code);
    await dialog.getByLabel('企业名称').fill('湖州首次来访机械有限公司');
    await choose(page, '所在区县', '吴兴区', dialog);
    await dialog.getByLabel('登记手机号').fill('13905720088');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.getByText('已登记：湖州首次来访机械有限公司').waitFor();
    // Chosen in the form, which kept its place: no search, no second visit to 企业管理.
    expect(await page.getByTestId('chosen-enterprise').textContent()).to.contain(code);
    expect(await page.getByRole('button', { name: '登记新企业' }).count()).to.equal(0);
    await page
      .getByLabel('问题内容')
      .fill('企业第一次来窗口，希望有关部门尽快联系，协调解决生产经营中遇到的困难。');
    await page.getByRole('button', { name: '提交工单' }).click();
    await page.waitForURL(/\/issues\/[0-9a-f]{24}$/);
    const facts = page.getByRole('region', { name: '工单信息' });
    await facts.waitFor();
    expect(await facts.textContent()).to.contain('湖州首次来访机械有限公司');
    const [registered] = await t.models.Enterprise.find({ creditCode: code }).lean();
    expect(registered?.name).to.equal('湖州首次来访机械有限公司');
    await context.close();
  });

  it('shows the unit head each person’s unfinished and overdue issues, and says what they count', async () => {
    const { context, page } = await t.open();
    await login(page, t.baseUrl, 'unithead-city-drc');
    const load = page.getByRole('region', { name: '人员工作量' });
    await load.getByRole('columnheader', { name: '未办结' }).waitFor();
    const head = t.seed.accounts.find((u) => u.username === 'unithead-city-drc')!;
    await load.getByRole('cell', { name: head.name, exact: true }).waitFor();
    expect(await load.textContent()).to.contain('含会商、挂起、答复待审核和待评价');
    expect(await axeFindings(page)).to.deep.equal([]);
    await context.close();
  });

  it('opens a unit with nothing to sign on its overdue issues; an empty queue names the queues that hold work', async () => {
    const issue = await t.apiAs('dispatcher', 'POST', '/api/issues', {
      enterprise: { creditCode: t.seed.enterprises.find((e) => e.region === 'deqing')!.creditCode },
      channel: 'hotline12345',
      category: 'land',
      urgency: 'normal',
      title: '厂房验收迟迟未办理',
      content: '新建厂房验收迟迟未办理，影响投产',
    });
    const deqing = t.seed.units.find((u) => u.code === 'deqing-centre')!;
    expect(issue.unitId).to.equal(String(deqing._id));
    await t.apiAs('handler-deqing-centre', 'POST', `/api/issues/${issue.id}/actions/sign`, {});
    // As the sweep leaves an issue past its deadline (running-deadline.test.ts does the same).
    await t.models.Issue.updateOne({ _id: issue.id }, { $set: { warning: 'overdue' } });

    const { context, page } = await t.open();
    await login(page, t.baseUrl, 'unithead-deqing-centre');
    await page.getByRole('heading', { name: '已超期', level: 2 }).waitFor();
    expect(await page.locator('[data-queue="overdue"]').getAttribute('aria-selected')).to.equal('true');
    expect(await tileCount(page, 'toSign')).to.equal(0);
    await page.getByRole('link', { name: '厂房验收迟迟未办理' }).waitFor();

    // 待签收 chosen by hand: empty, and it says where the work is instead of 做得好.
    await page.locator('[data-queue="toSign"]').click();
    await page.getByText('目前没有待签收的工单').waitFor();
    expect(await page.getByText('做得好').count()).to.equal(0);
    await page.getByRole('button', { name: '已超期 1 件' }).click();
    await page.getByRole('link', { name: '厂房验收迟迟未办理' }).waitFor();
    expect(await axeFindings(page)).to.deep.equal([]);

    // A link naming the queue keeps it.
    await page.goto(`${t.baseUrl}/workbench?queue=toSign`);
    await page.getByText('目前没有待签收的工单').waitFor();
    await context.close();
  });
});
