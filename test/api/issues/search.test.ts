// The list's search box at scale: an issue number or a fragment of one is found through the number index,
// newest number first; other text (in due order, or without a dictionary word for the word index, which
// search-index.test.ts covers) is searched a bounded stretch of the list at a time, and the answer says
// how far it got (searchedTo) with a cursor to continue, until the whole list has been searched: the pages
// together are exactly the matching issues, in order, once each.
import { expect } from 'chai';
import { SEARCH_STEPS, SEARCH_WINDOW, searchTermOf } from '../../../server/routes/issues/issue-search.ts';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import { insertBulkIssues } from './bulk-issues.ts';
import { useIssueApp } from './fixtures.ts';
import { searchPages } from './search-pages.ts';

describe('GET /api/issues?q=: bounded search', function () {
  this.timeout(60_000);
  const t = useIssueApp();
  const { get, all } = searchPages(t);

  before(async function () {
    this.timeout(60_000);
    await insertBulkIssues(t, SEARCH_WINDOW + 600);
  });

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

  // Newest first, a query with a dictionary word reads the word index (search-index.test.ts): one character
  // has none. Due soonest always reads the window.
  for (const [sort, q] of [
    ['createdAt', '增'],
    ['dueAt', '用电增容'],
  ]) {
    it(`searches text a window at a time (sort=${sort}, q=${q}), saying how far it got, until everything is searched`, async () => {
      const order = sort === 'dueAt' ? { dueAt: 1, _id: 1 } : { createdAt: -1, _id: -1 };
      const filter = {
        $or: ['title', 'content', 'enterpriseName'].map((f) => ({ [f]: new RegExp(q) })),
        ...(sort === 'dueAt' ? { dueAt: { $ne: null } } : {}),
      };
      const expected = (
        await t.models.Issue.find(filter, { _id: 1 })
          .sort(order as never)
          .lean()
      ).map((d) => String(d._id));
      expect(expected.length).to.be.within(30, 100);
      const pages = await all(`q=${encodeURIComponent(q)}&sort=${sort}&limit=100`);
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

  it('finds by the enterprise’s name or credit code, as the search box says', async () => {
    const { name, creditCode } = t.data.enterprises[3];
    for (const [q, field] of [
      [name.slice(2, 6), 'enterpriseName'],
      [creditCode.slice(0, 12).toLowerCase(), 'enterpriseCreditCode'],
    ]) {
      const rows = await t.models.Issue.find({ [field]: { $regex: q, $options: 'i' } }, { _id: 1 })
        .sort({ createdAt: -1, _id: -1 })
        .lean();
      expect(rows.length, q).to.be.greaterThan(0);
      const pages = await all(`q=${encodeURIComponent(q)}&limit=100`);
      expect(pages.flatMap((p) => p.items.map((i) => i.id))).to.deep.equal(rows.map((d) => String(d._id)));
    }
  });

  it('a whole credit code lists its enterprise’s issues through the enterprise index, beyond any window', async () => {
    const ent = t.data.enterprises[3];
    expect(searchTermOf(` ${ent.creditCode.toLowerCase()} `)).to.deep.equal({
      kind: 'enterprise',
      creditCode: ent.creditCode,
    });
    const rows = await t.models.Issue.find({ enterpriseId: ent._id }, { _id: 1, createdAt: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .lean();
    const [boundary] = await t.models.Issue.find({}, { createdAt: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .skip(SEARCH_WINDOW)
      .limit(1)
      .lean();
    expect(
      rows.some((r) => r.createdAt < boundary.createdAt),
      'some lie beyond the text window',
    ).to.equal(true);
    const page = await get(`q=${ent.creditCode.toLowerCase()}&limit=100`);
    expect(page.items.map((i) => i.id)).to.deep.equal(rows.map((d) => String(d._id)));
    expect(page.searchedTo).to.equal(undefined);
    // An unknown enterprise, or another enterprise's filter beside it, lists nothing.
    const unknown = makeCreditCode('91330500MA2B00000');
    expect(t.data.enterprises.some((e) => e.creditCode === unknown)).to.equal(false);
    expect((await get(`q=${unknown}`)).items).to.deep.equal([]);
    const other = t.data.enterprises[4]._id;
    expect((await get(`q=${ent.creditCode}&enterpriseId=${other}`)).items).to.deep.equal([]);
    expect((await get(`q=${ent.creditCode}&enterpriseId=${ent._id}&limit=100`)).items).to.have.length(
      rows.length,
    );
  });

  it('a window step that ends among issues taken in at the same instant takes them all, and so does the window', async () => {
    // Runs of equal creation times across the first step's end and across the window's end (and past one read
    // of the rows: the window is read a step at a time).
    const newest = await t.models.Issue.find({}, { _id: 1, createdAt: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .limit(SEARCH_WINDOW + 40)
      .lean();
    const [stepEnd, windowEnd] = [SEARCH_STEPS[0], SEARCH_WINDOW];
    for (const [from, to] of [
      [stepEnd - 5, stepEnd + 5],
      [windowEnd - 10, windowEnd + 25],
    ]) {
      const ids = newest.slice(from, to).map((d) => d._id);
      await t.models.Issue.collection.updateMany(
        { _id: { $in: ids } },
        { $set: { createdAt: newest[to - 1].createdAt, content: '同一时刻受理的用电增容' } },
      );
    }
    const expected = (
      await t.models.Issue.find(
        { $or: [{ content: /增/ }, { title: /增/ }, { enterpriseName: /增/ }] },
        { _id: 1 },
      )
        .sort({ createdAt: -1, _id: -1 })
        .lean()
    ).map((d) => String(d._id));
    const pages = await all(`q=${encodeURIComponent('增')}&limit=100`);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).to.deep.equal(expected);
    // The first request's window ran to the end of the run that holds its 3,000th issue.
    expect(pages[0].searchedTo).to.equal(newest[windowEnd + 24].createdAt.toISOString());
    const first = new Set(pages[0].items.map((i) => i.id));
    const run = newest.slice(windowEnd - 10, windowEnd + 25).map((d) => String(d._id));
    expect(run.every((id) => first.has(id))).to.equal(true);
  });

  it('a page that fills inside the window pages as usual', async () => {
    const page = await get(`q=${encodeURIComponent('困难')}&limit=5`);
    expect(page.items).to.have.length(5);
    expect(page.searchedTo).to.equal(undefined);
    expect(page.next).to.be.a('string');
  });
});
