// A copy of an open issue sent again through the signed 12345 webhook (the new-user trial's report): the same
// enterprise's identical work orders become one issue, the later ones its sources, with the trained text core
// deciding; with a title, and with content that repeats its title, as well.
import { expect } from 'chai';
import type { Express } from 'express';
import { channelSecretKeyOf } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import { appWithCorpusModel } from '../corpus-app.ts';
import { postHotlineOrder } from '../helpers.ts';
import { enterpriseIn, useIssueApp } from '../issues/fixtures.ts';

// Short and of no clear category: the corpus model scored two copies of it 0.21, below merging.
const FLOODING = '附件为厂区积水照片和申请材料，请尽快处理排水问题';

describe('intake: an identical work order sent again', function () {
  this.timeout(120_000);
  const t = useIssueApp();
  let app: Express;
  let seq = 0;

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
    ({ app } = await appWithCorpusModel(t));
  });

  const hotline = async (creditCode: string, order: { title?: string; content: string }) => {
    seq += 1;
    const raw = JSON.stringify({ orderId: `WO-COPY-${seq}`, creditCode, ...order });
    const res = await postHotlineOrder(app, raw).expect(200);
    return res.body as { number: string; status: string };
  };
  const issuesOf = (enterprise: { _id: unknown }) =>
    t.models.Issue.find({ enterpriseId: String(enterprise._id) }).lean();

  const cases = [
    { name: 'content alone', region: 'wuxing', order: { content: FLOODING } },
    { name: 'a title and content', region: 'changxing', order: { title: '厂区积水', content: FLOODING } },
    {
      name: 'content that begins with its title',
      region: 'deqing',
      order: { title: '厂区积水', content: `厂区积水，${FLOODING}` },
    },
  ];
  for (const c of cases) {
    it(`merges every later copy of ${c.name} into the first issue`, async () => {
      const enterprise = enterpriseIn(t, c.region, 4);
      const first = await hotline(enterprise.creditCode, c.order);
      expect(first.status).to.equal('created');
      for (let n = 2; n <= 4; n++) {
        expect(await hotline(enterprise.creditCode, c.order), `copy ${n}`).to.deep.include({
          status: 'merged',
          number: first.number,
        });
      }
      const issues = await issuesOf(enterprise);
      expect(issues.map((i) => i.number)).to.deep.equal([first.number]);
      expect(issues[0].sources).to.have.length(3);
    });
  }
});
