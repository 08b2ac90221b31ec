// What the JSON channels (hotline12345, zheliban, discovery, review, sms) share, pure: the adapter interface,
// parsing a body into one safe JSON object (hostile shapes refused: `$`-keys, `_bsontype`, prototype keys, NUL
// characters, absurd depth), the work-order fields most platforms send, zod failures as stable refusal codes,
// and the JSON acknowledgement `{number, status}`.
import { z } from 'zod';
import { isUtf8 } from 'node:buffer';
import { bodyProblem, NOT_UTF8_MESSAGE } from '../http/body-guard.middleware.ts';
import { isValidCreditCode, normalizeCreditCode } from '../../shared/credit-code.ts';
import { charCount, LIMITS } from '../../shared/schemas.ts';
import { titleFromContent } from '../intake/title-from-content.ts';
import { URGENCIES, type ChannelId, type Urgency } from '../../shared/states.ts';
import type { CredentialKind } from '../models/channel-credential.model.ts';
import { saysNothing } from './courtesy.ts';
import { checkReceivedAt } from './raised-at.ts';
import { ChannelRefusal, type AdapterReply, type InboundMessage, type IntakeAck } from './types.ts';

export interface JsonChannelAdapter {
  channel: ChannelId;
  auth: Exclude<CredentialKind, 'token'>;
  /** The body's shape, which `parse` checks it against (and GET /api/openapi.json publishes). */
  schema: z.ZodType;
  /** The body's field holding the channel's own id (read even from a body refused, for its dead letter). */
  idField: string;
  /** The body as one inbound message; throws ChannelRefusal (4xx) on anything malformed. */
  parse(rawBody: Buffer, now: Date): InboundMessage;
  reply(ack: IntakeAck): AdapterReply;
}

/** Throws on keys and text a database or a prototype chain must never see (the same rule as every JSON body). */
export function assertSafeJson(value: unknown): void {
  const problem = bodyProblem(value);
  if (problem) throw new ChannelRefusal('hostile_input', 400, problem);
}

export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  const value = jsonObjectOf(raw);
  assertSafeJson(value);
  return value;
}

/** The body as one JSON object, not yet checked for hostile shapes: callers take nothing from it unchecked. */
function jsonObjectOf(raw: Buffer): Record<string, unknown> {
  if (!raw.length) throw new ChannelRefusal('invalid_json', 400, '请求体为空，应为 JSON 对象');
  if (!isUtf8(raw)) throw new ChannelRefusal('invalid_encoding', 400, NOT_UTF8_MESSAGE);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ChannelRefusal('invalid_json', 400, '请求体不是合法的 JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ChannelRefusal('invalid_json', 400, '请求体应为 JSON 对象');
  return value as Record<string, unknown>;
}

/** The index of the quote closing the JSON string opened at `start`, or -1 when the text ends first. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/**
 * A `"key": "text"` member of the outermost object of a JSON text that breaks off later, found by walking it
 * with its depth outside strings, so that a nested member of the same name is never taken for it.
 */
export function topLevelText(text: string, key: string): string | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      const value = depth === 1 ? /^\s*:\s*"/.exec(text.slice(end + 1, end + 64)) : null;
      if (value && text.slice(i + 1, end) === key) {
        const from = end + value[0].length;
        const to = stringEnd(text, from);
        if (to < 0) return undefined;
        try {
          return JSON.parse(text.slice(from, to + 1)) as string;
        } catch {
          return undefined;
        }
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * The channel's own id in a body the adapter refused, when it can still be read (a JSON object whose id field
 * is a plain, bounded text): the dead letter keeps it, so staff find a failed work order by its number, and the
 * corrected redelivery is filed on that entry. A body refused as hostile (a `$` key, a NUL, `__proto__` somewhere
 * in it) still names its order: only that one top-level own text is taken, and it is checked on its own.
 */
export function externalIdIn(raw: Buffer, idField: string): string | undefined {
  let id: unknown;
  try {
    const body = jsonObjectOf(raw);
    if (!Object.hasOwn(body, idField)) return undefined;
    id = body[idField];
  } catch {
    // Cut short or broken further on: the id as long as it stands whole among the object's own members.
    id = topLevelText(raw.toString('utf8'), idField);
  }
  if (typeof id !== 'string') return undefined;
  const trimmed = id.trim();
  return trimmed && trimmed.length <= LIMITS.externalId && !CONTROL.test(trimmed) ? trimmed : undefined;
}

/** Platforms send "" or null for "not given". */
const absent = (v: unknown) => (v === '' || v === null ? undefined : v);
export const text = (max: number, label: string) =>
  z
    .string({ error: `${label}必须是文本` })
    .trim()
    .min(1, { error: `${label}不能为空` })
    .max(max, { error: `${label}不能超过${max}个字符` });
export const optionalText = (max: number, label: string) => z.preprocess(absent, text(max, label).optional());

export const creditCodeField = z.preprocess(
  absent,
  z
    .string({ error: '统一社会信用代码必须是文本' })
    .trim()
    .transform(normalizeCreditCode)
    .refine(isValidCreditCode, { error: '统一社会信用代码无效（应为18位且校验位正确）' })
    .optional(),
);

const URGENCY_WORDS: Readonly<Record<string, Urgency>> = Object.freeze({
  特急: 'critical',
  紧急: 'urgent',
  加急: 'urgent',
  一般: 'normal',
  普通: 'normal',
  疑难: 'complex',
  疑难复杂: 'complex',
});

export const urgencyField = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() ? (URGENCY_WORDS[v.trim()] ?? v.trim()) : absent(v)),
  z
    .enum(URGENCIES, { error: '紧急程度无效（critical/urgent/normal/complex 或 特急/紧急/一般/疑难复杂）' })
    .optional(),
);

