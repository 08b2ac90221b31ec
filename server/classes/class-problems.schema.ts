// Input of the /api/class-problems endpoints (zod; a failure is a 400 validation_failed with the message).
import { z } from 'zod';
import { CATEGORY_IDS, MIN_CLASS_MEMBERS } from '../../shared/states.ts';
import { objectIdSchema } from '../http/validate.ts';

const text = (label: string, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(1, { error: `请填写${label}` })
    .max(max, { error: `${label}不能超过${max}字` });

export const candidatesQuery = z.object({
  category: z.enum(CATEGORY_IDS, { error: '未知的问题类别' }).optional(),
});

export const promoteBody = z.object({
  title: text('类问题名称', 100),
  leadUnitId: objectIdSchema,
  coUnitIds: z.array(objectIdSchema).max(20, { error: '协办单位不能超过20个' }).default([]),
  workingDays: z
    .number({ error: '办理时限须为工作日天数' })
    .int({ error: '办理时限须为整数个工作日' })
    .min(1, { error: '办理时限至少1个工作日' })
    .max(60, { error: '办理时限不能超过60个工作日' }),
  rootCause: text('根本原因', 2000),
  measure: text('解决措施', 2000),
  memberIds: z
    .array(objectIdSchema)
    .min(MIN_CLASS_MEMBERS, { error: '至少选择两个成员问题' })
    .max(500)
    .optional(),
});

export const membersBody = z.object({
  issueIds: z.array(objectIdSchema).min(1, { error: '请选择要加入的问题' }).max(200),
});

/** Why a member leaves its class (on its timeline, for staff: the enterprise reads 不再合并办理，单独办理). */
export const removeMemberBody = z.object({ reason: text('移出理由', 500) });

export const resolveBody = z.object({
  answer: text('统一答复', 5000),
  verify: z.boolean({ error: 'verify 须为布尔值' }).default(false),
});

export const listQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '月份格式应为 YYYY-MM' })
    .optional(),
});
