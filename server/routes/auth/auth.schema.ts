// Login input. Lengths are bounded so a huge "password" cannot be used to make scrypt work harder.
// Every check carries its own message: zod answers a check without one with the type's message, which told
// someone who sent 20 000 characters to 请输入密码.
import { z } from 'zod';
import { stringError } from '../../../shared/schemas.ts';

export const loginSchema = z.object({
  username: z
    .string({ error: stringError('用户名') })
    .trim()
    .min(1, { error: '请输入用户名' })
    .max(64, { error: '用户名不能超过64个字符' }),
  password: z
    .string({ error: stringError('密码') })
    .min(1, { error: '请输入密码' })
    .max(200, { error: '密码不能超过200个字符' }),
});
