// Password (and PIN) hashing with node:crypto scrypt — a maintained memory-hard KDF with no extra dependency.
// Each hash carries its own random salt and cost parameters (`scrypt$N$r$p$salt$hash`), so the cost can be
// raised later without invalidating stored hashes. Comparison is constant-time.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 B = 32 MiB and ~100 ms per hash on a laptop core. */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 32768, r: 8, p: 1 });
/**
 * For seeded demo accounts only: their password (demo1234) is printed at start-up, so a costly hash protects
 * nothing and would only slow the first start. Passwords set through the API always use DEFAULT_SCRYPT.
 */
export const DEMO_SCRYPT: ScryptParams = Object.freeze({ N: 4096, r: 8, p: 1 });
const KEY_LEN = 64;
const SALT_LEN = 16;

function derive(plain: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFKC'), salt, KEY_LEN, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(plain: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(plain, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** False for a wrong password and for a malformed stored hash (never throws on bad input). */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length !== KEY_LEN) return false;
  const actual = await derive(plain, salt, { N, r, p });
  return timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Burns the same time as a real verification, for logins with an unknown username, so response timing does
 * not reveal which usernames exist.
 */
export async function dummyVerify(plain: string): Promise<false> {
  dummyHash ??= hashPassword('dummy-password-never-matches');
  await verifyPassword(plain, await dummyHash);
  return false;
}
