// Login input. Lengths are bounded so a huge "password" cannot be used to make scrypt work harder.
import { z } from 'zod';

export const loginSchema = z.object({
  username: z.string({ error: '请输入用户名' }).trim().min(1, { error: '请输入用户名' }).max(64),
  password: z.string({ error: '请输入密码' }).min(1, { error: '请输入密码' }).max(200),
});
