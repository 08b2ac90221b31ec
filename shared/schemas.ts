// Input validation for the API contract of DESIGN §10, shared by the server routes and the web forms so both
// reject the same inputs with the same Chinese messages.

import { z } from 'zod';
import { isValidCreditCode } from './credit-code.ts';
import {
  CATEGORY_IDS,
  CHANNEL_IDS,
  RATING_LEVEL_LABELS,
  RATING_LEVELS,
  RATINGS,
  URGENCIES,
} from './states.ts';
import { CUE_FAMILY_IDS } from './urgency-cues.ts';
import type { ActionId } from './lifecycle/actions.ts';

/**
 * A text's length as every limit here counts it: in characters (Unicode code points, as zod's `max` counts),
 * so an emoji is one character, as for the person typing it, not two UTF-16 units as `String.length` says.
 */
export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export const LIMITS = Object.freeze({
  id: 64,
  title: 200,
  content: 10_000,
  /**
   * What an issue may hold as its text: a platform's work order longer than a form allows (a 12345 order with
   * the history of repeated calls, a title folded in) is kept whole, never cut (json-channel.ts).
   */
  storedContent: 50_000,
  reason: 1_000,
  note: 5_000,
  reply: 10_000,
  externalId: 200,
  maxCoUnits: 20,
  maxExtensionWorkingDays: 30,
  maxDecideWorkingDays: 60,
});

/**
 * The message of a string field's type check: a missing field asks to be filled in (请填写理由), a field of
 * another type says it must be text.
 */
export const stringError =
  (label: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? `请填写${label}` : `${label}必须是文本`;

const text = (max: number, label: string) =>
  z
    .string({ error: stringError(label) })
    .trim()
    .min(1, { error: `${label}不能为空` })
    .max(max, { error: `${label}不能超过${max}个字符` });

export const idSchema = text(LIMITS.id, '编号');
/** A unit chosen for an issue (承办单位): named so in the messages, not as a 编号. */
const unitIdSchema = text(LIMITS.id, '承办单位');
export const reasonSchema = text(LIMITS.reason, '理由');

export const creditCodeSchema = z
  .string({ error: stringError('统一社会信用代码') })
  .trim()
  .toUpperCase()
  .refine(isValidCreditCode, { error: '统一社会信用代码无效（应为18位且校验位正确）' });

const unitIds = z
  .array(idSchema)
  .max(LIMITS.maxCoUnits, { error: `协办单位不能超过${LIMITS.maxCoUnits}个` })
  .transform((ids) => [...new Set(ids)]);

const workingDays = (max: number) =>
  z
    .number({ error: '工作日数必须是数字' })
    .int({ error: '工作日数必须是整数' })
    .min(1, { error: '工作日数至少为1' })
    .max(max, { error: `工作日数不能超过${max}` });

export const enterpriseRefSchema = z.union(
  [z.object({ creditCode: creditCodeSchema }), z.object({ id: idSchema })],
  { error: '请提供企业的统一社会信用代码或企业编号' },
);

const optionalText = (max: number, label: string) =>
  z
    .string({ error: `${label}必须是文本` })
    .trim()
    .max(max, { error: `${label}不能超过${max}个字符` })
    .optional()
    .transform((v) => (v ? v : undefined));

// A contact number is one staff can call back: a mainland mobile (11 digits, 1[3-9]…, written whole or as
// 138 1234 5678 / 138-1234-5678) or a landline with its area code (0572-1234567, 0572 1234567, 05721234567,
// (0572)1234567, an extension after 转, -, ext or #), either possibly after +86, 86 or 0086 (a landline's area code
// then with or without its 0). A 5-digit 12345 or a 10-digit slip is not one.
const EXTENSION = String.raw`(?:\s*(?:转|-|ext\.?|x|#)\s*\d{1,6})?`;
const LOCAL = String.raw`\d{3,4}[\s-]?\d{4}`;
const MOBILE = String.raw`1[3-9]\d(?:[\s-]?\d{4}){2}`;
const LANDLINE = String.raw`(?:0\d{2,3}|[(（]0\d{2,3}[)）])[\s-]?${LOCAL}${EXTENSION}`;
const INTERNATIONAL = String.raw`(?:\+?86|0086)[\s-]?`;
export const PHONE_PATTERN = new RegExp(
  String.raw`^(?:${INTERNATIONAL})?(?:${MOBILE}|${LANDLINE})$|^${INTERNATIONAL}[1-9]\d{1,2}[\s-]?${LOCAL}${EXTENSION}$`,
  'i',
);
export const isContactPhone = (v: string): boolean => PHONE_PATTERN.test(v.trim());
/** What a refused number is told (staff entry, 人工登记), with the stable code `invalid_phone`. */
export const PHONE_MESSAGE =
  '联系电话格式无效：请填写11位手机号，或带区号的固定电话（如 0572-1234567，可加分机号）';

/** Who raised the issue and how to reach them (staff entry; channels bring their own). */
export const contactSchema = z.object({
  name: optionalText(50, '联系人'),
  phone: z
    .string({ error: '联系电话必须是文本' })
    .trim()
    .max(30, { error: '联系电话不能超过30个字符' })
    .refine((v) => v === '' || isContactPhone(v), { error: PHONE_MESSAGE, params: { code: 'invalid_phone' } })
    .optional()
    .transform((v) => (v ? v : undefined)),
  email: z
    .string({ error: '电子邮箱必须是文本' })
    .trim()
    .max(200, { error: '电子邮箱不能超过200个字符' })
    .refine((v) => v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), { error: '电子邮箱格式无效' })
    .optional()
    .transform((v) => (v ? v : undefined)),
});
export type ContactInput = z.infer<typeof contactSchema>;

