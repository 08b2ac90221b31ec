// The title of a message that came without one (an SMS, a WeChat line, the QR page's form): its first sentence
// when that is short enough to read as a title, else its first words with 「…」, so a list never shows a title
// cut mid-word as if it were the whole of it.
const TITLE_MAX = 30;
/** A first sentence shorter than this reads as a fragment (您好。); the title runs on instead. */
const SENTENCE_MIN = 8;
const SENTENCE_END = /[。！？!?；;\n]/u;
/**
 * Punctuation and spaces a title does not start or end with (……？？停电！ is titled 停电！); an opening bracket or
 * quote stays, with the text it opens (【紧急】, “双随机”: their closing half alone read as a typo).
 */
const LEADING = /^(?:(?![\p{Ps}\p{Pi}])[\s\p{P}\p{S}])+/u;
const TRAILING = /[，,、：:\s]+$/u;
/** A cut inside Latin text steps back to the last space, if one is near. */
const WORD_BACKTRACK = 12;

export function titleFromContent(content: string): string {
  const text =
    content
      .replace(/[ \t\u3000]+/gu, ' ')
      .replace(LEADING, '')
      .trim() || content.trim();
  const chars = [...text];
  const firstLine = chars.findIndex((c) => SENTENCE_END.test(c));
  if (firstLine >= SENTENCE_MIN && firstLine <= TITLE_MAX) return chars.slice(0, firstLine).join('');
  if (chars.length <= TITLE_MAX) return text.replace(/\n+/gu, ' ');
  let cut = chars.slice(0, TITLE_MAX - 1).join('');
  if (/[A-Za-z0-9]/u.test(chars[TITLE_MAX - 1] ?? '') && /[A-Za-z0-9]$/u.test(cut)) {
    const space = cut.lastIndexOf(' ');
    if (space > 0 && cut.length - space <= WORD_BACKTRACK) cut = cut.slice(0, space);
  }
  return `${cut.replace(/\n+/gu, ' ').replace(TRAILING, '')}…`;
}
