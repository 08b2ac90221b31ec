// The text search's terms (server/text/search-terms.ts): what an issue is found by, and that the term a query
// reads the index at is held by the texts that contain the query, measured on the labelled corpus with every
// dictionary word of its texts as a query.
import { expect } from 'chai';
import { loadHeldout, loadTrainingCorpus } from '../../../server/text/corpus.ts';
import { normaliseText, segmenter } from '../../../server/text/segment.ts';
import { searchKeyOf, searchTermsOf } from '../../../server/text/search-terms.ts';

describe('text: search terms', () => {
  it('holds the words, the words inside a long word, bigrams of unknown names, letters and digits', () => {
    // 园区|里: the single character's bigrams reach into the word before it, so 区里 is found.
    expect(searchTermsOf('工业园区里的路灯')).to.include.members(['园区', '区里', '路灯']);
    const terms = searchTermsOf('关于出口退税进度慢的问题', '织里镇ABC公司 2025年 申请');
    expect(terms).to.include.members(['出口', '退税', '进度', '申请', 'abc', '2025']);
    // Left out: single characters and stopwords (问题, 公司: in most issues, they narrow nothing).
    expect(terms).to.not.include.members(['慢', '的', '问题', '公司']);
    expect(terms.every((term) => term.length >= 2)).to.equal(true);
    expect(terms).to.deep.equal([...new Set(terms)].sort());
    // Full-width and upper case read as typed on another channel.
    expect(searchTermsOf('ＡＢＣ２０２５')).to.deep.equal(searchTermsOf('abc2025'));
  });

  it('a query is read at its longest term, or at none (one character, stopwords only)', () => {
    expect(searchKeyOf('用电增容')).to.be.oneOf(searchTermsOf('用电增容'));
    expect(searchKeyOf('出口退税进度')!.length).to.be.at.least(2);
    expect(searchKeyOf('电')).to.equal(undefined);
    expect(searchKeyOf('问题')).to.equal(undefined);
    expect(searchKeyOf('  ')).to.equal(undefined);
  });

  it('every text holding a dictionary word of the corpus holds the word’s key (≥ 99 %)', function () {
    this.timeout(60_000);
    const texts = [...loadTrainingCorpus(), ...loadHeldout()].map((r) => normaliseText(r.text));
    const held = texts.map((text) => new Set(searchTermsOf(text)));
    // Every 7th text's words of two to four characters: several hundred distinct queries.
    const queries = new Set<string>();
    texts.forEach((text, i) => {
      if (i % 7) return;
      for (const w of segmenter().cut(text, false)) if (/^[\p{Script=Han}]{2,4}$/u.test(w)) queries.add(w);
    });
    expect(queries.size).to.be.at.least(300);
    let containing = 0;
    let found = 0;
    const missed: string[] = [];
    for (const query of queries) {
      // A stopword has no key: it is searched through the window of the whole list instead.
      const key = searchKeyOf(query);
      if (key === undefined) continue;
      texts.forEach((text, i) => {
        if (!text.includes(query)) return;
        containing++;
        if (held[i].has(key)) found++;
        else missed.push(`${query} in ${text.slice(0, 30)}`);
      });
    }
    const share = found / containing;
    console.log(
      `      ${queries.size} queries, ${containing} texts containing one: ${(100 * share).toFixed(2)} % found` +
        (missed.length ? `; missed e.g. ${missed.slice(0, 3).join(' | ')}` : ''),
    );
    // 99.5 % when written; a few texts cut a word across others (研究生命 holds no 究生).
    expect(share).to.be.at.least(0.99);
  });
});
