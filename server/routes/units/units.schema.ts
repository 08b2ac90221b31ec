// Input for the unit directory: list filters, and admin create/update (code, level and region are fixed once
// created, because routing rules, usernames and stored issues refer to them).
import { z } from 'zod';
import { CITY_REGION, REGION_CODES } from '../../../config/units.ts';
import { CATEGORY_IDS, UNIT_LEVELS } from '../../../shared/states.ts';
import { objectIdSchema } from '../../http/validate.ts';

export const listUnitsQuery = z.object({
  level: z.enum(UNIT_LEVELS, { error: '单位层级无效' }).optional(),
  region: z.string().trim().min(1).max(40).optional(),
  category: z.enum(CATEGORY_IDS, { error: '问题类别无效' }).optional(),
});

const code = z
  .string({ error: '请输入单位代码' })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, { error: '单位代码须为2-40位小写字母、数字或 -' });
const name = z.string({ error: '请输入单位名称' }).trim().min(2, { error: '单位名称至少2个字' }).max(100);
const region = z.enum(REGION_CODES as [string, ...string[]], { error: '区域无效' });
const categories = z.array(z.enum(CATEGORY_IDS, { error: '问题类别无效' })).max(CATEGORY_IDS.length);

/**
 * A city department is the city's; a county's centre and a township belong to one county. Level and region are
 * fixed once created, and the form starts at 吴兴区: a 市级部门 saved without changing the region was a city
 * department of 吴兴区 for good (its staff taking 吴兴区 as their region).
 */
export const createUnitSchema = z
  .object({
    code,
    name,
    level: z.enum(UNIT_LEVELS, { error: '单位层级无效' }),
    region,
    parentId: objectIdSchema.nullable().default(null),
    categories: categories.default([]),
  })
  .refine((u) => (u.level === 'city') === (u.region === CITY_REGION), {
    error: '市级部门的区域须为湖州市，区县单位和乡镇/街道须属于一个区县',
    path: ['region'],
  });

export const updateUnitSchema = z
  .object({
    name: name.optional(),
    parentId: objectIdSchema.nullable().optional(),
    categories: categories.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的字段' });
