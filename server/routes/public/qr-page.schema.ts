// The QR page's form bodies (urlencoded, so every field arrives as a string or not at all). Limits are tighter
// than the staff API's: a phone form has no business posting ten thousand characters.
import { z } from 'zod';
import {
  RATING_LEVEL_LABELS,
  RATING_LEVELS,
  RATING_LABELS,
  type Rating,
  type RatingLevel,
} from '../../../shared/states.ts';
import { isChineseMessage } from '../../http/zod-messages.ts';
import { PUBLIC_CONTENT_MAX, PUBLIC_CONTENT_MIN, PUBLIC_TITLE_MAX } from './owner.view.ts';

/**
 * What the page tells an owner whose form was refused: the schema's own Chinese sentence, or `fallback` where
 * only zod's English would say it (a field missing from a stale or hand-built form).
 */
export function formErrorOf(error: z.ZodError | undefined, fallback: string): string {
  const message = error?.issues[0]?.message;
  return message && isChineseMessage(message) ? message : fallback;
}

export const codeForm = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
});
export const pinForm = z.object({
  pin: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
});

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, { error: `${label}不能超过${max}个字` })
    .optional()
    .transform((v) => (v ? v : undefined));

/** `rating` is the button pressed: one-tap good/bad, or "level" to rate by the chosen detail level. */
export const rateForm = z
  .object({
    rating: z.enum(['good', 'bad', 'level'], { error: '请选择满意或不满意' }),
    // The form's empty choice is no level (a union with '' would answer an unknown level in English).
    level: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.enum(RATING_LEVELS, { error: '评价等级无效' }).optional(),
    ),
    comment: optionalText(500, '评价意见'),
  })
  .refine((f) => f.rating !== 'level' || !!f.level, { error: '请选择评价等级' });

/** The one-tap buttons' words (owner.view.ts). */
export const RATING_BUTTONS: Readonly<Record<Rating, string>> = Object.freeze({
  good: '满意',
  bad: '不满意',
});

/** Why a level of one side and the other side's button cannot both be meant (the owner chooses again). */
export function mismatchMessage(level: RatingLevel, pressed: Rating): string {
  const side = RATING_LABELS[pressed === 'good' ? 'bad' : 'good'];
  return (
    `您选择的等级「${RATING_LEVEL_LABELS[level]}」属于${side}，与按下的「${RATING_BUTTONS[pressed]}」不一致，评价未提交。` +
    '请再选一次：直接点「满意」或「不满意」，或选定等级后点「提交详细评价」。'
  );
}

export { PUBLIC_CONTENT_MIN };

export const SUBMISSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

export const newIssueForm = z.object({
  title: optionalText(PUBLIC_TITLE_MAX, '标题'),
  content: z
    .string({ error: '请填写问题描述' })
    .trim()
    .min(1, { error: '请填写问题描述' })
    .refine((v) => [...v].length >= PUBLIC_CONTENT_MIN, {
      error: `问题描述至少${PUBLIC_CONTENT_MIN}个字：请写明遇到了什么问题、涉及哪个部门或事项`,
    })
    .max(PUBLIC_CONTENT_MAX, { error: `问题描述不能超过${PUBLIC_CONTENT_MAX}个字` }),
  // Missing (a stale or hand-built form) or malformed: the same words, never zod's English.
  submissionId: z
    .string({ error: '表单已失效，请重新打开' })
    .regex(SUBMISSION_ID, { error: '表单已失效，请重新打开' }),
});

/** 补充材料: words, files, or both (the command refuses neither). */
export const supplementForm = z.object({ text: optionalText(PUBLIC_CONTENT_MAX, '补充说明') });
