// Writes to the enterprise directory: registration (credit code validated, unique), corrections, the owner's
// PIN, and rotation of the enterprise-code token, which revokes the printed code at once (the old URL stops
// working). Both of the latter bump the owner session version: every owner session on the QR page ends and
// every browser known as the owner's is forgotten (routes/public/qr-known-browser.ts), since whoever had
// them may have had the old PIN or code. The registered email is one of the addresses intake knows the
// enterprise by (EnterpriseDoc.emails), which no two enterprises share.
import type { Types } from 'mongoose';
import type { Clock } from '../../../shared/clock.ts';
import { hashPassword } from '../../auth/password.ts';
import { conflict, notFound } from '../../errors.ts';
import { newQrToken } from '../../models/enterprise.model.ts';
import type { EnterpriseDoc, Models } from '../../models/index.ts';
import { isDuplicateKey } from '../../db/duplicate-key.ts';
import { townshipChange, townshipFor } from '../../enterprises/enterprise-township.ts';

export interface CreateEnterpriseInput {
  creditCode: string;
  name: string;
  region: string;
  industry?: string;
  address?: string;
  ownerName?: string;
  mobile: string;
  /** Empty: none. */
  email?: string;
  /** A township unit code of the region; empty: none; absent: the one the address names (enterprise-township.ts). */
  township?: string;
}

/** A write refused by the unique index of the known addresses (not the credit code's). */
export function isEmailTaken(err: unknown): boolean {
  const pattern = (err as { keyPattern?: Record<string, unknown> } | null)?.keyPattern;
  return isDuplicateKey(err) && !!pattern && 'emails' in pattern;
}

export const emailTaken = () => conflict('该邮箱已登记在其他企业名下', 'email_taken');

/**
 * The update that makes `after` (empty: none) the registered email in place of `before`: the new address joins
 * the known ones, and the old one, a correction, leaves them in a second write (an array cannot gain and lose
 * values in one update). The senders' addresses accepted by merging stay known.
 */
export function registeredEmailUpdate(before: string | undefined, after: string | undefined) {
  if (after === undefined || after === (before ?? '')) return { update: {}, forget: undefined };
  return {
    update: after ? { $set: { email: after }, $addToSet: { emails: after } } : { $unset: { email: 1 } },
    forget: before || undefined,
  };
}

/** The second write of registeredEmailUpdate (an emptied list is removed: see the index on `emails`). */
export async function forgetEmail(
  models: Models,
  id: Types.ObjectId | string,
  address: string | undefined,
): Promise<void> {
  if (!address) return;
  await models.Enterprise.updateOne({ _id: id }, { $pull: { emails: address } });
  await models.Enterprise.updateOne({ _id: id, emails: { $size: 0 } }, { $unset: { emails: 1 } });
}

export async function createEnterpriseCommand(
  models: Models,
  input: CreateEnterpriseInput,
): Promise<EnterpriseDoc> {
  const taken = () => conflict('该统一社会信用代码的企业已存在', 'duplicate');
  const existing = await models.Enterprise.findOne(
    { creditCode: input.creditCode },
    { provisional: 1 },
  ).lean();
  // One that intake registered from a message is completed where it is, so its issues stay with it.
  if (existing?.provisional)
    throw conflict(
      '该统一社会信用代码已由来信自动登记为待确认企业，请在「企业管理 → 待确认企业」中核实后确认登记',
      'duplicate',
    );
  if (existing) throw taken();
  const { email, township: _given, ...fields } = input;
  const township = await townshipFor(models, input);
  try {
    return (
      await models.Enterprise.create({
        ...fields,
        ...(township !== undefined ? { township } : {}),
        ...(email ? { email, emails: [email] } : {}),
      })
    ).toObject();
  } catch (err) {
    if (isEmailTaken(err)) throw emailTaken();
    if (isDuplicateKey(err)) throw taken();
    throw err;
  }
}

export type UpdateEnterpriseInput = Partial<Omit<CreateEnterpriseInput, 'creditCode'>>;

