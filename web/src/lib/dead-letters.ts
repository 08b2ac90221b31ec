// The dead-letter desk's words (接入失败): the server stores a failure as `code: message` (the code is for the
// platforms and the logs), and a clerk reads a Chinese label and the message instead; what a retry became, said
// as a clerk would expect; and 人工登记: the staff form prefilled from what the dead letter holds
// (GET /api/inbox/:id/draft), checked with POST /api/issues's own schema before it is sent to
// POST /api/inbox/:id/register. Pure, so the panel only shows it.
export { INBOX_ROLES } from '../../../shared/roles.ts';
import { INBOUND_FIELD_LABELS } from '../../../shared/inbound-fields.ts';
import { issueCreateSchema } from '../../../shared/schemas.ts';
import type { ChannelId } from '../../../shared/states.ts';
import type { EnterpriseSummary } from './types.ts';

/** The refusal and failure codes a dead letter's reason may start with. */
const REASON_LABELS: Readonly<Record<string, string>> = Object.freeze({
  hostile_input: '含不安全内容',
  invalid_json: '不是合法的 JSON',
  invalid_encoding: '编码错误',
  invalid_field: '字段无效',
  missing_field: '缺少必填字段',
  invalid_credit_code: '信用代码无效',
  invalid_xml: '不是合法的 XML',
  invalid_message: '消息无效',
  invalid_encrypt: '解密失败',
  encryption_not_configured: '未配置解密密钥',
  not_reparsable: '无法重新解析',
  unreadable: '内容无法识别',
  enterprise_not_found: '找不到企业',
  external_id_conflict: '外部编号冲突',
});

export interface ReasonText {
  /** A short Chinese label for the kind of failure, when the code is known. */
  label: string | null;
  /** The Chinese explanation (never the English code). */
  text: string;
}

const CODED = /^([a-z][a-z0-9_]*):\s*([\s\S]*)$/;

/** `字段 content 无效` as `字段「内容」(content) 无效`, `缺少必填字段 content` likewise. */
function namedFields(text: string): string {
  return text.replace(/(字段) ?([A-Za-z][\w.]*)/g, (all, word: string, field: string) =>
    Object.hasOwn(INBOUND_FIELD_LABELS, field) ? `${word}「${INBOUND_FIELD_LABELS[field]}」(${field})` : all,
  );
}

/** `invalid_field: 字段 contactEmail 无效：…` as {label: 字段无效, text: 字段 contactEmail 无效：…}. */
export function reasonText(reason: string | null | undefined): ReasonText {
  const raw = (reason ?? '').trim();
  const m = CODED.exec(raw);
  if (!m) return { label: null, text: raw || '未说明原因' };
  const label = REASON_LABELS[m[1]] ?? '处理失败';
  return { label, text: namedFields(m[2].trim()) || label };
}

/** The reason as one line (a toast, an alert). */
export function reasonLine(reason: string | null | undefined): string {
  const r = reasonText(reason);
  return r.label && r.label !== r.text ? `${r.label}（${r.text}）` : r.text;
}

/** What POST /api/inbox/:id/retry answers (200 also when the entry failed again). */
export interface RetryAnswer {
  ack: {
    status: 'created' | 'merged' | 'duplicate' | 'queued' | 'failed';
    number?: string;
    reason?: string;
  };
}

/** The toast for a retry that went through; throws (the error toast) when the entry failed again. */
export function retryOutcome({ ack }: RetryAnswer): string {
  switch (ack.status) {
    case 'created':
      return `已重新处理，生成工单 ${ack.number ?? ''}`.trim();
    case 'merged':
      return `已重新处理，并入工单 ${ack.number ?? ''}`.trim();
    case 'duplicate':
      return `该消息已是工单 ${ack.number ?? ''}`.trim();
    case 'queued':
      return '已重新提交，正在处理中';
    default:
      throw new Error(`重试仍未成功：${reasonLine(ack.reason)}`);
  }
}

/** What a dead letter still says, as the server read it for the staff form (intake/dead-letter-draft.ts). */
export interface DeadLetterDraft {
  channel: ChannelId;
  externalId: string | null;
  title: string;
  content: string;
  urgency: string | null;
  contact: { name?: string; phone?: string; email?: string; openid?: string };
  enterprise: { creditCode?: string; name?: string };
}

/** GET /api/inbox/:id/draft: the draft, and the enterprise it names when the register knows exactly one. */
export interface DraftAnswer {
  draft: DeadLetterDraft;
  enterprise: EnterpriseSummary | null;
}

/** The 人工登记 form's fields (the enterprise itself is chosen with the picker). */
export interface RegisterForm {
  /** An enterprise the register does not know yet, as the message names it (登记为待确认企业). */
  creditCode: string;
  enterpriseName: string;
  title: string;
  content: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  category: string;
  urgency: string;
}

export function registerFormOf({ draft }: DraftAnswer): RegisterForm {
  return {
    creditCode: draft.enterprise.creditCode ?? '',
    enterpriseName: draft.enterprise.name ?? '',
    title: draft.title,
    content: draft.content,
    contactName: draft.contact.name ?? '',
    contactPhone: draft.contact.phone ?? '',
    contactEmail: draft.contact.email ?? '',
    category: '',
    urgency: draft.urgency ?? '',
  };
}

/**
 * The body of POST /api/inbox/:id/register: the staff form of POST /api/issues on the dead letter's channel and
 * external id, checked with its schema (the same Chinese messages as the server). Throws what to correct.
 */
export function registerBody(
  form: RegisterForm,
  letter: { channel: string; externalId?: string | null },
  enterpriseId: string | null,
): Record<string, unknown> {
  const code = form.creditCode.trim();
  if (!enterpriseId && !code) throw new Error('请选择企业，或填写来件企业的统一社会信用代码');
  const contact = Object.fromEntries(
    [
      ['name', form.contactName],
      ['phone', form.contactPhone],
      ['email', form.contactEmail],
    ]
      .map(([k, v]) => [k, v.trim()])
      .filter(([, v]) => v),
  );
  const optional = { title: form.title, category: form.category, urgency: form.urgency };
  const body = {
    enterprise: enterpriseId ? { id: enterpriseId } : { creditCode: code },
    channel: letter.channel,
    ...(letter.externalId ? { externalId: letter.externalId } : {}),
    content: form.content.trim(),
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v.trim())),
    ...(Object.keys(contact).length ? { contact } : {}),
  };
  const checked = issueCreateSchema.safeParse(body);
  if (!checked.success) throw new Error(checked.error.issues[0]?.message ?? '输入无效');
  const name = form.enterpriseName.trim();
  return { ...checked.data, ...(!enterpriseId && name ? { enterpriseName: name } : {}) };
}

/** What POST /api/inbox/:id/register answers: the issue it became. */
export interface RegisterAnswer {
  issue: { id: string; number: string; state: string };
}

export const registeredText = ({ issue }: RegisterAnswer) => `已人工登记为工单 ${issue.number}`;
