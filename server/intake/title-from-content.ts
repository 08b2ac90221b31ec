// The title of a message that came without one (an SMS, a WeChat line, the QR page's form): its first sentence
// when that is short enough to read as a title, else its first words with 「…」, so a list never shows a title
// cut mid-word as if it were the whole of it.
const TITLE_MAX = 30;
/** A first sentence shorter than this reads as a fragment (您好。); the title runs on instead. */
const SENTENCE_MIN = 8;
const SENTENCE_END = /[。！？!?；;\n]/u;

export function titleFromContent(content: string): string {
  const text = content.trim().replace(/[ \t\u3000]+/gu, ' ');
  const chars = [...text];
  const firstLine = chars.findIndex((c) => SENTENCE_END.test(c));
  if (firstLine >= SENTENCE_MIN && firstLine <= TITLE_MAX) return chars.slice(0, firstLine).join('');
  if (chars.length <= TITLE_MAX && firstLine < 0) return text;
  if (chars.length <= TITLE_MAX) return chars.join('').replace(/\n+/gu, ' ');
  return `${chars
    .slice(0, TITLE_MAX - 1)
    .join('')
    .replace(/\n+/gu, ' ')
    .replace(/[，,、：:\s]+$/u, '')}…`;
}
