// Mail sent by machines is not a complaint and is never answered: a bounce (the null sender, a delivery report,
// MAILER-DAEMON) and an out-of-office (Auto-Submitted, 自动回复) are refused while the sender is connected, so
// nothing is filed, nothing is lost and no 受理回执 goes back to start a loop of two automatic answerers. Real
// mail over SMTP to the listener; a person's mail in the same run is still taken in.
import { expect } from 'chai';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { pino } from 'pino';
import { createAttachmentStore } from '../../../server/attachments/attachment.store.ts';
import { startSmtpListener, type SmtpListener } from '../../../server/channels/email/smtp.listener.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import { createIntakeSink } from '../../../server/intake/intake-sink.ts';
import { useTestApp } from '../helpers.ts';

describe('email over SMTP: automatic mail is refused, not answered', () => {
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
