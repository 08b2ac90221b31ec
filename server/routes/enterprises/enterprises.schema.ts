// Input for the enterprise directory.
import { z } from 'zod';
import { COUNTIES } from '../../../config/units.ts';
import { pinSchema } from '../../../shared/pin.ts';
import { creditCodeSchema } from '../../../shared/schemas.ts';
import { EMAIL_PATTERN } from '../../channels/json-channel.ts';
import { normaliseMobile } from '../../intake/match-enterprise.ts';
import { MOBILE_PATTERN } from '../../models/enterprise.model.ts';

const COUNTY_CODES = COUNTIES.map((c) => c.code) as [string, ...string[]];

export const listEnterprisesQuery = z.object({
  q: z.string().trim().max(100, { error: '搜索内容过长' }).optional(),
  region: z.string().trim().min(1).max(40).optional(),
  industry: z.string().trim().min(1).max(50).optional(),
  provisional: z
    .enum(['1', '0', 'true', 'false'], { error: 'provisional 只能是 1 或 0' })
    .transform((v) => v === '1' || v === 'true')
    .optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce
    .number({ error: 'limit 必须是数字' })
    .int({ error: 'limit 必须是整数' })
    .min(1, { error: 'limit 至少为1' })
    .max(100, { error: 'limit 不能超过100' })
    .default(20),
});

const optionalText = (max: number) => z.string().trim().max(max).optional();

const editable = {
  name: z.string({ error: '请输入企业名称' }).trim().min(2, { error: '企业名称至少2个字' }).max(100),
  // A form leaves it empty; an imported row names something else (杭州市): say what it said and what is meant.
  region: z.enum(COUNTY_CODES, {
    error: (iss) =>
      typeof iss.input === 'string' && iss.input.trim()
        ? `所在区县「${iss.input.trim().slice(0, 20)}」无效，应为${COUNTIES.map((c) => c.name).join('、')}之一`
        : '请选择所在区县',
  }),
  industry: optionalText(50),
  address: optionalText(200),
  ownerName: optionalText(50),
  // Stored as 11 digits; typed or pasted as people write it (+86 139-1234-5678, 139 1234 5678).
  mobile: z
    .string({ error: '请输入手机号' })
    .transform((v) => normaliseMobile(v) ?? v.trim())
    .pipe(z.string().regex(MOBILE_PATTERN, { error: '手机号格式无效' })),
  /** A township unit code of the region (checked by the command); empty: none; absent: read from the address. */
  township: z
    .string({ error: '乡镇/街道必须是文本' })
    .trim()
    .max(40, { error: '乡镇/街道代码过长' })
    .optional(),
  /** Checked as a channel's contact address is; empty clears it. Intake matches senders on it. */
  email: z
    .string({ error: '电子邮箱必须是文本' })
    .trim()
    .toLowerCase()
    .max(200, { error: '电子邮箱不能超过200个字符' })
    .refine((v) => !v || EMAIL_PATTERN.test(v), { error: '电子邮箱格式无效' })
    .optional(),
};

export const createEnterpriseSchema = z.object({ creditCode: creditCodeSchema, ...editable });

/** The credit code is the enterprise's identity and never changes; everything else may be corrected. */
export const updateEnterpriseSchema = z
  .object({
    name: editable.name.optional(),
    region: editable.region.optional(),
    industry: editable.industry,
    address: editable.address,
    ownerName: editable.ownerName,
    mobile: editable.mobile.optional(),
    email: editable.email,
    township: editable.township,
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的字段' });

export const setPinSchema = z.object({ pin: pinSchema });
