// Unified social credit code (统一社会信用代码) per GB 32100-2015: the natural key for matching an enterprise
// across channels, so it is validated, check character included, wherever it is entered.

/** The 31-character alphabet; I, O, S, V and Z are excluded. A character's value is its index. */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/** Canonical form: trimmed and upper-cased (people often type lower case). */
export function normalizeCreditCode(code: string): string {
  return code.trim().toUpperCase();
}

/** The check character for the first 17 characters. Throws on a bad length or a forbidden character. */
export function creditCodeCheckChar(first17: string): string {
  const body = first17.toUpperCase();
  if (body.length !== 17) throw new RangeError('统一社会信用代码本体应为17位');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_ALPHABET.indexOf(body[i]);
    if (value < 0) throw new RangeError(`统一社会信用代码含非法字符：${body[i]}`);
    sum += value * WEIGHTS[i];
  }
  return CREDIT_CODE_ALPHABET[(31 - (sum % 31)) % 31];
}

/** True when `code` (case-insensitive, surrounding spaces ignored) is 18 valid characters with a correct check character. */
export function isValidCreditCode(code: string): boolean {
  if (typeof code !== 'string') return false;
  const c = normalizeCreditCode(code);
  if (!PATTERN.test(c)) return false;
  return creditCodeCheckChar(c.slice(0, 17)) === c[17];
}

/** Appends the check character: used by seeding and tests to produce valid codes. */
export function makeCreditCode(prefix17: string): string {
  const body = normalizeCreditCode(prefix17);
  return body + creditCodeCheckChar(body);
}
