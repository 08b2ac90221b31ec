// GET /api/issues and GET /api/issues/:id: filters, keyset pagination, literal text search, and visibility
// (a handler sees their unit's issues only; an invisible issue is a 404, never a 403).
import { expect } from 'chai';
import request from 'supertest';
import { DAY_MS } from '../../../shared/clock.ts';
import { presentIssueSummary, type IssueSummaryDoc } from '../../../server/presenters/issue.presenter.ts';
import { demoNameOf, expectError } from '../helpers.ts';
import {
  enterpriseIn,
  getIssue,
  handlerOf,
  inProgressIssue,
  must,
  postIssue,
  readPages,
  receivedIssue,
  unitByCode,
  useIssueApp,
} from './fixtures.ts';

type Item = {
  id: string;
  state: string;
  category: string;
  unitId: string | null;
  createdAt: string;
  dueAt: string;
};

describe('GET /api/issues and /api/issues/:id', () => {
  const t = useIssueApp();
  let landId: string;
  let taxId: string;
  let policyId: string;
  const startedAt = () => t.clock.now();
  let from: Date;

  before(async () => {
    from = startedAt();
    landId = (await postIssue(t, 'clerk', { category: 'land', urgency: 'normal', title: '厂房验收(加急)*' }))
      .body.id;
    t.clock.advance(60_000);
    taxId = (await postIssue(t, 'clerk', { category: 'tax', urgency: 'urgent', channel: 'hotline12345' }))
      .body.id;
    t.clock.advance(60_000);
    policyId = await receivedIssue(t, { content: '人才补贴迟迟未到账' });
    for (let i = 0; i < 5; i++) {
      t.clock.advance(60_000);
      await postIssue(t, 'clerk', { category: 'finance', urgency: 'normal', content: `贷款审批第${i}次` });
    }
  });

  describe('list', () => {
    it('401 without a token', async () => {
      expectError(await request(t.app).get('/api/issues'), 401, 'unauthorized');
    });

    it('400 validation_failed for a bad filter, limit or sort', async () => {
      const get = async (qs: string) =>
        request(t.app)
          .get(`/api/issues?${qs}`)
          .set(await t.auth('clerk'));
      expectError(await get('state=done'), 400, 'validation_failed');
      expectError(await get('limit=101'), 400, 'validation_failed');
      expectError(await get('limit=0'), 400, 'validation_failed');
      expectError(await get('sort=title'), 400, 'validation_failed');
      expectError(await get('unitId=xyz'), 400, 'validation_failed');
      expectError(await get('from=yesterday'), 400, 'validation_failed');
      expectError(await get('cursor=garbage'), 400, 'invalid_cursor');
    });

    it('400 invalid_query for a filter given as a list or an object, never an unfiltered list', async () => {
      const auth = await t.auth('clerk');
      const get = (path: string) => request(t.app).get(path).set(auth);
      for (const qs of [
        'state[]=received&state[]=dispatched',
        'state[x]=received',
        'category[0]=land',
        'state=received&state=dispatched',
        'q=a&q=b',
      ]) {
        for (const path of [`/api/issues?${qs}`, `/api/issues/export.xlsx?${qs}`]) {
          const res = await get(path);
          expectError(res, 400, 'invalid_query');
          expect(res.body.error.message, path).to.match(/^查询参数 \S+ (格式无效|只能出现一次)：/);
        }
      }
      const repeated = await get('/api/issues?state=received&state=dispatched');
      expect(repeated.body.error).to.deep.equal({
        code: 'invalid_query',
        message: '查询参数 state 只能出现一次：多个取值请用英文逗号分隔，如 state=a,b',
        field: 'state',
      });
      const bracketed = await get('/api/issues?state[]=received');
      expect(bracketed.body.error).to.deep.equal({
        code: 'invalid_query',
        message: '查询参数 state[] 格式无效：应写成 state=取值，多个取值用英文逗号分隔',
        field: 'state',
      });
      // The comma-separated form stays the way to ask for several values.
      const several = await get('/api/issues?state=received,dispatched&limit=100');
      expect(several.status).to.equal(200);
      expect(several.body.items.map((i: Item) => i.state)).to.include.members(['received', 'dispatched']);
    });

    it('lists newest first with {items, next}, filtered by state, category, channel and unit', async () => {
      const res = await request(t.app)
        .get('/api/issues')
        .set(await t.auth('clerk'))
        .expect(200);
      expect(res.body.items.length).to.equal(8);
      const times = res.body.items.map((i: Item) => Date.parse(i.createdAt));
      expect(times).to.deep.equal([...times].sort((a, b) => b - a));
      const byState = await request(t.app)
        .get('/api/issues?state=received')
        .set(await t.auth('clerk'));
      expect(byState.body.items.map((i: Item) => i.id)).to.deep.equal([policyId]);
      const byCat = await request(t.app)
        .get('/api/issues?category=tax,land')
        .set(await t.auth('clerk'));
      expect(byCat.body.items.map((i: Item) => i.id).sort()).to.deep.equal([landId, taxId].sort());
      const byChannel = await request(t.app)
        .get('/api/issues?channel=hotline12345')
        .set(await t.auth('clerk'));
      expect(byChannel.body.items.map((i: Item) => i.id)).to.deep.equal([taxId]);
      const unitId = String(unitByCode(t, 'deqing-centre')._id);
      const byUnit = await request(t.app)
        .get(`/api/issues?unitId=${unitId}`)
        .set(await t.auth('clerk'));
      expect(byUnit.body.items.map((i: Item) => i.id)).to.deep.equal([landId]);
      const byUrgency = await request(t.app)
        .get('/api/issues?urgency=urgent&warning=none')
        .set(await t.auth('clerk'));
      expect(byUrgency.body.items.map((i: Item) => i.id)).to.deep.equal([taxId]);
    });

    it('filters by enterprise and by creation date range', async () => {
      const e = enterpriseIn(t, 'deqing');
      const mine = await request(t.app)
        .get(`/api/issues?enterpriseId=${String(e._id)}&limit=100`)
        .set(await t.auth('clerk'));
      expect(mine.body.items).to.have.length(8);
      const to = new Date(from.getTime() + 90_000).toISOString();
      const early = await request(t.app)
        .get(`/api/issues?from=${from.toISOString()}&to=${to}`)
        .set(await t.auth('clerk'));
      expect(early.body.items.map((i: Item) => i.id).sort()).to.deep.equal([landId, taxId].sort());
      const later = new Date(from.getTime() + DAY_MS).toISOString();
      const none = await request(t.app)
        .get(`/api/issues?from=${later}`)
        .set(await t.auth('clerk'));
      expect(none.body.items).to.deep.equal([]);
    });

    it('pages with an opaque cursor without gaps or repeats', async () => {
      const { items, pages } = await readPages<Item>(t, 'clerk', '', 3);
      const seen = items.map((i) => i.id);
      expect(pages).to.equal(3);
      expect(new Set(seen).size).to.equal(8);
    });

    it('sort=oldest pages the same issues oldest first: the newest-first list reversed', async () => {
      const read = async (sort: string) =>
        (await readPages<Item>(t, 'clerk', `sort=${sort}`, 3)).items.map((i) => i.id);
      const newest = await read('createdAt');
      expect(newest).to.have.length(8);
      expect(await read('oldest')).to.deep.equal([...newest].reverse());
      // The first page is the two taken in first.
      const first = await request(t.app)
        .get('/api/issues?sort=oldest&limit=2')
        .set(await t.auth('clerk'))
        .expect(200);
      expect(first.body.items.map((i: Item) => i.id)).to.deep.equal(newest.slice(-2).reverse());
    });

    it('sorts by due date, soonest first, then the issues without one yet, oldest first, in pages', async () => {
      // They used to be left out while a drill-down's total counted them: the leader's 当前超期 said 28 and
      // listed 25 (the three were overdue in 待受理).
      const { items: all, next } = await readPages<Item>(t, 'clerk', 'sort=dueAt', 3);
      expect(next).to.equal(undefined);
      expect(all).to.have.length(8);
      expect(new Set(all.map((i) => i.id)).size).to.equal(8);
      expect(all[0].id).to.equal(taxId); // urgent: 3 working days
      const withDue = all.filter((i) => i.dueAt);
      const without = all.filter((i) => !i.dueAt);
      expect(withDue.length).to.be.above(0);
      expect(without.map((i) => i.id)).to.include(policyId);
      expect(all.slice(0, withDue.length), 'dated first').to.deep.equal(withDue);
      const due = withDue.map((i) => Date.parse(i.dueAt));
      expect(due).to.deep.equal([...due].sort((a, b) => a - b));
      const ids = without.map((i) => i.id);
      expect(ids, 'then oldest first').to.deep.equal([...ids].sort());
      // A page the dated issues fill exactly still leads on to the undated ones.
      const exact = await request(t.app)
        .get(`/api/issues?sort=dueAt&limit=${withDue.length}`)
        .set(await t.auth('clerk'))
        .expect(200);
      expect(exact.body.items.map((i: Item) => i.id)).to.deep.equal(withDue.map((i) => i.id));
      expect(exact.body.next, 'a next page holds the undated issues').to.be.a('string');
      const rest = await request(t.app)
        .get(`/api/issues?sort=dueAt&limit=100&cursor=${encodeURIComponent(exact.body.next)}`)
        .set(await t.auth('clerk'))
        .expect(200);
      expect(rest.body.items.map((i: Item) => i.id)).to.deep.equal(ids);
      // A search keeps to the dated issues, and refuses the undated part's cursor.
      const undatedCursor = Buffer.from(JSON.stringify({ u: ids[0] })).toString('base64url');
      const refused = await request(t.app)
        .get(`/api/issues?sort=dueAt&q=${encodeURIComponent('补贴')}&cursor=${undatedCursor}`)
        .set(await t.auth('clerk'));
      expect(refused.status).to.equal(400);
      expect(refused.body.error.code).to.equal('invalid_cursor');
    });

    it('searches title, content and number literally (regex characters are escaped)', async () => {
      const q = async (text: string) =>
        (
          await request(t.app)
            .get(`/api/issues?q=${encodeURIComponent(text)}`)
            .set(await t.auth('clerk'))
        ).body.items;
      expect((await q('(加急)*')).map((i: Item) => i.id)).to.deep.equal([landId]);
      expect(await q('.*')).to.deep.equal([]);
      expect((await q('人才补贴')).map((i: Item) => i.id)).to.deep.equal([policyId]);
      const number = (
        await request(t.app)
          .get(`/api/issues/${taxId}`)
          .set(await t.auth('clerk'))
      ).body.number;
      expect((await q(number)).map((i: Item) => i.id)).to.deep.equal([taxId]);
    });

    it("a handler sees only their unit's issues, whatever unitId they ask for; admin sees none", async () => {
      const own = await request(t.app)
        .get('/api/issues')
        .set(await t.auth(handlerOf('deqing-centre')));
      expect(own.body.items.map((i: Item) => i.id)).to.deep.equal([landId]);
      const other = String(unitByCode(t, 'city-tax')._id);
      const peek = await request(t.app)
        .get(`/api/issues?unitId=${other}`)
        .set(await t.auth(handlerOf('deqing-centre')));
      expect(peek.body.items).to.deep.equal([]);
      const admin = await request(t.app)
        .get('/api/issues')
        .set(await t.auth('admin'));
      expect(admin.body.items).to.deep.equal([]);
    });

    it('a co-unit sees the issue too', async () => {
      const id = await receivedIssue(t);
      const coUnit = String(unitByCode(t, 'city-sci')._id);
      await must(t, 'dispatcher', id, 'dispatch', {
        unitId: String(unitByCode(t, 'city-drc')._id),
        coUnitIds: [coUnit],
      });
      const res = await request(t.app)
        .get('/api/issues')
        .set(await t.auth(handlerOf('city-sci')));
      expect(res.body.items.map((i: Item) => i.id)).to.include(id);
    });
  });

  describe('detail', () => {
    it('401 without a token, 400 invalid_id for a malformed id, 404 for an unknown one', async () => {
      expectError(await request(t.app).get(`/api/issues/${landId}`), 401, 'unauthorized');
      expectError(
        await request(t.app)
          .get('/api/issues/abc')
          .set(await t.auth('clerk')),
        400,
        'invalid_id',
      );
      const unknown = await request(t.app)
        .get('/api/issues/0123456789abcdef01234567')
        .set(await t.auth('clerk'));
      expectError(unknown, 404, 'not_found');
    });

    it("404 (not 403) for another unit's handler, so existence does not leak", async () => {
      const res = await request(t.app)
        .get(`/api/issues/${landId}`)
        .set(await t.auth(handlerOf('city-tax')));
      expectError(res, 404, 'not_found');
    });

    it('returns the contract fields and the timeline, internal notes included for staff', async () => {
      await must(t, handlerOf('deqing-centre'), landId, 'sign');
      await must(t, handlerOf('deqing-centre'), landId, 'note', {
        text: '内部：已联系自然资源部门',
        public: false,
      });
      const res = await request(t.app)
        .get(`/api/issues/${landId}`)
        .set(await t.auth(handlerOf('deqing-centre')));
      expect(res.status).to.equal(200);
      for (const key of [
        'state',
        'category',
        'urgency',
        'unitId',
        'tier',
        'deadlines',
        'warning',
        'timeline',
        'version',
      ]) {
        expect(res.body).to.have.property(key);
      }
      expect(res.body).to.include({
        state: 'in_progress',
        tier: 'section',
        warning: 'none',
        unitName: '德清县企业综合服务中心',
      });
      const last = res.body.timeline.at(-1);
      expect(last).to.include({ action: 'note', public: false, note: '内部：已联系自然资源部门' });
      expect(last.actorName).to.equal(demoNameOf(handlerOf('deqing-centre')));
      expect(res.body).to.not.have.property('_id');
    });

    it('an issue waiting in 待受理 carries its triage clock (the desk card counts down to it)', async () => {
      const res = await request(t.app)
        .get(`/api/issues/${policyId}`)
        .set(await t.auth('dispatcher'));
      expect(res.body.state).to.equal('received');
      expect(res.body.dueAt).to.equal(null);
      const triage = res.body.triage;
      expect(triage).to.have.all.keys('startAt', 'yellowAt', 'dueAt', 'overdueAt');
      expect(triage.startAt).to.equal(res.body.createdAt);
      const [start, yellow, due, overdue] = ['startAt', 'yellowAt', 'dueAt', 'overdueAt'].map((k) =>
        Date.parse(triage[k]),
      );
      expect(start < yellow && yellow < due && due < overdue).to.equal(true);
    });

    it('says what a 申请延期 may ask for under the policy in force, and how many are left', async () => {
      // The default policy: 特急 1 working day at most, 一般 5; one extension per issue.
      const critical = await inProgressIssue(t, 'city-drc', { urgency: 'critical' });
      const normal = await inProgressIssue(t, 'city-drc', { urgency: 'normal' });
      const h = handlerOf('city-drc');
      expect((await getIssue(t, h, critical)).body.extension).to.deep.equal({ maxWorkingDays: 1, left: 1 });
      await must(t, h, normal, 'request_extension', { workingDays: 3, reason: '需补充材料' });
      await must(t, 'dispatcher', normal, 'approve_extension');
      expect((await getIssue(t, h, normal)).body.extension).to.deep.equal({ maxWorkingDays: 5, left: 0 });
    });
  });

  describe('list rows', () => {
    it("each row is the detail's summary: the list's narrow read leaves out nothing a row shows", async () => {
      // An issue with a unit, an assignee (the signer), urging and a due date, beside the fixture's others.
      const id = await inProgressIssue(t, 'city-drc');
      await must(t, 'director', id, 'urge', { note: '请加快办理' });
      const res = await request(t.app)
        .get('/api/issues?limit=100')
        .set(await t.auth('director'))
        .expect(200);
      const rows = res.body.items as Array<Record<string, unknown>>;
      expect(rows.map((r) => r.id)).to.include(id);
      // Every field a row has (the presenter names them all, with nulls for what an issue lacks).
      const rowKeys = Object.keys(presentIssueSummary({} as IssueSummaryDoc));
      for (const row of rows) {
        const detail = (await getIssue(t, 'director', row.id as string)).body as Record<string, unknown>;
        expect(Object.keys(row)).to.have.members(rowKeys);
        const summaryOfDetail = Object.fromEntries(rowKeys.map((k) => [k, detail[k]]));
        // The detail's enterprise adds the credit code to the row's id and name.
        const { id: entId, name } = detail.enterprise as Record<string, unknown>;
        summaryOfDetail.enterprise = { id: entId, name };
        expect(row, row.number as string).to.deep.equal(summaryOfDetail);
      }
      const signed = rows.find((r) => r.id === id)!;
      expect(signed.assigneeId).to.be.a('string');
      expect(signed.urged).to.equal(true);
      expect(signed.unitName).to.be.a('string');
    });
  });
});
