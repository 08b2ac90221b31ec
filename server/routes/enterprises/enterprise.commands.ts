// Writes to the enterprise directory: registration (credit code validated, unique) and rotation of the
// enterprise-code token, which revokes the printed code at once (the old URL stops working).
import type { Clock } from '../../../shared/clock.ts';
import { conflict, notFound } from '../../errors.ts';
import { newQrToken } from '../../models/enterprise.model.ts';
import type { EnterpriseDoc, Models } from '../../models/index.ts';

export interface CreateEnterpriseInput {
  creditCode: string;
  name: string;
  region: string;
  industry?: string;
  address?: string;
  ownerName?: string;
  mobile: string;
}

export async function createEnterpriseCommand(
  models: Models,
  input: CreateEnterpriseInput,
): Promise<EnterpriseDoc> {
  const taken = () => conflict('该统一社会信用代码的企业已存在', 'duplicate');
  if (await models.Enterprise.exists({ creditCode: input.creditCode })) throw taken();
  try {
    return (await models.Enterprise.create(input)).toObject();
  } catch (err) {
    if ((err as { code?: unknown }).code === 11000) throw taken();
    throw err;
  }
}

export async function rotateQrTokenCommand(models: Models, clock: Clock, id: string): Promise<EnterpriseDoc> {
  const updated = await models.Enterprise.findByIdAndUpdate(
    id,
    { $set: { qrToken: newQrToken(), qrIssuedAt: clock.now() } },
    { returnDocument: 'after' },
  ).lean();
  if (!updated) throw notFound('企业不存在');
  return updated;
}
