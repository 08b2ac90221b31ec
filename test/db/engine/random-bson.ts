/**
 * A seeded generator of BSON values in the engine's canonical and wire forms, biased towards the edge cases
 * that break order-preserving encodings: numbers equal across types, neighbours of 2^53 and of doubles,
 * Decimal128 values that no double represents, strings with U+0000 / U+00FF / U+0100 / surrogates, and small
 * alphabets everywhere so that equal and prefix-sharing values come up often.
 */
import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Code,
  DBRef,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'bson';

/** mulberry32: small, fast and good enough to drive property tests deterministically. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

export const int = (r: Rand, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rand, list: readonly T[]): T => list[int(r, list.length)];

const EDGE_DOUBLES = [
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  2.225073858507201e-308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.EPSILON,
  1 + Number.EPSILON,
  2 ** 53,
  2 ** 53 - 1,
  2 ** 53 + 2,
  -(2 ** 53),
  -(2 ** 53) + 1,
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  0.1,
  0.2,
  0.3,
  0.30000000000000004,
  1 / 3,
  -1 / 3,
  0.5,
  1,
  -1,
  1.5,
  5,
  1e300,
  -1e-300,
  123.456,
];

const EDGE_DECIMALS = [
  '0',
  '-0',
  '0E+100',
  '-0E-50',
  'NaN',
  'Infinity',
  '-Infinity',
  '1E-6176',
  '-1E-6176',
  '9.999999999999999999999999999999999E+6144',
  '1E+6144',
  '9007199254740993',
  '9007199254740992.5',
  '-9007199254740993',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '0.1',
  '0.1000000000000000055511151231257827',
  '0.1000000000000000055511151231257828',
  '0.30000000000000004',
  '5.00',
  '5',
  '1E+50',
  '1.0E+50',
  '0.5',
  '1.5',
  '123.456',
  // Inexact pairs whose first one's 119 fraction bits end in zero groups that the second one fills.
  '75448478154665.47487926010173824887',
  '75448478154665.47487926010173824888',
  '699641146876804147447908822.6863904',
  '699641146876804147447908822.6863905',
  // Between and around the subnormal doubles.
  '4E-324',
  '5E-324',
  '1E-320',
  '2.225073858507201E-308',
  '2.2250738585072014E-308',
];

/** The exact decimal string of a finite double when Decimal128's 34 digits hold it, else undefined. */
export function exactDecimal(x: number): string | undefined {
  if (!Number.isFinite(x)) return undefined;
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  let k = 0;
  let m = Math.abs(x);
  while (!Number.isInteger(m)) {
    m *= 2;
    k++;
  }
  let digits = (BigInt(m) * 5n ** BigInt(k)).toString();
  let exp = -k;
  while (digits.length > 1 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exp++;
  }
  if (digits.length > 34 || exp < -6176 || exp > 6111) return undefined;
  return `${x < 0 ? '-' : ''}${digits}E${exp >= 0 ? '+' : ''}${exp}`;
}

function randomBitsDouble(r: Rand): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, int(r, 2 ** 32));
  view.setUint32(4, int(r, 2 ** 32));
  return view.getFloat64(0);
}

function baseDouble(r: Rand): number {
  switch (int(r, 5)) {
    case 0:
      return pick(r, EDGE_DOUBLES);
    case 1:
      return randomBitsDouble(r);
    case 2:
      return int(r, 21) - 10;
    case 3:
      return (int(r, 2001) - 1000) / 8;
    default:
      return (int(r, 2001) - 1000) / 100;
  }
}

/** One numeric value in a random representation: number, Int32, Double, Long, bigint or Decimal128. */
function numberOf(r: Rand, x: number): unknown {
  const forms: (() => unknown)[] = [() => x, () => new Double(x)];
  if (Number.isInteger(x) && Math.abs(x) <= 2 ** 31 - 1) forms.push(() => new Int32(x));
  if (Number.isInteger(x) && x >= -(2 ** 63) && x < 2 ** 63) {
    forms.push(() => Long.fromBigInt(BigInt(x)));
    forms.push(() => BigInt(x));
  }
  const dec = exactDecimal(x);
  if (dec) forms.push(() => Decimal128.fromString(dec));
  if (Number.isFinite(x)) forms.push(() => Decimal128.fromString(String(x).replace('e', 'E')));
  return pick(r, forms)();
}

function randomLong(r: Rand): unknown {
  const near = [0n, 2n ** 53n, -(2n ** 53n), 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n)];
  const v =
    r() < 0.5
      ? Long.fromBits(int(r, 2 ** 32) | 0, int(r, 2 ** 32) | 0)
      : Long.fromBigInt(BigInt.asIntN(64, pick(r, near) + BigInt(int(r, 9) - 4)));
  return r() < 0.8 ? v : v.toBigInt();
}

