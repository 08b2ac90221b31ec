// GET /api/outbox as the 通知发送 screen pages and searches it: latest first in pages of `limit` with the issue
// list's keyset cursor (`next`), stable while new rows arrive; filtered by status, by a recipient's whole name
// and by issue number, alone or together. Every page is one query on an index that delivers the order: no
// collection scan, no in-memory sort, about a page of documents read (checked through explain), and the
// indexes of older versions that could not deliver it are dropped.
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { ensureIndexes } from '../../../server/models/index.ts';
import type { OutboxDoc } from '../../../server/models/outbox.model.ts';
import { outboxFilter, outboxQuery } from '../../../server/routes/outbox/index.ts';
import { OUTBOX_ORDER, outboxPageFilter } from '../../../server/routes/outbox/outbox-list.query.ts';
import { planStages, stageNames } from '../../db/explain-stages.ts';
import { expectError } from '../helpers.ts';
import { enterpriseIn, unitByCode, useIssueApp } from '../issues/fixtures.ts';
import { fixtureIssueDoc } from '../kpi-fixture.ts';

const T0 = Date.UTC(2026, 1, 1, 2);
const STAFF = ['张明', '李华', '王芳'];
/** Rows of the busy recipient, more than a page: a filter that read documents to test would show. */
const ROWS = 600;

interface Row {
  id: string;
  createdAt: string;
  status: string;
  issueNumber: string | null;
  recipient: { name: string };
}

