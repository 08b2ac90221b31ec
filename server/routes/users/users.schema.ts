// Input for staff account administration. A member of a unit takes the unit's region (its county, or `city`),
// which decides who hears the regional red/overdue notices: a region sent with a unit is dropped, and the
// command then reads it from the unit.
import { z } from 'zod';
import { REGION_CODES } from '../../../config/units.ts';
import { ROLES } from '../../../shared/roles.ts';
import { stringError } from '../../../shared/schemas.ts';
import { objectIdSchema } from '../../http/validate.ts';
import { USERNAME_PATTERN } from '../../models/user.model.ts';

/** Passwords guessed first (and the demo's): refused whatever their length. */
const COMMON_PASSWORDS = new Set([
  'password',
  'password1',
  'passw0rd',
  'p@ssw0rd',
  'qwerty123',
  'abc12345',
  'abcd1234',
  'a1234567',
  'admin123',
  'admin1234',
  'admin@123',
  '1qaz2wsx',
  'demo1234',
  'huzhou123',
  'iloveyou1',
]);

/** Letters, digits and anything else: a staff password mixes two kinds at least. */
const kinds = (s: string) => [/[a-z]/i, /\d/, /[^a-z\d]/i].filter((k) => k.test(s)).length;

const password = z
  .string({ error: stringError('密码') })
  .min(8, { error: '密码至少8位' })
  .max(200, { error: '密码不能超过200位' })
  .refine((s) => kinds(s) >= 2 && new Set(s).size > 2, {
    error: '密码须包含字母、数字、符号中的至少两类，且不能是重复字符',
  })
  .refine((s) => !COMMON_PASSWORDS.has(s.toLowerCase()), { error: '该密码过于常见，请换一个' });
const role = z.enum(ROLES, { error: '角色无效' });
/** A leader's or centre member's region is their domain: an unknown code would leave a leader seeing nothing. */
const region = z.enum(REGION_CODES as [string, ...string[]], { error: '区域无效' });

export const listUsersQuery = z.object({
  unitId: objectIdSchema.optional(),
  role: role.optional(),
});

function regionFromUnit<T extends { unitId?: string | null; region?: string }>(input: T): T {
  if (!input.unitId) return input;
  const { region: _ignored, ...rest } = input;
  return rest as T;
}

export const createUserSchema = z
  .object({
    username: z
      .string({ error: stringError('用户名') })
      .trim()
      .toLowerCase()
      .regex(USERNAME_PATTERN, { error: '用户名须为2-32位小写字母、数字或 _ . -' }),
    name: z
      .string({ error: stringError('姓名') })
      .trim()
      .min(1, { error: '请输入姓名' })
      .max(50, { error: '姓名不能超过50个字符' }),
    password,
    role,
    unitId: objectIdSchema.optional(),
    region: region.optional(),
  })
  .transform(regionFromUnit);

export const updateUserSchema = z
  .object({
    name: z
      .string({ error: stringError('姓名') })
      .trim()
      .min(1, { error: '姓名不能为空' })
      .max(50, { error: '姓名不能超过50个字符' })
      .optional(),
    password: password.optional(),
    role: role.optional(),
    unitId: objectIdSchema.nullable().optional(),
    region: region.optional(),
    disabled: z.boolean({ error: 'disabled 必须是布尔值' }).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的字段' })
  .transform(regionFromUnit);
