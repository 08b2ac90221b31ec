// An enterprise's accepted senders (已核实的来信人): the mail addresses and WeChat followers the centre accepted
// when it merged a provisional enterprise. The desks that edit enterprises see them with who accepted each, and
// take one back with a reason (audited); after that the address gets neither the QR link nor the owner's
// notices, and its next message is filed as a stranger's.
import { expect } from 'chai';
import request from 'supertest';
import { XMLParser } from 'fast-xml-parser';
import { makeCreditCode } from '../../shared/credit-code.ts';
import { ROLES } from '../../shared/roles.ts';
import { WECHAT_TEXT } from '../../server/channels/wechat/wechat.dialogue.ts';
import type { EnterpriseDoc } from '../../server/models/index.ts';
import { plainQuery, textXml } from './channels/wechat.harness.ts';
import { demoNameOf, expectError } from './helpers.ts';
import { useMailIntake } from './intake/mail.harness.ts';
import { enterpriseIn, postIssue, VAGUE_TEXT } from './issues/fixtures.ts';
import { outbox, useNotifyApp } from './notify/notify-harness.ts';

const ID = '0123456789abcdef01234567';
const xml = new XMLParser({ parseTagValue: false });
// Whoever may accept senders (待确认企业: the centre, director included, and admins) sees and takes them back.
const ALLOWED = ['admin', 'clerk', 'dispatcher', 'director'];

