// The batch-import template (DESIGN §10): which columns a CSV or XLSX may have, in English or Chinese, and how
// one row becomes an inbound message or a row error with its reason. Pure. A row without an externalId gets one
// derived from its content, so importing the same rows again (from the same file or another) files nothing twice.
import { createHash } from 'node:crypto';
import { isValidCreditCode, normalizeCreditCode } from '../../shared/credit-code.ts';
import { INBOUND_FIELD_LABELS } from '../../shared/inbound-fields.ts';
import { LIMITS } from '../../shared/schemas.ts';
import { URGENCIES, URGENCY_LABELS, type Urgency } from '../../shared/states.ts';
import { titleAndContent, WORK_ORDER_LIMITS } from '../channels/json-channel.ts';
import type { InboundMessage } from '../channels/types.ts';

export const IMPORT_CHANNELS = ['meeting', 'visit', 'deputy'] as const;
export type ImportChannel = (typeof IMPORT_CHANNELS)[number];

export const IMPORT_FIELDS = [
  'creditCode',
  'enterpriseName',
  'contactName',
  'contactPhone',
  'title',
  'content',
  'urgency',
  'externalId',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export const CHINESE_HEADERS: Readonly<Record<ImportField, string>> = Object.fromEntries(
  IMPORT_FIELDS.map((f) => [f, INBOUND_FIELD_LABELS[f]!]),
) as Record<ImportField, string>;

const ALIASES = new Map<string, ImportField>();
for (const f of IMPORT_FIELDS) {
  ALIASES.set(f.toLowerCase(), f);
  ALIASES.set(CHINESE_HEADERS[f], f);
}
ALIASES.set('信用代码', 'creditCode');
ALIASES.set('问题内容', 'content');
ALIASES.set('问题标题', 'title');

const URGENCY_WORDS = new Map<string, Urgency>();
for (const u of URGENCIES) {
  URGENCY_WORDS.set(u, u);
  URGENCY_WORDS.set(URGENCY_LABELS[u], u);
}

/** Column index of each known field; unknown columns are ignored. */
export type ColumnMap = Partial<Record<ImportField, number>>;

export function columnMapOf(header: readonly string[]): { columns: ColumnMap } | { error: string } {
  const columns: ColumnMap = {};
  header.forEach((cell, i) => {
    const field =
      ALIASES.get(
        cell
          .replace(/^\uFEFF/, '')
          .trim()
          .toLowerCase(),
      ) ?? ALIASES.get(cell.trim());
    if (field && columns[field] === undefined) columns[field] = i;
  });
  if (columns.content === undefined) return { error: '表头缺少“内容”（content）列，请使用导入模板' };
  if (columns.creditCode === undefined && columns.enterpriseName === undefined)
    return { error: '表头缺少“统一社会信用代码”或“企业名称”列，请使用导入模板' };
  return { columns };
}

export type RowResult = { message: InboundMessage } | { error: string };

const MAX = { contactName: 50, contactPhone: 30, enterpriseName: 100 } as const;

/** One data row as an inbound message on `channel`, or the reason it cannot be one. */
export function rowToMessage(
  channel: ImportChannel,
  columns: ColumnMap,
  cells: readonly string[],
): RowResult {
  const cell = (f: ImportField) => {
    const i = columns[f];
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const v = Object.fromEntries(IMPORT_FIELDS.map((f) => [f, cell(f)])) as Record<ImportField, string>;
  if (Object.values(v).some((s) => s.includes('\0'))) return { error: '含有非法字符（NUL）' };
  if (!v.content) return { error: '内容不能为空' };
  if (v.content.length > LIMITS.content) return { error: `内容不能超过${LIMITS.content}个字符` };
  // A meeting's or a deputy's record may put the whole problem in 标题: kept, as a work order's long title is.
  if (v.title.length > WORK_ORDER_LIMITS.title)
    return { error: `标题不能超过${WORK_ORDER_LIMITS.title}个字符` };
  if (v.externalId.length > LIMITS.externalId) return { error: `外部编号不能超过${LIMITS.externalId}个字符` };
  for (const f of ['contactName', 'contactPhone', 'enterpriseName'] as const)
    if (v[f].length > MAX[f]) return { error: `${CHINESE_HEADERS[f]}不能超过${MAX[f]}个字符` };
  const creditCode = v.creditCode ? normalizeCreditCode(v.creditCode) : '';
  if (creditCode && !isValidCreditCode(creditCode)) return { error: `统一社会信用代码无效：${v.creditCode}` };
  if (!creditCode && !v.enterpriseName) return { error: '统一社会信用代码和企业名称至少填写一项' };
  const urgency = v.urgency ? URGENCY_WORDS.get(v.urgency.toLowerCase()) : undefined;
  if (v.urgency && !urgency)
    return { error: `紧急程度无效：${v.urgency}（可填 特急、紧急、一般、疑难复杂）` };

  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        channel,
        creditCode,
        v.enterpriseName,
        v.contactName,
        v.contactPhone,
        v.title,
        v.content,
      ]),
    )
    .digest('hex');
  return {
    message: {
      channel,
      externalId: v.externalId || `row:${digest.slice(0, 40)}`,
      ...titleAndContent({ ...(v.title ? { title: v.title } : {}), content: v.content }),
      ...(urgency ? { urgency } : {}),
      enterprise: {
        ...(creditCode ? { creditCode } : {}),
        ...(v.enterpriseName ? { name: v.enterpriseName } : {}),
      },
      contact: {
        ...(v.contactName ? { name: v.contactName } : {}),
        ...(v.contactPhone ? { phone: v.contactPhone } : {}),
      },
    },
  };
}
