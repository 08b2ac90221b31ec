// Outbound email through SMTP (nodemailer), for enterprises that chose email on the QR page. One transport per
// process, built from SMTP_URL; plain text only (templates are plain text). A reply to a mail the issue came in
// by names that mail's Message-ID in In-Reply-To and References, so the sender's client shows it in the thread;
// every mail says `Auto-Submitted: auto-replied`, so automatic answerers leave it be.
// Demo mode without SMTP_URL logs each mail instead (like SMS's log provider), so a new user sees the replies.
import type { Transporter } from 'nodemailer';
import { loadNodemailer } from '../lazy-libs.ts';
import type { Logger } from '../logger.ts';
import { maskEmail } from '../presenters/enterprise-public.presenter.ts';

export interface EmailSender {
  /** `replyTo`: the Message-ID (without angle brackets) this mail answers. */
  send(to: string, subject: string, text: string, replyTo?: string): Promise<string | void>;
}

export function createSmtpEmailSender(smtpUrl: string, from: string): EmailSender {
  let transport: Promise<Transporter> | undefined;
  return {
    async send(to, subject, text, replyTo) {
      transport ??= loadNodemailer().then((m) => m.createTransport(smtpUrl));
      const thread = replyTo ? { inReplyTo: `<${replyTo}>`, references: [`<${replyTo}>`] } : {};
      // RFC 3834: marked as an automatic answer, so the recipient's out-of-office does not answer it back.
      const headers = { 'Auto-Submitted': 'auto-replied' };
      const info = await (await transport).sendMail({ from, to, subject, text, headers, ...thread });
      return info.messageId;
    },
  };
}

/** Demo mode only: the mail is logged (address masked), not sent; its outbox row reads as delivered. */
export function createLogEmailSender(logger: Pick<Logger, 'info'>): EmailSender {
  return {
    async send(to, subject, text, replyTo) {
      logger.info(
        { to: maskEmail(to), subject, text, inReplyTo: replyTo },
        'email (demo: not delivered, logged only)',
      );
    },
  };
}
