// Finds a unified social credit code inside free text (a WeChat message, an email subject or body): the first
// run of exactly 18 letters and digits that passes the GB 32100 check. Shared by the transports that let people
// type the code instead of filling a field.
import { isValidCreditCode } from '../../shared/credit-code.ts';

const CANDIDATE = /(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])/g;

export interface CreditCodeInText {
  /** The first valid code, upper-cased. */
  code?: string;
  /** The text without that code (and the separators around it), trimmed. */
  rest: string;
  /** An 18-character candidate that failed the check (the sender probably mistyped it). */
  invalid?: string;
}

export function findCreditCode(text: string): CreditCodeInText {
  let invalid: string | undefined;
  for (const match of text.matchAll(CANDIDATE)) {
    const candidate = match[0].toUpperCase();
    // Only runs with a digit are codes; an 18-letter English word is not a mistyped code.
    if (!/\d/.test(candidate)) continue;
    if (isValidCreditCode(candidate)) {
      const at = match.index ?? 0;
      const before = text.slice(0, at).replace(/(统一社会信用代码|信用代码)[\s:：是为]*$/, '');
      const rest = `${before} ${text.slice(at + 18)}`
        .replace(/【\s*】|\[\s*\]|（\s*）|\(\s*\)/g, ' ')
        .replace(/^[\s,，:：;；。.、-]+|[\s,，:：;；、-]+$/g, '')
        .trim();
      return { code: candidate, rest };
    }
    invalid ??= candidate;
  }
  return { rest: text.trim(), ...(invalid ? { invalid } : {}) };
}