/**
 * What a new owner credential (a new registered mobile, PIN or code) ends: the owner sessions and the browsers
 * known as the owner's, and the owner's notification choice, since an address a former holder of the code chose
 * would otherwise go on receiving the new code's link (SMS to the registered mobile until the owner chooses).
 */
export const OWNER_ENDS = { $inc: { ownerSessionVersion: 1 }, $unset: { notify: 1 } } as const;

/** OWNER_ENDS if the mobile changes (a new registered mobile is a new owner), else nothing. */
export function endOwnerSessionsOnNewMobile(before: unknown, after: unknown) {
  return after !== undefined && after !== before ? OWNER_ENDS : {};
}

/** An update's `$unset` beside OWNER_ENDS': both fields' names, or none (an empty `$unset` is refused). */
export function unsetBoth(a?: Readonly<Record<string, number>>, b?: Readonly<Record<string, number>>) {
  const both = { ...a, ...b };
  return Object.keys(both).length ? { $unset: both } : {};
}

/** The enterprise as updated, and the registered mobile it had when a new one replaced it. */
export interface EnterpriseUpdate {
  enterprise: EnterpriseDoc;
  replacedMobile?: string;
}

export async function updateEnterpriseCommand(
  models: Models,
  id: string,
  input: UpdateEnterpriseInput,
): Promise<EnterpriseUpdate> {
  const before = await models.Enterprise.findById(id, { mobile: 1, email: 1, region: 1, address: 1 }).lean();
  if (!before) throw notFound('企业不存在');
  const { email, township: _given, ...fields } = input;
  const township = await townshipChange(models, before, input);
  const { update, forget } = registeredEmailUpdate(before.email, email);
  const ends: Partial<typeof OWNER_ENDS> = endOwnerSessionsOnNewMobile(before.mobile, input.mobile);
  const unsets = unsetBoth('$unset' in update ? update.$unset : undefined, ends.$unset).$unset;
  let updated;
  try {
    updated = await models.Enterprise.findByIdAndUpdate(
      id,
      {
        ...update,
        ...ends,
        $set: { ...fields, ...update.$set, ...(typeof township === 'string' ? { township } : {}) },
        ...unsetBoth(unsets, township === null ? { township: 1 } : undefined),
      },
      { returnDocument: 'after', runValidators: true },
    ).lean();
  } catch (err) {
    if (isEmailTaken(err)) throw emailTaken();
    throw err;
  }
  if (!updated) throw notFound('企业不存在');
  const replaced = before.mobile && updated.mobile !== before.mobile ? { replacedMobile: before.mobile } : {};
  if (!forget) return { enterprise: updated, ...replaced };
  await forgetEmail(models, id, forget);
  return { enterprise: (await models.Enterprise.findById(id).lean()) ?? updated, ...replaced };
}

/**
 * Sets (or replaces) the owner's PIN, stored only as a scrypt hash; this also lifts a PIN lockout. Answers the
 * enterprise's id and name, which 操作日志 names the change by.
 */
export async function setEnterprisePinCommand(
  models: Models,
  id: string,
  pin: string,
): Promise<{ id: string; name: string }> {
  const pinHash = await hashPassword(pin);
  const updated = await models.Enterprise.findByIdAndUpdate(
    id,
    { ...OWNER_ENDS, $set: { pinHash, pinFailures: 0 } },
    { projection: { name: 1 } },
  ).lean();
  if (!updated) throw notFound('企业不存在');
  return { id, name: updated.name };
}

export async function rotateQrTokenCommand(models: Models, clock: Clock, id: string): Promise<EnterpriseDoc> {
  const updated = await models.Enterprise.findByIdAndUpdate(
    id,
    { ...OWNER_ENDS, $set: { qrToken: newQrToken(), qrIssuedAt: clock.now() } },
    { returnDocument: 'after' },
  ).lean();
  if (!updated) throw notFound('企业不存在');
  return updated;
}
