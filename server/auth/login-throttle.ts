// Per-account limits on staff login, counted in the database so they hold however many processes and client
// addresses an attacker spreads the guesses over. Each attempt counts BEFORE the password is checked (so a
// parallel burst cannot slip past the limit) and a successful login clears the account's count. Past a few
// free failures every further attempt waits longer (progressive delay), and past the limit the account
// answers 429 without running the password KDF at all, which also bounds the KDF work one account can cost.
// An attempt from a known device (device-cookie.ts: a browser where the account logged in before) is counted
// against that device instead, with its own limit, so guesses from elsewhere never lock the owner out of it.
import { tooMany } from '../errors.ts';
import type { Counters } from '../rate-limit/counters.ts';

export interface LoginLimits {
  windowMs: number;
  /** Failed attempts per client address (any accounts). */
  perIp: number;
  /** Failed attempts per client address and account. */
  perIpAccount: number;
  /** Attempts per account from anywhere but its known devices, until one succeeds. */
  perAccount: number;
  /** Attempts per account from one of its known devices, until one succeeds. */
  perDevice: number;
  /** Attempts per account before the delay starts. */
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = Object.freeze({
  windowMs: 15 * 60_000,
  perIp: 100,
  perIpAccount: 10,
  perAccount: 20,
  perDevice: 10,
  freeAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
});

/** The wait before checking the `attempt`-th attempt of a window: 0, then doubling from the base, capped. */
export function progressiveDelay(attempt: number, limits: LoginLimits): number {
  const over = attempt - limits.freeAttempts;
  if (over <= 0) return 0;
  return Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** (over - 1));
}

export interface LoginThrottle {
  /**
   * Counts an attempt on the account, or on the account's known `device` when the attempt comes from one;
   * throws 429 past the limit, otherwise waits the progressive delay.
   */
  admit(username: string, device?: string): Promise<void>;
  /** The account logged in: its counts (and the device's) start over. */
  succeeded(username: string, device?: string): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createLoginThrottle(counters: Counters, limits: LoginLimits): LoginThrottle {
  const accountKey = (username: string) => `login-account|${username}`;
  const deviceKey = (username: string, device: string) => `login-device|${username}|${device}`;
  return {
    async admit(username, device) {
      const key = device ? deviceKey(username, device) : accountKey(username);
      const { hits } = await counters.hit(key, limits.windowMs);
      if (hits > (device ? limits.perDevice : limits.perAccount)) {
        throw tooMany('该账号登录失败次数过多，请15分钟后再试', 'account_rate_limited');
      }
      const wait = progressiveDelay(hits, limits);
      if (wait > 0) await sleep(wait);
    },
    async succeeded(username, device) {
      await Promise.all([
        counters.reset(accountKey(username)),
        device ? counters.reset(deviceKey(username, device)) : undefined,
      ]);
    },
  };
}
