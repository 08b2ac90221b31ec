// Owner verification for the QR page (DESIGN §7): a six-digit one-time code sent to the registered mobile, or
// the enterprise PIN. Whoever holds the printed code (every visitor to the factory) can guess, so the limits
// fall on the guesser, never on the owner's phone:
//  - a code belongs to the browser that asked for it: other visitors' guesses never touch the owner's code,
//    and nothing a guesser does makes the owner's correct code fail;
//  - the PIN locks after MAX_PIN_FAILURES consecutive wrong entries until staff set a new one (a timed
//    cool-off would still let a patient guesser work through the million PINs); only the PIN path locks, the
//    owner is told by SMS, and the SMS code keeps working;
//  - a browser known as the owner's (qr-known-browser.ts) neither counts towards the lock nor is stopped by
//    it: its failures are limited per browser (qr-page.security.ts), and sends from it are not taken from
//    the strangers' allowance (qr-send-quota.ts).
// Codes live five minutes, are stored only as a keyed HMAC (a leaked database does not reveal a live code,
// and six digits are too few for an unkeyed hash), are spent by their first correct use, and die after five
// tries. Every rule is enforced by a conditional atomic update, so parallel guesses cannot exceed the limit
// and one code cannot open two sessions.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Types } from 'mongoose';
import type { Clock } from '../../../shared/clock.ts';
import { verifyPassword } from '../../auth/password.ts';
import { AppError, tooMany } from '../../errors.ts';
import type { EnterpriseDoc, Models } from '../../models/index.ts';
import type { SmsSender } from '../../notify/sms.ts';

export const CODE_TTL_MS = 5 * 60_000;
export const MAX_CODE_TRIES = 5;
/** A new code for the same enterprise and browser at most once a minute (SMS costs money, annoys the owner). */
export const RESEND_COOLDOWN_MS = 60_000;

export interface VerificationDeps {
  models: Models;
  /** Security clock: code expiry and resend spacing. */
  clock: Clock;
  sms: SmsSender;
  /** HMAC key for stored codes. */
  codeKey: Buffer;
}

export type CodeCheck =
  | { ok: true }
  | { ok: false; reason: 'wrong'; triesLeft: number }
  | { ok: false; reason: 'expired' | 'dead' | 'none' };

/** The stored name of the browser a code belongs to: a keyed digest of its pre-session cookie. */
export function clientTagOf(key: Buffer, preCookie: string): string {
  return createHmac('sha256', key).update(`client:${preCookie}`).digest('base64url');
}

