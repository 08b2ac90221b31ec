// The email channel's adapter (pure): a mail, as mailparser parsed it (charsets such as GBK/GB18030 already
// decoded), becomes one inbound message: the sender is the contact, a credit code in the subject or the body
// names the enterprise, the Message-ID is the external id (a resent mail is the same message), its Date header,
// when believable, is the 来件时间 (raised-at.ts), and its files come
// along as attachments (the store keeps images and PDFs and records what it refuses). A mail that cannot be a
// complaint is refused with an SMTP reply code; one whose text cannot be decoded is kept as a dead letter.
import { createHash } from 'node:crypto';
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import { contactInText } from '../contact-in-text.ts';
import { isCourtesy } from '../courtesy.ts';
import { enterpriseHint } from '../name-in-text.ts';
import { findCreditCode } from '../credit-code-in-text.ts';
import { stampedTimes } from '../raised-at.ts';
import type { InboundAttachment, InboundContact, InboundMessage } from '../types.ts';

/** A refusal in SMTP terms: the reply code and its (ASCII) text. */
export class SmtpRefusal extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_TITLE = 200;
export const MAX_CONTENT = 10_000;
/**
 * The most HTML an HTML-only mail has converted to text: ten times MAX_CONTENT, plenty for any mail's words
 * once its inline images are dropped. Conversion runs on the thread that answers every request (about 1 ms per
 * 1,000 characters): a 4.5 MB body held it for 5.6 s before this bound.
 */
export const MAX_HTML_CHARS = 100_000;

/** Converts HTML to plain text (html-to-text, loaded by the listener on first use). */
export type HtmlToText = (html: string) => string;

/** The words of an HTML body: inline `data:` images dropped (they are no text), then its start converted. */
export function htmlBodyText(html: string, convert: HtmlToText): string {
  const lean = html.replace(/data:[\w.+-]+\/[\w.+-]+;base64,[A-Za-z0-9+/=\s]*/g, '');
  // What stood for an image leaves blank lines: one is enough between paragraphs.
  return convert(lean.slice(0, MAX_HTML_CHARS)).replace(/\n{3,}/g, '\n\n');
}

const ADDRESS = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,255}$/;

function firstAddress(from: AddressObject | AddressObject[] | undefined) {
  const list = Array.isArray(from) ? from.flatMap((a) => a.value) : (from?.value ?? []);
  const found = list.find((a) => a.address && ADDRESS.test(a.address));
  return found ? { address: found.address!.toLowerCase(), name: found.name?.trim() || undefined } : undefined;
}

/** A Message-ID as the inbox keeps it (externalIdOf): without angle brackets; undefined when unusable. */
function bareId(raw: string | undefined): string | undefined {
  const id = raw?.trim().replace(/^<|>$/g, '');
  return id && id.length <= 200 && !/[\s\0]/.test(id) ? id : undefined;
}

/** Earlier mails kept of a thread: the newest (a References header may name thousands). */
export const MAX_REPLY_IDS = 20;

/** The earlier mails this one answers (In-Reply-To, References), newest last: ids as the inbox keeps them. */
function repliesTo(mail: ParsedMail): string[] {
  const refs = Array.isArray(mail.references) ? mail.references : mail.references ? [mail.references] : [];
  const ids = [...refs, mail.inReplyTo ?? ''].flatMap((r) => r.split(/\s+/)).map(bareId);
  return [...new Set(ids.filter((id): id is string => !!id))].slice(-MAX_REPLY_IDS);
}

/**
 * A reply's own words: the lines it quotes (`> …`) and the line introducing them (On … wrote:, 在…写道：) are the
 * earlier mail, which the issue already has. A text that is nothing but quote is kept whole.
 */
export function withoutQuote(text: string, isReply: boolean): string {
  if (!isReply) return text;
  const own = text
    .split('\n')
    .filter((line) => !/^\s*>/.test(line))
    .join('\n')
    .replace(/\n[^\n]*(?:wrote:|写道：|写道:)\s*$/i, '');
  return own.trim() ? own : text;
}

/** A reply's or forward's prefixes (Re:, 回复：, 答复：, Fw:, 转发：) are not the subject. */
export function bareSubject(subject: string): string {
  return subject.replace(/^(?:\s*(?:re|fw|fwd|aw|回复|答复|转发)\s*[:：]\s*)+/i, '').trim();
}

