// GET|POST /api/intake/wechat with real WeChat-format payloads, in plaintext and safe mode: the URL check,
// binding an openid by credit code, filing text and images, redelivery, and every refusal.
import { expect } from 'chai';
import request from 'supertest';
import { XMLParser } from 'fast-xml-parser';
import { anotherApp, expectError, useTestApp, type TestApp } from '../helpers.ts';
import { loadConfig } from '../../../server/config.ts';
import { WECHAT_TEXT } from '../../../server/channels/wechat/wechat.dialogue.ts';
import {
  AES_KEY,
  APPID,
  encryptedPush,
  imageXml,
  nowStamp,
  plainQuery,
  replySignature,
  textXml,
  TOKEN,
  wechatDecrypt,
} from './wechat.harness.ts';

const URL = '/api/intake/wechat';
const xml = new XMLParser({ parseTagValue: false });
const replyOf = (body: string) => xml.parse(body).xml as Record<string, string>;

async function anEnterprise(t: TestApp) {
  const e = await t.models.Enterprise.findOne({}, { creditCode: 1, name: 1 }).lean();
  if (!e) throw new Error('no seeded enterprise');
  return e;
}

/** The dead letters kept for a body (raw, as received or as decrypted). */
const deadLettersOf = (t: TestApp, text: string) =>
  t.models.InboxEntry.countDocuments({ channel: 'wechat', status: 'failed', 'raw.text': text });
const deadLetterOf = (t: TestApp, text: string) =>
  t.models.InboxEntry.findOne({ channel: 'wechat', status: 'failed', 'raw.text': text }).lean();

function postPlain(t: TestApp, openid: string, body: string, query = plainQuery(openid)) {
  return request(t.app).post(URL).query(query).type('text/xml').send(body);
}

