// The list search's word index: newest first, a query with a dictionary word reads only the issues holding
// that word's term, so an issue far older than the search window is found on the first request; the literal
// match still decides (an issue holding both words of the query but not the phrase is not listed), the list's
// filters and cursor work as on any page; issues stored before the index get their terms in the background,
// and until they have them a search finds them as it did before the index.
import { expect } from 'chai';
import { SEARCH_WINDOW } from '../../../server/routes/issues/issue-search.ts';
import {
  beginSearchTerms,
  fillSearchTermsBatch,
  searchTermsFrontier,
} from '../../../server/jobs/search-terms.job.ts';
import { searchTermsOf, termHash } from '../../../server/text/search-terms.ts';
import { insertBulkIssues } from './bulk-issues.ts';
import { useIssueApp } from './fixtures.ts';
import { searchPages } from './search-pages.ts';

describe('GET /api/issues?q=: the word index', function () {
  this.timeout(60_000);
  const t = useIssueApp();
  const { get, all } = searchPages(t);
  const NEWEST = { createdAt: -1, _id: -1 } as const;

  before(async function () {
    this.timeout(60_000);
    await insertBulkIssues(t, SEARCH_WINDOW + 600);
  });

  const idsOf = async (filter: object) =>
    (await t.models.Issue.find(filter, { _id: 1 }).sort(NEWEST).lean()).map((d) => String(d._id));

  /** The `_id` of the newest issue older than the text window. */
  async function beyondWindow(skip = 0) {
    const [row] = await t.models.Issue.find({}, { _id: 1 })
      .sort(NEWEST)
      .skip(SEARCH_WINDOW + 100 + skip)
      .limit(1)
      .lean();
    return row._id;
  }

  it('finds every matching issue, old ones beyond the window included, in one request', async () => {
    const expected = await idsOf({ content: /用电增容/ });
    const [boundary] = await t.models.Issue.find({}, { createdAt: 1 })
      .sort(NEWEST)
      .skip(SEARCH_WINDOW)
      .lean();
    const old = await t.models.Issue.countDocuments({
      content: /用电增容/,
      createdAt: { $lt: boundary.createdAt },
    });
    expect(old, 'matches beyond the window').to.be.greaterThan(0);
    const page = await get(`q=${encodeURIComponent('用电增容')}&limit=100`);
    expect(page.items.map((i) => i.id)).to.deep.equal(expected);
    expect(page.searchedTo).to.equal(undefined);
    expect(page.next).to.equal(undefined);
  });

  it('lists only issues holding the phrase, not those holding its words apart', async () => {
    const apart = await beyondWindow(7);
    const content = '用电负荷上来了，增容至今未批复。';
    await t.models.Issue.collection.updateOne(
      { _id: apart },
      { $set: { content, searchTerms: searchTermsOf('问题', content) } },
    );
    const ids = (await get(`q=${encodeURIComponent('用电增容')}&limit=100`)).items.map((i) => i.id);
    expect(ids).to.not.include(String(apart));
    expect(ids).to.deep.equal(await idsOf({ content: /用电增容/ }));
    // Its own words find it, old as it is.
    const own = await get(`q=${encodeURIComponent('增容至今')}&limit=100`);
    expect(own.items.map((i) => i.id)).to.deep.equal([String(apart)]);
  });

  it('counts a query’s words once a while, and lists exactly the matches written since', async () => {
    const issues = t.models.Issue.collection;
    const countDocuments = issues.countDocuments.bind(issues);
    let counted = 0;
    issues.countDocuments = ((...args: Parameters<typeof countDocuments>) => {
      counted++;
      return countDocuments(...args);
    }) as typeof issues.countDocuments;
    try {
      // 增容 was counted by the searches above (the app's counts outlive a test), 迟迟 not yet.
      const q = `q=${encodeURIComponent('增容迟迟')}&limit=100`;
      await get(q);
      expect(counted, 'its new word counted').to.equal(1);
      // Two more matches, one of them far beyond the window: the counts are a little off, the list is not.
      for (const _id of [await beyondWindow(11), await beyondWindow(-SEARCH_WINDOW)]) {
        const content = '园区企业增容迟迟排不上。';
        await issues.updateOne({ _id }, { $set: { content, searchTerms: searchTermsOf(content) } });
      }
      const page = await get(q);
      expect(counted, 'not counted again').to.equal(1);
      const expected = await idsOf({ content: /增容迟迟/ });
      expect(expected.length).to.be.greaterThan(30);
      expect(page.items.map((i) => i.id)).to.deep.equal(expected);
    } finally {
      issues.countDocuments = countDocuments;
    }
  });

  it('searches the newest rows for stop words only (企业), which no issue’s terms hold', async () => {
    expect(await t.models.Issue.countDocuments({ searchTerms: termHash('企业') })).to.equal(0);
    const page = await get(`q=${encodeURIComponent('企业')}&limit=20`);
    const expected = (await idsOf({ content: /企业/ })).slice(0, 20);
    expect(page.items.map((i) => i.id)).to.deep.equal(expected);
    expect(page.next).to.be.a('string');
  });

  it('lists a page its first read filled from that read alone, rows as the plain list shows them', async () => {
    const Issue = t.models.Issue;
    const find = Issue.find;
    let pageReads = 0;
    // The page's read by `_id` (the search's filters are cast through `find` too, without a read).
    Issue.find = function (this: typeof Issue, ...args: Parameters<typeof find>) {
      if ((args[0] as { _id?: { $in?: unknown } } | undefined)?._id?.$in) pageReads++;
      return find.apply(this, args);
    } as typeof find;
    try {
      // Every issue's content holds 企业: the search's page is the plain list's first page.
      const page = await get(`q=${encodeURIComponent('企业')}&limit=20`);
      const reads = pageReads;
      const plain = await get('limit=20');
      expect(reads, 'reads by _id').to.equal(0);
      expect(page.items).to.deep.equal(plain.items);
      // A term's issues (用电增容: nearly each of them matches), the same.
      pageReads = 0;
      const term = await get(`q=${encodeURIComponent('用电增容')}&limit=5`);
      expect(pageReads, 'reads by _id').to.equal(0);
      expect(term.items.map((i) => i.id)).to.deep.equal((await idsOf({ content: /用电增容/ })).slice(0, 5));
    } finally {
      Issue.find = find;
    }
  });

  it('keeps the list’s filters and pages through the matches with the cursor', async () => {
    const expected = await idsOf({ content: /用电增容/, state: 'closed' });
    expect(expected.length).to.be.greaterThan(6);
    const pages = await all(`q=${encodeURIComponent('用电增容')}&state=closed&limit=3`);
    expect(pages.length).to.equal(Math.ceil(expected.length / 3));
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).to.deep.equal(expected);
    expect(pages.every((p) => p.items.every((i) => i.state === 'closed'))).to.equal(true);
    expect(pages.every((p) => p.searchedTo === undefined)).to.equal(true);
  });
});

