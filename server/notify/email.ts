// Outbound email through SMTP (nodemailer), for enterprises that chose email on the QR page. One transport per
// process, built from SMTP_URL; plain text only (templates are plain text). A reply to a mail the issue came in
// by names that mail's Message-ID in In-Reply-To and References, so the sender's client shows it in the thread.
import nodemailer from 'nodemailer';

export interface EmailSender {
  /** `replyTo`: the Message-ID (without angle brackets) this mail answers. */
  send(to: string, subject: string, text: string, replyTo?: string): Promise<string | void>;
}

export function createSmtpEmailSender(smtpUrl: string, from: string): EmailSender {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(to, subject, text, replyTo) {
      const thread = replyTo ? { inReplyTo: `<${replyTo}>`, references: [`<${replyTo}>`] } : {};
      const info = await transport.sendMail({ from, to, subject, text, ...thread });
      return info.messageId;
    },
  };
}
