// What a dead letter still says, as the staff form's fields (人工登记 on 接入失败): a clerk registering it by hand
// starts from the title, text, contact and enterprise it holds rather than retyping a 12345 work order. Read
// from the parsed message when there is one (it failed later: matching, routing, an unreadable mail), else from
// the raw body at its best: a JSON object's known fields (also from a body cut short, field by field), a WeChat
// push's XML elements, or the text itself. Nothing here is trusted: every value is plain text, stripped of
// control characters and cut to the form's limits, and only a prefill the clerk corrects. Its 来件时间 is judged
// as its channel would have (raised-at.ts), so a refused 12345 order keeps the platform's receivedAt. Pure.
import { isValidCreditCode, normalizeCreditCode } from '../../shared/credit-code.ts';
import { LIMITS } from '../../shared/schemas.ts';
import type { ChannelId, Urgency } from '../../shared/states.ts';
import { findCreditCode } from '../channels/credit-code-in-text.ts';
import { instantField, urgencyField } from '../channels/json-channel.ts';
import { stampedTimes } from '../channels/raised-at.ts';
import type { InboxEntryDoc, RawPayload, StoredInboundMessage } from '../models/inbox.model.ts';

export interface DeadLetterDraft {
  channel: ChannelId;
  externalId: string | null;
  title: string;
  content: string;
  urgency: Urgency | null;
  contact: { name?: string; phone?: string; email?: string; openid?: string };
  enterprise: { creditCode?: string; name?: string };
}

// The contact fields' limits of the staff form (shared/schemas contactSchema) and the channels' enterprise name.
const MAX = { name: 50, phone: 30, email: 200, openid: 128, enterpriseName: 100 } as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Plain text for a form field: no control characters (a NUL a platform sent), trimmed and cut. */
export function cleanText(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  return value.replace(CONTROL, '').trim().slice(0, max).trim();
}

/** The first field of `keys` that holds text (JSON platforms name the same thing differently). */
type Fields = Readonly<Record<string, unknown>>;
const first = (fields: Fields, ...keys: string[]) =>
  keys.map((k) => (Object.hasOwn(fields, k) ? fields[k] : undefined)).find((v) => typeof v === 'string');

/** The body as a JSON object, or, cut short or broken, each `"key": "text"` pair it still holds whole. */
function jsonFields(text: string): Fields | null {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Fields;
    return null;
  } catch {
    const out: Record<string, string> = {};
    for (const m of text.matchAll(/"([A-Za-z][\w]{0,40})"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) {
      if (Object.hasOwn(out, m[1])) continue;
      try {
        out[m[1]] = JSON.parse(`"${m[2]}"`) as string;
      } catch {
        // A broken escape: that field is not read.
      }
    }
    return Object.keys(out).length ? out : null;
  }
}

/** A WeChat push's elements (`<Content><![CDATA[…]]></Content>`), whatever else is wrong with it. */
function xmlFields(text: string): Fields | null {
  if (!/^\s*</.test(text)) return null;
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/<([A-Za-z]\w{0,40})>\s*(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))\s*<\/\1>/g))
    if (!Object.hasOwn(out, m[1])) out[m[1]] = m[2] ?? m[3] ?? '';
  return out;
}

function urgencyOf(value: unknown): Urgency | null {
  const parsed = urgencyField.safeParse(value);
  return parsed.success ? (parsed.data ?? null) : null;
}

function creditCodeOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const code = normalizeCreditCode(value.trim());
  return isValidCreditCode(code) ? code : undefined;
}

type Parts = Omit<DeadLetterDraft, 'channel' | 'externalId'>;

function fromMessage(msg: StoredInboundMessage): Parts {
  return {
    title: cleanText(msg.title, LIMITS.title),
    content: cleanText(msg.content, LIMITS.content),
    urgency: msg.urgency ?? null,
    contact: contactOf(msg.contact ?? {}),
    enterprise: enterpriseOf(creditCodeOf(msg.enterprise?.creditCode), msg.enterprise?.name),
  };
}

