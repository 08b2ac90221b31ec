// 来件时间 on the issue page in real Chromium: a WeChat text filed the moment it was sent shows 受理时间 alone (a
// second line with the same minute only made staff compare two clocks), while a 浙里办 submission the enterprise
// made three hours before it reached the centre shows both, in China time.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { channelSecretKeyOf } from '../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../server/channels/demo-credentials.ts';
import { plainQuery, textXml } from '../api/channels/wechat.harness.ts';
import { testConfig } from '../api/helpers.ts';
import { login, useStaffApp } from './staff-app.harness.ts';

const OPENID = 'oE2E_raised_at_wechat_user_2c9d';

describe('staff app: 来件时间 only when it differs from 受理时间 (e2e, Chromium)', function () {
  this.timeout(120_000);
  const t = useStaffApp();

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(testConfig()), t.clock);
  });

  async function factsOf(issueId: string): Promise<Page> {
    const { page } = await t.open();
    await login(page, t.baseUrl, 'clerk');
    await page.goto(`${t.baseUrl}/issues/${issueId}`);
    await page.getByRole('heading', { name: '问题内容' }).waitFor();
    await page.getByRole('region', { name: '工单信息' }).getByText('受理时间').waitFor();
    return page;
  }

  it('a WeChat text sent the minute it was taken in shows 受理时间 only', async () => {
    const enterprise = t.seed.enterprises[3]!;
    // Sent 20 seconds before the centre's clock took it in: the same minute.
    const sent = Math.floor(t.clock.now().getTime() / 1000) - 20;
    const res = await fetch(`${t.baseUrl}/api/intake/wechat?${new URLSearchParams(plainQuery(OPENID))}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: textXml(
        OPENID,
        `${enterprise.creditCode} 厂区门口道路施工三个月未完工，货车进出困难，请协调。`,
        'e2e-raised-1',
        sent,
      ),
    });
    expect(res.status).to.equal(200);
    const issue = (await t.models.Issue.findOne({ enterpriseId: enterprise._id, channel: 'wechat' }).lean())!;
    expect(issue.raisedAt, 'the API still keeps the fact').to.deep.equal(new Date(sent * 1000));
    const page = await factsOf(String(issue._id));
    const facts = page.getByRole('region', { name: '工单信息' });
    expect(await facts.getByTestId('raised-at').count()).to.equal(0);
    expect(await facts.textContent()).to.not.contain('来件时间');
    expect(await facts.textContent()).to.contain('2026-03-02 09:00');
  });

  it('a 浙里办 submission raised three hours before it came in shows 来件时间 beside 受理时间', async () => {
    const enterprise = t.seed.enterprises[4]!;
    const res = await fetch(`${t.baseUrl}/api/intake/zheliban`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'demo-zheliban-key' },
      body: JSON.stringify({
        externalId: 'ZLB-E2E-RAISED-1',
        creditCode: enterprise.creditCode,
        content: '企业申报的研发费用加计扣除两个月未审核，影响季度预缴，请求税务部门尽快办理。',
        receivedAt: new Date(t.clock.now().getTime() - 3 * 3_600_000).toISOString(),
      }),
    });
    const ack = (await res.json()) as { number: string };
    const issue = (await t.models.Issue.findOne({ number: ack.number }).lean())!;
    const page = await factsOf(String(issue._id));
    const raised = page.getByRole('region', { name: '工单信息' }).getByTestId('raised-at');
    await raised.waitFor();
    expect(await raised.textContent())
      .to.contain('来件时间')
      .and.contain('2026-03-02 06:00')
      .and.contain('浙里办');
  });
});
