/**
 * Exact numeric comparison across Int32, Double, Long and Decimal128, and the arithmetic behind $inc and $mul
 * with MongoDB's type promotion. JS numbers alone cannot do this: a Long above 2^53 or any Decimal128 would be
 * rounded, so every value is compared as an exact rational when the fast path does not apply.
 */
import { Decimal128, Double, Int32, Long } from 'bson';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { bsonTypeOf } from './values.ts';

type Exact = { kind: 'nan' } | { kind: 'inf'; sign: 1 | -1 } | { kind: 'fin'; num: bigint; den: bigint };

export type NumKind = 'int' | 'long' | 'double' | 'decimal';

export function numKind(v: unknown): NumKind | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2147483647 ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  switch (bsonTypeOf(v)) {
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
  }
  return undefined;
}

/** The plain JS number of an Int32/Double/number, or undefined when exactness needs the slow path. */
function fastNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const t = bsonTypeOf(v);
  if (t === 'Int32' || t === 'Double') return (v as Int32 | Double).value;
  if (t === 'Long') {
    const l = v as Long;
    if (l.high >= -0x200000 && l.high < 0x200000) return l.toNumber();
  }
  return undefined;
}

function doubleExact(d: number): Exact {
  if (Number.isNaN(d)) return { kind: 'nan' };
  if (!Number.isFinite(d)) return { kind: 'inf', sign: d > 0 ? 1 : -1 };
  if (Number.isInteger(d)) return { kind: 'fin', num: BigInt(d), den: 1n };
  let x = d;
  let den = 1n;
  while (!Number.isInteger(x)) {
    x *= 2;
    den *= 2n;
  }
  return { kind: 'fin', num: BigInt(x), den };
}

/** Parses a Decimal128 string ("-1.50E+3", "NaN", "Infinity") into coefficient and exponent. */
export function parseDecimal(s: string): { nan?: true; inf?: 1 | -1; coef: bigint; exp: number } {
  if (s === 'NaN') return { nan: true, coef: 0n, exp: 0 };
  if (s === 'Infinity' || s === '-Infinity') return { inf: s[0] === '-' ? -1 : 1, coef: 0n, exp: 0 };
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) throw new MongoError(ErrorCodes.BadValue, `invalid decimal ${s}`);
  const frac = m[3] ?? '';
  const coef = BigInt((m[2] || '0') + frac) * (m[1] ? -1n : 1n);
  return { coef, exp: Number(m[4] ?? 0) - frac.length };
}

function toExact(v: unknown): Exact {
  const f = fastNumber(v);
  if (f !== undefined) return doubleExact(f);
  if (typeof v === 'bigint') return { kind: 'fin', num: v, den: 1n };
  const t = bsonTypeOf(v);
  if (t === 'Long') return { kind: 'fin', num: (v as Long).toBigInt(), den: 1n };
  const d = parseDecimal((v as Decimal128).toString());
  if (d.nan) return { kind: 'nan' };
  if (d.inf) return { kind: 'inf', sign: d.inf };
  return d.exp >= 0
    ? { kind: 'fin', num: d.coef * 10n ** BigInt(d.exp), den: 1n }
    : { kind: 'fin', num: d.coef, den: 10n ** BigInt(-d.exp) };
}

const sign = (x: bigint): number => (x < 0n ? -1 : x > 0n ? 1 : 0);

/** Compares two numeric values exactly. NaN equals NaN and sorts below every other number, as in MongoDB. */
export function compareNumbers(a: unknown, b: unknown): number {
  const fa = fastNumber(a);
  const fb = fastNumber(b);
  if (fa !== undefined && fb !== undefined) {
    if (Number.isNaN(fa)) return Number.isNaN(fb) ? 0 : -1;
    if (Number.isNaN(fb)) return 1;
    return fa < fb ? -1 : fa > fb ? 1 : 0;
  }
  const ea = toExact(a);
  const eb = toExact(b);
  if (ea.kind === 'nan') return eb.kind === 'nan' ? 0 : -1;
  if (eb.kind === 'nan') return 1;
  if (ea.kind === 'inf') return eb.kind === 'inf' ? Math.sign(ea.sign - eb.sign) : ea.sign;
  if (eb.kind === 'inf') return -eb.sign;
  return sign(ea.num * eb.den - eb.num * ea.den);
}

