// Outbound email through SMTP (nodemailer), for enterprises that chose email on the QR page. One transport per
// process, built from SMTP_URL; plain text only (templates are plain text).
import nodemailer from 'nodemailer';

export interface EmailSender {
  send(to: string, subject: string, text: string): Promise<string | void>;
}

export function createSmtpEmailSender(smtpUrl: string, from: string): EmailSender {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(to, subject, text) {
      const info = await transport.sendMail({ from, to, subject, text });
      return info.messageId;
    },
  };
}