function hashCode(key: Buffer, enterpriseId: Types.ObjectId | string, code: string): string {
  return createHmac('sha256', key)
    .update(`${String(enterpriseId)}:${code}`)
    .digest('base64url');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `takeQuota` spends one send of whoever asks (qr-send-quota.ts) and throws when none is left; it runs after
 * the per-browser spacing, so a repeated tap within the minute costs nothing of the allowance.
 */
export async function sendOwnerCodeCommand(
  deps: VerificationDeps,
  enterprise: Pick<EnterpriseDoc, '_id' | 'mobile'>,
  clientTag: string,
  takeQuota: () => Promise<void> = async () => undefined,
): Promise<void> {
  const { models, clock } = deps;
  const now = clock.now();
  const mine = { enterpriseId: enterprise._id, clientTag };
  const previous = await models.VerificationCode.findOne(mine).lean();
  if (previous && now.getTime() - previous.sentAt.getTime() < RESEND_COOLDOWN_MS) {
    throw tooMany('验证码发送过于频繁，请1分钟后再试', 'code_cooldown');
  }
  await takeQuota();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  // One live code per enterprise and browser: a new one replaces (and so revokes) that browser's previous one.
  await models.VerificationCode.updateOne(
    mine,
    {
      $set: {
        codeHash: hashCode(deps.codeKey, enterprise._id, code),
        sentAt: now,
        expiresAt: new Date(now.getTime() + CODE_TTL_MS),
        attempts: 0,
        usedAt: null,
      },
      $currentDate: { sweepFrom: true },
    },
    { upsert: true },
  );
  try {
    await deps.sms.send(
      enterprise.mobile,
      `【企业码】您的验证码为${code}，5分钟内有效。如非本人操作，请忽略本短信。`,
    );
  } catch {
    throw new AppError('sms_failed', 503, '短信发送失败，请稍后再试或使用 PIN 验证');
  }
}

/** Spends one try; the code is accepted only while live, unused and under the try limit. */
export async function verifyOwnerCodeCommand(
  deps: VerificationDeps,
  enterpriseId: Types.ObjectId,
  clientTag: string,
  code: string,
): Promise<CodeCheck> {
  const { models } = deps;
  const now = deps.clock.now();
  const tried = await models.VerificationCode.findOneAndUpdate(
    { enterpriseId, clientTag, usedAt: null, attempts: { $lt: MAX_CODE_TRIES }, expiresAt: { $gt: now } },
    { $inc: { attempts: 1 } },
    { returnDocument: 'after' },
  ).lean();
  if (!tried) {
    const current = await models.VerificationCode.findOne({ enterpriseId, clientTag }).lean();
    if (!current || current.usedAt) return { ok: false, reason: 'none' };
    if (current.attempts >= MAX_CODE_TRIES) return { ok: false, reason: 'dead' };
    return { ok: false, reason: 'expired' };
  }
  if (!sameHash(tried.codeHash, hashCode(deps.codeKey, enterpriseId, code))) {
    const triesLeft = MAX_CODE_TRIES - tried.attempts;
    return triesLeft > 0 ? { ok: false, reason: 'wrong', triesLeft } : { ok: false, reason: 'dead' };
  }
  // Spend it: only the request that flips usedAt wins, so a code opens one session.
  const spent = await models.VerificationCode.updateOne(
    { _id: tried._id, usedAt: null, codeHash: tried.codeHash },
    { $set: { usedAt: now } },
  );
  return spent.modifiedCount === 1 ? { ok: true } : { ok: false, reason: 'none' };
}

/** Consecutive wrong PINs after which the PIN stays locked until staff set a new one. */
export const MAX_PIN_FAILURES = 10;

/** `triesLeft`: after a wrong PIN that counted (not from the owner's known browser), before the lock. */
export type PinCheck = { result: 'ok' | 'no_pin' | 'locked' } | { result: 'wrong'; triesLeft?: number };

/**
 * Counts the try as a failure before checking it (so parallel guesses cannot exceed the limit), and gives it
 * back by resetting the count when the PIN is right. The wrong entry that locks the PIN calls `onLocked`
 * (exactly once per lock: only one update can take the count to the limit). From the owner's known browser
 * (`knownBrowser`) the PIN is checked whether or not strangers have locked it, and a wrong one does not count.
 */
export async function verifyOwnerPinCommand(
  models: Models,
  enterpriseId: Types.ObjectId,
  pin: string,
  onLocked: () => Promise<void> = async () => undefined,
  knownBrowser = false,
): Promise<PinCheck> {
  if (knownBrowser) return verifyPinFromKnownBrowser(models, enterpriseId, pin);
  const tried = await models.Enterprise.findOneAndUpdate(
    { _id: enterpriseId, pinHash: { $type: 'string' }, pinFailures: { $not: { $gte: MAX_PIN_FAILURES } } },
    { $inc: { pinFailures: 1 } },
    { projection: { pinHash: 1, pinFailures: 1 }, returnDocument: 'after' },
  ).lean<Pick<EnterpriseDoc, '_id' | 'pinHash' | 'pinFailures'>>();
  if (!tried?.pinHash) {
    const found = await models.Enterprise.findById(enterpriseId, { pinHash: 1 }).lean();
    return { result: found?.pinHash ? 'locked' : 'no_pin' };
  }
  if (!(await verifyPassword(pin, tried.pinHash))) {
    if (tried.pinFailures === MAX_PIN_FAILURES) await onLocked();
    return { result: 'wrong', triesLeft: Math.max(0, MAX_PIN_FAILURES - tried.pinFailures) };
  }
  // Only while the same PIN is set: a reset by staff meanwhile has already cleared the count.
  await models.Enterprise.updateOne(
    { _id: enterpriseId, pinHash: tried.pinHash },
    { $set: { pinFailures: 0 } },
  );
  return { result: 'ok' };
}

/**
 * The owner's browser: its entries leave the strangers' count alone. A right one does not start that count
 * again either: the owner's typos no longer add to it, so it only ever counts strangers' guesses, and those
 * stay bounded by the lock.
 */
async function verifyPinFromKnownBrowser(
  models: Models,
  enterpriseId: Types.ObjectId,
  pin: string,
): Promise<PinCheck> {
  const found = await models.Enterprise.findById(enterpriseId, { pinHash: 1 }).lean();
  if (!found?.pinHash) return { result: 'no_pin' };
  return { result: (await verifyPassword(pin, found.pinHash)) ? 'ok' : 'wrong' };
}

/**
 * Logout: every owner session of the enterprise ends at once, in every process (sessions carry the version
 * they were issued at). The owner verifies again on each device, which is what logging out should mean.
 */
export async function endOwnerSessionsCommand(models: Models, enterpriseId: Types.ObjectId): Promise<void> {
  await models.Enterprise.updateOne({ _id: enterpriseId }, { $inc: { ownerSessionVersion: 1 } });
}