export const issueCreateSchema = z.object({
  enterprise: enterpriseRefSchema,
  channel: z.enum(CHANNEL_IDS, { error: '渠道无效' }),
  title: text(LIMITS.title, '标题').optional(),
  content: text(LIMITS.content, '问题内容'),
  urgency: z.enum(URGENCIES, { error: '紧急程度无效' }).optional(),
  category: z.enum(CATEGORY_IDS, { error: '问题类别无效' }).optional(),
  externalId: text(LIMITS.externalId, '外部编号').optional(),
  contact: contactSchema.optional(),
});
export type IssueCreateInput = z.infer<typeof issueCreateSchema>;

const empty = z.object({});
const withReason = z.object({ reason: reasonSchema });
/** 拆分为新工单 (POST /api/issues/:id/sources/:inboxId/split): why the merged source is another problem. */
export const sourceSplitSchema = withReason;
const rating = z.enum(RATINGS, { error: '评价只能是好评或差评' });
const ratingLevel = z.enum(RATING_LEVELS, {
  error: `评价等级无效，可选：${RATING_LEVELS.map((l) => `${l}（${RATING_LEVEL_LABELS[l]}）`).join('、')}`,
});

export const dispatchSchema = z.object({ unitId: unitIdSchema, coUnitIds: unitIds.optional() });
export const returnSchema = z.object({
  reason: reasonSchema,
  legalBasis: text(LIMITS.reason, '依据').optional(),
});
export const transferSchema = z.object({ unitId: unitIdSchema, reason: reasonSchema });
export const addCoUnitSchema = z.object({ unitId: idSchema });
export const requestExtensionSchema = z.object({
  workingDays: workingDays(LIMITS.maxExtensionWorkingDays),
  reason: reasonSchema,
});
export const noteSchema = z.object({
  text: text(LIMITS.note, '内容'),
  public: z.boolean({ error: '请指明是否公开' }),
  /** The note records the first contact with the enterprise (首次联系, DESIGN §5). */
  contacted: z.boolean({ error: '是否已联系企业只能是是或否' }).optional(),
});
export const consultSchema = z.object({
  tier: z.enum(['director', 'leader'], { error: '会商层级只能是中心主任或市领导' }),
  unitIds: unitIds.refine((ids) => ids.length > 0, { error: '会商至少需要一个单位' }),
});
export const consultInputSchema = z.object({ text: text(LIMITS.note, '会商意见') });
export const decideSchema = z.object({
  unitId: unitIdSchema,
  coUnitIds: unitIds.optional(),
  workingDays: workingDays(LIMITS.maxDecideWorkingDays),
  /** What the consultation settled (会商意见), for the timeline and the units told of the decision. */
  note: text(LIMITS.note, '会商意见').optional(),
});
export const replySchema = z.object({ text: text(LIMITS.reply, '答复内容') });
export const callbackSchema = z.object({
  reached: z.boolean({ error: '请指明是否联系上企业' }),
  rating: rating.optional(),
  level: ratingLevel.optional(),
  note: text(LIMITS.note, '回访记录').optional(),
});
export const rateSchema = z.object({
  rating,
  level: ratingLevel.optional(),
  comment: text(LIMITS.note, '评价意见').optional(),
});
export const verifyRatingSchema = z.object({
  reasonable: z.boolean({ error: '请指明差评是否合理' }),
  reason: reasonSchema.optional(),
  /** Rectification time when reasonable; the policy's default (5) when omitted, at most its maximum (15). */
  workingDays: workingDays(LIMITS.maxExtensionWorkingDays).optional(),
});
export const mergeSchema = z.object({ intoId: idSchema });
/**
 * Approving a request (挂起, 解挂, 延期). The request's reason is the unit's internal note and stays with staff;
 * the enterprise reads only the outcome, and `publicNote` when the approver writes one for it.
 */