function randomDecimal(r: Rand): Decimal128 {
  if (r() < 0.4) return Decimal128.fromString(pick(r, EDGE_DECIMALS));
  const digits = 1 + int(r, 34);
  let coef = String(1 + int(r, 9));
  while (coef.length < digits) coef += String(int(r, 10));
  const exp = r() < 0.7 ? int(r, 61) - 40 : int(r, 12288) - 6176;
  const e = Math.min(6111, Math.max(-6176, exp));
  return Decimal128.fromString(`${r() < 0.3 ? '-' : ''}${coef}E${e >= 0 ? '+' : ''}${e}`);
}

/** Neighbouring 34-digit decimals share the first 52 bits: the case that needs the long mantissa. */
function decimalNeighbour(r: Rand): Decimal128 {
  const base = 1234567890123456789012345678901230n + BigInt(int(r, 10));
  return Decimal128.fromString(`${r() < 0.5 ? '-' : ''}${base}E-${30 + int(r, 5)}`);
}

export function randomNumber(r: Rand): unknown {
  switch (int(r, 6)) {
    case 0:
      return randomLong(r);
    case 1:
      return randomDecimal(r);
    case 2:
      return decimalNeighbour(r);
    default:
      return numberOf(r, baseDouble(r));
  }
}

const UNITS = [
  'a',
  'b',
  '\u0000',
  '\u0001',
  '\u0002',
  '\u00fe',
  '\u00ff',
  '\u0100',
  '中',
  '\ud800',
  '\udfff',
];
const PAIRS = ['\ud83d\ude00', '\ue000', '\uffff', '\ufffe', 'é'];

export function randomString(r: Rand): string {
  let s = '';
  const n = int(r, 5);
  for (let i = 0; i < n; i++) s += r() < 0.85 ? pick(r, UNITS) : pick(r, PAIRS);
  return s;
}

export function latin1String(r: Rand): string {
  let s = '';
  const n = int(r, 5);
  for (let i = 0; i < n; i++) s += pick(r, ['a', 'b', '\u0000', '\u0001', '\u00ff', '\u00e9']);
  return s;
}

const BYTES = [0, 1, 0x7f, 0x80, 0xff];

function randomBytes(r: Rand, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => pick(r, BYTES));
}

function randomBinary(r: Rand): unknown {
  const bytes = randomBytes(r, int(r, 5));
  if (r() < 0.2) return r() < 0.5 ? bytes : Buffer.from(bytes);
  return new Binary(bytes, pick(r, [0, 0, 1, 4, 128]));
}

const DATE_MS = [0, -1, 1, 8.64e15, -8.64e15, 2 ** 32, 2 ** 32 - 1, -(2 ** 32), 1700000000000, -1e12];

function randomDate(r: Rand): Date {
  return new Date(r() < 0.5 ? pick(r, DATE_MS) : int(r, 4e12) - 2e12);
}

function randomTimestamp(r: Rand): Timestamp {
  const part = (): number => pick(r, [0, 1, 2 ** 31, 2 ** 32 - 1, int(r, 2 ** 32)]);
  return new Timestamp({ t: part(), i: part() });
}

function randomRegExp(r: Rand): unknown {
  const pattern = pick(r, ['', 'a', 'a+', 'ab', 'a/b', '中']);
  const flags = pick(r, ['', 'i', 'im', 'ms']);
  return r() < 0.5 ? new RegExp(pattern, flags) : new BSONRegExp(pattern, flags);
}

const KEYS = ['a', 'b', '', '1', '10', '\u0000k', 'é', '中'];

function randomObject(r: Rand, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = int(r, 4);
  for (let i = 0; i < n; i++) o[pick(r, KEYS)] = randomValue(r, depth + 1);
  return o;
}

function randomArray(r: Rand, depth: number): unknown[] {
  return Array.from({ length: int(r, 4) }, () => randomValue(r, depth + 1));
}

type Maker = (r: Rand, depth: number) => unknown;

const SCALARS: Maker[] = [
  () => new MinKey(),
  () => new MaxKey(),
  () => null,
  () => undefined,
  randomNumber,
  randomNumber,
  randomNumber,
  randomString,
  (r) => (r() < 0.2 ? new BSONSymbol(randomString(r)) : randomString(r)),
  randomBinary,
  (r) => new ObjectId(randomBytes(r, 12)),
  (r) => r() < 0.5,
  randomDate,
  randomTimestamp,
  randomRegExp,
  (r) => (r() < 0.7 ? new Code(pick(r, ['', 'f()', 'g()'])) : new Code('f()', { x: int(r, 2) })),
  (r) => new DBRef(pick(r, ['c', 'd']), new ObjectId(randomBytes(r, 12))),
];

/** Any BSON value; below depth 2 no more containers, so the values stay small. */
export function randomValue(r: Rand, depth = 0): unknown {
  if (depth < 2 && r() < 0.15) return (r() < 0.5 ? randomObject : randomArray)(r, depth);
  return pick(r, SCALARS)(r, depth);
}
