// The enterprise directory for the management screens: paging by cursor through a filter, the industry and
// provisional filters, and an enterprise's issue counts and KPIs on its detail.
import { expect } from 'chai';
import request from 'supertest';
import { expectError } from './helpers.ts';
import { enterpriseIn, useIssueApp } from './issues/fixtures.ts';
import { insertKpiIssues } from './kpi-fixture.ts';
import { enterpriseListFilter } from '../../server/enterprises/enterprise-list.query.ts';

describe('api: enterprise directory (paging, filters, issue figures)', function () {
  this.timeout(60_000);
  const t = useIssueApp();

  before(async () => {
    await insertKpiIssues(t);
  });

  const list = async (qs: string, as = 'clerk') => {
    const res = await request(t.app)
      .get(`/api/enterprises?${qs}`)
      .set(await t.auth(as));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { items: { id: string; name: string; region: string }[]; next?: string };
  };

  it('pages through a region by name with `next`, every enterprise once, in order', async () => {
    const expected = t.data.enterprises
      .filter((e) => e.region === 'anji')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : String(a._id) < String(b._id) ? -1 : 1))
      .map((e) => String(e._id));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`region=anji&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).to.be.at.most(7);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).to.deep.equal(expected);
  });

  it('filters by industry and by provisional', async () => {
    const industry = t.data.enterprises[3].industry;
    const want = t.data.enterprises.filter((e) => e.industry === industry).length;
    const page = await list(`industry=${encodeURIComponent(industry)}&limit=100`);
    expect(page.items).to.have.length(Math.min(want, 100));
    const target = t.data.enterprises[5];
    await t.models.Enterprise.collection.updateOne({ _id: target._id }, { $set: { provisional: true } });
    expect((await list('provisional=1')).items.map((i) => i.id)).to.deep.equal([String(target._id)]);
    expect((await list('provisional=0&limit=100')).items.map((i) => i.id)).to.not.include(String(target._id));
  });

  it('400 for a bad cursor or flag', async () => {
    const auth = await t.auth('clerk');
    expectError(await request(t.app).get('/api/enterprises?cursor=xyz').set(auth), 400, 'invalid_cursor');
    expectError(
      await request(t.app).get('/api/enterprises?provisional=maybe').set(auth),
      400,
      'validation_failed',
    );
  });

  it("the detail carries the enterprise's issue counts and KPIs (shared/kpi.ts over its issues)", async () => {
    const e = enterpriseIn(t, 'deqing', 0);
    const res = await request(t.app)
      .get(`/api/enterprises/${String(e._id)}`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    // I1, I2 and I8 closed, I9 dispatched (kpi-fixture.ts).
    expect(res.body.issueStats).to.deep.include({ total: 4, open: 1, closed: 3, overdue: 0 });
    expect(res.body.issueStats.byState).to.deep.equal({ closed: 3, dispatched: 1 });
    expect(res.body.issueStats.kpis).to.include({
      satisfactionRate: 2 / 3,
      onTimeRate: 2 / 3,
      returnRate: 0.25,
    });
    // Past its deadline (a red light, at the due time) it is 超期, as on every other screen.
    const open = { enterpriseId: e._id, state: 'dispatched' };
    await t.models.Issue.collection.updateOne(open, { $set: { warning: 'red' } });
    const red = await request(t.app)
      .get(`/api/enterprises/${String(e._id)}`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    await t.models.Issue.collection.updateOne(open, { $set: { warning: 'none' } });
    expect(red.body.issueStats).to.deep.include({ open: 1, overdue: 1 });
  });

  it('its issue figures go to the centre and to KPI readers whose scope holds it, not to units', async () => {
    const e = enterpriseIn(t, 'deqing', 0);
    const stats = async (as: string) =>
      (
        await request(t.app)
          .get(`/api/enterprises/${String(e._id)}`)
          .set(await t.auth(as))
          .expect(200)
      ).body.issueStats;
    const leader = await t.models.User.findOne({ username: 'leader' }).lean();
    const { _id: _drop, ...rest } = leader!;
    for (const region of ['deqing', 'anji'])
      await t.models.User.collection.insertOne({ ...rest, username: `leader-${region}`, region });
    for (const as of ['clerk', 'leader', 'supervisor', 'leader-deqing'])
      expect(await stats(as), as).to.be.an('object');
    for (const as of ['handler-city-tax', 'leader-anji']) expect(await stats(as), as).to.equal(undefined);
  });
});

describe('api: finding an enterprise by its registered mobile (a clerk on the phone)', function () {
  this.timeout(60_000);
  const t = useIssueApp();

  it('finds it by the full number, masked as the directory shows it to each role', async () => {
    const e = enterpriseIn(t, 'deqing', 2);
    const rows = async (as: string) => (await listAs(t, `q=${e.mobile}`, as)).items;
    const clerk = await rows('clerk');
    expect(clerk.map((i) => i.id)).to.deep.equal([String(e._id)]);
    // Only the roles that read the mobile find by it (security-review.test.ts); the row is masked even for them.
    for (const as of ['clerk', 'director']) {
      const [row] = await rows(as);
      expect(row, as).to.include({
        id: String(e._id),
        mobileMasked: `${e.mobile.slice(0, 3)}****${e.mobile.slice(7)}`,
      });
      expect(JSON.stringify(row), as).to.not.contain(e.mobile);
    }
    const [byName] = (await listAs(t, `q=${encodeURIComponent(e.name)}`, 'leader')).items;
    expect(byName.ownerName).to.equal(`${e.ownerName.slice(0, 1)}**`);
    const spaced = `${e.mobile.slice(0, 3)} ${e.mobile.slice(3, 7)}-${e.mobile.slice(7)}`;
    expect((await listAs(t, `q=${encodeURIComponent(spaced)}`, 'clerk')).items).to.have.length(1);
    // A part of the number finds nothing: only the whole registered number identifies a caller.
    expect((await listAs(t, `q=${e.mobile.slice(0, 7)}`, 'clerk')).items).to.deep.equal([]);
  });

  it('reads the mobile index, not every enterprise', async () => {
    const e = enterpriseIn(t, 'anji', 1);
    const explained = await t.models.Enterprise.collection
      .find(enterpriseListFilter({ q: e.mobile, byMobile: true, limit: 20 }) as never)
      .sort({ name: 1, _id: 1 })
      .limit(21)
      .explain('executionStats');
    const stats = explained.executionStats as { totalKeysExamined: number; nReturned: number };
    expect(stats.nReturned).to.equal(1);
    expect(stats.totalKeysExamined).to.be.at.most(3);
    expect(JSON.stringify(explained.queryPlanner.winningPlan)).to.contain('mobile_1');
  });
});

async function listAs(t: ReturnType<typeof useIssueApp>, qs: string, as: string) {
  const res = await request(t.app)
    .get(`/api/enterprises?${qs}`)
    .set(await t.auth(as));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body as { items: { id: string; mobileMasked: string; ownerName: string }[] };
}