describe('api: an enterprise’s accepted senders (/api/enterprises/:id/senders)', function () {
  this.timeout(60_000);
  // Mail and WeChat notices are on (recorded in the outbox, never delivered here).
  const t = useNotifyApp(() => ({
    email: { send: async () => undefined },
    wechat: { send: async () => undefined },
  }));
  const { enterpriseOfMail } = useMailIntake(t);
  let seq = 0;
  const mailFrom = async (from: string) => (await enterpriseOfMail(from))!;

  /** A follower's text to the official account: the passive reply's text. */
  async function say(openid: string, text: string): Promise<string> {
    seq += 1;
    const res = await request(t.app)
      .post('/api/intake/wechat')
      .query(plainQuery(openid))
      .type('text/xml')
      .send(textXml(openid, text, `88${seq}`));
    expect(res.status).to.equal(200);
    return String((xml.parse(res.text).xml as Record<string, string>).Content);
  }

  /** The centre merges the provisional enterprise `p` into `into`, its senders checked (来信人已核实). */
  async function mergeAccepting(p: EnterpriseDoc, into: EnterpriseDoc, as = 'dispatcher') {
    await request(t.app)
      .post(`/api/enterprises/${String(p._id)}/merge`)
      .set(await t.auth(as))
      .send({ intoId: String(into._id), acceptSenders: true })
      .expect(200);
  }

  const list = async (id: unknown, as = 'clerk') =>
    request(t.app)
      .get(`/api/enterprises/${String(id)}/senders`)
      .set(await t.auth(as));
  const remove = async (id: unknown, body: object, as = 'clerk') =>
    request(t.app)
      .post(`/api/enterprises/${String(id)}/senders/remove`)
      .set(await t.auth(as))
      .send(body);

  it('is for the centre and admins, who accept senders: every other role 403, anonymous 401', async () => {
    const e = enterpriseIn(t, 'anji', 2);
    for (const role of ROLES) {
      const username =
        role === 'handler' ? 'handler-anji-centre' : role === 'unit_head' ? 'unithead-anji-centre' : role;
      const read = await list(e._id, username);
      const take = await remove(
        e._id,
        { channel: 'email', address: 'x@y.cn', reason: '核实非本企业人员' },
        username,
      );
      if (ALLOWED.includes(role)) {
        expect(read.status, role).to.equal(200);
        expect(read.body).to.deep.equal({ items: [] });
        expectError(take, 404, 'sender_not_found');
      } else {
        expectError(read, 403, 'forbidden');
        expectError(take, 403, 'forbidden');
      }
    }
    expectError(await request(t.app).get(`/api/enterprises/${String(e._id)}/senders`), 401, 'unauthorized');
    expectError(
      await request(t.app)
        .post(`/api/enterprises/${String(e._id)}/senders/remove`)
        .send({}),
      401,
      'unauthorized',
    );
  });

  it('lists the senders merged in with who accepted them; removing one ends its notices, its match and its binding', async () => {
    const e = enterpriseIn(t, 'wuxing', 3);
    const mail = 'caiwu@wuxing-senders.cn';
    const openid = 'oSENDERS_follower_0001';
    // A mail and a WeChat message from senders the register does not know, merged in by the centre, checked.
    await mergeAccepting(await mailFrom(mail), e, 'dispatcher');
    expect(await say(openid, '厂区东侧的雨水井盖松动了，货车经过很危险，请尽快处理。')).to.contain(
      WECHAT_TEXT.askCodeAfterFiling,
    );
    const p = (await t.models.Enterprise.findOne({ wechatOpenids: openid, provisional: true }).lean())!;
    await mergeAccepting(p, e, 'clerk');
    // The follower also sends the credit code (as anyone may): bound to the enterprise.
    await say(openid, e.creditCode);
    expect(await t.models.WechatBinding.countDocuments({ openid })).to.equal(1);

    const { body } = await list(e._id);
    expect(
      body.items.map((s: { channel: string; address: string }) => `${s.channel} ${s.address}`),
    ).to.deep.equal([`email ${mail}`, `wechat ${openid}`]);
    expect(body.items[0].acceptance).to.include({ how: 'merge', by: demoNameOf('dispatcher') });
    expect(body.items[1].acceptance).to.include({ how: 'merge', by: demoNameOf('clerk'), from: p.name });
    expect(body.items[1].acceptance.at).to.equal(t.clock.now().toISOString());
    // The registered email is the register's, not an accepted sender: not listed, not removed here.
    await request(t.app)
      .patch(`/api/enterprises/${String(e._id)}`)
      .set(await t.auth('clerk'))
      .send({ email: 'office@wuxing-senders.cn' })
      .expect(200);
    expect((await list(e._id)).body.items).to.have.length(2);
    expectError(
      await remove(e._id, { channel: 'email', address: 'office@wuxing-senders.cn', reason: '测试' }),
      409,
      'registered_email',
    );

    // The owner chose the accepted mail address for its notices; a staff issue tells it there, with the link.
    await t.models.Enterprise.updateOne(
      { _id: e._id },
      { $set: { notify: { channel: 'email', email: mail, updatedAt: t.clock.now() } } },
    );
    const told = async () => {
      const res = await postIssue(t, 'dispatcher', {
        enterprise: { id: String(e._id) },
        content: VAGUE_TEXT,
      });
      expect(res.status).to.equal(201);
      return outbox(t, { issueId: res.body.id, 'recipient.kind': 'enterprise' });
    };
    const before = await told();
    expect(before.map((r) => `${r.channel} ${r.recipient.address}`)).to.deep.equal([`email ${mail}`]);
    expect(before[0].text).to.contain('/e/');

    // Removed, with a reason: listed no more, the owner's choice of it ends (SMS to the registered mobile).
    const removed = await remove(e._id, {
      channel: 'email',
      address: ` ${mail.toUpperCase()} `,
      reason: '该员工已离职',
    });
    expect(removed.status, JSON.stringify(removed.body)).to.equal(200);
    expect(removed.body).to.deep.include({ enterprise: { id: String(e._id), name: e.name } });
    expect(removed.body.items.map((s: { address: string }) => s.address)).to.deep.equal([openid]);
    const after = await told();
    expect(after.map((r) => `${r.channel} ${r.recipient.address}`)).to.deep.equal([`sms ${e.mobile}`]);
    // Its next mail matches the enterprise no more than a stranger's: filed for a provisional enterprise.
    const next = await mailFrom(mail);
    expect(next.provisional).to.equal(true);
    expect(String(next._id)).to.not.equal(String(e._id));
    expectError(
      await remove(e._id, { channel: 'email', address: mail, reason: '重复' }),
      404,
      'sender_not_found',
    );

    // The follower: the owner chose WeChat, which reaches it; removed, the choice falls back to SMS.
    await t.models.Enterprise.updateOne(
      { _id: e._id },
      { $set: { notify: { channel: 'wechat', email: null, updatedAt: t.clock.now() } } },
    );
    expect((await told()).map((r) => `${r.channel} ${r.recipient.address}`)).to.deep.equal([
      `wechat ${openid}`,
    ]);
    await remove(e._id, { channel: 'wechat', address: openid, reason: '核实为其他企业员工' }, 'admin').then(
      (r) => expect(r.status, JSON.stringify(r.body)).to.equal(200),
    );
    expect((await told()).map((r) => `${r.channel} ${r.recipient.address}`)).to.deep.equal([
      `sms ${e.mobile}`,
    ]);
    const stored = (await t.models.Enterprise.findById(e._id).select('+senderAcceptances').lean())!;
    expect(stored.wechatOpenids).to.equal(undefined);
    expect(stored.emails).to.deep.equal(['office@wuxing-senders.cn']);
    expect(stored.senderAcceptances).to.deep.equal([]);
    // Its binding (the credit code it sent) went too: its next message is a stranger's, asked for the code.
    expect(await t.models.WechatBinding.countDocuments({ openid })).to.equal(0);
    expect(await say(openid, '井盖还是没有人来修，请尽快安排。')).to.contain(WECHAT_TEXT.askCodeAfterFiling);
    const filed = await t.models.Issue.findOne({ 'contact.openid': openid })
      .sort({ createdAt: -1, _id: -1 })
      .lean();
    expect(String(filed?.enterpriseId)).to.not.equal(String(e._id));

    // The audit log keeps each removal, with who, what and the reason.
    const audit = await request(t.app)
      .get('/api/audit')
      .set(await t.auth('admin'))
      .expect(200);
    const rows = audit.body.items.filter((r: { path: string }) => r.path.endsWith('/senders/remove'));
    expect(rows.map((r: { action: string }) => r.action)).to.deep.equal([
      '移除已核实的来信人（微信用户）',
      '移除已核实的来信人（邮箱）',
    ]);
    expect(rows[1].target).to.deep.equal({ id: String(e._id), name: e.name });
    expect(rows[1].actor).to.include({ name: demoNameOf('clerk'), role: 'clerk' });
    expect(JSON.parse(rows[1].details)).to.include({ reason: '该员工已离职' });
    expect(JSON.parse(rows[0].details)).to.include({ reason: '核实为其他企业员工' });
  });

  it('says a follower was accepted when the director confirmed the provisional enterprise it wrote as, and the director takes it back', async () => {
    const openid = 'oSENDERS_confirmed_0002';
    await say(openid, '园区门口的路灯坏了一个多月，晚上下班很不安全，请尽快修复。');
    const p = (await t.models.Enterprise.findOne({ wechatOpenids: openid, provisional: true }).lean())!;
    await request(t.app)
      .post(`/api/enterprises/${String(p._id)}/confirm`)
      .set(await t.auth('director'))
      .send({
        creditCode: makeCreditCode('91330523MA2LD0001'),
        name: '安吉县路灯照明器材有限公司',
        region: 'anji',
        mobile: '13905720001',
        acceptSenders: true,
      })
      .expect(200);
    const { body } = await list(p._id, 'dispatcher');
    expect(body.items).to.have.length(1);
    expect(body.items[0]).to.deep.include({ channel: 'wechat', address: openid });
    expect(body.items[0].acceptance).to.include({ how: 'confirm', by: demoNameOf('director'), from: p.name });
    // The director who accepted it takes a wrong acceptance back, without a desk that edits the register.
    const taken = await remove(
      p._id,
      { channel: 'wechat', address: openid, reason: '核实为其他企业员工' },
      'director',
    );
    expect(taken.status).to.equal(200);
    expect(taken.body.items).to.deep.equal([]);
    expect((await t.models.Enterprise.findById(p._id).lean())!.wechatOpenids ?? []).to.not.include(openid);
  });

  it('refuses bad input with a stable code, never 500', async () => {
    const e = enterpriseIn(t, 'deqing', 4);
    const ok = { channel: 'wechat', address: 'oNOT_ACCEPTED', reason: '核实非本企业人员' };
    expectError(await remove(ID, ok), 404, 'not_found');
    expectError(await remove('not-an-id', ok), 404, 'not_found');
    expectError(await list('not-an-id'), 404, 'not_found');
    expectError(await remove(e._id, ok), 404, 'sender_not_found');
    const invalid = async (body: object, field: string) => {
      const res = await remove(e._id, body);
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.field, JSON.stringify(body)).to.equal(field);
    };
    await invalid({ channel: 'wechat', address: 'oX' }, 'reason');
    await invalid({ ...ok, reason: '   ' }, 'reason');
    await invalid({ ...ok, reason: 42 }, 'reason');
    await invalid({ ...ok, channel: 'sms' }, 'channel');
    await invalid({ ...ok, address: '' }, 'address');
    await invalid({ ...ok, address: ['oX'] }, 'address');
    expectError(await remove(e._id, { ...ok, extra: 1 }), 400, 'validation_failed');
    // A provisional enterprise's senders were never accepted: the centre confirms or merges it.
    const p = await mailFrom('nobody@provisional-senders.cn');
    expect(p.provisional).to.equal(true);
    expectError(
      await remove(p._id, { channel: 'email', address: 'nobody@provisional-senders.cn', reason: '测试' }),
      409,
      'provisional',
    );
  });
});