describe('GET /api/issues?q=: issues stored before the word index', function () {
  this.timeout(60_000);
  const t = useIssueApp();
  const { get, all } = searchPages(t);
  const q = `q=${encodeURIComponent('用电增容')}&limit=20`;
  let expected: string[];

  before(async function () {
    this.timeout(60_000);
    await insertBulkIssues(t, SEARCH_WINDOW + 600);
    // Stored by a version before the index: no terms, and the first start of this one records where it stands.
    await t.models.Issue.collection.updateMany({}, { $unset: { searchTerms: '' } });
    await beginSearchTerms(t.models, t.clock.now());
    expected = (
      await t.models.Issue.find({ content: /用电增容/ }, { _id: 1 })
        .sort({ createdAt: -1, _id: -1 })
        .lean()
    ).map((d) => String(d._id));
    expect(expected.length).to.be.greaterThan(20);
  });

  const found = async () => (await all(q)).flatMap((p) => p.items.map((i) => i.id));

  it('finds every match, in order, before, while and after they are given their terms', async () => {
    const [newest] = await t.models.Issue.find({}, { createdAt: 1 }).sort({ createdAt: -1 }).limit(1).lean();
    expect(await searchTermsFrontier(t.models)).to.deep.equal(newest.createdAt);
    // None has terms: the window, as before the index (a first request stops at its end).
    expect(await found()).to.deep.equal(expected);
    expect((await get(q.replace('limit=20', 'limit=100'))).searchedTo).to.be.a('string');
    // The newest 1,000 have them: the index for those, the window below.
    expect(await fillSearchTermsBatch(t.models, t.clock.now(), 1000)).to.equal(true);
    const frontier = (await searchTermsFrontier(t.models))!;
    expect(frontier.getTime()).to.be.below(newest.createdAt.getTime());
    expect(await found()).to.deep.equal(expected);
    // All of them: one request finds them all.
    while (await fillSearchTermsBatch(t.models, t.clock.now(), 1000));
    expect(await searchTermsFrontier(t.models)).to.equal(undefined);
    expect(await t.models.Issue.countDocuments({ searchTerms: { $exists: false } })).to.equal(0);
    const page = await get(`${q.replace('limit=20', 'limit=100')}`);
    expect(page.items.map((i) => i.id)).to.deep.equal(expected);
    expect(page.searchedTo).to.equal(undefined);
  });
});
