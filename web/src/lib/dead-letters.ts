// The dead-letter desk's words (接入失败): the server stores a failure as `code: message` (the code is for the
// platforms and the logs), and a clerk reads a Chinese label and the message instead; what a retry became, said
// as a clerk would expect. Pure, so the panel only shows it.
export { INBOX_ROLES } from '../../../shared/roles.ts';
import { INBOUND_FIELD_LABELS } from '../../../shared/inbound-fields.ts';

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