/** A string equal for exactly the numbers that compare equal (5, 5.0, Long 5 and Decimal "5.00" agree). */
export function numberKey(v: unknown): string {
  const f = fastNumber(v);
  if (f !== undefined && Number.isInteger(f) && !Object.is(f, -0)) return String(f);
  const e = toExact(v);
  if (e.kind === 'nan') return 'NaN';
  if (e.kind === 'inf') return e.sign > 0 ? 'Inf' : '-Inf';
  let { num, den } = e;
  let a = num < 0n ? -num : num;
  let b = den;
  while (b) [a, b] = [b, a % b];
  if (a > 1n) {
    num /= a;
    den /= a;
  }
  return den === 1n ? String(num) : `${num}/${den}`;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function resultKind(a: NumKind, b: NumKind): NumKind {
  const rank: Record<NumKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };
  return rank[a] >= rank[b] ? a : b;
}

function toBig(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (bsonTypeOf(v) === 'Long') return (v as Long).toBigInt();
  return BigInt(fastNumber(v) as number);
}

/** Decimal view of any number; doubles convert only when 15 significant digits represent them exactly. */
function toDecimalParts(v: unknown): { coef: bigint; exp: number } {
  if (bsonTypeOf(v) === 'Decimal128') {
    const d = parseDecimal((v as Decimal128).toString());
    if (d.nan || d.inf) throw notSupported('Arithmetic on NaN or Infinity Decimal128 values');
    return d;
  }
  if (numKind(v) === 'double') {
    const n = fastNumber(v) as number;
    if (!Number.isFinite(n) || Number(n.toPrecision(15)) !== n) {
      throw notSupported('Inexact double to Decimal128 conversion in arithmetic');
    }
    return parseDecimal(String(n).replace('e', 'E'));
  }
  return { coef: toBig(v), exp: 0 };
}

function makeDecimal(coef: bigint, exp: number): Decimal128 {
  const digits = (coef < 0n ? -coef : coef).toString();
  if (digits.length > 34) throw notSupported('Decimal128 arithmetic that would need rounding');
  try {
    return Decimal128.fromString(`${coef}E${exp >= 0 ? '+' : ''}${exp}`);
  } catch {
    throw notSupported('Decimal128 arithmetic whose exponent is out of range');
  }
}

function decimalOp(op: 'add' | 'mul', a: unknown, b: unknown): Decimal128 {
  const x = toDecimalParts(a);
  const y = toDecimalParts(b);
  if (op === 'mul') return makeDecimal(x.coef * y.coef, x.exp + y.exp);
  const e = Math.min(x.exp, y.exp);
  return makeDecimal(x.coef * 10n ** BigInt(x.exp - e) + y.coef * 10n ** BigInt(y.exp - e), e);
}

/**
 * `a op b` with MongoDB's promotion: int32 overflow becomes long, anything with double is double, anything with
 * decimal is decimal; long overflow is an error rather than a wrapped or rounded value.
 */
export function arith(op: 'add' | 'mul', a: unknown, b: unknown): Int32 | Long | Double | Decimal128 {
  const ka = numKind(a);
  const kb = numKind(b);
  if (!ka || !kb)
    throw new MongoError(ErrorCodes.TypeMismatch, 'Cannot apply arithmetic to a non-numeric value');
  const kind = resultKind(ka, kb);
  if (kind === 'decimal') return decimalOp(op, a, b);
  if (kind === 'double') {
    const x = fastNumber(a) ?? Number(toBig(a));
    const y = fastNumber(b) ?? Number(toBig(b));
    return new Double(op === 'add' ? x + y : x * y);
  }
  const r = op === 'add' ? toBig(a) + toBig(b) : toBig(a) * toBig(b);
  if (kind === 'int' && r >= INT32_MIN && r <= INT32_MAX) return new Int32(Number(r));
  if (r < LONG_MIN || r > LONG_MAX) {
    throw new MongoError(
      ErrorCodes.BadValue,
      `Failed to apply ${op === 'add' ? '$inc' : '$mul'}: integer overflow`,
    );
  }
  return Long.fromBigInt(r);
}

/** Zero of the given value's numeric type ($mul on a missing field). */
export function zeroLike(v: unknown): Int32 | Long | Double | Decimal128 {
  switch (numKind(v)) {
    case 'long':
      return Long.fromNumber(0);
    case 'double':
      return new Double(0);
    case 'decimal':
      return Decimal128.fromString('0');
    default:
      return new Int32(0);
  }
}
