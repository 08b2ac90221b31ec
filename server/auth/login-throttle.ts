// Per-account limits on staff login, counted in the database so they hold however many processes and client
// addresses an attacker spreads the guesses over. Each attempt counts BEFORE the password is checked (so a
// parallel burst cannot slip past the limit) and a successful login clears the account's count. Past a few
// free failures every further attempt waits longer (progressive delay), and past the limit the account
// answers 429 without running the password KDF at all, which also bounds the KDF work one account can cost.
import { tooMany } from '../errors.ts';
import type { Counters } from '../rate-limit/counters.ts';

export interface LoginLimits {
  windowMs: number;
  /** Failed attempts per client address (any accounts). */
  perIp: number;
  /** Failed attempts per client address and account. */
  perIpAccount: number;
  /** Attempts per account from anywhere, until one succeeds. */
  perAccount: number;
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
  /** Counts an attempt on the account; throws 429 past the limit, otherwise waits the progressive delay. */
  admit(username: string): Promise<void>;
  /** The account logged in: its count starts over. */
  succeeded(username: string): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createLoginThrottle(counters: Counters, limits: LoginLimits): LoginThrottle {
  const keyOf = (username: string) => `login-account|${username}`;
  return {
    async admit(username) {
      const { hits } = await counters.hit(keyOf(username), limits.windowMs);
      if (hits > limits.perAccount) {
        throw tooMany('该账号登录失败次数过多，请15分钟后再试', 'account_rate_limited');
      }
      const wait = progressiveDelay(hits, limits);
      if (wait > 0) await sleep(wait);
    },
    async succeeded(username) {
      await counters.reset(keyOf(username));
    },
  };
}
