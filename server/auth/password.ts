// Password (and PIN) hashing with node:crypto scrypt — a maintained memory-hard KDF with no extra dependency.
// Each hash carries its own random salt and cost parameters (`scrypt$N$r$p$salt$hash`), so the cost can be
// raised later without invalidating stored hashes. Comparison is constant-time. The derivation runs in the
// KDF pool's own threads (kdf-pool.ts), never on libuv's pool that the database's file I/O needs.
//
// Every login costs the same: every hash this code writes uses DEFAULT_SCRYPT (demo accounts included), and
// an unknown username is checked against a dummy hash of the same cost, so timing tells nothing.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { kdfPool } from './kdf-pool.ts';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 B = 32 MiB and ~100 ms per hash on a laptop core. */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 32768, r: 8, p: 1 });
const KEY_LEN = 64;
const SALT_LEN = 16;

/** `maxWaitMs`: the bound on the wait for a KDF thread (default: the login bound, kdf-pool.ts). */
function derive(plain: string, salt: Buffer, params: ScryptParams, maxWaitMs?: number): Promise<Buffer> {
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  return kdfPool().derive(plain.normalize('NFKC'), salt, KEY_LEN, { ...params, maxmem }, maxWaitMs);
}

/** The cost parameters a stored hash was made with, or undefined for a malformed one. */
export function hashParamsOf(stored: string): ScryptParams | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  return { N, r, p };
}

/**
 * A new hash (seeding, an admin setting a password or a PIN): it waits for a KDF thread as long as it takes,
 * since nobody would retry it; a start-up seed on a busy host once failed with 503 busy after 5 s.
 */
export async function hashPassword(plain: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(plain, salt, params, Infinity);
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

/** The hash unknown usernames are checked against (DEFAULT_SCRYPT, like every real one). */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('dummy-password-never-matches');
  return dummyHash;
}

/**
 * Burns the same time as a real verification, for logins with an unknown username, so response timing does
 * not reveal which usernames exist.
 */
export async function dummyVerify(plain: string): Promise<false> {
  await verifyPassword(plain, await dummyPasswordHash());
  return false;
}
