// The words the staff list's text search (`q`) finds an issue by. Each issue stores the terms of its title,
// content, enterprise name and credit code (`searchTerms`, a multikey index with the list's newest-first order after it), so a search reads the
// issues that hold the query's word instead of every issue in a window of the list: at a city's scale an old
// issue is found on the first page, not after paging back through months.
//
// A term is a jieba word in search mode (a long word also yields the dictionary words inside it: 出口退税 →
// 出口, 退税, 出口退税), a bigram over a run of characters jieba left single (names it does not know: 织里,
// 南浔), or a run of letters and digits; at least two characters, stopwords and the legal forms of enterprise
// names (有限公司, 股份) left out: they are in most issues.
// Those bigrams reach one character into the words on either side (园区|里 gives 区里 too), so a word the text
// cut differently (厂区|内, 水管|道) is still found. The query is cut the same way and its longest term names
// the index range; the literal match of the whole query stays the filter, so a result always contains what was
// typed. A query made only of single characters or stopwords has no term and is searched as before, through a
// bounded window of the list.
//
// What it cannot find: a fragment that cuts across the words of the text in a way the query's own cut does not
// ("究生" in 研究生命). On the labelled corpus a dictionary word as the query is found in 99.5 % of the texts
// that contain it (test/unit/text/search-terms.test.ts), at about 28 terms for a text of 54 characters.
import { normaliseText, segmenter, STOPWORDS } from './segment.ts';

const HAN = /\p{Script=Han}/u;
const TERM = /^[\p{Script=Han}a-z0-9]{2,}$/u;
const PIECES = /[\p{Script=Han}a-z0-9]+/gu;

/** The legal form every enterprise name ends in: in most issues, so it narrows nothing. */
const LEGAL_FORMS = new Set([
  '有限',
  '有限公司',
  '股份',
  '股份有限公司',
  '有限责任',
  '责任公司',
  '有限责任公司',
]);

/** Particles, which end or join phrases but begin no word: a bigram with one names nothing and is left out. */
const PARTICLES = new Set('的了啊呢吧吗呀哦嗯');

/** Bigrams of a run of single characters, with the last character of the word before and the first after. */
function addRunBigrams(run: string, before: string, after: string, into: Set<string>): void {
  const span = before.slice(-1) + run + after.slice(0, 1);
  for (let i = 0; i + 1 < span.length; i++) {
    if (!PARTICLES.has(span[i]) && !PARTICLES.has(span[i + 1])) into.add(span.slice(i, i + 2));
  }
}

function addTerms(text: string, into: Set<string>): void {
  const jieba = segmenter();
  for (const piece of normaliseText(text).match(PIECES) ?? []) {
    const tokens = jieba.cut(piece, false);
    let start = -1;
    for (let i = 0; i <= tokens.length; i++) {
      const single = i < tokens.length && tokens[i].length === 1 && HAN.test(tokens[i]);
      if (single && start < 0) start = i;
      if (single || start < 0) continue;
      addRunBigrams(tokens.slice(start, i).join(''), tokens[start - 1] ?? '', tokens[i] ?? '', into);
      start = -1;
    }
    for (const token of jieba.cutForSearch(piece, false)) {
      if (TERM.test(token) && !STOPWORDS.has(token) && !LEGAL_FORMS.has(token)) into.add(token);
    }
  }
}

/** The distinct terms of some texts, in a stable order. */
export function searchTermsOf(...texts: string[]): string[] {
  const terms = new Set<string>();
  for (const text of texts) addTerms(text, terms);
  return [...terms].sort();
}

/** The fields of an issue its search terms are made of: what the list's search matches. */
export interface SearchedFields {
  title: string;
  content: string;
  enterpriseName: string;
  enterpriseCreditCode: string;
}

/** The searched fields of a stored issue read through the driver (a missing one reads as empty). */
export function searchedFieldsOf(doc: { [field: string]: unknown }): SearchedFields {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    title: text(doc.title),
    content: text(doc.content),
    enterpriseName: text(doc.enterpriseName),
    enterpriseCreditCode: text(doc.enterpriseCreditCode),
  };
}

/** An issue's search terms: its title, content, enterprise name and credit code. */
export function issueSearchTerms(issue: SearchedFields): string[] {
  return searchTermsOf(issue.title, issue.content, issue.enterpriseName, issue.enterpriseCreditCode);
}

/**
 * The term a search for `query` reads the index at: the query's longest (the rarest, as a rule), or undefined
 * when it has none. Every issue whose text contains the query holds it, but for a fragment cut across words.
 */
export function searchKeyOf(query: string): string | undefined {
  let key: string | undefined;
  for (const term of searchTermsOf(query)) if (!key || term.length > key.length) key = term;
  return key;
}
