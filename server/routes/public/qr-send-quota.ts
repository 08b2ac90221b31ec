// Who may cost an SMS to an enterprise's registered mobile, and how often. Whoever holds the printed code can
// ask for codes, each a paid SMS to the owner; fresh cookies from a fresh page defeat any per-browser spacing,
// so strangers (browsers not known as the owner's, qr-known-browser.ts) share a small allowance per
// enterprise, per hour and per day, whatever their addresses. The send that uses up the day's allowance tells
// the centre, once per enterprise and day (only one atomic hit can take the count to the cap), and strangers
// then read that codes are paused and what the owner can do instead. The owner's
// known browser is exempt and counted on its own, per browser per day: strangers cannot spend its allowance.
// Counters live in the database (rate-limit/counters.ts), so the caps hold across every process.
import { AppError } from '../../errors.ts';
import type { Counters } from '../../rate-limit/counters.ts';
import { DAY_MS, HOUR_MS, type QrPageLimits } from './qr-page.security.ts';

export interface SendQuotaDeps {
  counters: Counters;
  limits: QrPageLimits;
  /** The day's allowance was just used up for this enterprise (called once per day window). */
  onDayCapReached(until: Date): void;
}

export const PAUSED_HOUR =
  '本企业验证码发送过于频繁，已暂停发送，请1小时后再试。企业负责人可使用企业 PIN 验证，或联系企业服务中心。';
export const PAUSED_DAY =
  '本企业今日验证码发送次数已达上限，短信验证码已暂停发送。企业负责人可使用企业 PIN 验证，或联系企业服务中心协助验证。';
export const KNOWN_BROWSER_DAY = '本浏览器今日获取验证码次数已达上限，请使用企业 PIN 验证，或明天再试。';

function refused(code: string, message: string, resetAt: Date, now: Date): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
  return new AppError(code, 429, message, { retryAfterSeconds });
}

/**
 * Takes one send from the allowance of `knownBrowser` (the owner's browser id) or, without one, from the
 * enterprise's allowance for strangers; throws a 429 AppError (with `retryAfterSeconds`) when it is spent.
 */
export async function takeSendQuota(
  deps: SendQuotaDeps,
  enterpriseId: string,
  knownBrowser: string | undefined,
  now: Date,
): Promise<void> {
  const { counters, limits } = deps;
  if (knownBrowser) {
    const mine = await counters.hit(`qr-send-known|${enterpriseId}|${knownBrowser}`, DAY_MS);
    if (mine.hits > limits.sendPerKnownBrowserDay)
      throw refused('code_limit', KNOWN_BROWSER_DAY, mine.resetAt, now);
    return;
  }
  // A spent day is refused before anything counts, so that its refusals never read "try in an hour".
  const spent = await counters.get(`qr-send-day|${enterpriseId}`);
  if (spent && spent.hits >= limits.sendPerEnterpriseDay)
    throw refused('code_paused', PAUSED_DAY, spent.resetAt, now);
  const hour = await counters.hit(`qr-send-hour|${enterpriseId}`, HOUR_MS);
  if (hour.hits > limits.sendPerEnterpriseHour) throw refused('code_paused', PAUSED_HOUR, hour.resetAt, now);
  const day = await counters.hit(`qr-send-day|${enterpriseId}`, DAY_MS);
  // Over only when parallel requests (any process) passed the read above together.
  if (day.hits > limits.sendPerEnterpriseDay) throw refused('code_paused', PAUSED_DAY, day.resetAt, now);
  if (day.hits === limits.sendPerEnterpriseDay) deps.onDayCapReached(day.resetAt);
}
