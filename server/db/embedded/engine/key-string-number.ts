/**
 * Number keys for key-string.ts: one key per exact value, so Int32 5, Double 5.0, Long 5 and Decimal128
 * "5.00" share a key, and keys order exactly like compareNumbers across all four types.
 *
 * A finite x > 0 is written as its binary exponent E (2^E <= x < 2^(E+1)) plus 0x8000, in two bytes, then
 * its mantissa: the fraction bits after the leading 1, in 7-bit groups, one byte each as (group << 1 | more),
 * trailing zero groups dropped. A shorter mantissa that is a prefix of a longer one ends with more = 0 where
 * the longer has more = 1, so it sorts first, as its value is smaller. Doubles (52 bits) and Longs (62) are
 * always exact. A Decimal128 such as 0.1 has no finite binary expansion: it keeps 119 fraction bits, sets
 * `more` on its last group and adds a 0x00 byte, which sorts it after the exact value it truncates to and
 * before everything above that. 119 bits suffice: two distinct 34-digit decimals in the same binade differ
 * by more than 2^(E-113), so they never share their first 113 fraction bits. Negative numbers complement the
 * magnitude's bytes. Doubles, Int32 and Longs within 2^53 take the IEEE-bits path, without BigInt.
 */
import type { Decimal128, Long } from 'bson';
import { ErrorCodes, MongoError } from '../errors.ts';
import { parseDecimal } from './numeric.ts';
import { complementFrom, mark, put } from './key-string-writer.ts';

/** First chars of number keys, inside the number class's region 0x30..0x3F (see key-string.ts). */
const TAG = { NaN: 0x31, NegInf: 0x32, Negative: 0x33, Zero: 0x34, Positive: 0x35, PosInf: 0x36 } as const;

const EXPONENT_BIAS = 0x8000;
const FRACTION_BITS = 119;
const GROUPS = FRACTION_BITS / 7;
const MIN_NORMAL = 2 ** -1022;
const SAFE = 2n ** 53n;

const f64 = new DataView(new ArrayBuffer(8));
const groups = new Uint8Array(GROUPS);

function writeExponent(e: number): void {
  const biased = e + EXPONENT_BIAS;
  if (biased < 0 || biased > 0xffff) throw new MongoError(ErrorCodes.BadValue, `number out of range: 2^${e}`);
  put(biased >>> 8);
  put(biased & 0xff);
}

/** The first `n` groups in `groups`, trailing zero groups dropped, and the truncation mark if inexact. */
function writeGroups(n: number, inexact: boolean): void {
  let last = n - 1;
  while (last > 0 && groups[last] === 0) last--;
  for (let i = 0; i < last; i++) put((groups[i] << 1) | 1);
  put((groups[last] << 1) | (inexact ? 1 : 0));
  if (inexact) put(0);
}

/** A finite double > 0, from its IEEE bits. */
function writeDoubleMagnitude(x: number): void {
  let e = 0;
  if (x < MIN_NORMAL) {
    x *= 2 ** 64; // a subnormal: scaling by a power of two is exact and makes the leading 1 explicit
    e = -64;
  }
  f64.setFloat64(0, x);
  const hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  writeExponent((hi >>> 20) - 1023 + e);
  const f = hi & 0xfffff;
  groups[0] = f >>> 13;
  groups[1] = (f >>> 6) & 0x7f;
  groups[2] = ((f & 0x3f) << 1) | (lo >>> 31);
  groups[3] = (lo >>> 24) & 0x7f;
  groups[4] = (lo >>> 17) & 0x7f;
  groups[5] = (lo >>> 10) & 0x7f;
  groups[6] = (lo >>> 3) & 0x7f;
  groups[7] = (lo & 7) << 4;
  writeGroups(8, false);
}

function bitLength(n: bigint): number {
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + 32 - Math.clz32(parseInt(hex[0], 16));
}

/** The exact rational num/den > 0. */
function writeExactMagnitude(num: bigint, den: bigint): void {
  const e0 = bitLength(num) - bitLength(den);
  const atLeast = e0 >= 0 ? num >= den << BigInt(e0) : num << BigInt(-e0) >= den;
  const e = atLeast ? e0 : e0 - 1;
  const shift = FRACTION_BITS - e;
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  const fraction = n / d - (1n << BigInt(FRACTION_BITS));
  writeExponent(e);
  for (let i = 0; i < GROUPS; i++) {
    groups[i] = Number((fraction >> BigInt(FRACTION_BITS - 7 * (i + 1))) & 127n);
  }
  writeGroups(GROUPS, n % d !== 0n);
}

export function writeDouble(x: number): void {
  if (x > 0) {
    if (x === Infinity) return put(TAG.PosInf);
    put(TAG.Positive);
    return writeDoubleMagnitude(x);
  }
  if (x < 0) {
    if (x === -Infinity) return put(TAG.NegInf);
    put(TAG.Negative);
    const from = mark();
    writeDoubleMagnitude(-x);
    return complementFrom(from);
  }
  put(x === 0 ? TAG.Zero : TAG.NaN);
}

/** The signed rational num/den exactly; den > 0. */
function writeExact(num: bigint, den: bigint): void {
  if (num === 0n) return put(TAG.Zero);
  if (num > 0n) {
    put(TAG.Positive);
    return writeExactMagnitude(num, den);
  }
  put(TAG.Negative);
  const from = mark();
  writeExactMagnitude(-num, den);
  complementFrom(from);
}

export function writeBigInt(v: bigint): void {
  if (v >= -SAFE && v <= SAFE) writeDouble(Number(v));
  else writeExact(v, 1n);
}

export function writeLong(v: Long): void {
  // Within +-2^53 the double path is exact (the same test numeric.ts uses for its fast path).
  if (v.high >= -0x200000 && v.high < 0x200000) writeDouble(v.toNumber());
  else writeBigInt(v.toBigInt());
}

export function writeDecimal(v: Decimal128): void {
  const d = parseDecimal(v.toString());
  if (d.nan) return put(TAG.NaN);
  if (d.inf) return put(d.inf > 0 ? TAG.PosInf : TAG.NegInf);
  if (d.exp === 0) return writeBigInt(d.coef);
  if (d.exp > 0) return writeExact(d.coef * 10n ** BigInt(d.exp), 1n);
  writeExact(d.coef, 10n ** BigInt(-d.exp));
}