/** ISO 8601 or unix seconds; the message's own receipt time. */
export const instantField = z.preprocess(
  absent,
  z
    .union([z.string().trim(), z.number()], { error: '时间格式无效' })
    .transform((v, ctx) => {
      const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
      if (Number.isNaN(d.getTime())) {
        ctx.addIssue({ code: 'custom', message: '时间格式无效（ISO 8601 或 Unix 秒）' });
        return z.NEVER;
      }
      return d;
    })
    .optional(),
);

// A contact is kept and may one day be written to (a reply by mail): an address with a line break in it would
// add mail headers, so it is refused here rather than trusted to whoever sends later.
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A caller's phone: no line breaks or control characters (a hostile field). A number that is not one staff
 * could dial (12345, 请回电) does not refuse the order, whose complaint must not wait in 接入失败 for it: intake
 * keeps it as text beside the contact, never as the number to call (issue-from-message.ts contactOf).
 */
export const contactPhoneField = optionalText(30, '联系电话').refine((v) => !v || !CONTROL.test(v), {
  error: '联系电话不能含换行或控制字符',
});

/**
 * How long a platform's work order may be. A real order is never refused for its length: a 12345 order's
 * content carries the history of every call about it (past the staff form's 10,000 characters), and some
 * platforms send the whole complaint as the title (past an issue title's 200). Both are kept whole, the long
 * title shortened for the list with its full text put before the content (workOrderMessage). Beyond these, no
 * real order: refused (invalid_field; past the 256 KB body, 413 payload_too_large).
 */
export const WORK_ORDER_LIMITS = Object.freeze({ title: 2_000, content: 40_000 });

/** The work order of DESIGN §10 (hotline12345's fields; zheliban and discovery name the id `externalId`). */
export function workOrderSchema(idField: 'orderId' | 'externalId') {
  return z.object({
    [idField]: text(LIMITS.externalId, idField),
    creditCode: creditCodeField,
    enterpriseName: optionalText(100, '企业名称'),
    contactName: optionalText(50, '联系人'),
    contactPhone: contactPhoneField,
    contactEmail: optionalText(200, '联系邮箱').refine((v) => !v || EMAIL_PATTERN.test(v), {
      error: '联系邮箱格式无效',
    }),
    title: optionalText(WORK_ORDER_LIMITS.title, '标题'),
    content: text(WORK_ORDER_LIMITS.content, '内容'),
    urgency: urgencyField,
    receivedAt: instantField,
  }) as unknown as z.ZodType<WorkOrder>;
}

export interface WorkOrder {
  orderId?: string;
  externalId?: string;
  creditCode?: string;
  enterpriseName?: string;
  contactName?: string;
  contactPhone?: string;
  contactEmail?: string;
  title?: string;
  content: string;
  urgency?: Urgency;
  receivedAt?: Date;
}

