// 联系人 and 合并的来源 on the issue page in real Chromium: a clerk takes in a complaint with the caller's name,
// phone and email; the same complaint then arrives by 浙里办 (another caller, its own number and time) and by
// WeChat, and intake merges both into the issue. The unit's handler opens it and can call or mail the
// enterprise with one tap, sees the three messages with channel, China time, number and contact (the WeChat
// user as 微信用户, never the whole openid), and on a phone reads what the issue is (content, then facts) before
// its actions, then sources and similar issues; a desktop keeps its two columns.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { channelSecretKeyOf } from '../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../server/channels/demo-credentials.ts';
import { plainQuery, textXml } from '../api/channels/wechat.harness.ts';
import { testConfig } from '../api/helpers.ts';
import { axeFindings, login, PHONE, snap, useStaffApp } from './staff-app.harness.ts';

const TEXT =
  '我司新建厂房已申请竣工验收两个月，至今没有安排现场验收，设备无法进场，影响投产计划。施工单位的资料已全部提交，消防和规划两项也已通过，只差住建部门到现场验收，每拖一天都要多付设备租金和人员工资，订单交期也一再推迟，客户已提出索赔，企业压力很大，恳请协调住建部门尽快安排现场验收。';
const MORE = '验收的事已经拖了很久，请尽快处理。';
const OPENID = 'oE2E_contact_wechat_user_7f3a';

