// The word index's one promise: an issue whose text contains the query holds every term of the query, so
// narrowing a search to the issues holding one of them never loses a match. Checked for every substring of
// the fixture texts (Chinese, digits, letters, punctuation and full-width forms mixed in), against the terms of
// the whole text.
import { expect } from 'chai';
import { CROSS_DEPARTMENT } from '../../../server/seed/triage-texts.seed.ts';
import {
  hanWordsOf,
  onlyStopWords,
  queryTermsOf,
  searchTermsOf,
  STOP_WORDS,
  termHash,
} from '../../../server/text/search-terms.ts';
import { FIXTURE_TEXTS } from './texts.fixture.ts';

const MIXED = [
  '湖州ABC精密机械有限公司：2026年用电增容（800kVA）申请卡在供电所！',
  '员工T恤和工装采购，涉及“增值税”专用发票，ＡＢＣ１２３全角。',
  '吴兴区  织里镇 童装企业，污水纳管费用翻倍…咨询',
];

describe('search terms', () => {
  it('a text holds every term of every query it contains', () => {
    const texts = [
      ...FIXTURE_TEXTS.map((t) => t.text),
      ...CROSS_DEPARTMENT.map((t) => `${t.title}。${t.content}`),
      ...MIXED,
    ];
    let queries = 0;
    for (const text of texts) {
      const terms = new Set(searchTermsOf(text));
      for (let i = 0; i < text.length; i++) {
        for (let j = i + 2; j <= Math.min(text.length, i + 16); j++) {
          const q = text.slice(i, j);
          const missing = queryTermsOf(q).filter((h) => !terms.has(h));
          expect(missing, `${q} in ${text}`).to.deep.equal([]);
          queries++;
        }
      }
    }
    expect(queries).to.be.greaterThan(10_000);
  });

  it('a query without a dictionary word of two Chinese characters has no term', () => {
    for (const q of ['增', '，', 'ABC', '2026-01', '  ', 'kVA']) expect(queryTermsOf(q), q).to.deep.equal([]);
    expect([...hanWordsOf('用电增容')]).to.have.members(['用电', '增容']);
    expect(queryTermsOf('用电增容')).to.have.length(2);
  });

  it('the terms of several fields are each term once, as int32', () => {
    const terms = searchTermsOf('用电增容', '企业用电', null, undefined);
    expect(new Set(terms).size).to.equal(terms.length);
    expect(terms.every((h) => Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31)).to.equal(true);
    expect(terms).to.include.members(queryTermsOf('企业用电增容'));
  });

  it('leaves the stop words out of an issue’s terms and a query’s alike', () => {
    const terms = searchTermsOf('湖州某某科技有限公司', '企业用电增容');
    for (const w of STOP_WORDS) expect(terms, w).to.not.include(termHash(w));
    expect(terms).to.include.members([termHash('科技'), termHash('用电'), termHash('增容')]);
    expect(queryTermsOf('有限公司')).to.deep.equal([]);
    expect(onlyStopWords('有限公司')).to.equal(true);
    expect(queryTermsOf('湖州科技')).to.deep.equal([termHash('科技')]);
    expect(onlyStopWords('湖州科技')).to.equal(false);
    expect(onlyStopWords('ABC')).to.equal(false);
  });
});