/** A zod failure as the refusal a platform can act on: which field, and a stable code. */
/**
 * The first problem as a stable code: `missing_field` when the body does not give the field (absent, "" or null,
 * which platforms send for "not given"), `invalid_field` when it gives something else (a number for a text).
 */
export function refusalOf(err: z.ZodError, body: unknown): ChannelRefusal {
  const issue = err.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const message = `字段 ${field} 无效：${issue?.message ?? ''}`;
  if (field === 'creditCode') return new ChannelRefusal('invalid_credit_code', 400, message);
  let given: unknown = body;
  for (const key of issue?.path ?? []) given = (given as Record<PropertyKey, unknown> | undefined)?.[key];
  if (issue?.code === 'invalid_type' && absent(given) === undefined)
    return new ChannelRefusal('missing_field', 400, `缺少必填字段 ${field}`);
  return new ChannelRefusal('invalid_field', 400, message);
}

export function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw refusalOf(r.error, body);
  return r.data;
}

/**
 * The order's title and content as an issue holds them: a title too long for one is shortened (its first
 * sentence or words, as for a message without a title) and its full text leads the content, unless the content
 * already says it; nothing the platform sent is dropped.
 */
export function titleAndContent(o: { title?: string; content: string }): { title?: string; content: string } {
  if (!o.title) return { content: o.content };
  if (charCount(o.title) <= LIMITS.title) return { title: o.title, content: o.content };
  const said = o.content.includes(o.title);
  return { title: titleFromContent(o.title), content: said ? o.content : `${o.title}\n\n${o.content}` };
}

/** A work order as an inbound message of `channel`; its receivedAt is when the enterprise raised it. */
export function workOrderMessage(channel: ChannelId, externalId: string, o: WorkOrder): InboundMessage {
  return {
    channel,
    externalId,
    ...(o.receivedAt ? { receivedAt: o.receivedAt, raisedAt: o.receivedAt } : {}),
    ...titleAndContent(o),
    ...(o.urgency ? { urgency: o.urgency } : {}),
    enterprise: {
      ...(o.creditCode ? { creditCode: o.creditCode } : {}),
      ...(o.enterpriseName ? { name: o.enterpriseName } : {}),
    },
    contact: {
      ...(o.contactName ? { name: o.contactName } : {}),
      ...(o.contactPhone ? { phone: o.contactPhone } : {}),
      ...(o.contactEmail ? { email: o.contactEmail } : {}),
    },
  };
}

/** `{number, status}` (and the inbox id); 202 while queued or when it landed in the dead-letter list. */
export function jsonAck(ack: IntakeAck): AdapterReply {
  const done = ack.status === 'created' || ack.status === 'merged' || ack.status === 'duplicate';
  return {
    status: done ? 200 : 202,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({
      ...(ack.number ? { number: ack.number } : {}),
      status: ack.status,
      inboxId: ack.inboxId,
      ...(ack.reason ? { reason: ack.reason } : {}),
    }),
  };
}

/**
 * The answer to an order whose title and content only greet, thank or say a problem is to come (你好; 我们有问题要反映):
 * an operator's slip or a test push. Filing it made an issue nobody can act on, routed by default and timed; the
 * platform is told, and the order waits in the dead-letter list under its number like any refused one.
 */
const NO_COMPLAINT_MESSAGE = '工单只有问候、致谢或“有问题要反映”，没有写明要反映的问题，不予登记';

/** Adapter for a platform that pushes work orders as they are. */
export function workOrderAdapter(
  channel: ChannelId,
  auth: JsonChannelAdapter['auth'],
  idField: 'orderId' | 'externalId',
): JsonChannelAdapter {
  const schema = workOrderSchema(idField);
  return {
    channel,
    auth,
    schema,
    idField,
    parse(raw, now) {
      const order = parseWith(schema, parseJsonObject(raw));
      checkReceivedAt(order.receivedAt, now);
      if (saysNothing(order.content) && (!order.title || saysNothing(order.title)))
        throw new ChannelRefusal('no_complaint', 422, NO_COMPLAINT_MESSAGE);
      return workOrderMessage(channel, String(order[idField]), order);
    },
    reply: jsonAck,
  };
}
