// GET /api/issues/export.xlsx at scale: the file holds the rows the list pages through, in its order, and one
// export of a search reads a bounded number of the list's windows; an export the bound cuts short says so (in
// the sheet's first row and a header the web app shows) instead of silently holding fewer rows.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import request from 'supertest';
import type { Actor } from '../../../shared/roles.ts';
import { exportHeaders, exportNote, exportRows } from '../../../server/routes/issues/issue-export.ts';
import { SEARCH_WINDOW } from '../../../server/routes/issues/issue-search.ts';
import { listIssuesQuery } from '../../../server/routes/issues/issues.schema.ts';
import { binary } from '../channels/files.fixtures.ts';
import { insertBulkIssues } from './bulk-issues.ts';
import { useIssueApp } from './fixtures.ts';

/** In the content of every 97th bulk issue, the oldest among them: rare, and spread over the whole list. */
const RARE = '用电增容';
/** The same issues by one character of it: no term for the word index, so searched a window at a time. */
const RARE_WINDOWED = '增';

describe('GET /api/issues/export.xlsx: bounded work, truncation said', function () {
  this.timeout(60_000);
  const t = useIssueApp();
  const clerk: Actor = { id: 'clerk-id', username: 'clerk', role: 'clerk', region: 'city' };

  before(async function () {
    this.timeout(60_000);
    await insertBulkIssues(t, SEARCH_WINDOW + 600);
  });

  async function xlsx(qs: string) {
    const res = await request(t.app)
      .get(`/api/issues/export.xlsx?${qs}`)
      .set(await t.auth('clerk'))
      .buffer(true)
      .parse(binary)
      .expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    const values = wb.getWorksheet('工单清单')!.getSheetValues() as unknown[][];
    const numbers = values
      .slice(3)
      .filter(Boolean)
      .map((r) => String(r[1]));
    return { headers: res.headers, note: String(values[1][1]), numbers };
  }

  /** The list's own pages, followed to the end: what the user could page through. */
  async function listed(qs: string): Promise<string[]> {
    const numbers: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await request(t.app)
        .get(`/api/issues?${qs}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        .set(await t.auth('clerk'))
        .expect(200);
      numbers.push(...res.body.items.map((i: { number: string }) => i.number));
      cursor = res.body.next;
    } while (cursor);
    return numbers;
  }

  it('exports a plain filtered list and a search within the bound whole, as the list pages them, unmarked', async () => {
    const plain = await xlsx('category=utilities');
    expect(plain.numbers).to.deep.equal(await listed('category=utilities'));
    expect(plain.numbers.length).to.be.greaterThan(100);
    expect(plain.note).to.equal(`导出时间：2026-03-02，共 ${plain.numbers.length} 件`);
    expect(plain.headers).not.to.have.property('x-export-truncated');

    const rare = await xlsx(`q=${encodeURIComponent(RARE)}`);
    const expected = await listed(`q=${encodeURIComponent(RARE)}`);
    expect(expected).to.have.length(Math.ceil((SEARCH_WINDOW + 600) / 97));
    expect(rare.numbers).to.deep.equal(expected);
    expect(rare.note).to.equal(`导出时间：2026-03-02，共 ${expected.length} 件`);
    expect(rare.headers).not.to.have.property('x-export-truncated');
  });

  it('stops a rare search at its budget of windows and says so, rather than reading every issue', async () => {
    const q = listIssuesQuery.parse({ q: RARE_WINDOWED });
    const whole = await exportRows(t.models, clerk, q);
    expect(whole.truncated).to.equal(undefined);

    // One window's budget over more issues than one window holds: the newest SEARCH_WINDOW issues only.
    const cut = await exportRows(t.models, clerk, q, 1);
    expect(cut.truncated).to.equal('search');
    expect(cut.rows.map((r) => r.number)).to.deep.equal(
      whole.rows.slice(0, cut.rows.length).map((r) => r.number),
    );
    expect(cut.rows.length).to.be.lessThan(whole.rows.length);
    const newest = await t.models.Issue.find({}, { createdAt: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .skip(SEARCH_WINDOW - 1)
      .limit(1)
      .lean();
    expect(cut.searchedTo).to.equal(newest[0].createdAt.toISOString());

    const day = new Date(newest[0].createdAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(exportNote(cut, t.clock.now())).to.equal(
      `导出时间：2026-03-02，共 ${cut.rows.length} 件。结果过多，仅导出前 ${cut.rows.length} 条，已搜索至 ${day}；请缩小条件`,
    );
    expect(exportHeaders(cut)).to.deep.equal({
      'X-Export-Truncated': 'search',
      'X-Export-Rows': String(cut.rows.length),
    });
    expect(exportHeaders(whole)).to.deep.equal({});
  });

  it('marks a file cut at the row cap too', () => {
    const rows = Array.from({ length: 5000 }, () => ({}) as never);
    expect(exportNote({ rows, truncated: 'rows' }, t.clock.now())).to.equal(
      '导出时间：2026-03-02，共 5000 件（已达导出上限）；请缩小条件',
    );
    expect(exportHeaders({ rows, truncated: 'rows' })).to.deep.equal({
      'X-Export-Truncated': 'rows',
      'X-Export-Rows': '5000',
    });
  });
});