describe('staff app: contact and merged sources on the issue page (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();
  let issue: { id: string; number: string; unitId: string };
  let handler = '';
  /** A 浙里办 submission with the demo key: its answer. */
  const pushZheliban = async (body: Record<string, string>) =>
    (
      await fetch(`${t.baseUrl}/api/intake/zheliban`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'demo-zheliban-key' },
        body: JSON.stringify(body),
      })
    ).json();

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(testConfig()), t.clock);
    const enterprise = t.seed.enterprises[2]!;
    issue = await t.apiAs('clerk', 'POST', '/api/issues', {
      enterprise: { id: String(enterprise._id) },
      channel: 'window',
      category: 'land',
      urgency: 'normal',
      content: TEXT,
      contact: { name: '孙八', phone: '13588889999', email: 'sun@example.com' },
    });
    const zheliban = await pushZheliban({
      externalId: 'ZLB-E2E-0042',
      creditCode: enterprise.creditCode,
      contactName: '吴十',
      contactPhone: '13600001111',
      content: `${TEXT}${MORE}`,
      receivedAt: '2026-03-02T02:30:00Z',
    });
    expect(zheliban).to.include({ status: 'merged', number: issue.number });
    const wechat = await fetch(`${t.baseUrl}/api/intake/wechat?${new URLSearchParams(plainQuery(OPENID))}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: textXml(OPENID, `${enterprise.creditCode} ${TEXT}`, 'e2e-contact-1', 1772420400),
    });
    expect(wechat.status).to.equal(200);
    const stored = await t.models.Issue.findById(issue.id).lean();
    expect(stored?.sources?.map((s) => s.channel)).to.deep.equal(['zheliban', 'wechat']);
    handler = `handler-${t.seed.units.find((u) => String(u._id) === issue.unitId)!.code}`;
  });

  async function openAs(viewport?: typeof PHONE, as = handler): Promise<Page> {
    const { page } = await t.open(viewport);
    await login(page, t.baseUrl, as);
    await page.goto(`${t.baseUrl}/issues/${issue.id}`);
    await page.getByRole('heading', { name: '问题内容' }).waitFor();
    return page;
  }

  it('shows whom to call and every merged message to the unit’s handler', async () => {
    const page = await openAs();
    const facts = page.getByRole('region', { name: '工单信息' });
    await facts.locator('a[href="tel:13588889999"]').waitFor();
    expect(await facts.locator('a[href="tel:13588889999"]').textContent()).to.equal('13588889999');
    expect(await facts.locator('a[href="mailto:sun@example.com"]').isVisible()).to.equal(true);
    expect(await facts.textContent()).to.contain('孙八');

    const sources = page.getByRole('region', { name: '合并的来源' });
    const rows = sources.getByRole('listitem');
    expect(await rows.count()).to.equal(3);
    expect(await rows.nth(0).textContent())
      .to.contain('综合窗口')
      .and.contain('2026-03-02 09:00');
    const zlb = rows.nth(1);
    expect(await zlb.textContent())
      .to.contain('浙里办')
      .and.contain('2026-03-02 10:30')
      .and.contain('ZLB-E2E-0042')
      .and.contain('吴十')
      .and.contain(MORE);
    expect(await zlb.locator('a[href="tel:13600001111"]').isVisible()).to.equal(true);
    // A message longer than three lines (the 浙里办 one is) is folded until opened.
    const text = zlb.locator('p', { hasText: MORE });
    const folded = (await text.boundingBox())!.height;
    await zlb.getByRole('button', { name: '展开全文' }).click();
    await zlb.getByRole('button', { name: '收起' }).waitFor();
    expect((await text.boundingBox())!.height).to.be.greaterThan(folded);
    const wx = rows.nth(2);
    expect(await wx.textContent())
      .to.contain('微信公众号/小程序')
      .and.contain('2026-03-02 11:00')
      .and.contain('微信用户')
      .and.contain('尾号 7f3a');
    expect(await page.content()).to.not.contain(OPENID);
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'issue-contact');
  });

  it('shows a leader who wrote in, masked, with nothing to dial', async () => {
    const page = await openAs(undefined, 'leader');
    const facts = page.getByRole('region', { name: '工单信息' });
    await facts.getByText('（部分隐去）').waitFor();
    expect(await facts.textContent())
      .to.contain('孙**')
      .and.contain('135****9999');
    expect(await page.locator('a[href^="tel:"], a[href^="mailto:"]').count()).to.equal(0);
    expect(await page.content()).to.not.contain('13588889999');
  });

  it('says so when nobody left a contact, offers the registered one, and lists no sources for one message', async () => {
    const enterprise = t.seed.enterprises[4]!;
    const bare = await t.apiAs('clerk', 'POST', '/api/issues', {
      enterprise: { id: String(enterprise._id) },
      channel: 'window',
      category: 'land',
      urgency: 'normal',
      content: '园区道路施工围挡占用企业出入口，货车无法进出，请协调施工单位调整围挡位置。',
    });
    const { page } = await t.open();
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${bare.id}`);
    const facts = page.getByRole('region', { name: '工单信息' });
    await facts.getByText('未留联系方式').waitFor();
    // The centre calls the enterprise's registered owner instead: one tap, as for a caller's own number.
    await facts.getByText('企业登记联系人').waitFor();
    expect(await facts.textContent()).to.contain(enterprise.ownerName);
    expect(
      await facts.locator('a[href^="tel:"]').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ).to.deep.equal([`tel:${enterprise.mobile}`]);
    expect(await page.getByRole('region', { name: '合并的来源' }).count()).to.equal(0);

    // A leader reads it masked, with nothing to dial.
    const { page: leaderPage } = await t.open();
    await login(leaderPage, t.baseUrl, 'leader');
    await leaderPage.goto(`${t.baseUrl}/issues/${bare.id}`);
    const leaderFacts = leaderPage.getByRole('region', { name: '工单信息' });
    await leaderFacts.getByText('企业登记联系人').waitFor();
    expect(await leaderFacts.textContent()).to.contain(
      `${enterprise.mobile.slice(0, 3)}****${enterprise.mobile.slice(7)}`,
    );
    expect(await leaderFacts.locator('a[href^="tel:"], a[href^="mailto:"]').count()).to.equal(0);
    expect(await leaderPage.content()).to.not.contain(enterprise.mobile);
    // The owner's name too: 孙** (the enterprise API masks it for whoever reads contacts masked).
    expect(await leaderFacts.textContent()).to.contain(`${enterprise.ownerName.slice(0, 1)}**`);
    expect(await leaderPage.content()).to.not.contain(enterprise.ownerName);
  });

  it('a channel’s number that is none (12345) is shown as text, not dialled, with the registered contact beside it', async () => {
    const enterprise = t.seed.enterprises[6]!;
    const ack = await pushZheliban({
      externalId: 'ZLB-E2E-PHONE',
      creditCode: enterprise.creditCode,
      contactName: '郑十一',
      contactPhone: '12345',
      content: '企业食堂油烟净化设施改造的审批材料已提交一个月，至今没有答复，请帮助催办。',
    });
    expect(ack, 'filed, not refused for the number').to.include({ status: 'created' });
    const issue = await t.models.Issue.findOne({ number: ack.number }).lean();
    const { page } = await t.open();
    await login(page, t.baseUrl, 'dispatcher');
    await page.goto(`${t.baseUrl}/issues/${String(issue!._id)}`);
    const facts = page.getByRole('region', { name: '工单信息' });
    await facts.getByText('来件所留号码，无法拨打').waitFor();
    expect(await facts.textContent())
      .to.contain('郑十一')
      .and.contain('12345');
    // Nothing links to 12345; the one number to dial is the enterprise's registered mobile.
    await facts.getByText('企业登记联系人').waitFor();
    expect(
      await facts.locator('a[href^="tel:"]').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ).to.deep.equal([`tel:${enterprise.mobile}`]);
    await snap(page, 'issue-contact-phone-text');
  });

  it('on a phone reads what the issue is before its actions: content, facts, then the buttons', async () => {
    const page = await openAs(PHONE);
    const top = async (name: string) => (await page.getByRole('region', { name }).boundingBox())!.y;
    await page.getByRole('region', { name: '相似问题' }).waitFor();
    const [contentTop, factsTop, actionsTop, sourcesTop, similarTop] = await Promise.all(
      ['问题内容', '工单信息', '可执行操作', '合并的来源', '相似问题'].map(top),
    );
    // The title heads the page; the content and the facts (enterprise, whom to call, deadline) follow it, and
    // only then the buttons: a handler reads what the issue is before deciding what to do with it.
    expect(contentTop, 'content first').to.be.lessThan(factsTop!);
    expect(factsTop, 'facts (enterprise, deadline) before the actions').to.be.lessThan(actionsTop!);
    expect(actionsTop, 'actions before the merged sources').to.be.lessThan(sourcesTop!);
    expect(sourcesTop, 'sources before similar issues').to.be.lessThan(similarTop!);
    const facts = page.getByRole('region', { name: '工单信息' });
    const deadline = await facts.getByText('办结时限').first().boundingBox();
    expect(deadline!.y, 'the deadline is read before the actions').to.be.lessThan(actionsTop!);
    expect(await facts.locator('a[href="tel:13588889999"]').isVisible()).to.equal(true);
    expect(await axeFindings(page)).to.deep.equal([]);
    await snap(page, 'issue-contact-phone', false);
  });

  it('on a desktop keeps two columns: content, then actions on the left; the facts beside them', async () => {
    const page = await openAs();
    await page.getByRole('region', { name: '可执行操作' }).waitFor();
    const box = async (name: string) => (await page.getByRole('region', { name }).boundingBox())!;
    const [content, actions, facts] = await Promise.all(['问题内容', '可执行操作', '工单信息'].map(box));
    expect(content!.y, 'content above the actions').to.be.lessThan(actions!.y);
    expect(actions!.x, 'actions in the content column').to.equal(content!.x);
    expect(facts!.x, 'facts in the side column').to.be.greaterThan(content!.x + content!.width);
    expect(facts!.y, 'facts at the top of the side column').to.be.lessThan(actions!.y);
  });
});