export const approveSchema = z.object({ publicNote: text(LIMITS.note, '对企业的说明').optional() });
export type ApproveInput = z.infer<typeof approveSchema>;
export const escalateSchema = z.object({ reason: reasonSchema.optional() });
export const reclassifySchema = z
  .object({
    category: z.enum(CATEGORY_IDS, { error: '问题类别无效' }).optional(),
    urgency: z.enum(URGENCIES, { error: '紧急程度无效' }).optional(),
    reason: reasonSchema,
  })
  .refine((v) => v.category !== undefined || v.urgency !== undefined, {
    error: '请指明新的问题类别或紧急程度',
  });
/**
 * The classifier's keywords per category (setting `classify.keywords`): what the admin screen checks before
 * saving and the server checks when storing and reading. A category left out keeps its default keywords.
 */
export const CATEGORY_KEYWORD_LIMITS = Object.freeze({ length: 30, count: 200 });
export const keywordsSettingSchema = z.partialRecord(
  z.enum(CATEGORY_IDS, { error: '问题类别无效' }),
  z
    .array(
      z
        .string({ error: '关键词必须是文本' })
        .trim()
        .min(1, { error: '关键词不能为空' })
        .max(CATEGORY_KEYWORD_LIMITS.length, {
          error: `每个关键词不超过${CATEGORY_KEYWORD_LIMITS.length}个字`,
        }),
      { error: '关键词必须是列表' },
    )
    .max(CATEGORY_KEYWORD_LIMITS.count, { error: `每类最多${CATEGORY_KEYWORD_LIMITS.count}个关键词` }),
);
/**
 * The urgency cues per family (setting `classify.urgencyCues`), checked by the admin screen before saving and by
 * the server when storing and reading. A family left out keeps its default words (config/urgency-cues.ts); an
 * empty family is switched off. A cue of one character would fire on almost any text, so two at least.
 */
export const URGENCY_CUE_LIMITS = Object.freeze({ min: 2, length: 20, count: 200 });
export const urgencyCuesSettingSchema = z.partialRecord(
  z.enum(CUE_FAMILY_IDS),
  z
    .array(
      z
        .string({ error: '提示词必须是文本' })
        .trim()
        .min(URGENCY_CUE_LIMITS.min, { error: `每个提示词至少${URGENCY_CUE_LIMITS.min}个字` })
        .max(URGENCY_CUE_LIMITS.length, { error: `每个提示词不超过${URGENCY_CUE_LIMITS.length}个字` })
        .regex(/^[^\s，。；！？,.;!?]+$/u, { error: '提示词不能包含空格或标点' }),
      { error: '提示词必须是列表' },
    )
    .max(URGENCY_CUE_LIMITS.count, { error: `每类最多${URGENCY_CUE_LIMITS.count}个提示词` }),
  // A partial record reports unknown keys as `unrecognized_keys`, which its issue type does not list.
  { error: (issue) => (issue.code === ('unrecognized_keys' as string) ? '紧急提示词类别无效' : undefined) },
);
/**
 * The synonym groups of the text core (setting `classify.synonyms`; config/synonyms.ts holds the defaults): the
 * whole list, each group's first word the one the others are read as. Checked by the admin screen before saving
 * and by the server when storing and reading. A word in two groups would make the reading depend on the order,
 * so a word belongs to one group only.
 */
export const SYNONYM_LIMITS = Object.freeze({ min: 2, length: 20, words: 20, groups: 300 });
const synonymWord = z
  .string({ error: '同义词必须是文本' })
  .trim()
  .min(SYNONYM_LIMITS.min, { error: `每个同义词至少${SYNONYM_LIMITS.min}个字` })
  .max(SYNONYM_LIMITS.length, { error: `每个同义词不超过${SYNONYM_LIMITS.length}个字` })
  .regex(/^[^\s，。；！？,.;!?、]+$/u, { error: '同义词不能包含空格或标点' });