/**
 * The Date header in the digest of a mail without a Message-ID: the time it says, or its words when they are no
 * time (mailparser's `date` would be the parse's clock, another id at each redelivery).
 */
function dateKey(mail: ParsedMail): string {
  const at = dateHeader(mail);
  return at && !Number.isNaN(at.getTime()) ? at.toISOString() : dateText(mail);
}

/** The mail's own id without angle brackets, or a digest of what identifies it when it has none. */
function externalIdOf(mail: ParsedMail, sender: string, text: string): string {
  const id = bareId(mail.messageId);
  if (id) return id;
  const digest = createHash('sha256')
    .update([sender, dateKey(mail), mail.subject ?? '', text].join('\n'))
    .digest('hex');
  return `sha256:${digest.slice(0, 40)}`;
}

/** The Date header as the sender wrote it (folded lines joined), '' when there is none. */
function dateText(mail: ParsedMail): string {
  const line = mail.headerLines?.find((h) => h.key === 'date')?.line ?? '';
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The time the Date header says, read from the header itself: mailparser puts its own clock in `date` for a
 * header it cannot parse, which is no time the sender gave.
 */
function dateHeader(mail: ParsedMail): Date | undefined {
  const text = dateText(mail);
  return text ? new Date(text) : undefined;
}

/** Every file of the mail: the store checks each (type, size, the per-issue limit) and records any it refuses. */
function attachmentsOf(list: readonly Attachment[]): InboundAttachment[] {
  return list
    .filter((a) => a.content)
    .map((a) => ({
      filename: (a.filename ?? '附件').slice(0, 120),
      contentType: a.contentType,
      data: a.content,
    }));
}

/** The sender's address and display name, with the name and phone the text offers (its name first). */
function contactOf(sender: { address: string; name?: string }, text: string): InboundContact {
  const offered = contactInText(text);
  const name = offered.name ?? sender.name?.slice(0, 50);
  return {
    email: sender.address,
    ...(name ? { name } : {}),
    ...(offered.phone ? { phone: offered.phone } : {}),
  };
}

/**
 * Whether decoding failed: mailparser turns bytes it cannot decode (an unknown charset, broken base64 or
 * quoted-printable) into U+FFFD. A stray one in a long text is kept; many is not a text anyone can read.
 */
export function garbled(text: string): boolean {
  const chars = [...text.replace(/\s/g, '')];
  const bad = chars.filter((c) => c === '\uFFFD').length;
  return bad > 0 && bad * 10 >= chars.length;
}

/** Subjects mail clients give their out-of-office and other automatic answers. */
const AUTO_SUBJECT =
  /^\s*(自动回复|自动答复|Automatic reply|Auto[- ]?reply|Out of (the )?Office|Undeliverable|Delivery Status Notification)/i;

/**
 * Whether a mail was sent by a machine, not a person (RFC 3834, RFC 3464): a bounce (the null sender `<>`, a
 * delivery report, MAILER-DAEMON), an out-of-office or any message marked `Auto-Submitted`, `Precedence:
 * auto_reply/bulk/junk` or `X-Autoreply`. Such a mail is not a complaint, and answering it (受理回执) is how two
 * automatic answerers loop.
 */
export function automaticMail(mail: ParsedMail, envelopeFrom?: string): boolean {
  if (envelopeFrom === '') return true;
  const header = (name: string): string => {
    const value = mail.headers.get(name);
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value.toLowerCase();
    if (typeof value === 'object' && 'value' in value) return String(value.value).toLowerCase();
    return String(value).toLowerCase();
  };
  const auto = header('auto-submitted');
  if (auto && auto !== 'no') return true;
  if (/^(auto_reply|bulk|junk)$/.test(header('precedence'))) return true;
  if (header('x-autoreply') || header('x-autorespond')) return true;
  if (header('content-type') === 'multipart/report') return true;
  const from = firstAddress(mail.from)?.address ?? '';
  if (/^(mailer-daemon|postmaster)@/i.test(from)) return true;
  return AUTO_SUBJECT.test(mail.subject ?? '');
}

/**
 * The inbound message of one mail, parsed without converting its HTML (`skipHtmlToText`): a mail without a
 * plain-text part has the start of its HTML converted with `convert`; `now` is when it arrived, against which its
 * Date header is judged as its 来件时间. `envelopeFrom` is the SMTP MAIL FROM,
 * used when the From header has no usable address (`''`: the null sender of a bounce). Throws SmtpRefusal for
 * an automatic mail, a mail that names no sender, says nothing (or nothing but a credit code), or carries NUL
 * bytes.
 */
export function mailToInbound(
  mail: ParsedMail,
  now: Date,
  convert: HtmlToText,
  envelopeFrom?: string,
): InboundMessage {
  const sender =
    firstAddress(mail.from) ??
    (envelopeFrom && ADDRESS.test(envelopeFrom)
      ? { address: envelopeFrom.toLowerCase(), name: undefined }
      : undefined);
  // Refused while the sender is still connected, so nothing answers it and nothing is lost: a bounce's sender
  // discards the refusal, an out-of-office's has nothing to resend.
  if (automaticMail(mail, envelopeFrom))
    throw new SmtpRefusal(550, '5.7.1 Automatic message (bounce or auto-reply): not taken in, not answered');
  if (!sender) throw new SmtpRefusal(550, '5.1.7 Sender address missing or invalid');
  const subject = bareSubject(mail.subject ?? '');
  const plain = mail.text?.trim() ? mail.text : mail.html ? htmlBodyText(mail.html, convert) : '';
  const replies = repliesTo(mail);
  const text = withoutQuote(plain.replace(/\r\n/g, '\n'), replies.length > 0).trim();
  if (subject.includes('\0') || text.includes('\0'))
    throw new SmtpRefusal(550, '5.6.0 NUL bytes are not allowed');
  if (!subject && !text) throw new SmtpRefusal(550, '5.6.0 Empty message: no subject and no text');

  const inSubject = findCreditCode(subject);
  const inBody = inSubject.code ? undefined : findCreditCode(text);
  const creditCode = inSubject.code ?? inBody?.code;
  // The code taken out of the subject leaves its spaces behind (【求助】  用电扩容): one is enough.
  const title = (inSubject.code ? inSubject.rest.replace(/\s{2,}/gu, ' ') : subject)
    .trim()
    .slice(0, MAX_TITLE);
  // The code names the enterprise; what the mail says is the words around it, as an SMS or a WeChat text is
  // filed (a code opening a mail without a subject would otherwise open its title too).
  const said = inBody?.code ? inBody.rest : text;
  // Only the credit code (统一社会信用代码：…), in the subject or the body, says what, but not why.
  if (!title && !said) throw new SmtpRefusal(550, '5.6.0 Empty message: no text besides the credit code');
  // A new mail that only greets or thanks (主题「你好」，正文「你好」) raises nothing, as an SMS of it does not; a
  // reply in a thread goes on to the issue it answers (thread.ts), and a file is material.
  if (!replies.length && !mail.attachments?.length && isCourtesy(`${title}${said}`))
    throw new SmtpRefusal(550, '5.6.0 No complaint: the message only greets or thanks');
  const body = said || title;
  const content =
    body.length > MAX_CONTENT ? `${body.slice(0, MAX_CONTENT - 20)}\n……（邮件过长，已截断）` : body;
  return {
    channel: 'email',
    externalId: externalIdOf(mail, sender.address, text),
    // The Date header is the sender's clock, or anything they wrote: a time out of range (raised-at.ts) leaves
    // the mail to the time we took it in.
    ...stampedTimes(dateHeader(mail), now),
    ...(title ? { title } : {}),
    content,
    enterprise: enterpriseHint(creditCode, `${title}\n${text}`),
    // The sender, and the name and number the mail offers to be called on (联系人…电话…, often its signature).
    contact: contactOf(sender, text),
    attachments: attachmentsOf(mail.attachments ?? []),
    ...(replies.length ? { inReplyTo: replies } : {}),
    ...(garbled(subject) || garbled(text)
      ? { unreadable: '邮件的主题或正文无法解码（字符集未知或编码损坏），请查看原邮件或联系发件人' }
      : {}),
  };
}
