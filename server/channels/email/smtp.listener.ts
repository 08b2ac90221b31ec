// The built-in SMTP listener (smtp-server): each mail delivered to it is parsed (mailparser), turned into an
// inbound message by the email adapter and handed to the intake sink; the SMTP answer says whether it was
// taken (250, with the issue number), refused for good (5xx: too large, malformed, or refused by the pipeline,
// e.g. a Message-ID already used for another mail) or should be retried later (451: the sink failed). A bad
// mail never takes the process down. It accepts mail for any recipient: in a deployment the organisation's MTA
// relays the complaints address to it.
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { systemClock, type Clock } from '../../../shared/clock.ts';
import { isAppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { loadHtmlToText, loadMailParser } from '../../lazy-libs.ts';
import type { InboundMessage, IntakeAck, IntakeSink } from '../types.ts';
import { mailToInbound, SmtpRefusal } from './email.adapter.ts';

/** A whole mail, attachments included (5 attachments of 10 MB, base64-encoded, fit). */
export const MAX_MAIL_BYTES = 72 * 1024 * 1024;
/** Mail sessions at once: the organisation's MTA relays to us over a few; more is someone else. */
export const MAX_SMTP_CLIENTS = 20;
/** As mailparser converts HTML, its nesting bound included. */
const HTML_TO_TEXT = { limits: { maxDepth: 1000 } };

export interface SmtpListenerOptions {
  port: number;
  host: string;
  sink: IntakeSink;
  logger: Logger;
  maxBytes?: number;
  /**
   * The wall clock a mail's Date header is judged against (raised-at.ts), as a platform's receivedAt is: the
   * sender's clock is a real one, whatever the business clock says.
   */
  clock?: Clock;
  /** Called after the sink answered (the reply mail goes out through the notification outbox). */
  onAccepted?: (msg: InboundMessage, ack: IntakeAck) => void;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The mail as far as the size limit, for the parser: past it the rest is read and dropped, so a mail over the
 * limit costs no more memory than one at it (eight 81 MB mails were each parsed whole before their 552).
 */
export function upToLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const room = maxBytes - seen;
      seen += chunk.length;
      done(null, room >= chunk.length ? chunk : room > 0 ? chunk.subarray(0, room) : undefined);
    },
  });
}

async function drain(stream: SMTPServerDataStream): Promise<void> {
  stream.resume();
  if (!stream.readableEnded) await new Promise((resolve) => stream.once('end', resolve));
}

export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const { sink, logger, clock = systemClock } = options;
  const maxBytes = options.maxBytes ?? MAX_MAIL_BYTES;

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const [{ simpleParser }, { convert }] = await Promise.all([loadMailParser(), loadHtmlToText()]);
    const tooLarge = () => smtpError(552, `5.3.4 Message exceeds the size limit of ${maxBytes} bytes`);
    let mail;
    try {
      // The HTML is converted by the adapter, bounded (MAX_HTML_CHARS); nothing here reads textAsHtml.
      mail = await simpleParser(stream.pipe(upToLimit(maxBytes)), {
        skipHtmlToText: true,
        skipTextToHtml: true,
      });
    } catch {
      await drain(stream);
      // Cut at the limit, a mail over it may not parse: it is too large, not malformed.
      throw stream.sizeExceeded ? tooLarge() : smtpError(550, '5.6.0 Malformed MIME message');
    }
    await drain(stream);
    if (stream.sizeExceeded) throw tooLarge();
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
    let msg: InboundMessage;
    try {
      msg = mailToInbound(mail, clock.now(), (html) => convert(html, HTML_TO_TEXT), envelopeFrom);
    } catch (err) {
      if (err instanceof SmtpRefusal) throw smtpError(err.responseCode, err.message);
      throw err;
    }
    let ack: IntakeAck;
    try {
      ack = await sink(msg, 'smtp');
    } catch (err) {
      // A mail the pipeline refuses for good (its Message-ID names another message) must not be retried; a
      // limit (429) or a first delivery still in flight passes, and a later try is answered.
      const refused =
        isAppError(err) && err.status < 500 && err.status !== 429 && err.code !== 'redelivery_in_flight';
      if (refused) throw smtpError(550, `5.7.0 Refused (${err.code})`);
      logger.error({ err }, 'email intake failed');
      throw smtpError(451, '4.3.0 Temporary failure, please retry');
    }
    options.onAccepted?.(msg, ack);
    logger.info({ externalId: msg.externalId, status: ack.status, number: ack.number }, 'email taken in');
    const refused = ack.refusedAttachments?.length
      ? ` (${ack.refusedAttachments.length} attachment(s) refused)`
      : '';
    return ack.number
      ? `OK ${ack.status} as issue ${ack.number}${refused}`
      : `OK ${ack.status} (inbox ${ack.inboxId || '-'})`;
  }

  const server = new SMTPServer({
    banner: 'Enterprise Issue Loop intake',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    maxClients: MAX_SMTP_CLIENTS,
    logger: false,
    onData(stream, session, callback) {
      receive(stream, session).then(
        (message) => callback(null, message),
        (err: unknown) => {
          const known = err as { responseCode?: number };
          if (known.responseCode) return callback(err as Error);
          logger.error({ err }, 'email intake crashed');
          callback(smtpError(451, '4.3.0 Temporary failure, please retry'));
        },
      );
    },
  });
  server.on('error', (err) => logger.warn({ err }, 'smtp connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
