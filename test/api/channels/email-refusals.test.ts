// What a mail brings that cannot be kept is never dropped without a word: attachments the store refuses (over
// the 5-per-issue limit, over 10 MB, not an image or PDF by their bytes) are named with their reasons on the
// issue's timeline (internal), on the inbox entry and in the SMTP answer; a mail whose text cannot be decoded
// waits in the dead-letter list with the reason instead of becoming a garbled issue. Mail sent by machines is
// not a complaint and is never answered: a bounce (the null sender, a delivery report, MAILER-DAEMON) and an
// out-of-office (Auto-Submitted, 自动回复) are refused while the sender is connected, so nothing is filed,
// nothing is lost and no 受理回执 goes back to start a loop of two automatic answerers. Real mail, sent with
// nodemailer to the listener.
import { expect } from 'chai';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { pino } from 'pino';
import request from 'supertest';
import { createAttachmentStore } from '../../../server/attachments/attachment.store.ts';
import { startSmtpListener, type SmtpListener } from '../../../server/channels/email/smtp.listener.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import { createIntakeSink } from '../../../server/intake/intake-sink.ts';
import type { IssueDoc } from '../../../server/models/index.ts';
import { useTestApp } from '../helpers.ts';
import { PDF } from './files.fixtures.ts';

const jpeg = (size: number, fill = 7) =>
  Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(size - 10, fill)]);

