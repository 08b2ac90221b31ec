// Chinese for zod's own (English) issue messages, for schemas that give none of their own: the error middleware
// and the JSON channels put it after the field's name (字段 contact 无效：类型不正确，应为对象), so no user or
// platform reads "Invalid input: expected object, received string". zod's own zh-CN locale does not serve here:
// set globally it makes every message Chinese, so a schema's own sentence can no longer be told from a generic
// one that needs the field named, and applied to a reported issue it misreads the input (zod drops it from
// reported issues: 实际接收 undefined).
import type { z } from 'zod';

const CHINESE = /[\u4e00-\u9fff]/;

/** True when the message is the schema's own Chinese sentence (请填写根本原因), to be shown as it is. */
export const isChineseMessage = (message: string): boolean => CHINESE.test(message);

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: '文本',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '是或否（布尔值）',
  object: '对象',
  record: '对象',
  array: '数组',
  tuple: '数组',
  set: '数组',
  date: '日期',
  null: '空值',
};

const FORMAT_WORDS: Readonly<Record<string, string>> = {
  email: '邮箱',
  url: '网址',
  uuid: '编号',
  guid: '编号',
  datetime: '日期时间',
  date: '日期',
  time: '时间',
  ipv4: 'IP 地址',
  ipv6: 'IP 地址',
};

const SIZE_UNITS: Readonly<Record<string, string>> = {
  string: '个字符',
  array: '项',
  set: '项',
  file: '字节',
};

type Issue = z.core.$ZodIssue;

function tooBig(issue: Extract<Issue, { code: 'too_big' }>): string {
  const max = String(issue.maximum);
  const unit = SIZE_UNITS[issue.origin];
  if (unit) return issue.origin === 'string' ? `超出长度，最多${max}${unit}` : `超出数量，最多${max}${unit}`;
  if (issue.origin === 'date') return `不能晚于${max}`;
  return issue.inclusive === false ? `应小于${max}` : `不能大于${max}`;
}

function tooSmall(issue: Extract<Issue, { code: 'too_small' }>): string {
  const min = String(issue.minimum);
  const unit = SIZE_UNITS[issue.origin];
  if (issue.origin === 'string' && Number(issue.minimum) === 1) return '不能为空';
  if (unit) return issue.origin === 'string' ? `长度不足，至少${min}${unit}` : `数量不足，至少${min}${unit}`;
  if (issue.origin === 'date') return `不能早于${min}`;
  return issue.inclusive === false ? `应大于${min}` : `不能小于${min}`;
}

function invalidValue(values: readonly unknown[]): string {
  // A long list (every category id) would drown the message; a short one tells the caller what to send.
  if (!values.length || values.length > 8) return '取值无效';
  return `取值无效，应为 ${values.map(String).join('、')}${values.length > 1 ? ' 之一' : ''}`;
}

/**
 * The issue's message in Chinese: the schema's own when it is Chinese, else a sentence for zod's issue code.
 * Without the input (zod leaves it out of reported issues), a missing field is told by zod's "received undefined".
 */
export function zodIssueMessage(issue: Issue): string {
  if (isChineseMessage(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return '必填项，不能缺少';
      return `类型不正确，应为${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'too_big':
      return tooBig(issue);
    case 'too_small':
      return tooSmall(issue);
    case 'invalid_format':
      return `${FORMAT_WORDS[issue.format] ?? ''}格式不正确`;
    case 'not_multiple_of':
      return `应为${String(issue.divisor)}的倍数`;
    case 'unrecognized_keys':
      return `不支持的字段：${issue.keys.join('、')}`;
    case 'invalid_value':
      return invalidValue(issue.values);
    case 'invalid_union':
      return '类型或格式不正确';
    case 'invalid_key':
      return '键名无效';
    case 'invalid_element':
      return '元素无效';
    default:
      return '格式不正确';
  }
}
