// The KPI API's direct aggregation is bounded: it runs to the end on the database thread, so over a period of
// more than DIRECT_MAX_ISSUES issues (a month or a year at a city's size) it would stall every other request.
// Before the daily rollups exist such a period answers 503 `kpi_building` (and says how far the first build
// has got); once they exist it answers from them, and forcing the direct path over it is a 400.
import { expect } from 'chai';
import request from 'supertest';
import { dayNumber } from '../../server/kpi/kpi-rollup.ts';
import { refreshRollups, rollupState, ROLLUP_FORMAT } from '../../server/kpi/kpi-rollup.store.ts';
import { DIRECT_MAX_ISSUES } from '../../server/kpi/kpi.query.ts';
import { useIssueApp, unitByCode } from './issues/fixtures.ts';
import { fixtureIssueDoc } from './kpi-fixture.ts';

const DAY = '2026-02-10';
const PERIOD = 'from=2026-02-01&to=2026-03-01';

describe('KPI direct aggregation bound', function () {
  this.timeout(300_000);
  const t = useIssueApp();

  before(async () => {
    const ent = t.data.enterprises[0];
    const unit = unitByCode(t, 'city-drc');
    const docs = [];
    for (let i = 0; i <= DIRECT_MAX_ISSUES; i++) {
      const minute = String(i % 60).padStart(2, '0');
      const hour = String(1 + (i % 20)).padStart(2, '0');
      docs.push(fixtureIssueDoc({ ent, unit, createdAt: `${DAY}T${hour}:${minute}:00+08:00` }));
    }
    await t.models.Issue.collection.insertMany(docs);
  });

  const get = async (query: string, who = 'leader') =>
    request(t.app)
      .get(`/api/kpis?${query}`)
      .set(await t.auth(who));

  it('answers 503 kpi_building, with Retry-After, while the rollups are not built', async () => {
    await rollupState(t.models).deleteMany({});
    const res = await get(`groupBy=unit&${PERIOD}`);
    expect(res.status).to.equal(503);
    expect(res.body.error.code).to.equal('kpi_building');
    expect(res.body.error.message).to.match(/统计数据正在首次生成/);
    expect(res.headers['retry-after']).to.equal('30');
    const report = await request(t.app)
      .get('/api/reports/monthly?month=2026-02')
      .set(await t.auth('leader'));
    expect(report.status).to.equal(503);
    expect(report.body.error.code).to.equal('kpi_building');
  });

  it('says how far a first build under way has got', async () => {
    const through = dayNumber(new Date('2025-06-01T00:00:00+08:00'));
    await rollupState(t.models).replaceOne(
      { _id: 'state' as never },
      { format: ROLLUP_FORMAT, build: 'b', building: { through, watermark: new Date() } },
      { upsert: true },
    );
    const res = await get(`groupBy=region&${PERIOD}`);
    expect(res.status).to.equal(503);
    expect(res.body.error.message).to.include('2025-06-01 之前的已完成');
  });

  it('still aggregates a small period directly before the rollups exist', async () => {
    await rollupState(t.models).deleteMany({});
    const res = await get('groupBy=unit&from=2026-01-01&to=2026-02-01');
    expect(res.status).to.equal(200);
    expect(res.body.source).to.equal('direct');
  });

  it('answers the large period from the rollups once built; forcing the direct path over it is a 400', async () => {
    await refreshRollups(t.models, new Date('2026-03-05T00:00:00Z'));
    const res = await get(`groupBy=unit&${PERIOD}`);
    expect(res.status).to.equal(200);
    expect(res.body.source).to.equal('rollups');
    expect(res.body.totals.received).to.be.at.least(DIRECT_MAX_ISSUES + 1);
    const direct = await get(`groupBy=unit&${PERIOD}&source=direct`);
    expect(direct.status).to.equal(400);
    expect(direct.body.error.code).to.equal('kpi_too_large');
    // A period that does not start at midnight cannot be read from the rollups: bounded the same way.
    const unaligned = await get('groupBy=unit&from=2026-02-01T03:00:00Z&to=2026-03-01');
    expect(unaligned.status).to.equal(400);
    expect(unaligned.body.error.code).to.equal('kpi_too_large');
  });
});