describe('email over SMTP: refused attachments and undecodable text', () => {
  const t = useTestApp();
  let smtp: SmtpListener;
  let mailer: Transporter;

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
    smtp = await startSmtpListener({ port: 0, host: '127.0.0.1', sink, logger: pino({ level: 'silent' }) });
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

  const enterprise = async (skip = 0) =>
    (await t.models.Enterprise.findOne({}, { creditCode: 1 }).skip(skip).lean())!;
  const issueOf = (externalId: string) =>
    t.models.Issue.findOne({ channel: 'email', externalId }).lean() as Promise<IssueDoc | null>;
  const filesOf = (issue: IssueDoc) =>
    t.conn.db!.collection('attachments.files').find({ 'metadata.issueId': issue._id }).toArray();
  const refusalNotes = (issue: IssueDoc) =>
    issue.timeline.filter((e) => (e.data as { kind?: string } | undefined)?.kind === 'attachments_refused');
  const inboxOf = (externalId: string) =>
    t.models.InboxEntry.findOne({ channel: 'email', externalId }).lean();

  it('seven pictures: five stored, the other two named on the issue (internal), the inbox entry and the answer', async () => {
    const e = await enterprise();
    const info = await mailer.sendMail({
      from: 'wang@example-plant.cn',
      to: 'complaints@issues.example.gov.cn',
      subject: `${e.creditCode} 园区道路塌陷，货车无法通行`,
      messageId: '<seven-0001@example-plant.cn>',
      text: '园区东门道路塌陷已两周，货车无法进出，附现场照片七张。',
      attachments: Array.from({ length: 7 }, (_, i) => ({
        filename: `现场${i + 1}.jpg`,
        content: jpeg(2000 + i),
      })),
    });
    const issue = (await issueOf('seven-0001@example-plant.cn'))!;
    expect(info.response).to.contain(`as issue ${issue.number}`).and.contain('2 attachment(s) refused');
    expect(await filesOf(issue)).to.have.length(5);
    const [note] = refusalNotes(issue);
    expect(note, 'staff see what was refused').to.include({ public: false, action: 'note' });
    expect(note.note).to.equal('2个附件未保存：现场6.jpg（超过5个上限）、现场7.jpg（超过5个上限）');
    const entry = (await inboxOf('seven-0001@example-plant.cn'))!;
    expect(entry.refusedAttachments).to.deep.equal([
      { filename: '现场6.jpg', reason: '超过5个上限' },
      { filename: '现场7.jpg', reason: '超过5个上限' },
    ]);
    const shown = await request(t.app)
      .get(`/api/inbox/${String(entry._id)}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(shown.body.refusedAttachments).to.have.length(2);
  });

  it('a text file and an executable named .png are refused as types not taken; the PDF is kept', async () => {
    const e = await enterprise(1);
    await mailer.sendMail({
      from: 'chen@example-chem.cn',
      to: 'complaints@issues.example.gov.cn',
      subject: `${e.creditCode} 危化品仓库审批材料被退回三次`,
      messageId: '<types-0002@example-chem.cn>',
      text: '审批材料被退回三次，每次理由不同，附说明与照片。',
      attachments: [
        { filename: 'note.txt', content: Buffer.from('说明') },
        { filename: 'evil.png', content: Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(64)]) },
        { filename: '批复.pdf', content: PDF },
      ],
    });
    const issue = (await issueOf('types-0002@example-chem.cn'))!;
    expect((await filesOf(issue)).map((f) => f.metadata.contentType)).to.deep.equal(['application/pdf']);
    expect(refusalNotes(issue)[0].note).to.equal(
      '2个附件未保存：note.txt（类型不支持）、evil.png（类型不支持）',
    );
  });

  it('an 11 MB picture in a mail that joins an open issue is named on that issue as over 10 MB', async function () {
    this.timeout(30_000);
    const e = await enterprise(2);
    const mail = {
      from: 'liu@example-food.cn',
      to: 'complaints@issues.example.gov.cn',
      subject: `${e.creditCode} 食品经营许可证延续办理超期`,
      text: '食品经营许可证延续申请提交已四十天，至今未办结，影响正常经营。',
    };
    await mailer.sendMail({ ...mail, messageId: '<big-0003@example-food.cn>' });
    const master = (await issueOf('big-0003@example-food.cn'))!;
    const info = await mailer.sendMail({
      ...mail,
      messageId: '<big-0004@example-food.cn>',
      attachments: [{ filename: '许可证扫描.jpg', content: jpeg(11 * 1024 * 1024) }],
    });
    expect(info.response).to.contain(`merged as issue ${master.number}`);
    const after = (await t.models.Issue.findById(master._id).lean()) as IssueDoc;
    expect(await filesOf(after)).to.have.length(0);
    expect(refusalNotes(after).map((n) => n.note)).to.deep.equal([
      '1个附件未保存：许可证扫描.jpg（超过10MB）',
    ]);
  });

  it('a mail whose text cannot be decoded waits in the dead-letter list with the reason, never a garbled issue', async () => {
    const raw = [
      'From: zhao@example-mill.cn',
      'To: complaints@issues.example.gov.cn',
      'Subject: =?x-unknown-charset?B?1eLKx9bQzsQ=?=',
      'Message-ID: <garbled-0005@example-mill.cn>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="BB"',
      '',
      '--BB',
      'Content-Type: text/plain; charset=x-unknown-charset',
      'Content-Transfer-Encoding: base64',
      '',
      '1eLKx9bQ!!!zsTE2sjdyOf@@@us7Twus=*&^%',
      '--BB--',
      '',
    ].join('\r\n');
    const info = await mailer.sendMail({ envelope: { from: 'zhao@example-mill.cn', to: ['c@x.cn'] }, raw });
    expect(info.response).to.contain('OK failed');
    expect(await issueOf('garbled-0005@example-mill.cn')).to.equal(null);
    const entry = (await inboxOf('garbled-0005@example-mill.cn'))!;
    expect(entry.status).to.equal('failed');
    expect(entry.reason).to.contain('无法解码');
    // Retrying does not turn it into an issue either.
    const retry = await request(t.app)
      .post(`/api/inbox/${String(entry._id)}/retry`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(retry.body.ack.status).to.equal('failed');
    expect(await issueOf('garbled-0005@example-mill.cn')).to.equal(null);
  });

  describe('automatic mail is refused, not answered', () => {
    const creditCode = async () =>
      (await t.models.Enterprise.findOne({}, { creditCode: 1 }).lean())!.creditCode;
    const counts = async () => ({
      inbox: await t.models.InboxEntry.countDocuments({ channel: 'email' }),
      issues: await t.models.Issue.countDocuments({ channel: 'email' }),
    });
    /** The SMTP answer to a mail: its code, or 250 when it was taken. */
    const answerTo = async (mail: SendMailOptions): Promise<number> => {
      try {
        await mailer.sendMail({ to: 'complaints@issues.example.gov.cn', ...mail });
        return 250;
      } catch (err) {
        return (err as { responseCode?: number }).responseCode ?? 0;
      }
    };

    it('a bounce, an out-of-office and a delivery report are refused (550) and leave nothing behind', async () => {
      const code = await creditCode();
      const before = await counts();
      const body = `${code} 园区道路塌陷，货车无法通行，请尽快处理。`;
      // The null sender (MAIL FROM:<>) of a bounce.
      expect(
        await answerTo({
          from: 'bounces@mx.example.net',
          envelope: { from: '', to: 'complaints@issues.example.gov.cn' },
          subject: 'Undelivered Mail Returned to Sender',
          text: body,
        }),
      ).to.equal(550);
      // An out-of-office answering a 受理回执, as mail clients mark it.
      expect(
        await answerTo({
          from: 'li@pb-factory.cn',
          subject: '自动回复: Re: 分办告知 HZ-2026-000351',
          headers: { 'Auto-Submitted': 'auto-replied' },
          text: `我正在休假，12月10日返回。${body}`,
        }),
      ).to.equal(550);
      // The same without the header: its subject says what it is.
      expect(
        await answerTo({ from: 'li@pb-factory.cn', subject: '自动回复：我正在休假', text: `${body}` }),
      ).to.equal(550);
      expect(
        await answerTo({
          from: 'ops@example-plant.cn',
          subject: `${code} 每周报表`,
          headers: { Precedence: 'bulk' },
          text: body,
        }),
      ).to.equal(550);
      expect(
        await answerTo({ from: 'postmaster@mx.example.net', subject: `退信 ${code}`, text: body }),
      ).to.equal(550);
      expect(await counts()).to.deep.equal(before);
    });

    it('a person’s mail is taken in as before, also one saying Auto-Submitted: no', async () => {
      const code = await creditCode();
      const before = await counts();
      expect(
        await answerTo({
          from: 'zhang@example-plant.cn',
          subject: `${code} 用电增容申请三个月没有答复`,
          headers: { 'Auto-Submitted': 'no' },
          text: '我司去年十月提交的用电增容申请至今没有答复，新生产线无法投产，请帮助协调供电部门。',
        }),
      ).to.equal(250);
      const after = await counts();
      expect(after.inbox).to.equal(before.inbox + 1);
    });
  });
});
