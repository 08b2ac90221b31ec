// The list's search box at scale: an issue number or a fragment of one is found through the number index,
// newest number first; other text through the issues holding its word (server/text/search-terms.ts), so an
// old match is found on the first request; a query without a word is searched a bounded stretch of the list
// at a time, and the answer says how far it got (searchedTo) with a cursor to continue, until the whole list
// has been searched. Either way the pages together are exactly the matching issues, in order, once each.
import { expect } from 'chai';
import request from 'supertest';
import {
  CODE_PREFIX_ENTERPRISES,
  SEARCH_WINDOW,
  searchTermOf,
} from '../../../server/routes/issues/issue-search.ts';
import { insertBulkIssues } from './bulk-issues.ts';
import { useIssueApp } from './fixtures.ts';

interface Page {
  items: { id: string; number: string; createdAt: string; dueAt: string | null }[];
  next?: string;
  searchedTo?: string;
}

describe('GET /api/issues?q=: bounded search', function () {
  this.timeout(60_000);
  const t = useIssueApp();

  before(async function () {
    this.timeout(60_000);
    await insertBulkIssues(t, SEARCH_WINDOW + 600);
  });

  async function get(qs: string): Promise<Page> {
    const res = await request(t.app)
      .get(`/api/issues?${qs}`)
      .set(await t.auth('clerk'))
      .expect(200);
    return res.body as Page;
  }

  /** Follows `next` to the end; returns the pages. */
  async function all(qs: string): Promise<Page[]> {
    const pages: Page[] = [];
    let cursor: string | undefined;
    do {
      pages.push(await get(`${qs}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
      cursor = pages[pages.length - 1].next;
    } while (cursor && pages.length < 50);
    return pages;
  }

  it('reads issue numbers and their fragments as number prefixes', () => {
    expect(searchTermOf('HZ-2026-000123')).to.deep.equal({ kind: 'number', prefix: 'HZ-2026-000123' });
    expect(searchTermOf('hz2026-0001')).to.deep.equal({ kind: 'number', prefix: 'HZ-2026-0001' });
    expect(searchTermOf('2026-0001')).to.deep.equal({ kind: 'number', prefix: 'HZ-2026-0001' });
    expect(searchTermOf('HZ-2025')).to.deep.equal({ kind: 'number', prefix: 'HZ-2025' });
    expect(searchTermOf('12345')).to.deep.equal({ kind: 'text', text: '12345' });
    expect(searchTermOf('用电 2026-01')).to.deep.equal({ kind: 'text', text: '用电 2026-01' });
  });

  it('finds by number or fragment, newest number first, paging without gaps', async () => {
    const [newest] = await t.models.Issue.find({}, { number: 1 }).sort({ number: -1 }).limit(1).lean();
    expect((await get(`q=${newest.number}`)).items.map((i) => i.number)).to.deep.equal([newest.number]);
    const prefix = 'HZ-2025-0001';
    const expected = (
      await t.models.Issue.find({ number: { $regex: `^${prefix}` } }, { number: 1 })
        .sort({ number: -1 })
        .lean()
    ).map((d) => d.number);
    expect(expected.length).to.be.greaterThan(20);
    const pages = await all(`q=${prefix.slice(3)}&limit=20`);
    expect(pages.flatMap((p) => p.items.map((i) => i.number))).to.deep.equal(expected);
    expect(pages.every((p) => p.searchedTo === undefined)).to.equal(true);
  });

  /** The ids of every issue matching `filter`, in the list's `sort` order. */
  async function expectedIds(content: RegExp, sort: string): Promise<string[]> {
    const order = sort === 'dueAt' ? { dueAt: 1, _id: 1 } : { createdAt: -1, _id: -1 };
    const filter = { content, ...(sort === 'dueAt' ? { dueAt: { $ne: null } } : {}) };
    const rows = await t.models.Issue.find(filter, { _id: 1 })
      .sort(order as never)
      .lean();
    return rows.map((d) => String(d._id));
  }

  for (const sort of ['createdAt', 'dueAt']) {
    it(`finds a word anywhere in the list on the first request (sort=${sort})`, async () => {
      const expected = await expectedIds(/用电增容/, sort);
      expect(expected.length).to.be.greaterThan(20);
      // The matches span the whole two years, far more than one window of the list.
      const pages = await all(`q=${encodeURIComponent('用电增容')}&sort=${sort}&limit=100`);
      expect(pages).to.have.length(1);
      expect(pages[0].searchedTo).to.equal(undefined);
      expect(pages[0].items.map((i) => i.id)).to.deep.equal(expected);
    });

    it(`searches a query without a word (one character) a window at a time (sort=${sort}), saying how far it got, until everything is searched`, async () => {
      const order = sort === 'dueAt' ? { dueAt: 1, _id: 1 } : { createdAt: -1, _id: -1 };
      const expected = await expectedIds(/批/, sort);
      expect(expected.length).to.be.greaterThan(20);
      const pages = await all(`q=${encodeURIComponent('批')}&sort=${sort}&limit=100`);
      expect(pages.flatMap((p) => p.items.map((i) => i.id))).to.deep.equal(expected);
      // The first request read one window: it stopped there, said where, and the next one went on.
      expect(pages.length).to.equal(2);
      const window = await t.models.Issue.find(sort === 'dueAt' ? { dueAt: { $ne: null } } : {})
        .sort(order as never)
        .skip(SEARCH_WINDOW - 1)
        .limit(1)
        .lean();
      const key = sort === 'dueAt' ? window[0].dueAt! : window[0].createdAt;
      expect(pages[0].searchedTo).to.equal(key.toISOString());
      expect(pages[0].next).to.be.a('string');
      expect(pages[1].searchedTo).to.equal(undefined);
    });
  }

  it('matches what was typed, not only its word: 增容迟 finds the same issues, 增容快 none', async () => {
    const expected = await expectedIds(/用电增容/, 'createdAt');
    const [found, none] = await Promise.all([
      all(`q=${encodeURIComponent('增容迟')}&limit=100`),
      all(`q=${encodeURIComponent('增容快')}&limit=100`),
    ]);
    expect(found.flatMap((p) => p.items.map((i) => i.id))).to.deep.equal(expected);
    expect(none.flatMap((p) => p.items)).to.deep.equal([]);
    expect(none.every((p) => p.searchedTo === undefined)).to.equal(true);
  });

  /** Every issue matching `filter`, newest first. */
  async function newestFirst(filter: Record<string, unknown>): Promise<string[]> {
    const rows = await t.models.Issue.find(filter, { _id: 1 }).sort({ createdAt: -1, _id: -1 }).lean();
    return rows.map((d) => String(d._id));
  }

  it('finds by the enterprise’s name, all of it or a word of it', async () => {
    const [{ name }] = t.data.enterprises.filter((e) => e.name.length >= 6);
    const word = name.slice(2, 4);
    for (const q of [name, word]) {
      const expected = await newestFirst({ enterpriseName: { $regex: q } });
      expect(expected.length, q).to.be.greaterThan(0);
      const pages = await all(`q=${encodeURIComponent(q)}&limit=100`);
      expect(pages.flatMap((p) => p.items.map((i) => i.id))).to.deep.equal(expected);
    }
  });

  it('finds by the credit code, whole or its start; a start most enterprises share is searched a window at a time', async () => {
    const { creditCode } = t.data.enterprises[3];
    for (const q of [creditCode, creditCode.slice(0, 10).toLowerCase()]) {
      const expected = await newestFirst({ enterpriseCreditCode: { $regex: `^${q.toUpperCase()}` } });
      expect(expected.length, q).to.be.greaterThan(0);
      const pages = await all(`q=${q}&limit=100`);
      expect(pages.flatMap((p) => p.items.map((i) => i.id))).to.deep.equal(expected);
      expect(pages[0].searchedTo, q).to.equal(undefined);
    }
    // 913305: every Huzhou enterprise (more than CODE_PREFIX_ENTERPRISES): still every match, window by window.
    const shared = '913305';
    expect(
      await t.models.Enterprise.countDocuments({ creditCode: { $regex: `^${shared}` } }),
    ).to.be.greaterThan(CODE_PREFIX_ENTERPRISES);
    const pages = await all(`q=${shared}&limit=100`);
    const expected = await newestFirst({ enterpriseCreditCode: { $regex: `^${shared}` } });
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).to.deep.equal(expected);
  });

  it('a page that fills inside the window pages as usual', async () => {
    const page = await get(`q=${encodeURIComponent('困难')}&limit=5`);
    expect(page.items).to.have.length(5);
    expect(page.searchedTo).to.equal(undefined);
    expect(page.next).to.be.a('string');
  });
});
