// Push-back to the channel an issue came from (issue 8 with issue 6): the person who wrote in by SMS hears back
// by SMS at the sending number, the sender of a mail gets replies in the thread of that mail (a real SMTP round
// trip: the mail in through the built-in listener, the reply out through nodemailer to a local SMTP server),
// and a WeChat follower gets customer-service messages from the official account's API (a local fake that
// checks the token and the message, and expires the token on demand). An enterprise that chose WeChat on the
// QR page is told by WeChat, not SMS.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { createAttachmentStore } from '../../../server/attachments/attachment.store.ts';
import { channelSecretKeyOf } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import { startSmtpListener, type SmtpListener } from '../../../server/channels/email/smtp.listener.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import { createIntakeSink } from '../../../server/intake/intake-sink.ts';
import { createSmtpEmailSender } from '../../../server/notify/email.ts';
import { createHotlineCallbackSender, signHotlineCallback } from '../../../server/notify/pushback.ts';
import { createWechatCustomSender } from '../../../server/notify/wechat-custom.ts';
import { PDF } from '../channels/files.fixtures.ts';
import { plainQuery, textXml, voiceXml } from '../channels/wechat.harness.ts';
import { WECHAT_TEXT } from '../../../server/channels/wechat/wechat.dialogue.ts';
import { FAKE_APPID, FAKE_APPSECRET, FakeWechatApi } from '../channels/wechat-api.fake.ts';
import type { EnterpriseDoc } from '../../../server/models/index.ts';
import { enterpriseIn, handlerOf, must, postIssue, unitByCode, VAGUE_TEXT } from '../issues/fixtures.ts';
import {
  outbox,
  postSigned,
  recipientsByEvent,
  silent,
  textsByUser,
  useNotifyApp,
} from './notify-harness.ts';

const APPID = FAKE_APPID;
const APPSECRET = FAKE_APPSECRET;

/** An SMTP server that keeps every mail it is given, parsed. */
class MailCatcher {
  mails: ParsedMail[] = [];
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, _session, done) => {
      simpleParser(stream)
        .then((mail) => this.mails.push(mail))
        .then(() => done(), done);
    },
  });
  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.server.address() as AddressInfo).port;
  }
}

const HOTLINE_SECRET = 'hotline-callback-secret-0123456789';

interface HotlineCallback {
  orderId: string;
  number: string;
  event: string;
  text: string;
  at: string;
}

/** The 12345 platform's work-order callback endpoint: keeps each signed callback, refuses a bad signature. */
class HotlineCallbacks {
  server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const ts = String(req.headers['x-timestamp'] ?? '');
      if (req.headers['x-signature'] !== signHotlineCallback(HOTLINE_SECRET, ts, body)) {
        res.writeHead(401).end();
        return;
      }
      this.received.push(JSON.parse(body) as HotlineCallback);
      res.writeHead(200).end('{}');
    });
  });
  received: HotlineCallback[] = [];
  port = 0;

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }
}

