// The time-limit policy as admins edit it (PUT /api/settings/timeLimits): validated with zod, merged over the
// defaults so an admin may send only what changes (e.g. one urgency's resolve limit), and returned whole, so
// what is stored is always a complete, valid policy that the deadline maths can use as it is.
import { z } from 'zod';
import type { TimeLimitPolicy } from './sla.ts';
import { CATEGORY_IDS, CHANNEL_IDS, URGENCIES } from './states.ts';

const limit = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('wall_minutes'), minutes: z.number().int().min(1).max(10_080) }).strict(),
    z.object({ kind: z.literal('working_hours'), hours: z.number().min(0.5).max(300) }).strict(),
    z.object({ kind: z.literal('working_days'), days: z.number().int().min(1).max(120) }).strict(),
    z.object({ kind: z.literal('same_day') }).strict(),
  ],
  { error: '时限类型只能是 wall_minutes、working_hours、working_days 或 same_day' },
);

const yellow = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('fraction'), fraction: z.number().gt(0).lt(1) }).strict(),
    z.object({ kind: z.literal('working_days_before'), days: z.number().int().min(0).max(60) }).strict(),
  ],
  { error: '黄灯规则只能是 fraction 或 working_days_before' },
);

const days = (max: number) => z.number().int().min(0).max(max);

const urgencyPolicy = z
  .object({ sign: limit, contact: limit, resolve: limit, yellow, maxExtensionWorkingDays: days(60) })
  .strict();

const urgencyEnum = z.enum(URGENCIES, { error: '紧急程度无效' });

export const timeLimitPolicySchema = z
  .object({
    urgencies: z.object({
      critical: urgencyPolicy,
      urgent: urgencyPolicy,
      normal: urgencyPolicy,
      complex: urgencyPolicy,
    }),
    categoryOverrides: z
      .partialRecord(
        z.enum(CATEGORY_IDS, { error: '分类无效' }),
        z.partialRecord(urgencyEnum, urgencyPolicy.partial()),
      )
      .optional(),
    maxExtensions: days(5),
    overdueAfterWorkingDays: days(30),
    escalateAfterRedWorkingDays: days(60),
    bulletinAfterRedWorkingDays: days(60),
    ratingWindowWorkingDays: days(30),
    ratingVerifyWorkingDays: days(30),
    rectifyWorkingDays: days(60),
    maxRectifyWorkingDays: days(120),
    consultInputWorkingDays: days(30),
    consultEscalateAfterWorkingDays: days(30).optional(),
    triage: z
      .object({
        default: limit,
        byUrgency: z.partialRecord(urgencyEnum, limit).optional(),
        byChannel: z.partialRecord(z.enum(CHANNEL_IDS, { error: '渠道无效' }), limit).optional(),
      })
      .strict()
      .optional(),
    sameDayCutoff: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'sameDayCutoff 格式应为 HH:MM' }),
  })
  .strict();

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** `patch` over `base`, object by object; a patch value that is not an object replaces the base value. */
function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    // A limit or yellow rule is replaced whole (its fields depend on its kind).
    out[k] = isPlainObject(v) && 'kind' in v ? v : deepMerge(base[k], v);
  }
  return out;
}

export type PolicyResult =
  | { ok: true; policy: TimeLimitPolicy }
  | { ok: false; message: string; /** Where in the setting, e.g. `rectifyWorkingDays`. */ field: string };

const TYPE_WORDS: Readonly<Record<string, string>> = { number: '数字', string: '文字', object: '对象' };

/** Chinese for what zod would say in English, where the schema has no message of its own. */
const chinese: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `应为${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return `不能小于${String(issue.minimum)}`;
    case 'too_big':
      return `不能大于${String(issue.maximum)}`;
    case 'not_multiple_of':
      return '应为整数';
    case 'unrecognized_keys':
      return `不认识的设置：${issue.keys.join('、')}`;
    default:
      return '格式无效';
  }
};

/** The admin's (partial) policy over `base`, validated whole. */
export function mergePolicy(base: TimeLimitPolicy, patch: unknown): PolicyResult {
  const parsed = timeLimitPolicySchema.safeParse(deepMerge(base, patch ?? {}), { error: chinese });
  if (parsed.success) return { ok: true, policy: parsed.data as TimeLimitPolicy };
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  return { ok: false, message: `${field ? `${field}：` : ''}${issue?.message ?? '时限设置无效'}`, field };
}

/** The stored setting as the policy in force: the defaults when absent or (somehow) invalid. */
export function policyOf(base: TimeLimitPolicy, stored: unknown): TimeLimitPolicy {
  if (stored === undefined || stored === null) return base;
  const merged = mergePolicy(base, stored);
  return merged.ok ? merged.policy : base;
}