describe('WeChat official account (/api/intake/wechat)', () => {
  const t = useTestApp();

  describe('plaintext mode', () => {
    it('GET answers echostr with a good signature, 401 signature_invalid otherwise', async () => {
      const q = { ...plainQuery('x'), echostr: '5837397520466423' };
      const ok = await request(t.app).get(URL).query(q);
      expect(ok.status).to.equal(200);
      expect(ok.text).to.equal('5837397520466423');
      expectError(
        await request(t.app)
          .get(URL)
          .query({ ...q, signature: '0'.repeat(40) }),
        401,
        'signature_invalid',
      );
      expectError(
        await request(t.app)
          .get(URL)
          .query({ ...q, nonce: '1' }),
        401,
        'signature_invalid',
      );
    });

    it('asks an unbound openid for the credit code, binds it, then files the complaint with the number', async () => {
      const e = await anEnterprise(t);
      const openid = 'oUNBOUND_plain_0001';
      const first = await postPlain(t, openid, textXml(openid, '你好，我们有问题要反映', '1001'));
      expect(first.status).to.equal(200);
      const ask = replyOf(first.text);
      expect(ask.ToUserName).to.equal(openid);
      expect(ask.MsgType).to.equal('text');
      expect(ask.Content).to.contain('统一社会信用代码');
      expect(await t.models.Issue.countDocuments({ channel: 'wechat' })).to.equal(0);

      const bad = `${e.creditCode.slice(0, 17)}${e.creditCode[17] === '0' ? '1' : '0'}`;
      const invalid = await postPlain(t, openid, textXml(openid, bad, '1002'));
      expect(replyOf(invalid.text).Content).to.contain('校验未通过');

      const bind = await postPlain(t, openid, textXml(openid, e.creditCode, '1003'));
      expect(replyOf(bind.text).Content).to.contain(`已绑定企业：${e.name}`);
      const binding = await t.models.WechatBinding.findOne({ openid }).lean();
      expect(binding?.creditCode).to.equal(e.creditCode);

      const complaint = '园区道路施工三个月未完工，货车无法进出，影响正常发货';
      const filed = await postPlain(t, openid, textXml(openid, complaint, '1004'));
      const content = replyOf(filed.text).Content;
      const issue = await t.models.Issue.findOne({ channel: 'wechat', externalId: '1004' }).lean();
      expect(issue, 'issue filed').to.not.equal(null);
      expect(issue!.content).to.equal(complaint);
      expect(String(issue!.enterpriseId)).to.equal(String(e._id));
      expect(content).to.equal(
        `已受理您反映的问题，受理编号：${issue!.number}。企业负责人可在企业码页面查看办理进度。`,
      );

      // WeChat retries an unanswered push with the same MsgId: same number, no second issue.
      const again = await postPlain(t, openid, textXml(openid, complaint, '1004'));
      expect(replyOf(again.text).Content).to.contain(issue!.number);
      expect(await t.models.Issue.countDocuments({ channel: 'wechat', externalId: '1004' })).to.equal(1);

      // A thank-you after the reply is answered, not filed; thanks with a complaint in it is filed.
      const thanks = await postPlain(t, openid, textXml(openid, '好的，谢谢！', '1005'));
      expect(replyOf(thanks.text).Content).to.equal(WECHAT_TEXT.courtesy);
      expect(await t.models.Issue.countDocuments({ channel: 'wechat', externalId: '1005' })).to.equal(0);
      const more = await postPlain(t, openid, textXml(openid, '谢谢，不过厂区门口的路灯还是坏的', '1006'));
      expect(replyOf(more.text).Content).to.contain('受理编号');
    });

    it("files an unbound follower's complaint for a provisional enterprise and asks for the code; a greeting is only asked", async () => {
      const openid = 'oUNBOUND_complaint_0001';
      const complaint = '我们在织里工业园区，这个月已经停电四次了，每次都要停产半天，请尽快协调供电所。';
      const res = await postPlain(t, openid, textXml(openid, complaint, '1101'));
      const issue = await t.models.Issue.findOne({ channel: 'wechat', externalId: '1101' }).lean();
      expect(issue, 'nothing accepted is dropped').to.not.equal(null);
      expect(issue!.content).to.equal(complaint);
      const enterprise = await t.models.Enterprise.findById(issue!.enterpriseId).lean();
      expect(enterprise).to.deep.include({ provisional: true, wechatOpenids: [openid] });
      // Named by the follower (the end of its openid), so the centre tells two unknown followers apart.
      expect(enterprise!.name).to.match(/^待确认企业（微信.*用户…0001）$/);
      const reply = replyOf(res.text).Content;
      expect(reply).to.contain(`受理编号：${issue!.number}`).and.contain('统一社会信用代码');
      const greeting = await postPlain(
        t,
        'oUNBOUND_hello_0001',
        textXml('oUNBOUND_hello_0001', '您好 在吗', '1102'),
      );
      expect(replyOf(greeting.text).Content).to.equal(WECHAT_TEXT.askCode);
      expect(await t.models.Issue.countDocuments({ externalId: '1102' })).to.equal(0);
      // A short complaint is a complaint (it used to take 15 characters, and this one was lost).
      const short = await postPlain(
        t,
        'oUNBOUND_short_0001',
        textXml('oUNBOUND_short_0001', '厂门口路灯坏了没人修', '1103'),
      );
      const filed = await t.models.Issue.findOne({ externalId: '1103' }).lean();
      expect(filed?.content).to.equal('厂门口路灯坏了没人修');
      expect(replyOf(short.text).Content).to.contain(`受理编号：${filed!.number}`);

      // The follower then sends its credit code, as asked: what it wrote before goes to its enterprise.
      const e = await anEnterprise(t);
      const bind = await postPlain(t, openid, textXml(openid, e.creditCode, '1104'));
      expect(replyOf(bind.text).Content)
        .to.contain(`已绑定企业：${e.name}`)
        .and.contain(`您此前反映的问题（${issue!.number}）已归入贵企业办理`);
      const moved = (await t.models.Issue.findById(issue!._id).lean())!;
      expect(String(moved.enterpriseId)).to.equal(String(e._id));
      expect(moved.enterpriseName).to.equal(e.name);
      expect(moved.timeline.at(-1)!.note).to.contain('微信用户发送统一社会信用代码完成绑定');
      expect(await t.models.Enterprise.countDocuments({ _id: enterprise!._id })).to.equal(0);
      // Sending a credit code (anyone can) does not make the follower one of the enterprise's accepted
      // followers, whose notices carry the QR link and who get the owner's WeChat notices: this test asserted
      // that it did, which let any follower take over an enterprise's notices (the security review).
      expect((await t.models.Enterprise.findById(e._id).lean())!.wechatOpenids ?? []).to.not.include(openid);
      const later = await postPlain(t, openid, textXml(openid, '厂区门口的排水沟堵了，下雨就积水', '1105'));
      const laterIssue = await t.models.Issue.findOne({ externalId: '1105' }).lean();
      expect(String(laterIssue?.enterpriseId), 'the binding still files for its enterprise').to.equal(
        String(e._id),
      );
      expect(replyOf(later.text).Content).to.contain(laterIssue!.number);
      // Another follower's provisional enterprise stays where it is.
      const other = (await t.models.Issue.findOne({ externalId: '1103' }).lean())!;
      const otherEnterprise = await t.models.Enterprise.findById(other.enterpriseId).lean();
      expect(otherEnterprise?.provisional).to.equal(true);
    });

    it("files an unbound follower's picture for a provisional enterprise with the picture attached, and asks for the code", async () => {
      const openid = 'oNEW9_picture_0001';
      const res = await postPlain(t, openid, imageXml(openid, 'MEDIAB_unbound_0001', '1201'));
      const issue = await t.models.Issue.findOne({ channel: 'wechat', externalId: '1201' }).lean();
      expect(issue, 'a picture is accepted like a text: never dropped').to.not.equal(null);
      expect(issue!.content).to.contain('图片');
      const enterprise = await t.models.Enterprise.findById(issue!.enterpriseId).lean();
      expect(enterprise).to.deep.include({ provisional: true, wechatOpenids: [openid] });
      const reply = replyOf(res.text).Content;
      expect(reply).to.contain(`受理编号：${issue!.number}`).and.contain('统一社会信用代码');
      const files = await t.conn
        .db!.collection('attachments.files')
        .find({ 'metadata.issueId': issue!._id })
        .toArray();
      expect(files.map((f) => f.metadata)).to.deep.include.members([
        { ...files[0].metadata, status: 'pending', mediaId: 'MEDIAB_unbound_0001', source: 'wechat' },
      ]);
      // A voice message is not filed (no text to read): the follower is told to write instead.
      const voice = `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>1772413400</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[MEDIAV_1]]></MediaId><Format><![CDATA[amr]]></Format><MsgId>1202</MsgId></xml>`;
      const said = await postPlain(t, openid, voice);
      expect(replyOf(said.text).Content).to.contain('文字');
      expect(await t.models.Issue.countDocuments({ externalId: '1202' })).to.equal(0);
      // With the account's 语音识别 on, WeChat sends the transcript: that is the follower's text, marked as a
      // transcript (here, just after their picture, it describes the picture's issue); a spoken 谢谢 is
      // courtesy, answered and not filed.
      const spoken = voice
        .replace('<MsgId>1202</MsgId>', '<MsgId>1203</MsgId>')
        .replace(
          '</Format>',
          '</Format><Recognition><![CDATA[厂区门口的路灯坏了一个月没人修]]></Recognition>',
        );
      const heard = await postPlain(t, openid, spoken);
      const filed = await t.models.Issue.findById(issue!._id).lean();
      expect(filed?.content).to.equal('（语音转文字）厂区门口的路灯坏了一个月没人修');
      expect(replyOf(heard.text).Content).to.contain(filed!.number);
      const thanks = voice
        .replace('<MsgId>1202</MsgId>', '<MsgId>1204</MsgId>')
        .replace('</Format>', '</Format><Recognition><![CDATA[谢谢。]]></Recognition>');
      await postPlain(t, openid, thanks);
      expect(await t.models.Issue.countDocuments({ externalId: '1204' })).to.equal(0);
    });

    it('binds and files in one message when the code comes with the complaint text', async () => {
      const e = await anEnterprise(t);
      const openid = 'oONE_MESSAGE_0002';
      const text = `统一社会信用代码：${e.creditCode.toLowerCase()}，企业用电扩容申请两个月没有回音`;
      const res = await postPlain(t, openid, textXml(openid, text, '2001'));
      const issue = await t.models.Issue.findOne({ channel: 'wechat', externalId: '2001' }).lean();
      expect(issue?.content).to.equal('企业用电扩容申请两个月没有回音');
      expect(replyOf(res.text).Content).to.match(new RegExp(`已绑定企业.*受理编号：${issue!.number}`));
      // The same code again with another complaint: filed, without announcing the binding a second time.
      const again = `${e.creditCode} 厂区道路的路灯一个多月没亮了，员工晚上下班不安全`;
      const next = await postPlain(t, openid, textXml(openid, again, '2002'));
      const second = await t.models.Issue.findOne({ channel: 'wechat', externalId: '2002' }).lean();
      expect(second?.content).to.equal('厂区道路的路灯一个多月没亮了，员工晚上下班不安全');
      expect(replyOf(next.text).Content).to.contain(second!.number).and.not.contain('已绑定');
    });

    it('binds on the code with only a greeting or thanks beside it, and files nothing', async () => {
      const e = await anEnterprise(t);
      const issues = await t.models.Issue.countDocuments();
      for (const [k, text] of [`${e.creditCode} 你好`, `统一社会信用代码：${e.creditCode}，谢谢`].entries()) {
        const openid = `oCODE_COURTESY_000${k}`;
        const res = await postPlain(t, openid, textXml(openid, text, `230${k}`));
        expect(replyOf(res.text).Content).to.equal(
          WECHAT_TEXT.bound(e.creditCode, e.name) + WECHAT_TEXT.askComplaint,
        );
        expect(await t.models.WechatBinding.countDocuments({ openid, creditCode: e.creditCode })).to.equal(1);
      }
      expect(await t.models.Issue.countDocuments()).to.equal(issues);
    });

    it('keeps when the follower sent it (CreateTime) as 来件时间; a stamp ahead or a year old is not believed, and still filed', async () => {
      const e = await anEnterprise(t);
      const openid = 'oRAISED_plain_0001';
      await postPlain(t, openid, textXml(openid, e.creditCode, '2101'));
      // Sent 40 minutes ago (WeChat's stamp is on the wall clock, as the signature's): the issue says so.
      const sent = Math.floor(Date.now() / 1000) - 40 * 60;
      const words = '开发区西区供水管网压力不足，车间冷却系统时常停机';
      await postPlain(t, openid, textXml(openid, words, '2102', sent)).expect(200);
      const issue = (await t.models.Issue.findOne({ channel: 'wechat', externalId: '2102' }).lean())!;
      expect(issue.raisedAt).to.deep.equal(new Date(sent * 1000));
      const shown = await request(t.app)
        .get(`/api/issues/${String(issue._id)}`)
        .set(await t.auth('clerk'))
        .expect(200);
      expect(shown.body.raisedAt).to.equal(new Date(sent * 1000).toISOString());
      // Taken in now, which time limits count from (DESIGN §5).
      expect(issue.createdAt).to.deep.equal(t.clock.now());
      // An hour ahead, or two years back: filed all the same (WeChat has nothing to resend), without a 来件时间.
      const ahead = Math.floor(Date.now() / 1000) + 3600;
      const ancient = Math.floor(Date.now() / 1000) - 2 * 366 * 86_400;
      const odd = [
        ['2103', ahead, '园区东门外的路灯坏了两个月，夜班员工下班很不安全'],
        ['2104', ancient, '企业技改补贴申请半年没有回音，请帮忙催问进度'],
      ] as const;
      for (const [msgId, at, text] of odd) {
        const res = await postPlain(t, openid, textXml(openid, text, msgId, at)).expect(200);
        const filed = await t.models.Issue.findOne({ channel: 'wechat', externalId: msgId }).lean();
        expect(replyOf(res.text).Content).to.contain(`受理编号：${filed!.number}`);
        expect(filed!.raisedAt, msgId).to.equal(null);
        const entry = await t.models.InboxEntry.findOne({ channel: 'wechat', externalId: msgId }).lean();
        expect(entry!.receivedAt, msgId).to.deep.equal(entry!.acceptedAt);
      }
    });

    it('files an image from a bound openid with its media id as a pending attachment', async () => {
      const e = await anEnterprise(t);
      const openid = 'oIMAGE_0003';
      await postPlain(t, openid, textXml(openid, e.creditCode, '3001'));
      const res = await postPlain(t, openid, imageXml(openid, 'MEDIA_ID_abc123', '3002'));
      const issue = await t.models.Issue.findOne({ channel: 'wechat', externalId: '3002' }).lean();
      expect(replyOf(res.text).Content).to.contain(issue!.number);
      const files = await t.conn
        .db!.collection('attachments.files')
        .find({ 'metadata.issueId': issue!._id })
        .toArray();
      expect(files).to.have.length(1);
      expect(files[0].metadata).to.include({
        status: 'pending',
        mediaId: 'MEDIA_ID_abc123',
        source: 'wechat',
      });
    });

    it('checks pushes against the token an admin issued (渠道凭据), else WECHAT_TOKEN; revoking restores it', async () => {
      const admin = await t.auth('admin');
      // 渠道凭据 lists WECHAT_TOKEN (it said 尚无凭据 of a channel taking pushes), in force until a token is issued.
      const configRow = async () => {
        const list = await request(t.app).get('/api/channels').set(admin).expect(200);
        const wechat = list.body.items.find((c: { id: string }) => c.id === 'wechat');
        return wechat.credentials.find((c: { source?: string }) => c.source === 'config');
      };
      expect(await configRow()).to.include({ kind: 'token', hint: TOKEN.slice(-4), active: true });
      expect(JSON.stringify(await configRow())).to.not.include(TOKEN);
      const token = 'wx-token-issued-by-admin-0001';
      const issued = await request(t.app)
        .post('/api/channels/wechat/credentials')
        .set(admin)
        .send({ label: '公众号服务器配置', secret: token })
        .expect(201);
      const greet = (q: ReturnType<typeof plainQuery>) =>
        postPlain(t, 'o5', textXml('o5', '您好', '1201'), q);
      expect((await greet(plainQuery('o5', nowStamp(), '1', token))).status).to.equal(200);
      expectError(await greet(plainQuery('o5')), 401, 'signature_invalid');
      expect((await configRow()).active).to.equal(false);
      await request(t.app)
        .post(`/api/channels/wechat/credentials/${issued.body.credential.id}/revoke`)
        .set(admin)
        .expect(200);
      expect((await greet(plainQuery('o5'))).status).to.equal(200);
      expectError(await greet(plainQuery('o5', nowStamp(), '1', token)), 401, 'signature_invalid');
      expect((await configRow()).active).to.equal(true);
    });

    it('refuses a signature more than 5 minutes off the wall clock (it covers no plaintext body)', async () => {
      // Signed six minutes ago or ahead: a captured URL must not carry a forged body later.
      for (const ts of [nowStamp(-360), nowStamp(360)]) {
        expectError(
          await postPlain(t, 'o1', textXml('o1', 'x', '9'), plainQuery('o1', ts)),
          401,
          'timestamp_stale',
        );
        const q = { ...plainQuery('x', ts), echostr: '5837397520466423' };
        expectError(await request(t.app).get(URL).query(q), 401, 'timestamp_stale');
      }
      // Four minutes off either way is still now.
      for (const ts of [nowStamp(-240), nowStamp(240)])
        expect((await postPlain(t, 'o1', textXml('o1', 'x', '9'), plainQuery('o1', ts))).status).to.equal(
          200,
        );
    });

    it("takes the URL check's signature once: neither a second check nor a push can use it again", async () => {
      const e = await anEnterprise(t);
      const q = { ...plainQuery('oCHECK_1'), echostr: '5837397520466424' };
      expect((await request(t.app).get(URL).query(q)).status).to.equal(200);
      expectError(await request(t.app).get(URL).query(q), 409, 'replayed');
      // The check's URL, read from a log, as a push's: a complaint in a follower's name.
      const { echostr: _echo, ...signed } = q;
      const forged = textXml('oVICTIM_2', `${e.creditCode} 厂区门口道路积水一周无人处理`, '7101');
      const res = await postPlain(t, 'oVICTIM_2', forged, signed);
      expect([res.status, res.text]).to.deep.equal([200, 'success']);
      expect(await t.models.WechatBinding.countDocuments({ openid: 'oVICTIM_2' })).to.equal(0);
      expect(await t.models.Issue.countDocuments({ channel: 'wechat', externalId: '7101' })).to.equal(0);
    });

    it('takes a signed URL once: a second push on it, whatever its body, is answered empty and not handled', async () => {
      const e = await anEnterprise(t);
      const query = plainQuery('oREPLAY_1');
      const bind = await postPlain(t, 'oREPLAY_1', textXml('oREPLAY_1', e.creditCode, '7001'), query);
      expect(replyOf(bind.text).Content).to.contain('已绑定企业');
      // The same URL (seen in a proxy log, say) with a body claiming another follower and a complaint.
      const forged = textXml('oVICTIM_1', `${e.creditCode} 园区道路施工三个月未完工，货车无法进出`, '7002');
      const replay = await postPlain(t, 'oREPLAY_1', forged, query);
      expect(replay.status).to.equal(200);
      expect(replay.text).to.equal('success');
      expect(await t.models.WechatBinding.countDocuments({ openid: 'oVICTIM_1' })).to.equal(0);
      expect(await t.models.Issue.countDocuments({ channel: 'wechat', externalId: '7002' })).to.equal(0);
    });

    it('keeps a signed push it cannot read in the dead-letter list and answers success; hostile XML too', async () => {
      const dtd = '<!DOCTYPE xml [<!ENTITY a "aaaaaaaa">]><xml><Content>&a;</Content></xml>';
      const cases: [string, string][] = [
        ['<xml><ToUserName>gh</ToUserName', 'invalid_xml'],
        ['not xml at all', 'invalid_xml'],
        ['<xml><MsgType>text</MsgType></xml>', 'invalid_message'],
        [textXml('o1', 'x', '9').replace(/<FromUserName>.*<\/FromUserName>/, ''), 'invalid_message'],
        [dtd, 'invalid_xml'],
        [textXml('o1', 'a\u0000b', '9'), 'invalid_xml'],
        [textXml('o1', 'x', '9').replace('</xml>', '<$where>1</$where></xml>'), 'invalid_xml'],
        [
          textXml('o1', 'x', '9').replace('</xml>', '<__proto__><isAdmin>1</isAdmin></__proto__></xml>'),
          'invalid_xml',
        ],
      ];
      for (const [body, code] of cases) {
        // WeChat retries whatever is not a 200: answered as received, so it sends it once.
        const query = plainQuery('o1');
        const res = await postPlain(t, 'o1', body, query);
        expect(res.status, body).to.equal(200);
        expect(res.text).to.equal('success');
        const letter = await deadLetterOf(t, body);
        expect(letter, body).to.include({ status: 'failed', channel: 'wechat', attempts: 1 });
        expect(letter?.reason).to.match(new RegExp(`^${code}: [\u4e00-\u9fa5]`));
        // WeChat's own retry of the same URL: answered the same, and kept once.
        expect((await postPlain(t, 'o1', body, query)).text).to.equal('success');
        expect(await deadLettersOf(t, body)).to.equal(1);
      }
      const listed = await request(t.app)
        .get('/api/inbox?status=failed&channel=wechat')
        .set(await t.auth('clerk'))
        .expect(200);
      const cut = listed.body.items.find((i: { raw?: { text: string } }) => i.raw?.text === cases[0][0]);
      expect(cut).to.include({ channel: 'wechat', status: 'failed', attempts: 1 });
      expect(cut.reason).to.equal('invalid_xml: 消息不是合法的微信 XML');
      // No adapter parses a WeChat push again: 重试 is not offered, and asking anyway keeps the real reason.
      expect(cut.retryable).to.equal(false);
      const retried = await request(t.app)
        .post(`/api/inbox/${cut.id as string}/retry`)
        .set(await t.auth('clerk'));
      expectError(retried, 409, 'not_reparsable');
      const kept = await t.models.InboxEntry.findById(cut.id).lean();
      expect(kept).to.include({
        status: 'failed',
        reason: 'invalid_xml: 消息不是合法的微信 XML',
        attempts: 1,
      });
      // 人工登记 still reaches the follower the signed URL named, though the body could not say.
      const draft = await request(t.app)
        .get(`/api/inbox/${cut.id as string}/draft`)
        .set(await t.auth('clerk'))
        .expect(200);
      expect(draft.body.draft.contact).to.deep.equal({ openid: 'o1' });

      const hostile = textXml('o1', 'x', '9').replace('</xml>', '<_bsontype>Code</_bsontype></xml>');
      const res = await postPlain(t, 'o1', hostile);
      expect(res.status).to.equal(200);
      expect(replyOf(res.text).Content).to.contain('统一社会信用代码');
    });

    it('answers a signature of 40 non-hex characters 401, not 500 (their bytes outnumber a hex digest)', async () => {
      const q = { ...plainQuery('oODD_1'), signature: 'é'.repeat(40), echostr: '1' };
      expectError(await request(t.app).get(URL).query(q), 401, 'signature_invalid');
      expectError(await postPlain(t, 'oODD_1', '<xml/>', q), 401, 'signature_invalid');
    });

    it('checks the signature before reading the body: unsigned or wrongly signed garbage is 401 and not kept', async () => {
      const stored = await t.models.InboxEntry.countDocuments({ channel: 'wechat' });
      const garbage = '<xml><ToUserName>gh</ToUserName';
      expectError(await request(t.app).post(URL).type('text/xml').send(garbage), 401, 'signature_invalid');
      expectError(
        await postPlain(t, 'o1', 'not xml at all', { ...plainQuery('o1'), signature: 'f'.repeat(40) }),
        401,
        'signature_invalid',
      );
      expectError(
        await postPlain(t, 'o1', textXml('o1', 'x', '9'), { ...plainQuery('o1'), signature: 'f'.repeat(40) }),
        401,
        'signature_invalid',
      );
      expectError(
        await postPlain(t, 'o1', garbage, plainQuery('o1', nowStamp(-400))),
        401,
        'timestamp_stale',
      );
      expect(await t.models.InboxEntry.countDocuments({ channel: 'wechat' })).to.equal(stored);
      expectError(
        await postPlain(t, 'o1', `<xml><Content>${'长'.repeat(40_000)}</Content></xml>`),
        413,
        'payload_too_large',
      );
    });

    it('keeps an encrypted push it cannot decrypt (no EncodingAESKey configured) as a dead letter', async () => {
      const p = encryptedPush(textXml('o2', 'x', '5101'), 'o2');
      const res = await request(t.app).post(URL).query(p.query).type('text/xml').send(p.body);
      expect(res.status).to.equal(200);
      expect(res.text).to.equal('success');
      const letter = await deadLetterOf(t, p.body);
      expect(letter?.reason).to.match(/^encryption_not_configured: 公众号未配置 EncodingAESKey/);
    });
  });

  describe('safe mode (EncodingAESKey)', () => {
    let safe: ReturnType<typeof anotherApp>;
    before(() => {
      const config = loadConfig({
        DEMO: '1',
        JWT_SECRET: 'test-secret-0123456789-abcdefghijklmnop',
        LOG_LEVEL: 'silent',
        WECHAT_TOKEN: TOKEN,
        WECHAT_ENCODING_AES_KEY: AES_KEY,
        WECHAT_APPID: APPID,
      });
      safe = anotherApp(t, { config });
    });

    it('decrypts the push, binds, files, and answers an encrypted, signed reply', async () => {
      const e = await anEnterprise(t);
      const openid = 'oSAFE_0004';
      const post = (inner: string) => {
        const p = encryptedPush(inner, openid);
        return request(safe).post(URL).query(p.query).type('text/xml').send(p.body);
      };
      const complaint = '出口退税申报三个月未到账';
      const res = await post(textXml(openid, `${e.creditCode} ${complaint}`, '4001'));
      expect(res.status).to.equal(200);
      const outer = replyOf(res.text);
      expect(outer.MsgSignature).to.equal(replySignature(outer.TimeStamp, outer.Nonce, outer.Encrypt));
      const { xml: inner, appId } = wechatDecrypt(outer.Encrypt);
      expect(appId).to.equal(APPID);
      const reply = replyOf(inner);
      const issue = await t.models.Issue.findOne({ channel: 'wechat', externalId: '4001' }).lean();
      expect(issue?.content).to.equal(complaint);
      expect(reply.ToUserName).to.equal(openid);
      expect(reply.Content).to.contain(`受理编号：${issue!.number}`);
    });

    it('refuses a plaintext push, even rightly signed: the plain signature does not cover the body', async () => {
      const e = await anEnterprise(t);
      // The plain signature stands in every safe-mode push URL beside msg_signature.
      const p = encryptedPush(textXml('oSAFE_7', 'x', '5101'), 'oSAFE_7');
      const { signature, timestamp, nonce, openid } = p.query;
      const forged = textXml('oVICTIM_3', `${e.creditCode} 园区供电线路老化经常跳闸`, '5102');
      const res = await request(safe)
        .post(URL)
        .query({ signature, timestamp, nonce, openid })
        .type('text/xml')
        .send(forged);
      expectError(res, 401, 'encryption_required');
      expect(await t.models.WechatBinding.countDocuments({ openid: 'oVICTIM_3' })).to.equal(0);
      expect(await t.models.Issue.countDocuments({ channel: 'wechat', externalId: '5102' })).to.equal(0);
      const unsigned = await request(safe)
        .post(URL)
        .query({ timestamp, nonce })
        .type('text/xml')
        .send(forged);
      expectError(unsigned, 401, 'signature_invalid');
    });

    it('refuses a wrong msg_signature (401) and another appid (401); keeps what it cannot decrypt or read', async () => {
      const p = encryptedPush(textXml('o2', 'x', '5001'), 'o2');
      expectError(
        await request(safe)
          .post(URL)
          .query({ ...p.query, msg_signature: '签'.repeat(40) })
          .type('text/xml')
          .send(p.body),
        401,
        'signature_invalid',
      );
      expectError(
        await request(safe)
          .post(URL)
          .query({ ...p.query, msg_signature: '0'.repeat(40) })
          .type('text/xml')
          .send(p.body),
        401,
        'signature_invalid',
      );
      const stale = encryptedPush(textXml('o2', 'x', '5003'), 'o2', APPID, nowStamp(-400));
      expectError(
        await request(safe).post(URL).query(stale.query).type('text/xml').send(stale.body),
        401,
        'timestamp_stale',
      );
      const other = encryptedPush(textXml('o2', 'x', '5002'), 'o2', 'wx9999999999999999');
      expectError(
        await request(safe).post(URL).query(other.query).type('text/xml').send(other.body),
        401,
        'appid_mismatch',
      );
      const garbage = '<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[AAAA]]></Encrypt></xml>';
      const q = encryptedPush('<xml/>', 'o2').query;
      const { createHash } = await import('node:crypto');
      const sig = createHash('sha1')
        .update([TOKEN, q.timestamp, q.nonce, 'AAAA'].sort().join(''))
        .digest('hex');
      const kept = await request(safe)
        .post(URL)
        .query({ ...q, msg_signature: sig })
        .type('text/xml')
        .send(garbage);
      expect(kept.status).to.equal(200);
      expect(kept.text).to.equal('success');
      expect((await deadLetterOf(t, garbage))?.reason).to.match(/^invalid_encrypt: 加密消息无法解密/);

      // Decrypted, but not a message: kept as decrypted, for staff to read.
      const inner = '<xml><MsgType>text</MsgType><Content>加密消息缺发送者</Content></xml>';
      const partial = encryptedPush(inner, 'o2');
      const readable = await request(safe).post(URL).query(partial.query).type('text/xml').send(partial.body);
      expect(readable.text).to.equal('success');
      expect(await deadLetterOf(t, inner)).to.include({ status: 'failed', attempts: 1 });
      expect((await deadLetterOf(t, inner))?.reason).to.match(/^invalid_message: /);

      // An outer body too broken to hold a ciphertext: the plain signature beside msg_signature vouches for it.
      const cut = '<xml><ToUserName>gh</ToUserName><Encrypt>';
      const signedCut = encryptedPush('<xml/>', 'o2').query;
      expect((await request(safe).post(URL).query(signedCut).type('text/xml').send(cut)).text).to.equal(
        'success',
      );
      expect((await deadLetterOf(t, cut))?.reason).to.match(/^invalid_xml: /);
      const unsigned = { ...encryptedPush('<xml/>', 'o2').query, signature: 'f'.repeat(40) };
      const other2 = '<xml><Encrypt>';
      expectError(
        await request(safe).post(URL).query(unsigned).type('text/xml').send(other2),
        401,
        'signature_invalid',
      );
      expect(await deadLettersOf(t, other2)).to.equal(0);
    });
  });
});
