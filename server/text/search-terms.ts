// The list search's word index (issue-search.ts): the terms an issue's searched text holds, hashed to int32,
// stored on the issue (`searchTerms`, never presented) under a multikey index, so a search reads only the
// issues holding one of its query's terms instead of a window of the newest. The terms are every dictionary
// word of two or more Chinese characters that occurs anywhere in the text (jieba's `cutAll`), not the words
// a segmentation picks: a text containing the query then contains each dictionary word of the query, and
// `cutAll` of the text lists each of them, so an issue the literal match would find always holds the query's
// terms ("The word index reconsidered on paper" in bench/LOG.md). The terms only narrow the candidates: the
// literal match (`textMatcher`) still decides, so a hash collision costs a read, never a wrong answer. The
// words nearly every issue holds (STOP_WORDS: an enterprise name's legal form, the city) are left out of the
// terms on both sides: a query of only those searches the window, where its matches are the newest rows. Pure
// apart from the dictionary (segment.ts).
import { segmenter } from './segment.ts';

const HAN_WORD = /^\p{Script=Han}{2,}$/u;

/**
 * Words left out of the terms, issue and query alike: the legal form of an enterprise name (有限公司 and the
 * words `cutAll` finds in it), 企业 and the city's name, held by nearly every issue (有限公司, 有限, 公司 by
 * all of the v6 data set's, 企业 by 92 %, 湖州 by 52 %): never the rarest of a query's terms, a search for only
 * them fills its page from the window's newest rows, and their entries cost the index a seventh of its size
 * and each write as much. Only words that common: 湖州市 (no issue of that set) told a search for 湖州市补贴
 * at once that nothing matches. A word may be added at any time (stored issues holding it are only read
 * less); one taken out would miss the issues stored meanwhile, until they are given their terms again.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(['有限公司', '有限', '公司', '企业', '湖州']);

/** FNV-1a over the UTF-16 code units, as a signed int32 (a one-byte index key, not a UTF-16 string). */
export function termHash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** The dictionary words of two or more Chinese characters anywhere in `text`, each once (STOP_WORDS too). */
export function hanWordsOf(text: string): Set<string> {
  const words = new Set<string>();
  if (!text) return words;
  for (const w of segmenter().cutAll(text)) if (w.length >= 2 && HAN_WORD.test(w)) words.add(w);
  return words;
}

const termsOf = (words: Iterable<string>) => [...words].filter((w) => !STOP_WORDS.has(w)).map(termHash);

/** The terms of an issue's searched text (title, content, enterprise name): hashes, ascending, each once. */
export function searchTermsOf(...texts: readonly (string | null | undefined)[]): number[] {
  const terms = new Set<number>();
  for (const text of texts) for (const h of termsOf(hanWordsOf(text ?? ''))) terms.add(h);
  return [...terms].sort((a, b) => a - b);
}

/**
 * The terms an issue containing `query` certainly holds, longest word first (a longer word is usually the
 * rarer); none for a query without a dictionary word of two Chinese characters but STOP_WORDS (it searches
 * the window).
 */
export function queryTermsOf(query: string): number[] {
  const words = [...hanWordsOf(query)].sort((a, b) => b.length - a.length);
  return [...new Set(termsOf(words))];
}

/** Whether `query`'s words are all stop words (and it has one): most of the newest issues hold it. */
export function onlyStopWords(query: string): boolean {
  const words = [...hanWordsOf(query)];
  return words.length > 0 && words.every((w) => STOP_WORDS.has(w));
}
