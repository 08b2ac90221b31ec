// Input for the working calendar: single-day overrides, day-range queries and years.
import { z } from 'zod';
import { LIMITS, stringError } from '../../../shared/schemas.ts';

const date = z
  .string({ error: stringError('日期') })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: '日期格式应为 YYYY-MM-DD' })
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      error: '日期无效',
    },
  );

export const dateParam = date;

export const putOverrideSchema = z.object({
  kind: z.enum(['work', 'off'], { error: 'kind 只能是 work（上班）或 off（放假）' }),
  note: z.string().trim().max(200, { error: '说明不能超过200个字符' }).optional(),
});

export const daysQuery = z
  .object({ from: date, to: date })
  .refine((q) => q.from <= q.to, { error: '开始日期不能晚于结束日期', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, {
    error: '一次最多查询366天',
    path: ['to'],
  });

/** `GET /api/calendar/due?workingDays=N`: the longest time limit a form promises (会商决定, 立项). */
export const dueQuery = z.object({
  workingDays: z.coerce
    .number({ error: '工作日数必须是数字' })
    .int({ error: '工作日数必须是整数' })
    .min(1, { error: '工作日数至少为1' })
    .max(LIMITS.maxDecideWorkingDays, { error: `工作日数不能超过${LIMITS.maxDecideWorkingDays}` }),
});

/** `PUT /api/calendar/years/:year`: the year's whole arrangement in one request. */
export const yearArrangementSchema = z
  .object({
    offDays: z.array(date).max(60, { error: '放假日期最多60天' }),
    workDays: z.array(date).max(20, { error: '调休上班日期最多20天' }),
    note: z.string().trim().max(200, { error: '说明不能超过200个字符' }).optional(),
    /** A day's own note (元旦, 春节调休) in place of `note`. */
    notes: z.record(date, z.string().trim().max(200, { error: '说明不能超过200个字符' })).optional(),
  })
  .refine((a) => !a.offDays.some((d) => a.workDays.includes(d)), { error: '同一天不能既放假又上班' });

const YEAR_FORMAT = '年份应为四位数字，如 2026';

/** A year in a path (`/years/2026`): four digits, 2000–2100 (the packaged data starts in 2004). */
export const yearParam = z
  .string({ error: YEAR_FORMAT })
  .regex(/^\d{4}$/, { error: YEAR_FORMAT })
  .transform(Number)
  .refine((y) => y >= 2000 && y <= 2100, { error: '年份应在 2000 至 2100 年之间' });
