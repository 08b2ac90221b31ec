// Input for admin routing rules (category × region → lead unit and co-units).
import { z } from 'zod';
import { CATEGORY_IDS } from '../../../shared/states.ts';
import { objectIdSchema } from '../../http/validate.ts';

/** The city, a county, or a township unit's code (checked by the command: a rule for one township's enterprises). */
const region = z
  .string({ error: '区域无效' })
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, { error: '区域无效' })
  .nullable();
const fields = {
  category: z.enum(CATEGORY_IDS, { error: '问题类别无效' }),
  region,
  unitId: objectIdSchema,
  coUnitIds: z.array(objectIdSchema).max(20, { error: '协办单位不能超过20个' }),
  priority: z.number({ error: '优先级必须是数字' }).int().min(-100).max(100),
  keywords: z.array(z.string().trim().min(1).max(30)).max(50),
  enabled: z.boolean({ error: 'enabled 必须是布尔值' }),
};

export const listRulesQuery = z.object({ category: fields.category.optional() });

export const createRuleSchema = z.object({
  category: fields.category,
  region: fields.region.default(null),
  unitId: fields.unitId,
  coUnitIds: fields.coUnitIds.default([]),
  priority: fields.priority.default(0),
  keywords: fields.keywords.default([]),
  enabled: fields.enabled.default(true),
});

export const updateRuleSchema = z
  .object({
    category: fields.category.optional(),
    region: fields.region.optional(),
    unitId: fields.unitId.optional(),
    coUnitIds: fields.coUnitIds.optional(),
    priority: fields.priority.optional(),
    keywords: fields.keywords.optional(),
    enabled: fields.enabled.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的字段' });
