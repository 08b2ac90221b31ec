// A WeChat follower the centre accepted by merging the provisional enterprise it wrote as (its openid in the
// enterprise's wechatOpenids) is a bound follower: its messages are answered with the issue number, and it is
// not asked to bind again.
import { expect } from 'chai';
import request from 'supertest';
import { XMLParser } from 'fast-xml-parser';
import { WECHAT_TEXT } from '../../../server/channels/wechat/wechat.dialogue.ts';
import { useTestApp } from '../helpers.ts';
import { plainQuery, textXml } from './wechat.harness.ts';

const URL = '/api/intake/wechat';
const xml = new XMLParser({ parseTagValue: false });

describe('WeChat: a follower accepted by merging its provisional enterprise', () => {
  const t = useTestApp();
  const say = async (openid: string, text: string, msgId: string) => {
    const res = await request(t.app)
      .post(URL)
      .query(plainQuery(openid))
      .type('text/xml')
      .send(textXml(openid, text, msgId));
    expect(res.status).to.equal(200);
    return String((xml.parse(res.text).xml as Record<string, string>).Content);
  };

  it('answers its next message with the issue number and no bind prompt', async () => {
    const openid = 'oB2_accepted_follower';
    const first = await say(openid, '园区门口路灯坏了一个多月，晚上下班很不安全，请尽快修复。', '7001');
    expect(first).to.contain(WECHAT_TEXT.askCodeAfterFiling);
    const provisional = await t.models.Enterprise.findOne({ wechatOpenids: openid }).lean();
    expect(provisional?.provisional).to.equal(true);

    const real = (await t.models.Enterprise.findOne({ provisional: { $ne: true } }).lean())!;
    await request(t.app)
      .post(`/api/enterprises/${String(provisional!._id)}/merge`)
      .set(await t.auth('dispatcher'))
      .send({ intoId: String(real._id), acceptSenders: true })
      .expect(200);

    const next = await say(openid, '另外厂区东侧的雨水井盖也松动了，车辆经过有危险。', '7002');
    const issue = await t.models.Issue.findOne({ channel: 'wechat', externalId: '7002' }).lean();
    expect(String(issue?.enterpriseId)).to.equal(String(real._id));
    expect(next).to.contain(`受理编号：${issue!.number}`);
    expect(next).to.not.contain('统一社会信用代码');

    // A short message is a complaint too, as from any bound follower.
    const short = await say(openid, '井盖还没修', '7003');
    expect(short).to.contain('受理编号');
    expect(short).to.not.contain('统一社会信用代码');
  });
});
