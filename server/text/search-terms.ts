// The list search's word index (issue-search.ts): the terms an issue's searched text holds, hashed to int32,
// stored on the issue (`searchTerms`, never presented) under a multikey index, so a search reads only the
// issues holding one of its query's terms instead of a window of the newest. The terms are every dictionary
// word of two or more Chinese characters that occurs anywhere in the text (jieba's `cutAll`), not the words
// a segmentation picks: a text containing the query then contains each dictionary word of the query, and
// `cutAll` of the text lists each of them, so an issue the literal match would find always holds the query's
// terms ("The word index reconsidered on paper" in bench/LOG.md). The terms only narrow the candidates: the
// literal match (`textMatcher`) still decides, so a hash collision costs a read, never a wrong answer. Pure
// apart from the dictionary (segment.ts).
import { segmenter } from './segment.ts';

const HAN_WORD = /^\p{Script=Han}{2,}$/u;

/** FNV-1a over the UTF-16 code units, as a signed int32 (a one-byte index key, not a UTF-16 string). */
export function termHash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** The dictionary words of two or more Chinese characters anywhere in `text`, each once. */
export function hanWordsOf(text: string): Set<string> {
  const words = new Set<string>();
  if (!text) return words;
  for (const w of segmenter().cutAll(text)) if (w.length >= 2 && HAN_WORD.test(w)) words.add(w);
  return words;
}

/** The terms of an issue's searched text (title, content, enterprise name): hashes, ascending, each once. */
export function searchTermsOf(...texts: readonly (string | null | undefined)[]): number[] {
  const terms = new Set<number>();
  for (const text of texts) for (const w of hanWordsOf(text ?? '')) terms.add(termHash(w));
  return [...terms].sort((a, b) => a - b);
}

/**
 * The terms an issue containing `query` certainly holds, longest word first (a longer word is usually the
 * rarer); none for a query without a dictionary word of two Chinese characters (it searches the window).
 */
export function queryTermsOf(query: string): number[] {
  const words = [...hanWordsOf(query)].sort((a, b) => b.length - a.length);
  return [...new Set(words.map(termHash))];
}