function fromJson(f: Fields): Parts {
  // The 好差评 push names the service rated badly instead of a title (review.adapter.ts).
  const subject = [first(f, 'departmentName'), first(f, 'serviceName')].filter(Boolean).join('·');
  return {
    title: cleanText(first(f, 'title', 'subject') ?? (subject ? `好差评：${subject}` : ''), LIMITS.title),
    content: cleanText(first(f, 'content', 'text', 'comment', 'body'), LIMITS.content),
    urgency: urgencyOf(first(f, 'urgency')),
    contact: contactOf({
      name: first(f, 'contactName', 'name'),
      phone: first(f, 'contactPhone', 'phone', 'mobile', 'from'),
      email: first(f, 'contactEmail', 'email'),
    }),
    enterprise: enterpriseOf(creditCodeOf(first(f, 'creditCode')), first(f, 'enterpriseName')),
  };
}

function fromXml(f: Fields): Parts {
  return {
    title: '',
    content: cleanText(first(f, 'Content'), LIMITS.content),
    urgency: null,
    contact: contactOf({ openid: first(f, 'FromUserName') }),
    enterprise: {},
  };
}

function contactOf(
  c: Partial<Record<keyof DeadLetterDraft['contact'], unknown>>,
): DeadLetterDraft['contact'] {
  const out: DeadLetterDraft['contact'] = {};
  for (const k of ['name', 'phone', 'email', 'openid'] as const) {
    const v = cleanText(c[k], MAX[k]);
    if (v) out[k] = v;
  }
  return out;
}

function enterpriseOf(creditCode: string | undefined, name: unknown): DeadLetterDraft['enterprise'] {
  const n = cleanText(name, MAX.enterpriseName);
  return { ...(creditCode ? { creditCode } : {}), ...(n ? { name: n } : {}) };
}

function fromBody(raw: RawPayload): Parts {
  const json = jsonFields(raw.text);
  if (json) return fromJson(json);
  const xml = xmlFields(raw.text);
  if (xml && Object.keys(xml).length) return fromXml(xml);
  return {
    title: '',
    content: cleanText(raw.text, LIMITS.content),
    urgency: null,
    contact: {},
    enterprise: {},
  };
}

/** The body's fields, and the sender the transport named when the body does not (a WeChat follower). */
function fromRaw(raw: RawPayload): Parts {
  const parts = fromBody(raw);
  const openid = raw.sender?.openid;
  if (!openid || parts.contact.openid) return parts;
  return { ...parts, contact: { ...parts.contact, ...contactOf({ openid }) } };
}

/** The dead letter as a prefill of the staff form: what it holds, never more. */
export function deadLetterDraft(
  entry: Pick<InboxEntryDoc, 'channel' | 'externalId' | 'message' | 'raw'>,
): DeadLetterDraft {
  const parts: Parts = entry.message
    ? fromMessage(entry.message)
    : entry.raw
      ? fromRaw(entry.raw)
      : { title: '', content: '', urgency: null, contact: {}, enterprise: {} };
  // A code typed into the text (WeChat, SMS, mail) names the enterprise as the channels read it.
  if (!parts.enterprise.creditCode) {
    const found = findCreditCode(`${parts.title} ${parts.content}`).code;
    if (found) parts.enterprise = { ...parts.enterprise, creditCode: found };
  }
  return { channel: entry.channel, externalId: entry.externalId ?? null, ...parts };
}

/** A platform's receivedAt (JSON channels) or WeChat's CreateTime in the raw body, unjudged. */
function stampOf(channel: ChannelId, raw: RawPayload): Date | undefined {
  if (channel === 'wechat') {
    const createTime = Number(xmlFields(raw.text)?.CreateTime);
    return Number.isInteger(createTime) && createTime > 0 ? new Date(createTime * 1000) : undefined;
  }
  const json = jsonFields(raw.text);
  const parsed = json && Object.hasOwn(json, 'receivedAt') ? instantField.safeParse(json.receivedAt) : null;
  return parsed?.success ? parsed.data : undefined;
}

/**
 * The dead letter's 来件时间 when filed by hand: what its channel said (a parsed message's raisedAt; a raw body's
 * receivedAt or CreateTime, in range of its arrival by raised-at.ts's rule), else when it came in.
 */
export function deadLetterRaisedAt(
  entry: Pick<InboxEntryDoc, 'channel' | 'message' | 'raw' | 'receivedAt'>,
): Date {
  if (entry.message) return entry.message.raisedAt ?? entry.receivedAt;
  const stamp = entry.raw ? stampOf(entry.channel, entry.raw) : undefined;
  return stampedTimes(stamp, entry.receivedAt).raisedAt ?? entry.receivedAt;
}