export const synonymsSettingSchema = z
  .array(
    z
      .array(synonymWord, { error: '同义词组必须是列表' })
      .min(2, { error: '每组至少两个词' })
      .max(SYNONYM_LIMITS.words, { error: `每组最多${SYNONYM_LIMITS.words}个词` }),
    { error: '同义词表必须是列表' },
  )
  .max(SYNONYM_LIMITS.groups, { error: `最多${SYNONYM_LIMITS.groups}组同义词` })
  .superRefine((groups, ctx) => {
    const seen = new Map<string, number>();
    groups.forEach((group, g) =>
      group.forEach((word, w) => {
        const key = word.normalize('NFKC').toLowerCase();
        const first = seen.get(key);
        if (first !== undefined && first !== g) {
          ctx.addIssue({
            code: 'custom',
            path: [g, w],
            message: `“${word}”已在第${first + 1}组，一个词只能属于一组`,
          });
        }
        seen.set(key, first ?? g);
      }),
    );
  });
export const thresholdSettingSchema = z
  .number({ error: '置信度阈值必须是数字' })
  .min(0, { error: '置信度阈值在0到1之间' })
  .max(1, { error: '置信度阈值在0到1之间' });

export const assignSchema = z.object({ userId: idSchema, reason: reasonSchema.optional() });
const optionalNote = z.object({ note: text(LIMITS.note, '说明').optional() });

/** One schema per action: the body of `POST /api/issues/:id/actions/:action`. */
export const ACTION_SCHEMAS: Readonly<Record<ActionId, z.ZodType>> = Object.freeze({
  dispatch: dispatchSchema,
  sign: empty,
  return: returnSchema,
  transfer: transferSchema,
  add_co_unit: addCoUnitSchema,
  suspend: withReason,
  approve_suspend: approveSchema,
  // What changed (the enterprise's materials arrived…), for the approver; optional (DESIGN §10: `resume {}`).
  resume: z.object({ reason: text(LIMITS.reason, '解挂说明').optional() }),
  approve_resume: approveSchema,
  deny_request: withReason,
  request_extension: requestExtensionSchema,
  approve_extension: approveSchema,
  note: noteSchema,
  consult: consultSchema,
  consult_input: consultInputSchema,
  decide: decideSchema,
  reply: replySchema,
  verify: empty,
  send_back: withReason,
  callback: callbackSchema,
  rate: rateSchema,
  verify_rating: verifyRatingSchema,
  merge: mergeSchema,
  reject: withReason,
  reopen: withReason,
  // target 'consultation': remind the consulted units that still owe input (the sweep at the input deadline);
  // 'sign': remind the lead unit to sign for the issue (催签; the sweep once the sign-for limit has passed);
  // 'rating_check': remind the centre to check a bad rating (the sweep once its 核实时限 has passed).
  urge: optionalNote.extend({
    target: z
      .enum(['consultation', 'sign', 'rating_check'], {
        error: 'target 只能是 consultation、sign 或 rating_check',
      })
      .optional(),
  }),
  supervise: optionalNote,
  bulletin: optionalNote,
  escalate: escalateSchema,
  request_callback: empty,
  reclassify: reclassifySchema,
  assign: assignSchema,
});

export type DispatchInput = z.infer<typeof dispatchSchema>;
export type ReturnInput = z.infer<typeof returnSchema>;
export type TransferInput = z.infer<typeof transferSchema>;
export type AssignInput = z.infer<typeof assignSchema>;
export type RequestExtensionInput = z.infer<typeof requestExtensionSchema>;
export type NoteInput = z.infer<typeof noteSchema>;
export type ConsultInput = z.infer<typeof consultSchema>;
export type DecideInput = z.infer<typeof decideSchema>;
export type CallbackInput = z.infer<typeof callbackSchema>;
export type RateInput = z.infer<typeof rateSchema>;
export type VerifyRatingInput = z.infer<typeof verifyRatingSchema>;
export type ReclassifyInput = z.infer<typeof reclassifySchema>;

/** `POST /api/classify {text}`. */
export const classifySchema = z.object({ text: text(LIMITS.content, '文本') });

/** The first issue's message, for a `400 {error:{code:'invalid_input', message}}` answer. */
export function firstIssueMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return '输入无效';
  const path = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${path}${issue.message}`;
}