describe('push-back to the originating channel', () => {
  const hotline = new HotlineCallbacks();
  const wechatApi = new FakeWechatApi();
  const mailCatcher = new MailCatcher();
  let apiBase = '';
  let catcherPort = 0;
  let smtp: SmtpListener | undefined;

  before(async () => {
    apiBase = await wechatApi.start();
    catcherPort = await mailCatcher.start();
    await hotline.start();
  });

  const t = useNotifyApp(() => ({
    email: createSmtpEmailSender(`smtp://127.0.0.1:${catcherPort}`, '企业服务中心 <service@test.local>'),
    wechat: createWechatCustomSender({ apiBase, appId: APPID, appSecret: APPSECRET }),
    pushback: {
      hotline12345: createHotlineCallbackSender({
        url: `http://127.0.0.1:${hotline.port}/callback`,
        secret: HOTLINE_SECRET,
      }),
    },
  }));

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
    const sink = createIntakeSink({
      models: t.models,
      clock: t.clock,
      intakeConfig: createIntakeConfigCache(t.models),
      onIssueChange: t.notify.notifier.onChange,
      logger: silent,
    });
    smtp = await startSmtpListener({ port: 0, host: '127.0.0.1', sink, logger: silent });
  });

  after(async () => {
    await smtp?.close();
    wechatApi.server.close();
    hotline.server.close();
    await new Promise<void>((resolve) => mailCatcher.server.close(() => resolve()));
  });

  const issueByNumber = async (number: string) => (await t.models.Issue.findOne({ number }).lean())!;

  /** Dispatch, sign, reply and verify: the enterprise hears dispatched and reply (with the rating request). */
  async function carryThrough(id: string) {
    const issue = (await t.models.Issue.findById(id, { state: 1, unitId: 1 }).lean())!;
    let handler = handlerOf('city-drc');
    if (issue.state === 'received')
      await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    else handler = handlerOf((await t.models.Unit.findById(issue.unitId, { code: 1 }).lean())!.code);
    await must(t, handler, id, 'sign');
    await must(t, handler, id, 'reply', { text: '已协调有关部门办理完毕。' });
    await must(t, 'dispatcher', id, 'verify');
    await t.notify.notifier.idle();
  }

  /** A JSON channel's push with its demo API key (浙里办, 主动发现), as the platform sends it. */
  const postKeyed = (channel: 'zheliban' | 'discovery', body: object) =>
    request(t.app)
      .post(`/api/intake/${channel}`)
      .set('X-Api-Key', `demo-${channel}-key`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));

  async function enterpriseRows(issueId: string) {
    const rows = await outbox(t, { issueId, 'recipient.kind': 'enterprise' });
    return rows.map((r) => `${r.event} ${r.channel} ${r.recipient.address ?? ''}`);
  }

  it('an issue sent by SMS is answered by SMS at the sending number, each step once; the owner hears it too', async () => {
    const e = enterpriseIn(t, 'anji', 3);
    const from = '13912340001';
    expect(e.mobile).to.not.equal(from);
    const raw = JSON.stringify({
      msgId: 'PB-SMS-1',
      from,
      text: `${e.creditCode} ${VAGUE_TEXT}园区供水压力不足。`,
    });
    const res = await postSigned(t, 'sms', raw).expect(200);
    const issue = await issueByNumber(res.body.number);
    expect(String(issue.enterpriseId)).to.equal(String(e._id));
    await carryThrough(String(issue._id));
    // The registered mobile hears each step as well: the issue is the enterprise's, and only its owner can
    // rate it (before, a message from any other number left the owner unaware of it to the end).
    expect(await enterpriseRows(String(issue._id))).to.deep.equal([
      `enterprise_received sms ${from}`,
      `enterprise_received sms ${e.mobile}`,
      `enterprise_dispatched sms ${from}`,
      `enterprise_dispatched sms ${e.mobile}`,
      `enterprise_reply sms ${from}`,
      `enterprise_reply sms ${e.mobile}`,
    ]);
    t.sms.sent = [];
    await t.notify.worker.runOnce();
    const toSender = t.sms.sent.filter((m) => m.to === from).map((m) => m.text);
    expect(toSender).to.have.length(3);
    expect(toSender.every((text) => text.includes(issue.number))).to.equal(true);
    const toOwner = t.sms.sent.filter((m) => m.to === e.mobile).map((m) => m.text);
    expect(toOwner).to.have.length(3);
    expect(toOwner[2]).to.match(/请扫描企业码查看答复并评价：http\S+\/e\/\S+$/);
    // A number that is not the enterprise's own (anyone can send a credit code) is never given the QR page,
    // which lists the enterprise's issues: the texts name the number and, instead of asking someone without
    // the code to scan it (可扫描企业码查看进度, with nothing after), who holds the code.
    expect(toSender.filter((text) => text.includes('/e/'))).to.deep.equal([]);
    expect(toSender[0]).to.match(/编号HZ-\d{4}-\d{6}。可由企业负责人扫描企业码查看进度。$/);
    expect(toSender[2]).to.match(
      /^您的问题HZ-\d{4}-\d{6}已办理完毕，请由企业负责人扫描企业码查看答复并评价。$/,
    );
  });

  it('满意 or 不满意 texted back to 办理结果 is no rating: the owner is told to rate on the QR page', async () => {
    const e = enterpriseIn(t, 'anji', 5);
    const text = (k: string, body: string) =>
      JSON.stringify({ msgId: `PB-SMS-RATE-${k}`, from: e.mobile, text: body });
    // Before any answer awaits a rating, a bare 满意 is nothing to file (as before).
    const early = await postSigned(t, 'sms', text('0', '满意'));
    expect([early.status, early.body.error?.code]).to.deep.equal([422, 'no_complaint']);
    const res = await postSigned(
      t,
      'sms',
      text('1', `${VAGUE_TEXT}厂区围墙外的排水沟堵塞，雨天污水倒灌车间。`),
    ).expect(200);
    const issue = await issueByNumber(res.body.number);
    await carryThrough(String(issue._id));
    const good = await postSigned(t, 'sms', text('2', '满意！')).expect(200);
    expect(good.body).to.include({ status: 'merged', number: issue.number });
    await t.notify.notifier.idle();
    let after = (await t.models.Issue.findById(issue._id).lean())!;
    expect(after.state).to.equal('awaiting_rating');
    expect(after.rating ?? null).to.equal(null);
    const howtos = await outbox(t, { issueId: String(issue._id), event: 'rating_howto' });
    expect(howtos.map((h) => `${h.channel} ${h.recipient.address}`)).to.deep.equal([`sms ${e.mobile}`]);
    expect(howtos[0]?.text).to.include('选择“满意”').and.include(`/e/${e.qrToken}`);
    // 不满意: told the same, and the centre hears it, to call back.
    await postSigned(t, 'sms', text('3', '不满意')).expect(200);
    await t.notify.notifier.idle();
    after = (await t.models.Issue.findById(issue._id).lean())!;
    expect(after.state).to.equal('awaiting_rating');
    expect(await outbox(t, { issueId: String(issue._id), event: 'rating_howto' })).to.have.length(2);
    expect((await recipientsByEvent(t, String(issue._id))).reply_dissatisfied).to.have.length.above(0);
  });

  it('满意 or 不满意 texted back by the number that wrote the issue in, or a repeat of it, is kept as the owner’s is', async () => {
    const e = enterpriseIn(t, 'anji', 8);
    const [first, second, stranger] = ['13912340021', '13912340022', '13912340023'];
    const sms = (k: string, from: string, text: string) =>
      postSigned(t, 'sms', JSON.stringify({ msgId: `PB-SMS-CONTACT-${k}`, from, text }));
    const text = `${e.creditCode} 我公司厂区东侧道路路灯损坏两个月，夜班员工下班出行很不安全，请尽快修复。`;
    const a = await sms('1', first, text).expect(200);
    const b = await sms('2', second, `${text}谢谢。`).expect(200);
    expect(b.body).to.include({ status: 'merged', number: a.body.number });
    const issue = await issueByNumber(a.body.number);
    const id = String(issue._id);
    await carryThrough(id);
    // Both numbers were texted 办理结果 (请由企业负责人扫描企业码…评价); either may answer it.
    const unhappy = await sms('3', first, '不满意').expect(200);
    expect(unhappy.body).to.include({ status: 'merged', number: issue.number });
    const happy = await sms('4', second, '满意！').expect(200);
    expect(happy.body).to.include({ status: 'merged', number: issue.number });
    await t.notify.notifier.idle();
    const after = (await t.models.Issue.findById(id).lean())!;
    expect([after.state, after.rating ?? null]).to.deep.equal(['awaiting_rating', null]);
    const notes = after.timeline.filter((x) => x.data?.kind === 'source_merged' && x.data.thread);
    expect(
      notes.map((x) => [x.public, x.data?.dissatisfied ?? false, x.data?.satisfied ?? false]),
    ).to.deep.equal([
      [true, true, false],
      [true, false, true],
    ]);
    const howtos = await outbox(t, { issueId: id, event: 'rating_howto' });
    expect(howtos.map((h) => `${h.channel} ${h.recipient.address}`)).to.deep.equal([
      `sms ${first}`,
      `sms ${second}`,
    ]);
    // Not the enterprise's own number: told who rates, never given the QR page.
    expect(howtos.filter((h) => h.text.includes('/e/'))).to.deep.equal([]);
    expect((await recipientsByEvent(t, id)).reply_dissatisfied).to.have.length.above(0);
    // A number that wrote nothing in has nothing awaiting its answer: refused, as before.
    const other = await sms('5', stranger, '不满意');
    expect([other.status, other.body.error?.code]).to.deep.equal([422, 'no_complaint']);
  });

  it('企业回复不满意 asks the 受理员 and 分办员 to call back, and the director, who cannot record one, to press them', async () => {
    const e = enterpriseIn(t, 'anji', 6);
    const text = (k: string, body: string) =>
      JSON.stringify({ msgId: `PB-SMS-ASK-${k}`, from: e.mobile, text: body });
    const res = await postSigned(t, 'sms', text('1', `${VAGUE_TEXT}厂区门前路灯坏了半个月无人修。`)).expect(
      200,
    );
    const issue = await issueByNumber(res.body.number);
    await carryThrough(String(issue._id));
    await postSigned(t, 'sms', text('2', '不满意')).expect(200);
    await t.notify.notifier.idle();
    const textOf = await textsByUser(t, String(issue._id), 'reply_dissatisfied');
    for (const caller of ['clerk', 'dispatcher']) {
      expect(textOf(caller), caller).to.match(/回复对办理结果不满意（尚未在企业码评价），请回访了解原因。$/);
    }
    expect(textOf('director')).to.match(/（尚未在企业码评价），请督促受理员或分办员回访了解原因。$/);
  });

  it('a 浙里办 submission is answered by SMS at the submitter’s mobile, and the owner at the registered one', async () => {
    const e = enterpriseIn(t, 'anji', 5);
    const phone = '13512345678';
    expect(e.mobile).to.not.equal(phone);
    const res = await postKeyed('zheliban', {
      externalId: 'ZLB-PB-1',
      creditCode: e.creditCode,
      contactName: '周八',
      contactPhone: phone,
      content: `${VAGUE_TEXT}园区道路积水严重。`,
    }).expect(200);
    const issue = await issueByNumber(res.body.number);
    await carryThrough(String(issue._id));
    expect(await enterpriseRows(String(issue._id))).to.deep.equal([
      `enterprise_received sms ${phone}`,
      `enterprise_received sms ${e.mobile}`,
      `enterprise_dispatched sms ${phone}`,
      `enterprise_dispatched sms ${e.mobile}`,
      `enterprise_reply sms ${phone}`,
      `enterprise_reply sms ${e.mobile}`,
    ]);
  });

  it('an SMS from a landline (a fixed-line gateway) is not answered by SMS there; the owner hears it', async () => {
    const e = enterpriseIn(t, 'anji', 10);
    const from = '0572-2345678';
    const raw = JSON.stringify({
      msgId: 'PB-SMS-LAND',
      from,
      text: `${e.creditCode} ${VAGUE_TEXT}园区路灯不亮。`,
    });
    const res = await postSigned(t, 'sms', raw).expect(200);
    const id = String((await issueByNumber(res.body.number))._id);
    await t.notify.notifier.idle();
    expect(await enterpriseRows(id)).to.deep.equal([`enterprise_received sms ${e.mobile}`]);
  });

  it('a 主动发现 report (a data alert) sends the enterprise no 受理回执: it raised nothing', async () => {
    const e = enterpriseIn(t, 'anji', 9);
    const res = await postKeyed('discovery', {
      externalId: 'ALERT-PB-1',
      creditCode: e.creditCode,
      content: '用电量连续三周下降40%，疑似停产，请属地走访了解困难。',
    }).expect(200);
    const id = String((await issueByNumber(res.body.number))._id);
    await t.notify.notifier.idle();
    expect((await enterpriseRows(id)).filter((r) => r.startsWith('enterprise_received'))).to.deep.equal([]);
  });

  it('整改告知 after a bad rating goes to the owner, who rated, and not to the 浙里办 submitter', async () => {
    const e = enterpriseIn(t, 'anji', 7);
    const phone = '13512345679';
    const res = await postKeyed('zheliban', {
      externalId: 'ZLB-PB-RECT',
      creditCode: e.creditCode,
      contactPhone: phone,
      content: `${VAGUE_TEXT}园区路灯损坏半年无人维修。`,
    }).expect(200);
    const id = String((await issueByNumber(res.body.number))._id);
    await carryThrough(id);
    await must(t, 'clerk', id, 'rate', { rating: 'bad', level: 'dissatisfied', comment: '路灯仍未修好' });
    await must(t, 'dispatcher', id, 'verify_rating', { reasonable: true });
    await t.notify.notifier.idle();
    const rows = await outbox(t, { issueId: id, event: 'enterprise_rectification' });
    expect(rows.map((r) => `${r.channel} ${r.recipient.address}`)).to.deep.equal([`sms ${e.mobile}`]);
    expect(rows[0].text).to.match(/^您对问题HZ-\d{4}-\d{6}的差评已核实/);
  });

  it('the registered mobile writing in by SMS is the enterprise itself: its answers carry the QR page', async () => {
    const e = enterpriseIn(t, 'anji', 4);
    const mobile = e.mobile!;
    // As a gateway writes it: +86, spaces and dashes. Kept, answered and listed as the 11 digits.
    const from = `+86 ${mobile.slice(0, 3)}-${mobile.slice(3, 7)}-${mobile.slice(7)}`;
    const raw = JSON.stringify({ msgId: 'PB-SMS-OWN', from, text: `${VAGUE_TEXT}园区路灯不亮。` });
    const res = await postSigned(t, 'sms', raw).expect(200);
    const issue = await issueByNumber(res.body.number);
    expect(String(issue.enterpriseId)).to.equal(String(e._id));
    expect(issue.contact).to.deep.equal({ phone: mobile });
    await t.notify.notifier.idle();
    t.sms.sent = [];
    await t.notify.worker.runOnce();
    expect(t.sms.sent.filter((m) => m.to !== mobile && m.text.includes(issue.number))).to.deep.equal([]);
    const [received] = t.sms.sent.filter((m) => m.to === mobile).map((m) => m.text);
    expect(received).to.include(issue.number).and.include(`/e/${e.qrToken}`);
    const list = await request(t.app)
      .get(`/api/outbox?issueId=${String(issue._id)}&channel=sms`)
      .set(await t.auth('admin'))
      .expect(200);
    expect(list.body.items.map((r: { recipient: { address: string } }) => r.recipient.address)).to.deep.equal(
      [`${mobile.slice(0, 3)}****${mobile.slice(-4)}`],
    );
  });

  it('a repeat by SMS merged into the open issue is told so at its own number, and hears the outcome too', async () => {
    const e = enterpriseIn(t, 'anji', 6);
    const [first, second] = ['13912340011', '13912340012'];
    const text = `${e.creditCode} 我公司新建厂房申请竣工验收两个月，至今没有安排现场验收，设备无法进场，影响投产。`;
    const a = await postSigned(t, 'sms', JSON.stringify({ msgId: 'PB-SMS-M1', from: first, text })).expect(
      200,
    );
    const b = await postSigned(
      t,
      'sms',
      JSON.stringify({ msgId: 'PB-SMS-M2', from: second, text: `${text}请尽快处理。` }),
    ).expect(200);
    expect(b.body).to.include({ status: 'merged', number: a.body.number });
    const issue = await issueByNumber(a.body.number);
    await t.notify.notifier.idle();
    expect(await enterpriseRows(String(issue._id))).to.deep.equal([
      `enterprise_received sms ${first}`,
      `enterprise_received sms ${e.mobile}`,
      `source_merged sms ${second}`,
    ]);
    await carryThrough(String(issue._id));
    expect(await enterpriseRows(String(issue._id))).to.deep.equal([
      `enterprise_received sms ${first}`,
      `enterprise_received sms ${e.mobile}`,
      `source_merged sms ${second}`,
      `enterprise_dispatched sms ${first}`,
      `enterprise_dispatched sms ${second}`,
      `enterprise_dispatched sms ${e.mobile}`,
      `enterprise_reply sms ${first}`,
      `enterprise_reply sms ${second}`,
      `enterprise_reply sms ${e.mobile}`,
    ]);
    t.sms.sent = [];
    await t.notify.worker.runOnce();
    const merged = t.sms.sent.filter((m) => m.to === second).map((m) => m.text);
    expect(merged).to.have.length(3);
    // The second number never wrote before: not told it wrote 再次 (again).
    expect(merged[0]).to.include(issue.number).and.include('已并入').and.not.include('再次');
    expect(t.sms.sent.filter((m) => m.to === e.mobile)).to.have.length(3);
  });

  it('every 12345 work order of an issue, the first and those merged into it, hears the answer at verification and the outcome at closing, each once', async () => {
    const e = enterpriseIn(t, 'wuxing', 8);
    const content = '我公司厂区门前道路破损严重，货车无法进出，多次反映没有修复，影响正常发货。';
    const order = (orderId: string, text: string) =>
      postSigned(t, 'hotline12345', JSON.stringify({ orderId, creditCode: e.creditCode, content: text }));
    const a = await order('WO-PB-1', content).expect(200);
    const b = await order('WO-PB-2', `${content}请尽快处理。`).expect(200);
    expect(b.body).to.include({ status: 'merged', number: a.body.number });
    const issue = await issueByNumber(a.body.number);
    const id = String(issue._id);
    /** What the platform received since the last call, as `orderId event text`. */
    const delivered = async () => {
      hotline.received = [];
      await t.notify.flush();
      const wellFormed = (c: HotlineCallback) => c.number === issue.number && !Number.isNaN(Date.parse(c.at));
      expect(hotline.received.every(wellFormed)).to.equal(true);
      return hotline.received.map((c) => `${c.orderId} ${c.event} ${c.text}`).sort();
    };
    expect(await delivered()).to.deep.equal([]);

    await carryThrough(id); // the reply: 已协调有关部门办理完毕。
    expect(await delivered()).to.deep.equal([
      'WO-PB-1 pushback_reply 已协调有关部门办理完毕。',
      'WO-PB-2 pushback_reply 已协调有关部门办理完毕。',
    ]);

    await must(t, 'dispatcher', id, 'rate', { rating: 'good', level: 'satisfied' });
    await t.notify.notifier.idle();
    expect(await delivered()).to.deep.equal([
      'WO-PB-1 pushback_outcome 已办结：企业评价「满意」',
      'WO-PB-2 pushback_outcome 已办结：企业评价「满意」',
    ]);

    // Through the outbox, one row per work order and fact; a later callback on the closed issue adds nothing.
    await must(t, 'dispatcher', id, 'callback', { reached: true, note: '企业表示满意' });
    expect(await delivered()).to.deep.equal([]);
    const rows = await outbox(t, { issueId: issue._id, channel: 'pushback' });
    expect(rows.map((r) => `${r.recipient.address} ${r.event} ${r.status}`).sort()).to.deep.equal([
      'WO-PB-1 pushback_outcome sent',
      'WO-PB-1 pushback_reply sent',
      'WO-PB-2 pushback_outcome sent',
      'WO-PB-2 pushback_reply sent',
    ]);
  });

  it('a 12345 work order whose issue staff merge into another hears the master’s answer and outcome', async () => {
    const e = enterpriseIn(t, 'wuxing', 10);
    const order = (orderId: string, text: string) =>
      postSigned(t, 'hotline12345', JSON.stringify({ orderId, creditCode: e.creditCode, content: text }));
    const a = await order('WO-PB-M1', '厂区门前排水沟堵塞，一下雨就积水，车间进水，请尽快疏通。').expect(200);
    const b = await order('WO-PB-M2', '我们厂雨天门口积水漫进车间，怀疑是外面的水沟没人清理。').expect(200);
    expect(b.body.status, 'told apart by intake').to.equal('created');
    const master = String((await issueByNumber(a.body.number))._id);
    const merged = String((await issueByNumber(b.body.number))._id);
    await must(t, 'dispatcher', merged, 'merge', { intoId: master });
    const sources = (await t.models.Issue.findById(master).lean())!.sources!;
    expect(sources.map((s) => s.externalId)).to.deep.equal(['WO-PB-M2']);
    hotline.received = [];
    await carryThrough(master);
    await t.notify.flush();
    expect(hotline.received.map((c) => `${c.orderId} ${c.event} ${c.number}`).sort()).to.deep.equal([
      `WO-PB-M1 pushback_reply ${a.body.number}`,
      `WO-PB-M2 pushback_reply ${a.body.number}`,
    ]);
  });

  it('a rejected 12345 work order hears 不予受理 with the reason', async () => {
    const e = enterpriseIn(t, 'wuxing', 9);
    const res = await postSigned(
      t,
      'hotline12345',
      JSON.stringify({ orderId: 'WO-PB-REJ', creditCode: e.creditCode, content: VAGUE_TEXT }),
    ).expect(200);
    const issue = await issueByNumber(res.body.number);
    expect(issue.state).to.equal('received');
    await must(t, 'dispatcher', String(issue._id), 'reject', { reason: '属于司法程序，不予受理。' });
    await t.notify.notifier.idle();
    hotline.received = [];
    await t.notify.flush();
    expect(hotline.received.map((c) => `${c.orderId} ${c.event} ${c.text}`)).to.deep.equal([
      'WO-PB-REJ pushback_outcome 不予受理：属于司法程序，不予受理。',
    ]);
  });

  it('an issue sent by email is answered by mail in the thread of the original (In-Reply-To, References)', async () => {
    const e = enterpriseIn(t, 'deqing', 4);
    const mailer = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp!.port,
      secure: false,
      ignoreTLS: true,
    });
    await mailer.sendMail({
      from: '"李经理" <li@pb-factory.cn>',
      to: 'complaints@issues.example.gov.cn',
      subject: `【${e.creditCode}】用电增容申请三个月没有答复`,
      text: '我司去年十月提交的用电增容申请至今没有答复，新生产线无法投产，请帮助协调供电部门。',
      messageId: '<pb-mail-0001@pb-factory.cn>',
    });
    mailer.close();
    await t.notify.notifier.idle();
    const entry = (await t.models.Issue.findOne({
      channel: 'email',
      externalId: 'pb-mail-0001@pb-factory.cn',
    }).lean())!;
    expect(entry, 'the mail became an issue').to.not.equal(null);
    await carryThrough(String(entry._id));
    expect(await enterpriseRows(String(entry._id))).to.deep.equal([
      'enterprise_received email li@pb-factory.cn',
      `enterprise_received sms ${e.mobile}`,
      'enterprise_dispatched email li@pb-factory.cn',
      `enterprise_dispatched sms ${e.mobile}`,
      'enterprise_reply email li@pb-factory.cn',
      `enterprise_reply sms ${e.mobile}`,
    ]);
    mailCatcher.mails = [];
    await t.notify.worker.runOnce();
    const replies = mailCatcher.mails.filter((m) => m.text?.includes(entry.number));
    expect(replies).to.have.length(3);
    for (const mail of replies) {
      expect(mail.inReplyTo).to.equal('<pb-mail-0001@pb-factory.cn>');
      expect([mail.references].flat()).to.deep.equal(['<pb-mail-0001@pb-factory.cn>']);
      expect(mail.subject).to.match(/^Re: /);
      expect((mail.to as { text: string }).text).to.equal('li@pb-factory.cn');
      // Marked as an automatic answer (RFC 3834), so the sender's out-of-office does not answer it back.
      expect(mail.headers.get('auto-submitted')).to.equal('auto-replied');
    }
    expect(replies.map((m) => m.subject)).to.include(`Re: 受理回执 ${entry.number}`);
  });

  it('a reply in the mail thread adds to the issue: 补充内容告知 to its sender, the holder told; a bare 谢谢, nobody', async () => {
    const e = enterpriseIn(t, 'deqing', 6);
    const mailer = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp!.port,
      secure: false,
      ignoreTLS: true,
    });
    const first = {
      from: '"周经理" <zhou@pb-thread.cn>',
      to: 'complaints@issues.example.gov.cn',
      subject: `【${e.creditCode}】厂区门口被车辆长期占用`,
    };
    await mailer.sendMail({
      ...first,
      text: '厂区门口被外来车辆长期占用，货车无法进出，请协调处理。',
      messageId: '<pb-thread-1@pb-thread.cn>',
    });
    const thread = { inReplyTo: '<pb-thread-1@pb-thread.cn>', references: ['<pb-thread-1@pb-thread.cn>'] };
    await mailer.sendMail({
      ...first,
      ...thread,
      subject: `Re: ${first.subject}`,
      text: '补充：占用车辆车牌浙E12345，每天早上七点停到晚上。',
      messageId: '<pb-thread-2@pb-thread.cn>',
    });
    await mailer.sendMail({
      ...first,
      ...thread,
      subject: `Re: ${first.subject}`,
      text: '谢谢！',
      messageId: '<pb-thread-3@pb-thread.cn>',
    });
    mailer.close();
    await t.notify.notifier.idle();
    const issue = (await t.models.Issue.findOne({ externalId: 'pb-thread-1@pb-thread.cn' }).lean())!;
    expect(issue.sources!.map((x) => x.content)).to.include('谢谢！');
    // Kept for staff; not news on the enterprise's own page.
    const notes = issue.timeline.filter((e) => e.data?.kind === 'source_merged');
    expect(notes.map((e) => e.public)).to.deep.equal([true, false]);
    expect(await enterpriseRows(String(issue._id))).to.deep.equal([
      'enterprise_received email zhou@pb-thread.cn',
      `enterprise_received sms ${e.mobile}`,
      'source_added email zhou@pb-thread.cn',
    ]);
    const [added] = await outbox(t, { issueId: String(issue._id), event: 'source_added' });
    expect(added.text).to.include(`您在原会话中补充的内容已记入问题${issue.number}`);
    expect(added.text).to.not.include('无需重复反映');
    // Whoever holds it (the centre, before dispatch) reads the addition; the 谢谢 tells nobody.
    expect((await recipientsByEvent(t, String(issue._id))).enterprise_supplement).to.deep.equal([
      'clerk',
      'director',
      'dispatcher',
    ]);
  });

  /** The enterprise's own address writing to the centre over real SMTP: a client and the first mail's fields. */
  async function ownAddressMail(
    e: Pick<EnterpriseDoc, '_id'>,
    from: string,
    address: string,
    subject: string,
  ) {
    await t.models.Enterprise.updateOne({ _id: e._id }, { $set: { emails: [address] } });
    const mailer = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp!.port,
      secure: false,
      ignoreTLS: true,
    });
    const first = { from: `"${from}" <${address}>`, to: 'complaints@issues.example.gov.cn', subject };
    /** The owner's answer to the centre's 办理结果 mail, threaded under their first mail `firstId`. */
    const answerResult = (number: string, firstId: string, text: string, messageId: string) =>
      mailer.sendMail({
        ...first,
        subject: `Re: 办理结果 ${number}`,
        inReplyTo: '<centre-reply-1@issues.example.gov.cn>',
        references: [firstId, '<centre-reply-1@issues.example.gov.cn>'],
        text: `${text}\n\n> 您的问题已办理完毕，请扫描企业码查看答复并评价`,
        messageId,
      });
    return { mailer, first, answerResult };
  }

  it('不满意 in reply to the 办理结果 mail: its sender is told to rate on the QR page, the centre hears it', async () => {
    const e = enterpriseIn(t, 'deqing', 7);
    const { mailer, first, answerResult } = await ownAddressMail(
      e,
      '王经理',
      'wang@pb-rate.cn',
      `【${e.creditCode}】园区污水管网接入迟迟未办`,
    );
    await mailer.sendMail({
      ...first,
      text: '我司新厂房的污水管网接入申请已提交两个月，至今未安排施工，影响投产，请协调。',
      messageId: '<pb-rate-1@pb-rate.cn>',
    });
    // Before any answer, 不满意 is about the handling so far: no bare courtesy, an addition its holder reads.
    await mailer.sendMail({
      ...first,
      subject: `Re: ${first.subject}`,
      inReplyTo: '<pb-rate-1@pb-rate.cn>',
      references: ['<pb-rate-1@pb-rate.cn>'],
      text: '不满意，都两周了还没人联系我们。',
      messageId: '<pb-rate-0@pb-rate.cn>',
    });
    await t.notify.notifier.idle();
    const issue = (await t.models.Issue.findOne({ externalId: 'pb-rate-1@pb-rate.cn' }).lean())!;
    expect((await recipientsByEvent(t, String(issue._id))).enterprise_supplement).to.have.length.above(0);
    expect(await outbox(t, { issueId: String(issue._id), event: 'source_added' })).to.have.length(1);
    await carryThrough(String(issue._id));
    // The owner answers the centre's 办理结果 mail, which threads under theirs.
    await answerResult(issue.number, '<pb-rate-1@pb-rate.cn>', '不满意！', '<pb-rate-2@pb-rate.cn>');
    mailer.close();
    await t.notify.notifier.idle();
    const after = (await t.models.Issue.findById(issue._id).lean())!;
    expect(after.state, 'a reply is no rating: only the owner rates, on the QR page').to.equal(
      'awaiting_rating',
    );
    const note = after.timeline.findLast((x) => x.data?.kind === 'source_merged');
    expect(note).to.include({ public: true });
    expect(note?.note).to.include('不满意');
    expect(note?.data).to.include({ dissatisfied: true });
    const howtos = await outbox(t, { issueId: String(issue._id), event: 'rating_howto' });
    expect(howtos).to.have.length(1);
    const [howto] = howtos;
    expect(howto?.recipient.address).to.equal('wang@pb-rate.cn');
    expect(howto?.text).to.include('企业码').and.include(`/e/${e.qrToken}`);
    expect((await recipientsByEvent(t, String(issue._id))).reply_dissatisfied).to.deep.equal([
      'clerk',
      'director',
      'dispatcher',
    ]);
  });

  it('满意 in reply to the 办理结果 mail: no rating recorded, its sender is told to rate on the QR page', async () => {
    const e = enterpriseIn(t, 'deqing', 8);
    const { mailer, first, answerResult } = await ownAddressMail(
      e,
      '李经理',
      'li@pb-good.cn',
      `【${e.creditCode}】新厂房消防验收迟迟未安排`,
    );
    await mailer.sendMail({
      ...first,
      text: '我司新厂房消防验收申请提交一个多月仍未安排现场检查，影响投产，请协调。',
      messageId: '<pb-good-1@pb-good.cn>',
    });
    await t.notify.notifier.idle();
    const issue = (await t.models.Issue.findOne({ externalId: 'pb-good-1@pb-good.cn' }).lean())!;
    await carryThrough(String(issue._id));
    await answerResult(issue.number, '<pb-good-1@pb-good.cn>', '满意，谢谢你们！', '<pb-good-2@pb-good.cn>');
    mailer.close();
    await t.notify.notifier.idle();
    const after = (await t.models.Issue.findById(issue._id).lean())!;
    // Only the owner rates, on the QR page: the reply records nothing as a rating.
    expect(after.state).to.equal('awaiting_rating');
    expect(after.rating ?? null).to.equal(null);
    const note = after.timeline.findLast((x) => x.data?.kind === 'source_merged');
    expect(note).to.include({ public: true });
    expect(note?.data).to.include({ satisfied: true });
    const howtos = await outbox(t, { issueId: String(issue._id), event: 'rating_howto' });
    expect(howtos.map((h) => h.recipient.address)).to.deep.equal(['li@pb-good.cn']);
    expect(howtos[0]?.text).to.include('不计为评价').and.include('选择“满意”');
    expect(howtos[0]?.text).to.include(`/e/${e.qrToken}`);
    // Nobody at the centre is sent to call back a satisfied owner.
    expect((await recipientsByEvent(t, String(issue._id))).reply_dissatisfied).to.equal(undefined);
  });

  it('an address the enterprise is known by (a merged sender’s) writing in is the enterprise: its receipt carries the QR page', async () => {
    const e = enterpriseIn(t, 'deqing', 5);
    await t.models.Enterprise.updateOne({ _id: e._id }, { $set: { emails: ['caiwu@pb-known.cn'] } });
    const mailer = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp!.port,
      secure: false,
      ignoreTLS: true,
    });
    await mailer.sendMail({
      from: '"财务部" <caiwu@pb-known.cn>',
      to: 'complaints@issues.example.gov.cn',
      subject: '出口退税三个月未到账',
      text: '我司三个月前申报的出口退税至今未到账，资金周转困难，请协调税务部门加快审核。',
      messageId: '<pb-mail-known@pb-known.cn>',
    });
    mailer.close();
    await t.notify.notifier.idle();
    const issue = (await t.models.Issue.findOne({ externalId: 'pb-mail-known@pb-known.cn' }).lean())!;
    expect(String(issue.enterpriseId)).to.equal(String(e._id));
    mailCatcher.mails = [];
    await t.notify.worker.runOnce();
    const receipt = mailCatcher.mails.find((m) => m.text?.includes(issue.number));
    expect(receipt?.text).to.include(`/e/${e.qrToken}`);
  });

  it('a mail whose attachments cannot be kept is answered in its thread with which files and why', async () => {
    const e = enterpriseIn(t, 'deqing', 6);
    const sink = createIntakeSink(
      {
        models: t.models,
        clock: t.clock,
        intakeConfig: createIntakeConfigCache(t.models),
        onIssueChange: t.notify.notifier.onChange,
        logger: silent,
      },
      createAttachmentStore(t.conn, t.models),
    );
    const withFiles = await startSmtpListener({ port: 0, host: '127.0.0.1', sink, logger: silent });
    const mailer = nodemailer.createTransport({
      host: '127.0.0.1',
      port: withFiles.port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      await mailer.sendMail({
        from: '"王会计" <wang@pb-files.cn>',
        to: 'complaints@issues.example.gov.cn',
        subject: `【${e.creditCode}】增值税留抵退税申请退回后无人说明原因`,
        text: '我司上月提交的留抵退税申请被退回，没有说明原因，附上申请表和退回通知，请帮助了解情况。',
        messageId: '<pb-mail-files@pb-files.cn>',
        attachments: [
          { filename: '退回通知.pdf', content: PDF },
          { filename: '申请表.docx', content: Buffer.from('PK\u0003\u0004 not a picture or a PDF') },
        ],
      });
    } finally {
      mailer.close();
      await withFiles.close();
    }
    await t.notify.notifier.idle();
    const issue = (await t.models.Issue.findOne({ externalId: 'pb-mail-files@pb-files.cn' }).lean())!;
    expect(await enterpriseRows(String(issue._id))).to.have.members([
      'enterprise_received email wang@pb-files.cn',
      `enterprise_received sms ${e.mobile}`,
      'attachments_refused email wang@pb-files.cn',
    ]);
    mailCatcher.mails = [];
    await t.notify.worker.runOnce();
    const notice = mailCatcher.mails.find((m) => m.subject === `Re: 附件未收到告知 ${issue.number}`);
    expect(notice, 'the sender is told in the thread of the mail').to.not.equal(undefined);
    expect(notice!.inReplyTo).to.equal('<pb-mail-files@pb-files.cn>');
    expect(notice!.text)
      .to.include('1个附件未保存：申请表.docx（类型不支持）')
      .and.not.include('退回通知.pdf');
  });

  it('a WeChat follower gets customer-service messages; the token is cached and fetched again when WeChat drops it', async () => {
    const e = enterpriseIn(t, 'changxing', 5);
    const openid = 'oPB_follower_0001';
    const push = textXml(
      openid,
      `${e.creditCode} 企业门口道路施工三个月未完工，货车无法进出。`,
      '7000000000000000001',
    );
    const ack = await request(t.app)
      .post('/api/intake/wechat')
      .query(plainQuery(openid))
      .type('text/xml')
      .send(push);
    expect(ack.status).to.equal(200);
    const issue = (await t.models.Issue.findOne({
      channel: 'wechat',
      externalId: '7000000000000000001',
    }).lean())!;
    expect(ack.text).to.include(issue.number); // the passive reply gave the number
    const id = String(issue._id);
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    // Received was answered passively to the follower, and by SMS to the registered mobile (the follower only
    // sent the credit code, which anyone can); dispatched goes to both.
    expect(await enterpriseRows(id)).to.deep.equal([
      `enterprise_received sms ${e.mobile}`,
      `enterprise_dispatched wechat ${openid}`,
      `enterprise_dispatched sms ${e.mobile}`,
    ]);
    const before = wechatApi.tokensIssued;
    await t.notify.worker.runOnce();
    expect(wechatApi.messages.filter((m) => m.touser === openid).map((m) => m.content)).to.have.length(1);
    expect(wechatApi.messages.at(-1)!.content).to.include(issue.number);
    expect(wechatApi.tokensIssued).to.equal(before + 1);

    // WeChat invalidates the token: the sender fetches a new one and the message still goes, once.
    wechatApi.nextError = 40001;
    await must(t, handlerOf('city-drc'), id, 'sign');
    await must(t, handlerOf('city-drc'), id, 'reply', { text: '施工单位已承诺本周完工。' });
    await must(t, 'dispatcher', id, 'verify');
    await t.notify.notifier.idle();
    await t.notify.worker.runOnce();
    const toFollower = wechatApi.messages.filter((m) => m.touser === openid);
    expect(toFollower).to.have.length(2);
    expect(toFollower[1].content).to.include('评价');
    expect(wechatApi.tokensIssued).to.equal(before + 2);
    expect(wechatApi.refusals).to.deep.equal([]);
    const rows = await outbox(t, { issueId: id, channel: 'wechat' });
    expect(rows.map((r) => r.status)).to.deep.equal(['sent', 'sent']);
  });

  it('an enterprise that chose WeChat on the QR page hears by WeChat (its accepted follower), and never an SMS', async () => {
    const e = enterpriseIn(t, 'nanxun', 6);
    const openid = 'oPB_owner_0002';
    // The follower the centre accepted for the enterprise; a stranger who later sent its credit code to the
    // official account (anyone can) is bound for their own messages only and hears nothing of this issue.
    await t.models.Enterprise.updateOne({ _id: e._id }, { $push: { wechatOpenids: openid } });
    await t.models.WechatBinding.collection.insertOne({
      openid: 'oPB_stranger_0009',
      creditCode: e.creditCode,
      enterpriseId: e._id,
      boundAt: t.clock.now(),
    });
    await t.models.Enterprise.updateOne(
      { _id: e._id },
      { $set: { notify: { channel: 'wechat', email: null, updatedAt: t.clock.now() } } },
    );
    const res = await postIssue(t, 'dispatcher', {
      enterprise: { id: String(e._id) },
      urgency: 'normal',
      content: `${VAGUE_TEXT}厂区排水管网堵塞。`,
    });
    expect(res.status).to.equal(201);
    expect(await enterpriseRows(res.body.id)).to.deep.equal([`enterprise_received wechat ${openid}`]);
    await t.notify.worker.runOnce();
    expect(wechatApi.messages.at(-1)).to.deep.include({ touser: openid });
  });

  it('a follower WeChat will not accept any more (outside the 48 hours) is dead at once, not retried 40 times', async () => {
    const e = enterpriseIn(t, 'changxing', 5);
    const res = await postIssue(t, 'dispatcher', {
      enterprise: { id: String(e._id) },
      urgency: 'normal',
      content: `${VAGUE_TEXT}另请回电。`,
    });
    expect(res.status).to.equal(201);
    await t.models.Enterprise.updateOne(
      { _id: e._id },
      { $set: { notify: { channel: 'wechat', email: null, updatedAt: t.clock.now() } } },
    );
    await t.models.Enterprise.updateOne({ _id: e._id }, { $push: { wechatOpenids: 'oPB_follower_0001' } });
    await must(t, 'dispatcher', res.body.id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    wechatApi.nextError = 45015;
    await t.notify.notifier.idle();
    await t.notify.worker.runOnce();
    const [row] = await outbox(t, { issueId: res.body.id, channel: 'wechat' });
    expect(row).to.include({ status: 'dead', attempts: 1 });
    expect(row.lastError).to.include('45015');
    expect(row.lastError).to.not.include(APPSECRET);
  });

  /** A WeChat push from the follower, signed as WeChat signs it: the passive reply. */
  const push = async (openid: string, xml: string) => {
    const res = await request(t.app)
      .post('/api/intake/wechat')
      .query(plainQuery(openid))
      .type('text/xml')
      .send(xml);
    expect(res.status).to.equal(200);
    return res.text;
  };

  it('a bound WeChat follower’s 不满意 to 办理结果 is kept on the issue: told where to rate, the centre alerted, no rating', async () => {
    const e = enterpriseIn(t, 'changxing', 7);
    const openid = 'oPB_rating_0001';
    const say = (body: string, msgId: string) => push(openid, textXml(openid, body, msgId));
    await say(e.creditCode, '7100000000000000001');
    // Before any answer awaits a rating, a bare 不满意 is courtesy: answered, nothing kept.
    expect(await say('不满意', '7100000000000000002')).to.include(WECHAT_TEXT.courtesy);
    expect(await t.models.InboxEntry.countDocuments({ externalId: '7100000000000000002' })).to.equal(0);
    await say('厂区门口的排水沟堵塞一个月了，雨天污水倒灌进车间，请尽快疏通。', '7100000000000000003');
    const issue = (await t.models.Issue.findOne({ externalId: '7100000000000000003' }).lean())!;
    const id = String(issue._id);
    await carryThrough(id);
    const reply = await say('不满意！', '7100000000000000004');
    // The passive reply is the 评价方式告知: where the owner rates, and how.
    expect(reply).to.include(WECHAT_TEXT.ratingHowto(issue.number, false));
    await t.notify.notifier.idle();
    const after = (await t.models.Issue.findById(id).lean())!;
    expect(after.state).to.equal('awaiting_rating');
    expect(after.rating ?? null).to.equal(null);
    const note = after.timeline.at(-1)!;
    expect(note).to.deep.include({ action: 'note', public: true });
    expect(note.data).to.include({ kind: 'source_merged', channel: 'wechat', dissatisfied: true });
    expect(note.note).to.include('对办理结果不满意');
    const by = await recipientsByEvent(t, id);
    expect(by.reply_dissatisfied).to.deep.equal(['clerk', 'director', 'dispatcher']);
    // Told once, by the passive reply, not again by a customer-service message.
    expect(by.rating_howto).to.equal(undefined);
  });

  it('a spoken 不满意 or 满意 (the voice message’s transcript) to 办理结果 is kept as a typed one is; voice without one is not', async () => {
    const e = enterpriseIn(t, 'changxing', 8);
    const openid = 'oPB_spoken_0001';
    const speak = (msgId: string, heard?: string) => push(openid, voiceXml(openid, msgId, heard));
    await push(openid, textXml(openid, e.creditCode, '7200000000000000001'));
    // Before any answer awaits a rating, a spoken 满意 is courtesy: answered, nothing kept.
    expect(await speak('7200000000000000002', '满意。')).to.include(WECHAT_TEXT.courtesy);
    expect(await t.models.InboxEntry.countDocuments({ externalId: '7200000000000000002' })).to.equal(0);
    const complaint = '厂区门口的排水沟堵塞一个月了，雨天污水倒灌进车间，请尽快疏通。';
    await push(openid, textXml(openid, complaint, '7200000000000000003'));
    const issue = (await t.models.Issue.findOne({ externalId: '7200000000000000003' }).lean())!;
    const id = String(issue._id);
    await carryThrough(id);
    // Voice WeChat did not transcribe is still a kind to be written, not a rating.
    expect(await speak('7200000000000000004')).to.include(WECHAT_TEXT.unsupported);
    expect(await speak('7200000000000000005', '不满意。')).to.include(
      WECHAT_TEXT.ratingHowto(issue.number, false),
    );
    await t.notify.notifier.idle();
    let after = (await t.models.Issue.findById(id).lean())!;
    expect([after.state, after.rating ?? null]).to.deep.equal(['awaiting_rating', null]);
    const unhappy = after.timeline.at(-1)!;
    expect(unhappy).to.deep.include({ action: 'note', public: true });
    expect(unhappy.data).to.include({ kind: 'source_merged', channel: 'wechat', dissatisfied: true });
    expect(unhappy.note).to.include('对办理结果不满意').and.include('（语音转文字）不满意');
    expect((await recipientsByEvent(t, id)).reply_dissatisfied).to.deep.equal([
      'clerk',
      'director',
      'dispatcher',
    ]);
    // A spoken 满意 the same way: where to rate, no rating, nobody sent to call back.
    const alerts = (await outbox(t, { issueId: id, event: 'reply_dissatisfied' })).length;
    expect(await speak('7200000000000000006', '非常满意。')).to.include(
      WECHAT_TEXT.ratingHowto(issue.number, true),
    );
    await t.notify.notifier.idle();
    after = (await t.models.Issue.findById(id).lean())!;
    expect([after.state, after.rating ?? null]).to.deep.equal(['awaiting_rating', null]);
    expect(after.timeline.at(-1)!.data).to.include({ kind: 'source_merged', satisfied: true });
    expect(await outbox(t, { issueId: id, event: 'reply_dissatisfied' })).to.have.length(alerts);
    expect(after.sources?.map((s) => s.externalId)).to.include.members([
      '7200000000000000005',
      '7200000000000000006',
    ]);
    expect(await t.models.InboxEntry.countDocuments({ externalId: '7200000000000000004' })).to.equal(0);
  });
});
