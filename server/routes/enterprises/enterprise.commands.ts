// Writes to the enterprise directory: registration (credit code validated, unique), corrections, the owner's
// PIN, and rotation of the enterprise-code token, which revokes the printed code at once (the old URL stops
// working). Both of the latter bump the owner session version: every owner session on the QR page ends and
// every browser known as the owner's is forgotten (routes/public/qr-known-browser.ts), since whoever had
// them may have had the old PIN or code.
import type { Clock } from '../../../shared/clock.ts';
import { hashPassword } from '../../auth/password.ts';
import { conflict, notFound } from '../../errors.ts';
import { newQrToken } from '../../models/enterprise.model.ts';
import type { EnterpriseDoc, Models } from '../../models/index.ts';
import { isDuplicateKey } from '../../db/duplicate-key.ts';

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
    if (isDuplicateKey(err)) throw taken();
    throw err;
  }
}

export type UpdateEnterpriseInput = Partial<Omit<CreateEnterpriseInput, 'creditCode'>>;

/**
 * A new registered mobile is a new owner: the owner sessions and the browsers known as the owner's end, as
 * with a new PIN or a rotated code. The update's `$inc`, if the mobile changes.
 */
export function endOwnerSessionsOnNewMobile(before: unknown, after: unknown) {
  return after !== undefined && after !== before ? { $inc: { ownerSessionVersion: 1 } } : {};
}

export async function updateEnterpriseCommand(
  models: Models,
  id: string,
  input: UpdateEnterpriseInput,
): Promise<EnterpriseDoc> {
  const before = await models.Enterprise.findById(id, { mobile: 1 }).lean();
  if (!before) throw notFound('企业不存在');
  const updated = await models.Enterprise.findByIdAndUpdate(
    id,
    { $set: input, ...endOwnerSessionsOnNewMobile(before.mobile, input.mobile) },
    { returnDocument: 'after', runValidators: true },
  ).lean();
  if (!updated) throw notFound('企业不存在');
  return updated;
}

/** Sets (or replaces) the owner's PIN, stored only as a scrypt hash; this also lifts a PIN lockout. */
export async function setEnterprisePinCommand(models: Models, id: string, pin: string): Promise<void> {
  const pinHash = await hashPassword(pin);
  const { matchedCount } = await models.Enterprise.updateOne(
    { _id: id },
    { $set: { pinHash, pinFailures: 0 }, $inc: { ownerSessionVersion: 1 } },
  );
  if (matchedCount === 0) throw notFound('企业不存在');
}

export async function rotateQrTokenCommand(models: Models, clock: Clock, id: string): Promise<EnterpriseDoc> {
  const updated = await models.Enterprise.findByIdAndUpdate(
    id,
    { $set: { qrToken: newQrToken(), qrIssuedAt: clock.now() }, $inc: { ownerSessionVersion: 1 } },
    { returnDocument: 'after' },
  ).lean();
  if (!updated) throw notFound('企业不存在');
  return updated;
}
