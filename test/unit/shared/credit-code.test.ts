import { expect } from 'chai';
import {
  CREDIT_CODE_ALPHABET,
  creditCodeCheckChar,
  isValidCreditCode,
  makeCreditCode,
  normalizeCreditCode,
} from '../../../shared/credit-code.ts';

// Codes published on real business licences (the GB 32100-2015 standard's own example first).
const REAL_CODES = ['91350100M000100Y43', '91110108551385082Q', '914403001922038216'];

describe('credit code (GB 32100-2015)', () => {
  it('accepts real published codes', () => {
    for (const code of REAL_CODES) expect(isValidCreditCode(code), code).to.equal(true);
  });

  it('computes the check character from the weighted sum', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).to.equal('3');
    expect(creditCodeCheckChar('91110108551385082')).to.equal('Q');
    // Σ = 0 gives (31 − 0) mod 31 = 0, i.e. the character '0'.
    expect(creditCodeCheckChar('00000000000000000')).to.equal('0');
  });

  it('makes valid codes for seeding', () => {
    const code = makeCreditCode('91330500MA2B1Y0X2');
    expect(code).to.have.length(18);
    expect(code).to.equal('91330500MA2B1Y0X2E');
    expect(isValidCreditCode(code)).to.equal(true);
  });

  it('rejects a code with any single position changed', () => {
    for (const code of REAL_CODES) {
      for (let i = 0; i < 18; i++) {
        const current = CREDIT_CODE_ALPHABET.indexOf(code[i]);
        const replacement = CREDIT_CODE_ALPHABET[(current + 1) % 31];
        const corrupted = code.slice(0, i) + replacement + code.slice(i + 1);
        expect(isValidCreditCode(corrupted), `${corrupted} (position ${i + 1})`).to.equal(false);
      }
    }
  });

  it('rejects swapped adjacent characters', () => {
    const code = '91350100M000100Y43';
    const swapped = code.slice(0, 8) + code[9] + code[8] + code.slice(10);
    expect(isValidCreditCode(swapped)).to.equal(false);
  });

  it('rejects the forbidden letters I, O, S, V and Z', () => {
    for (const letter of ['I', 'O', 'S', 'V', 'Z']) {
      expect(isValidCreditCode(`9135010${letter}M000100Y43`)).to.equal(false);
      expect(() => creditCodeCheckChar(`9135010${letter}M000100Y4`)).to.throw(RangeError, '非法字符');
    }
  });

  it('rejects wrong lengths, empty and non-string input', () => {
    expect(isValidCreditCode('')).to.equal(false);
    expect(isValidCreditCode('91350100M000100Y4')).to.equal(false);
    expect(isValidCreditCode('91350100M000100Y433')).to.equal(false);
    expect(isValidCreditCode(undefined as unknown as string)).to.equal(false);
    expect(() => creditCodeCheckChar('1234')).to.throw(RangeError, '17位');
  });

  it('accepts lower case and surrounding spaces, normalising to upper case', () => {
    expect(isValidCreditCode(' 91110108551385082q ')).to.equal(true);
    expect(normalizeCreditCode(' 91110108551385082q ')).to.equal('91110108551385082Q');
    expect(makeCreditCode('91330500ma2b1y0x2')).to.equal(makeCreditCode('91330500MA2B1Y0X2'));
  });

  it('rejects inner spaces and punctuation', () => {
    expect(isValidCreditCode('91350100 M000100Y43')).to.equal(false);
    expect(isValidCreditCode('91350100-M000100Y4')).to.equal(false);
  });
});
