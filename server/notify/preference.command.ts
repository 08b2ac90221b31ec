// The enterprise's notification channel, set by its verified owner on the QR page (issue 8), kept on the
// enterprise itself (`notify`); email needs an address.
import { z } from 'zod';
import type { Clock } from '../../shared/clock.ts';
import type { Models } from '../models/index.ts';
import { ENTERPRISE_CHANNELS, type EnterpriseChannel } from '../models/enterprise.model.ts';

export const preferenceForm = z
  .object({
    channel: z.enum(ENTERPRISE_CHANNELS, { error: '请选择通知方式' }),
    email: z
      .string()
      .trim()
      .max(200, { error: '电子邮箱过长' })
      .optional()
      .transform((v) => v || undefined)
      .pipe(z.email({ error: '电子邮箱格式不正确' }).optional()),
  })
  .refine((f) => f.channel !== 'email' || !!f.email, {
    error: '选择电子邮件时请填写电子邮箱',
    path: ['email'],
  });

export interface Preference {
  channel: EnterpriseChannel;
  email: string | null;
}

/**
 * The owner's choice as their form opens: the channel (SMS until chosen) and the address mail goes to, which
 * before one is chosen is the enterprise's registered email, so the owner does not type it again.
 */
export async function readPreference(models: Models, enterpriseId: string): Promise<Preference> {
  const row = await models.Enterprise.findById(enterpriseId, { notify: 1, email: 1 }).lean();
  return { channel: row?.notify?.channel ?? 'sms', email: row?.notify?.email ?? row?.email ?? null };
}

export async function setPreferenceCommand(
  models: Models,
  clock: Clock,
  enterpriseId: string,
  input: z.infer<typeof preferenceForm>,
): Promise<void> {
  await models.Enterprise.updateOne(
    { _id: enterpriseId },
    { $set: { notify: { channel: input.channel, email: input.email ?? null, updatedAt: clock.now() } } },
  );
}