describe('GET /api/outbox: pages, search, and every query on an index', function () {
  this.timeout(120_000);
  const t = useIssueApp();
  const issues: { id: Types.ObjectId; number: string }[] = [];

  before(async () => {
    const ent = enterpriseIn(t, 'deqing', 0);
    const unit = unitByCode(t, 'city-drc');
    const docs = [0, 1, 2].map((i) =>
      fixtureIssueDoc({ ent, unit, createdAt: '2026-01-20T02:00:00Z', number: `HZ-2026-00012${i}` }),
    );
    await t.models.Issue.collection.insertMany(docs);
    for (const d of docs) issues.push({ id: d._id as Types.ObjectId, number: d.number as string });
    const rows = Array.from({ length: ROWS }, (_, i) => {
      // Not in step with the recipients (i % 3), so every recipient has rows of every issue.
      const issue = issues[Math.floor(i / 2) % 3]!;
      const toEnterprise = i % 5 === 0;
      return {
        _id: new Types.ObjectId(),
        key: `${String(issue.id)}:e:${i}`,
        event: toEnterprise ? 'enterprise_received' : 'dispatched',
        channel: toEnterprise ? 'sms' : 'inapp',
        recipient: toEnterprise
          ? { kind: 'enterprise', id: String(ent._id), name: ent.name, address: '13812345678' }
          : { kind: 'user', id: `u${i % 3}`, name: STAFF[i % 3], address: null },
        issueId: issue.id,
        issueNumber: issue.number,
        title: '通知',
        text: '内容',
        replyTo: null,
        // 'dead' one in 7, the rest sent: a status with few rows among many.
        status: i % 7 === 0 ? 'dead' : 'sent',
        attempts: 1,
        nextAttemptAt: new Date(T0),
        lockedUntil: null,
        lastError: i % 7 === 0 ? 'gateway unavailable' : null,
        providerId: null,
        // Three rows to a second: the cursor must settle ties on `_id`.
        createdAt: new Date(T0 + Math.floor(i / 3) * 1000),
        sentAt: null,
      };
    });
    await t.models.Outbox.collection.insertMany(rows as never);
  });

  const list = async (qs: string, as = 'admin') =>
    request(t.app)
      .get(`/api/outbox?${qs}`)
      .set(await t.auth(as));

  /** Every page of a query, following `next`. */
  async function allPages(qs: string): Promise<Row[][]> {
    const pages: Row[][] = [];
    let cursor: string | undefined;
    do {
      const res = await list(`${qs}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      pages.push(res.body.items);
      cursor = res.body.next;
    } while (cursor && pages.length < 50);
    return pages;
  }

  const latestFirst = (rows: Row[]) =>
    rows.every((r, i) => i === 0 || Date.parse(rows[i - 1]!.createdAt) >= Date.parse(r.createdAt));

  it('pages latest first with a cursor: every row once, the last page without `next`', async () => {
    const pages = await allPages('limit=100');
    expect(pages.map((p) => p.length)).to.deep.equal([100, 100, 100, 100, 100, 100]);
    const rows = pages.flat();
    expect(new Set(rows.map((r) => r.id)).size).to.equal(ROWS);
    expect(latestFirst(rows)).to.equal(true);
    // The existing fields are all still there.
    expect(rows[0]).to.include.keys(
      'id',
      'key',
      'event',
      'eventLabel',
      'channel',
      'channelLabel',
      'recipient',
      'issueId',
      'issueNumber',
      'title',
      'text',
      'status',
      'attempts',
      'nextAttemptAt',
      'lastError',
      'createdAt',
      'sentAt',
    );
  });

  it('a page opened before new rows arrive continues where it stopped', async () => {
    const first = await list('limit=50');
    const newer = await t.models.Outbox.collection.insertOne({
      ...((await t.models.Outbox.collection.findOne({}))! as OutboxDoc),
      _id: new Types.ObjectId(),
      key: 'newer',
      createdAt: new Date(T0 + 3_600_000),
    });
    const second = await list(`limit=50&cursor=${first.body.next}`);
    const expected = (await list('limit=101')).body.items.slice(51, 101).map((r: Row) => r.id);
    expect(second.body.items.map((r: Row) => r.id)).to.deep.equal(expected);
    await t.models.Outbox.collection.deleteOne({ _id: newer.insertedId });
  });

  it('finds by status, by recipient (the whole name), by issue number, and by them together', async () => {
    const dead = (await allPages('status=dead&limit=40')).flat();
    expect(dead).to.have.length(Math.ceil(ROWS / 7));
    expect(dead.every((r) => r.status === 'dead')).to.equal(true);

    const li = (await allPages(`recipient=${encodeURIComponent('李华')}&limit=100`)).flat();
    expect(li.length).to.be.greaterThan(100);
    expect(li.every((r) => r.recipient.name === '李华')).to.equal(true);
    expect(latestFirst(li)).to.equal(true);
    // Not a prefix or a fragment: a part of a name finds nothing.
    expect((await list(`recipient=${encodeURIComponent('李')}`)).body.items).to.deep.equal([]);

    const ent = enterpriseIn(t, 'deqing', 0);
    const byEnterprise = (await allPages(`recipient=${encodeURIComponent(ent.name)}&limit=100`)).flat();
    expect(byEnterprise).to.have.length(ROWS / 5);
    expect(byEnterprise[0]!.recipient).to.include({ name: ent.name, address: '138****5678' });

    const number = issues[1]!.number;
    const byNumber = (await allPages(`issueNumber=${number}&limit=100`)).flat();
    expect(byNumber).to.have.length(ROWS / 3);
    expect(byNumber.every((r) => r.issueNumber === number)).to.equal(true);
    // Typed the short way (year and sequence) or in lower case, it is the same number.
    expect((await list('issueNumber=2026-121&limit=500')).body.items).to.have.length(ROWS / 3);
    expect((await list(`issueNumber=${number.toLowerCase()}&limit=500`)).body.items).to.have.length(ROWS / 3);
    expect((await list('issueNumber=HZ-2026-999999')).body.items).to.deep.equal([]);

    const together = (
      await allPages(`status=dead&recipient=${encodeURIComponent('王芳')}&issueNumber=${number}&limit=10`)
    ).flat();
    expect(together.length).to.be.greaterThan(0);
    expect(
      together.every((r) => r.status === 'dead' && r.recipient.name === '王芳' && r.issueNumber === number),
    ).to.equal(true);
    const rows = await t.models.Outbox.collection.countDocuments({
      status: 'dead',
      'recipient.name': '王芳',
      issueNumber: number,
    });
    expect(together).to.have.length(rows);
  });

  it('400 for a bad number, recipient or cursor; 403 for anyone but an admin; 401 without a token', async () => {
    const bad = await list('issueNumber=abc');
    expectError(bad, 400, 'validation_failed');
    expect(bad.body.error.message).to.contain('HZ-2026-000123');
    expectError(await list('recipient=%20%20'), 400, 'validation_failed');
    expectError(await list('cursor=not-a-cursor'), 400, 'invalid_cursor');
    expectError(await list('limit=0'), 400, 'validation_failed');
    expectError(await list('', 'dispatcher'), 403, 'forbidden');
    expectError(await request(t.app).get('/api/outbox'), 401, 'unauthorized');
  });

  it('every page is one index scan in the list order: no collection scan, no sort, a page of documents', async () => {
    const number = issues[0]!;
    const cursorAfter = async (qs: string) => (await list(`${qs}&limit=20`)).body.next as string;
    const shapes: Array<{ qs: string; issueId?: Types.ObjectId; index: string; exact: boolean }> = [
      { qs: '', index: 'createdAt_-1__id_-1', exact: true },
      { qs: 'status=dead', index: 'status_1_createdAt_-1__id_-1', exact: true },
      {
        qs: `recipient=${encodeURIComponent('李华')}`,
        index: 'recipient.name_1_createdAt_-1__id_-1',
        exact: true,
      },
      { qs: '', issueId: number.id, index: 'issueId_1_createdAt_-1__id_-1', exact: true },
      { qs: `status=dead&recipient=${encodeURIComponent('王芳')}`, index: '', exact: false },
      { qs: 'status=dead', issueId: number.id, index: '', exact: false },
    ];
    for (const shape of shapes) {
      for (const paged of [false, true]) {
        const params = Object.fromEntries(new URLSearchParams(shape.qs));
        const q = outboxQuery.parse({ ...params, limit: '20' });
        const filter = { ...outboxFilter(q), ...(shape.issueId ? { issueId: shape.issueId } : {}) };
        const cursor = paged
          ? await cursorAfter(`${shape.qs}${shape.issueId ? `&issueId=${String(shape.issueId)}` : ''}`)
          : undefined;
        const query = t.models.Outbox.where(outboxPageFilter(filter, cursor)).cast(t.models.Outbox);
        const explained = (await t.models.Outbox.collection
          .find(query)
          .sort(OUTBOX_ORDER.sort)
          .limit(q.limit + 1)
          .explain('executionStats')) as {
          queryPlanner: { winningPlan: Record<string, unknown> };
          executionStats: { nReturned: number; totalDocsExamined: number; totalKeysExamined: number };
        };
        const label = `${shape.qs || 'all'}${shape.issueId ? ' issueId' : ''}${paged ? ' page 2' : ''}`;
        const plan = explained.queryPlanner.winningPlan;
        const stages = stageNames(plan);
        expect(stages, label).to.include('IXSCAN');
        expect(stages, label).to.not.include('COLLSCAN');
        expect(stages, label).to.not.include('SORT');
        const stats = explained.executionStats;
        expect(stats.nReturned, label).to.be.greaterThan(0);
        if (shape.exact) {
          const scan = planStages(plan).find((s) => s.stage === 'IXSCAN')!;
          expect(scan.indexName, label).to.equal(shape.index);
          // The index holds exactly the rows asked for: the page's documents, plus on a later page the rows
          // sharing the cursor row's time that the tie-break then drops (at most two others here).
          expect(stats.nReturned, label).to.equal(21);
          expect(stats.totalDocsExamined, label).to.be.at.most(stats.nReturned + (paged ? 2 : 0));
        } else {
          // Two conditions, one index: the other is tested on the rows of the first, still without a sort.
          expect(stats.totalDocsExamined, label).to.be.at.most(ROWS / 3);
        }
      }
    }
  });

  it('drops the indexes of older versions, which could not deliver the order', async () => {
    await t.models.Outbox.collection.createIndex({ createdAt: -1 });
    await t.models.Outbox.collection.createIndex({ status: 1, createdAt: -1 });
    await ensureIndexes(t.models);
    const names = (await t.models.Outbox.collection.indexes()).map((i) => i.name);
    expect(names).to.not.include('createdAt_-1');
    expect(names).to.not.include('status_1_createdAt_-1');
    expect(names).to.include.members(['createdAt_-1__id_-1', 'status_1_createdAt_-1__id_-1']);
  });
});
