// Chinese and Arabic numerals as enterprises write them (三百, 二十五, 两, 〇): the particulars of a duplicate check
// (repeat-entities.ts, repeat-identifiers.ts) read amounts, numbered places and document numbers with them. Pure.

const DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
/** One character of a Chinese numeral, as a regular-expression class. */
export const CN_NUMERAL = '[零〇一二两三四五六七八九十百千]';

/** The value of a Chinese numeral such as 三百, 二十五, 十, 三千万 (without the 万/亿). */
export function chineseValue(s: string): number {
  let total = 0;
  let digit = 0;
  for (const ch of s) {
    if (ch in DIGIT) digit = DIGIT[ch];
    else if (ch in UNIT) {
      total += (digit || 1) * UNIT[ch];
      digit = 0;
    }
  }
  return total + digit;
}

/** A numeral's value, Arabic ("32") or Chinese ("三十二"). */
export const valueOf = (s: string) => (/[0-9]/.test(s) ? Number(s) : chineseValue(s));
