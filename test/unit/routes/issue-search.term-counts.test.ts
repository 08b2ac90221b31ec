// The word index's term counts, remembered: a search of two words counted each on every request (a third of
// its commands); a count is now read again only once it is TERM_COUNT_TTL_MS old, and the least recently
// counted terms go first when TERM_COUNT_ENTRIES are held.
import { expect } from 'chai';
import { TERM_COUNT_TTL_MS, TermCounts } from '../../../server/routes/issues/issue-search.ts';

describe('TermCounts', () => {
  it('answers a count until it is TERM_COUNT_TTL_MS old, then asks for it again', () => {
    const counts = new TermCounts();
    expect(counts.get(7, 0)).to.equal(undefined);
    counts.set(7, 412, 1000);
    expect(counts.get(7, 1000)).to.equal(412);
    expect(counts.get(7, 1000 + TERM_COUNT_TTL_MS)).to.equal(412);
    expect(counts.get(7, 1001 + TERM_COUNT_TTL_MS)).to.equal(undefined);
    counts.set(7, 413, 2000 + TERM_COUNT_TTL_MS);
    expect(counts.get(7, 2000 + TERM_COUNT_TTL_MS)).to.equal(413);
  });

  it('holds so many terms, forgetting the least recently counted', () => {
    const counts = new TermCounts(60_000, 3);
    for (const term of [1, 2, 3]) counts.set(term, term * 10, 0);
    counts.set(1, 11, 5); // counted again: now the most recent
    counts.set(4, 40, 6);
    expect([1, 2, 3, 4].map((t) => counts.get(t, 10))).to.deep.equal([11, undefined, 30, 40]);
  });
});
