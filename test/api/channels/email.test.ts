// The SMTP listener end to end: real mail sent with nodemailer to the listener on an ephemeral port lands as an
// issue (UTF-8 and GBK subjects and bodies, attachments, Message-ID redelivery), and bad mail gets SMTP errors.
import { expect } from 'chai';
import iconv from 'iconv-lite';
import nodemailer, { type Transporter } from 'nodemailer';
import { pino } from 'pino';
import request from 'supertest';
import { startSmtpListener, type SmtpListener } from '../../../server/channels/email/smtp.listener.ts';
import type { IntakeAck, InboundMessage } from '../../../server/channels/types.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import { createIntakeSink } from '../../../server/intake/intake-sink.ts';
import { createAttachmentStore } from '../../../server/attachments/attachment.store.ts';
import { useTestApp } from '../helpers.ts';
import { PDF, PNG } from './files.fixtures.ts';

describe('email over SMTP (built-in listener)', () => {
  const t = useTestApp();
  let smtp: SmtpListener;
  let mailer: Transporter;
  const accepted: [InboundMessage, IntakeAck][] = [];

  before(async () => {
    const sink = createIntakeSink(
      {
        models: t.models,
        clock: t.clock,
        intakeConfig: createIntakeConfigCache(t.models),
        onIssueChange: undefined,
        logger: pino({ level: 'silent' }),
      },
      createAttachmentStore(t.conn, t.models),
    );
    smtp = await startSmtpListener({
      port: 0,
      host: '127.0.0.1',
      sink,
      logger: pino({ level: 'silent' }),
      maxBytes: 2 * 1024 * 1024,
      onAccepted: (m, a) => accepted.push([m, a]),
    });
    mailer = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
    });
  });
  after(async () => {
    mailer?.close();
    await smtp?.close();
  });

  const enterprise = async () => (await t.models.Enterprise.findOne({}, { creditCode: 1, name: 1 }).lean())!;

  it('files a UTF-8 mail with the credit code in the subject, with its attachments, and answers the number', async () => {
    const e = await enterprise();
    const mail = {
      from: '"张经理" <zhang@example-factory.cn>',
      to: 'complaints@issues.example.gov.cn',
      subject: `【${e.creditCode}】厂房消防验收迟迟不能办理`,
      messageId: '<utf8-0001@example-factory.cn>',
    };
    const info = await mailer.sendMail({
      ...mail,
      text: '我司新建厂房已于两个月前申请消防验收，至今没有安排现场检查，影响投产。',
      attachments: [
        { filename: '现场照片.png', content: PNG },
        { filename: '申请回执.pdf', content: PDF },
        { filename: 'virus.exe', content: Buffer.from('MZ\x90\x00') },
      ],
    });
    const issue = await t.models.Issue.findOne({
      channel: 'email',
      externalId: 'utf8-0001@example-factory.cn',
    }).lean();
    expect(issue, 'issue created').to.not.equal(null);
    expect(info.response).to.contain(`as issue ${issue!.number}`);
    expect(issue!.title).to.equal('厂房消防验收迟迟不能办理');
    expect(issue!.content).to.contain('消防验收');
    expect(String(issue!.enterpriseId)).to.equal(String(e._id));
    const files = await t.conn
      .db!.collection('attachments.files')
      .find({ 'metadata.issueId': issue!._id })
      .toArray();
    expect(files.map((f) => f.metadata.contentType).sort()).to.deep.equal(['application/pdf', 'image/png']);
    const [msg] = accepted.find(([m]) => m.externalId === 'utf8-0001@example-factory.cn')!;
    expect(msg.contact).to.deep.equal({ email: 'zhang@example-factory.cn', name: '张经理' });

    // The same mail delivered again (a relay retry) is the same issue.
    const again = await mailer.sendMail({
      ...mail,
      text: '我司新建厂房已于两个月前申请消防验收，至今没有安排现场检查，影响投产。',
    });
    expect(again.response).to.contain(`duplicate as issue ${issue!.number}`);
    // Another mail under the same Message-ID is refused for good (5xx: a relay does not retry it), and the
    // first issue's number is not told to it.
    const other = await mailer.sendMail({ ...mail, text: '另一件事' }).then(
      () => expect.fail('accepted'),
      (err: { responseCode?: number; response?: string }) => err,
    );
    expect(other.responseCode).to.equal(550);
    expect(other.response).to.contain('external_id_conflict').and.not.contain(issue!.number);
    expect(await t.models.Issue.countDocuments({ channel: 'email' })).to.equal(1);
  });

  it('reads an HTML-only mail: its words, not its inline images; of a huge body only the start is converted', async () => {
    const e = await enterprise();
    // An inline image longer than the conversion's bound ahead of the words, then markup padding past it.
    const image = `<img alt="" src="data:image/png;base64,${PNG.toString('base64').repeat(3000)}">`;
    const padding = '<i></i>'.repeat(150_000);
    const info = await mailer.sendMail({
      from: 'wang@example-park.cn',
      to: 'complaints@issues.example.gov.cn',
      subject: `【${e.creditCode}】园区道路积水`,
      messageId: '<html-only-0001@example-park.cn>',
      html: `<html><body>${image}<p>园区道路积水严重，货车无法进出。</p>${padding}<p>结尾的附言</p></body></html>`,
    });
    expect(image.length).to.be.above(100_000);
    const issue = await t.models.Issue.findOne({ externalId: 'html-only-0001@example-park.cn' }).lean();
    expect(info.response).to.contain(`as issue ${issue!.number}`);
    expect(issue!.content).to.contain('园区道路积水严重，货车无法进出。');
    expect(issue!.content).to.not.contain('base64');
    expect(issue!.content).to.not.match(/\n{3,}/);
    // The padding ran past the 100,000 characters converted (MAX_HTML_CHARS): the rest was never parsed.
    expect(issue!.content).to.not.contain('结尾的附言');
  });

  it('a reply in an open issue’s thread joins it; a stranger naming the thread, or a reply after closing, does not', async () => {
    const e = await enterprise();
    const from = 'chen@example-mill.cn';
    const first = await mailer.sendMail({
      from,
      to: 'complaints@issues.example.gov.cn',
      subject: `${e.creditCode} 厂区门口道路破损`,
      messageId: '<thread-0001@example-mill.cn>',
      text: '厂区门口道路破损严重，货车进出困难，请尽快修复。',
    });
    const issue = (await t.models.Issue.findOne({ externalId: 'thread-0001@example-mill.cn' }).lean())!;
    expect(first.response).to.contain(`created as issue ${issue.number}`);
    const reply = {
      from,
      to: 'complaints@issues.example.gov.cn',
      subject: `Re: ${e.creditCode} 厂区门口道路破损`,
      inReplyTo: '<thread-0001@example-mill.cn>',
      references: ['<thread-0001@example-mill.cn>'],
      text: '请问现在进展如何？\n\n在 2026年3月2日 上午9:00, chen@example-mill.cn 写道：\n> 厂区门口道路破损严重，货车进出困难，请尽快修复。',
    };
    const count = await t.models.Issue.countDocuments({});
    const followUp = await mailer.sendMail({ ...reply, messageId: '<thread-0002@example-mill.cn>' });
    expect(followUp.response).to.contain(`merged as issue ${issue.number}`);
    expect(await t.models.Issue.countDocuments({})).to.equal(count);
    const joined = (await t.models.Issue.findById(issue._id).lean())!;
    // The reply's own words: the quoted mail and the line introducing it are the issue already.
    expect(joined.sources!.map((x) => x.content)).to.include('请问现在进展如何？');
    expect(joined.sources!.map((x) => x.title)).to.include('厂区门口道路破损');

    // Anyone can name a Message-ID and type a public credit code: another sender starts an issue of their own.
    const stranger = await mailer.sendMail({
      ...reply,
      from: 'someone@elsewhere.cn',
      subject: `Re: ${e.creditCode} 厂区门口道路破损`,
      messageId: '<thread-0003@elsewhere.cn>',
      text: '补充：此事已解决，请直接办结。',
    });
    expect(stranger.response).to.contain('created as issue');
    expect(stranger.response).to.not.contain(issue.number);
    // A References header naming thousands of mails is kept to its newest 20.
    const many = Array.from({ length: 500 }, (_, n) => `<old-${n}@example-mill.cn>`);
    await mailer.sendMail({
      ...reply,
      references: [...many, '<thread-0001@example-mill.cn>'],
      messageId: '<thread-0005@example-mill.cn>',
      text: '再问一下进展。',
    });
    const entry = (await t.models.InboxEntry.findOne({ externalId: 'thread-0005@example-mill.cn' }).lean())!;
    expect(entry.message!.inReplyTo).to.have.length(20);
    expect(entry.number).to.equal(issue.number);

    // Once the issue is closed, a reply in its thread is a new issue, its subject without 回复：.
    await t.models.Issue.updateOne({ _id: issue._id }, { $set: { state: 'closed' } });
    const later = await mailer.sendMail({
      ...reply,
      subject: `回复：Re: ${e.creditCode} 厂区门口道路破损`,
      messageId: '<thread-0004@example-mill.cn>',
      text: '道路修好后又坏了，请再来看看。',
    });
    expect(later.response).to.contain('created as issue');
    const next = (await t.models.Issue.findOne({ externalId: 'thread-0004@example-mill.cn' }).lean())!;
    expect(next.title).to.equal('厂区门口道路破损');
  });

  it('takes the name and number the mail offers to be called on (联系人…), beside the sender', async () => {
    const e = await enterprise();
    await mailer.sendMail({
      from: 'office@example-supply.cn',
      to: 'complaints@issues.example.gov.cn',
      subject: `${e.creditCode} 园区道路施工围挡占用出入口`,
      messageId: '<contact-0001@example-supply.cn>',
      text: '园区道路施工围挡占用我司出入口，货车无法进出，请协调施工单位调整。\n\n联系人孙玉兰 13344456064',
    });
    const issue = await t.models.Issue.findOne({
      channel: 'email',
      externalId: 'contact-0001@example-supply.cn',
    }).lean();
    expect(issue?.contact).to.deep.include({
      email: 'office@example-supply.cn',
      name: '孙玉兰',
      phone: '13344456064',
    });
  });

  it('decodes a GBK subject and a GB18030 body, with the credit code in the body', async () => {
    const e = await enterprise();
    const subject = `=?GBK?B?${iconv.encode('关于出口退税办理缓慢的反映', 'gbk').toString('base64')}?=`;
    const body = iconv.encode(
      `统一社会信用代码：${e.creditCode}\r\n出口退税申报已三个月，仍未到账。\r\n`,
      'gb18030',
    );
    const raw = [
      'From: =?GBK?B?' + iconv.encode('李会计', 'gbk').toString('base64') + '?= <li@example-trade.cn>',
      'To: complaints@issues.example.gov.cn',
      `Subject: ${subject}`,
      'Message-ID: <gbk-0002@example-trade.cn>',
      'Date: Mon, 02 Mar 2026 09:30:00 +0800',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=GB18030',
      'Content-Transfer-Encoding: base64',
      '',
      body.toString('base64'),
      '',
    ].join('\r\n');
    await mailer.sendMail({ envelope: { from: 'li@example-trade.cn', to: ['complaints@x.cn'] }, raw });
    const issue = await t.models.Issue.findOne({
      channel: 'email',
      externalId: 'gbk-0002@example-trade.cn',
    }).lean();
    expect(issue?.title).to.equal('关于出口退税办理缓慢的反映');
    expect(issue?.content).to.contain('出口退税申报已三个月，仍未到账。');
    expect(String(issue?.enterpriseId)).to.equal(String(e._id));
  });

  it('keeps the Date header as 来件时间; a Date ahead, a year old, forged or missing leaves the time taken in, never a refusal', async () => {
    const e = await enterprise();
    const dated = (id: string, date: string | null, text: string) =>
      mailer.sendMail({
        envelope: { from: 'wu@example-mill.cn', to: ['complaints@x.cn'] },
        raw: [
          'From: wu@example-mill.cn',
          'To: complaints@issues.example.gov.cn',
          `Subject: ${e.creditCode} ${text.slice(0, 12)}`,
          `Message-ID: <${id}>`,
          ...(date === null ? [] : [`Date: ${date}`]),
          'Content-Type: text/plain; charset=utf-8',
          '',
          text,
          '',
        ].join('\r\n'),
      });
    // Written two hours ago (a relay held it, or it sat in the dead-letter list): the issue says when.
    const written = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 3600_000);
    const sent = await dated(
      'date-0001@example-mill.cn',
      written.toUTCString(),
      '厂区外排水沟堵塞，雨天积水倒灌车间',
    );
    const issue = (await t.models.Issue.findOne({ externalId: 'date-0001@example-mill.cn' }).lean())!;
    expect(sent.response).to.contain(`as issue ${issue.number}`);
    expect(issue.raisedAt).to.deep.equal(written);
    const shown = await request(t.app)
      .get(`/api/issues/${String(issue._id)}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(shown.body.raisedAt).to.equal(written.toISOString());
    expect(issue.createdAt).to.deep.equal(t.clock.now());
    // The sender's clock an hour ahead, a Date two years back, one no one can read, or none: the mail is taken
    // in all the same, as received now.
    const odd = [
      [
        'date-0002@example-mill.cn',
        new Date(Date.now() + 3600_000).toUTCString(),
        '园区道路路灯坏了两个月没人修',
      ],
      [
        'date-0003@example-mill.cn',
        new Date(Date.now() - 2 * 366 * 86_400_000).toUTCString(),
        '技改补贴申请半年没有答复',
      ],
      ['date-0004@example-mill.cn', '明天上午', '厂门口公交站撤销后员工通勤困难'],
      ['date-0005@example-mill.cn', null, '企业用电扩容申请三个月没有回音'],
    ] as const;
    for (const [id, date, text] of odd) {
      const res = await dated(id, date, text);
      expect(res.response, id).to.match(/^250 OK created as issue /);
      const filed = (await t.models.Issue.findOne({ externalId: id }).lean())!;
      expect(filed.raisedAt, id).to.equal(null);
      const entry = (await t.models.InboxEntry.findOne({ channel: 'email', externalId: id }).lean())!;
      expect(entry.receivedAt, id).to.deep.equal(entry.acceptedAt);
    }
  });

  it('a mail without a Message-ID sent again is the same mail, whatever its Date header says', async () => {
    const e = await enterprise();
    // No Message-ID (a script's or an old client's mail) and a Date header no one can read: a relay that got
    // no answer in time sends the very same bytes again.
    const raw = [
      'From: qian@example-dye.cn',
      'To: complaints@issues.example.gov.cn',
      `Subject: ${e.creditCode} 印染园区集中供热蒸汽压力不稳`,
      'Date: 周一上午',
      'Content-Type: text/plain; charset=utf-8',
      '',
      '园区集中供热的蒸汽压力时高时低，定型机经常停机，请协调热电厂稳定供汽。',
      '',
    ].join('\r\n');
    const send = () => mailer.sendMail({ envelope: { from: 'qian@example-dye.cn', to: ['c@x.cn'] }, raw });
    const first = await send();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await send();
    const number = String(first.response).replace(/^250 OK created as issue /, '');
    expect(number).to.match(/^HZ-\d{4}-\d{6}$/);
    expect(again.response).to.equal(`250 OK duplicate as issue ${number}`);
    // Not merged into itself as a second message (a 合并受理告知 to its sender, a note on the timeline).
    const issue = (await t.models.Issue.findOne({ number }).lean())!;
    expect(issue.sources ?? []).to.deep.equal([]);
  });

  it('refuses oversized (552), sender-less (550), empty (550) and NUL-carrying (550) mail without crashing', async () => {
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
        return 250;
      } catch (err) {
        return (err as { responseCode?: number }).responseCode;
      }
    };
    const big = await code(
      mailer.sendMail({
        from: 'a@b.cn',
        to: 'c@d.cn',
        subject: 'big',
        text: 'x',
        attachments: [{ filename: 'big.png', content: Buffer.alloc(3 * 1024 * 1024, 1) }],
      }),
    );
    expect(big).to.equal(552);
    // Sent from a person's address: the null sender <> is a bounce, refused (5.7.1) whatever the mail says.
    const rawMail = (lines: string[], from = 'a@b.cn') =>
      mailer.sendMail({ envelope: { from, to: ['c@d.cn'] }, raw: lines.join('\r\n') + '\r\n' });
    /** The refusal's enhanced status and words (`5.6.0 Empty message…`), or the 250 answer. */
    const answer = async (p: Promise<{ response?: string }>) => {
      try {
        return String((await p).response);
      } catch (err) {
        return String((err as { response?: string }).response).replace(/^550 /, '');
      }
    };
    const EMPTY = '5.6.0 Empty message';
    const GREETING = '5.6.0 No complaint';
    const head = ['From: a@b.cn', 'To: c@d.cn'];
    expect(await code(rawMail(['To: c@d.cn', 'Subject: no sender', '', 'body'], ''))).to.equal(550);
    expect(await answer(rawMail([...head, 'Subject: ', '', '']))).to.contain(EMPTY);
    expect(await answer(rawMail([...head, 'Subject: x', '', 'a\u0000b']))).to.contain('5.6.0 NUL');
    // Nothing but the credit code (in the subject, with or without its label): who, but not what.
    const e = await enterprise();
    for (const subject of [e.creditCode, `统一社会信用代码：${e.creditCode}`])
      expect(await answer(rawMail([...head, `Subject: ${subject}`, '', '']))).to.contain(EMPTY);
    // The same in the body of a mail without a subject: no issue whose whole text is the code.
    for (const text of [e.creditCode, `统一社会信用代码：${e.creditCode}`])
      expect(await answer(rawMail([...head, 'Subject: ', '', text]))).to.contain(EMPTY);
    // A new mail that only greets (主题「你好」，正文「你好」), as an SMS of it is: nothing to file, also beside
    // the code (an SMS「<code> 你好」is 422 no_complaint).
    expect(await answer(rawMail([...head, 'Subject: 你好', '', '你好！']))).to.contain(GREETING);
    expect(await answer(rawMail([...head, 'Subject: ', '', '谢谢，收到']))).to.contain(GREETING);
    expect(await answer(rawMail([...head, 'Subject: ', '', `${e.creditCode} 你好`]))).to.contain(GREETING);
    const labelled = `统一社会信用代码：${e.creditCode}`;
    expect(await answer(rawMail([...head, 'Subject: 你好', '', labelled]))).to.contain(GREETING);
    expect(await t.models.Issue.countDocuments({ channel: 'email', content: /^(你好|谢谢)/ })).to.equal(0);
    expect(
      await t.models.Issue.countDocuments({ channel: 'email', content: /^(统一社会信用代码|\w{18})/ }),
    ).to.equal(0);
    expect(await t.models.InboxEntry.countDocuments({ channel: 'email', status: 'failed' })).to.equal(0);
    // Still serving after all that.
    const ok = await mailer.sendMail({
      from: 'a@b.cn',
      to: 'c@d.cn',
      subject: e.creditCode,
      text: '道路限行影响物流',
    });
    expect(ok.response).to.match(/^250 OK created as issue /);
  });

  it('a mail without a subject that opens with the credit code is titled and filed by its words, not the code', async () => {
    const e = await enterprise();
    const res = await mailer.sendMail({
      from: 'qian@example-factory.cn',
      to: 'complaints@issues.example.gov.cn',
      messageId: '<no-subject-0001@example-factory.cn>',
      text: `${e.creditCode} 厂区东门外的道路塌陷一周，货车无法进出。`,
    });
    expect(res.response).to.match(/^250 OK created as issue /);
    const issue = await t.models.Issue.findOne({ externalId: 'no-subject-0001@example-factory.cn' }).lean();
    expect(String(issue?.enterpriseId)).to.equal(String(e._id));
    expect(issue?.content).to.equal('厂区东门外的道路塌陷一周，货车无法进出。');
    expect(issue?.title).to.not.contain(e.creditCode);
    expect(issue?.title.startsWith('厂区东门外的道路塌陷')).to.equal(true);
  });

  it('a credit code taken out of the middle of the subject leaves one space, not two', async () => {
    const e = await enterprise();
    await mailer.sendMail({
      from: 'zhao@example-factory.cn',
      to: 'complaints@issues.example.gov.cn',
      subject: `【求助】 ${e.creditCode} 用电扩容申请三个月没有答复`,
      messageId: '<spaces-0001@example-factory.cn>',
      text: '我司去年提交的用电扩容申请至今没有答复，新生产线无法投产。',
    });
    const issue = await t.models.Issue.findOne({ externalId: 'spaces-0001@example-factory.cn' }).lean();
    expect(issue?.title).to.equal('【求助】 用电扩容申请三个月没有答复');
  });
});
