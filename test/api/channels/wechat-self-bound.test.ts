// Followers that bound themselves before 236f447: sending an enterprise's credit code (anyone can) made a
// follower one of the enterprise's accepted followers when its earlier provisional issues were adopted. The
// one-time upgrade (server/enterprises/self-bound-followers.upgrade.ts) takes those off the enterprise, keeps the
// ones the centre accepted by merging, and says so in 操作日志.
import { expect } from 'chai';
import request from 'supertest';
import { XMLParser } from 'fast-xml-parser';
import { WECHAT_TEXT } from '../../../server/channels/wechat/wechat.dialogue.ts';
import { upgradeStoredIssues } from '../../../server/models/issue-upgrades.ts';
import { useTestApp } from '../helpers.ts';
import { plainQuery, textXml } from './wechat.harness.ts';

const xml = new XMLParser({ parseTagValue: false });

describe('upgrade: WeChat followers accepted by sending a credit code (before 236f447)', function () {
  this.timeout(60_000);
  const t = useTestApp();
  let seq = 0;
  const say = async (openid: string, text: string) => {
    seq += 1;
    const res = await request(t.app)
      .post('/api/intake/wechat')
      .query(plainQuery(openid))
      .type('text/xml')
      .send(textXml(openid, text, `99${seq}`));
    expect(res.status).to.equal(200);
    return String((xml.parse(res.text).xml as Record<string, string>).Content);
  };
  /** An unbound follower's complaint: filed under a provisional enterprise of its own. */
  const fileUnbound = async (openid: string) => {
    expect(await say(openid, '厂区门口的路灯坏了一个多月，晚上下班很不安全，请尽快修复。')).to.contain(
      WECHAT_TEXT.askCodeAfterFiling,
    );
    return (await t.models.Enterprise.findOne({ wechatOpenids: openid, provisional: true }).lean())!;
  };

  it('takes a self-bound follower off its enterprise once, and keeps the ones the centre accepted', async () => {
    const [e, other] = t.seed!.enterprises;
    const self = 'oSELF_bound_follower_0001';
    const staff = 'oSTAFF_accepted_follower_0002';
    // The self-bound follower: files unbound, then sends the credit code (its issues adopted by the channel);
    // the version before 236f447 then also put it on the enterprise's accepted followers.
    await fileUnbound(self);
    await say(self, e!.creditCode);
    await t.models.Enterprise.updateOne({ _id: e!._id }, { $addToSet: { wechatOpenids: self } });
    // One the centre accepted by merging its provisional enterprise, on two enterprises.
    const p = await fileUnbound(staff);
    await request(t.app)
      .post(`/api/enterprises/${String(p._id)}/merge`)
      .set(await t.auth('clerk'))
      .send({ intoId: String(e!._id), acceptSenders: true })
      .expect(200);
    // A follower accepted with no trace on any issue (confirmed with its provisional enterprise): kept.
    await t.models.Enterprise.updateOne(
      { _id: other!._id },
      { $set: { wechatOpenids: [self, 'oCONFIRMED_0003'] } },
    );

    const done = await upgradeStoredIssues(t.models, t.clock.now());
    expect(done['enterprise.selfBoundFollowers']).to.equal(1);
    expect((await t.models.Enterprise.findById(e!._id).lean())!.wechatOpenids).to.deep.equal([staff]);
    expect((await t.models.Enterprise.findById(other!._id).lean())!.wechatOpenids).to.deep.equal([
      self,
      'oCONFIRMED_0003',
    ]);
    // Still bound (as the fix leaves a follower that sends a code): its messages are filed for the enterprise.
    expect(await t.models.WechatBinding.countDocuments({ openid: self, enterpriseId: e!._id })).to.equal(1);
    const [row] = await t.models.Audit.find({ 'target.id': String(e!._id) }).lean();
    expect(row).to.deep.include({
      action: '移除自行绑定的微信用户（发送信用代码即被认可，已修复）',
      method: 'UPGRADE',
    });
    expect(JSON.parse(row!.details)).to.deep.equal({ wechat: ['尾号 0001'] });

    // Once: a later start changes nothing.
    await t.models.Enterprise.updateOne({ _id: e!._id }, { $addToSet: { wechatOpenids: self } });
    expect(await upgradeStoredIssues(t.models, t.clock.now())).to.deep.equal({});
    expect((await t.models.Enterprise.findById(e!._id).lean())!.wechatOpenids).to.include(self);
  });
});
