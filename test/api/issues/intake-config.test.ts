// Intake reads units, routing rules and the calendar from an in-memory snapshot. An admin's change must still
// decide the very next issue taken in by this process, and another process (a second app on the same
// database) must see it once its snapshot is older than the documented TTL.
import { expect } from 'chai';
import request from 'supertest';
import { anotherApp } from '../helpers.ts';
import { enterpriseIn, must, unitByCode, useIssueApp } from './fixtures.ts';

describe('intake configuration: admin changes decide the next issue', () => {
  const t = useIssueApp();
  const landInDeqing = { category: 'land', urgency: 'normal' };

  /** An issue of an enterprise in Deqing, taken in at the window by a clerk. */
  async function fileIssue(body: object, app = t.app) {
    return request(app)
      .post('/api/issues')
      .set(await t.auth('clerk'))
      .send({ enterprise: { creditCode: enterpriseIn(t, 'deqing').creditCode }, channel: 'window', ...body });
  }

  /** A land issue of an enterprise in Deqing. */
  const fileLandIssue = (app = t.app) =>
    fileIssue({ content: '企业反映厂房验收迟迟未办结，影响投产。', ...landInDeqing }, app);

  async function routedUnit(app = t.app): Promise<{ unitId: string; resolveBy: string }> {
    const res = await fileLandIssue(app);
    expect(res.status).to.equal(201);
    expect(res.body.state).to.equal('dispatched');
    return { unitId: res.body.unitId as string, resolveBy: res.body.deadlines.resolveBy as string };
  }

  it('a new routing rule routes the next issue; disabling it routes the one after back', async () => {
    const local = String(unitByCode(t, 'deqing-centre')._id);
    const city = String(unitByCode(t, 'city-drc')._id);
    expect((await routedUnit()).unitId).to.equal(local);

    const admin = await t.auth('admin');
    const rule = await request(t.app)
      .post('/api/routing-rules')
      .set(admin)
      .send({ category: 'land', region: 'deqing', unitId: city, priority: 9 })
      .expect(201);
    expect((await routedUnit()).unitId).to.equal(city);

    await request(t.app)
      .patch(`/api/routing-rules/${rule.body.id}`)
      .set(admin)
      .send({ enabled: false })
      .expect(200);
    expect((await routedUnit()).unitId).to.equal(local);

    await request(t.app).patch(`/api/routing-rules/${rule.body.id}`).set(admin).send({ enabled: true });
    expect((await routedUnit()).unitId).to.equal(city);
    await request(t.app).delete(`/api/routing-rules/${rule.body.id}`).set(admin).expect(204);
    expect((await routedUnit()).unitId).to.equal(local);
  });

  it('two equal rules naming the same unit still route; one naming another unit leaves it to a dispatcher', async () => {
    const city = String(unitByCode(t, 'city-drc')._id);
    const other = String(unitByCode(t, 'city-nrp')._id);
    const admin = await t.auth('admin');
    const rule = { category: 'land', region: 'deqing', priority: 9 };
    const ids: string[] = [];
    const add = async (unitId: string) => {
      const res = await request(t.app)
        .post('/api/routing-rules')
        .set(admin)
        .send({ ...rule, unitId });
      expect(res.status).to.equal(201);
      ids.push(res.body.id as string);
    };
    await add(city);
    await add(city);
    expect((await routedUnit()).unitId, 'the same answer twice is no tie').to.equal(city);
    await add(other);
    const tied = await fileLandIssue();
    expect(tied.status).to.equal(201);
    expect(tied.body.state, 'two units at the same rank: a dispatcher decides').to.equal('received');
    for (const id of ids) await request(t.app).delete(`/api/routing-rules/${id}`).set(admin).expect(204);
  });

  it('a rule with keywords routes only the issues that name one of them, at intake and on reclassification', async () => {
    const local = String(unitByCode(t, 'deqing-centre')._id);
    const city = String(unitByCode(t, 'city-drc')._id);
    const admin = await t.auth('admin');
    const rule = await request(t.app)
      .post('/api/routing-rules')
      .set(admin)
      .send({ category: 'land', unitId: city, keywords: ['验收'] })
      .expect(201);
    try {
      expect((await routedUnit()).unitId, '厂房验收… names 验收').to.equal(city);
      const other = await fileIssue({
        content: '企业新厂区用地指标迟迟批不下来，项目无法开工。',
        ...landInDeqing,
      });
      expect(other.status).to.equal(201);
      expect(other.body.unitId, 'no keyword named: the region’s unit').to.equal(local);

      // A dispatched issue of another category, reclassified to land, goes where its text says.
      const approval = await fileIssue({
        title: '新建仓库验收',
        content: '新建仓库一直约不上现场检查，请协调。',
        category: 'approval',
        urgency: 'normal',
      });
      expect(approval.status).to.equal(201);
      expect(approval.body.state).to.equal('dispatched');
      const moved = await must(t, 'dispatcher', approval.body.id as string, 'reclassify', {
        category: 'land',
        reason: '属于用地规划类',
      });
      expect(moved.unitId, 'the title names 验收').to.equal(city);
    } finally {
      await request(t.app).delete(`/api/routing-rules/${rule.body.id}`).set(admin).expect(204);
    }
  });

  it('a renamed unit is named afresh on the next issue routed to it', async () => {
    const unit = unitByCode(t, 'deqing-centre');
    await request(t.app)
      .patch(`/api/units/${String(unit._id)}`)
      .set(await t.auth('admin'))
      .send({ name: '德清县企业综合服务中心（新址）' })
      .expect(200);
    const { unitId } = await routedUnit();
    const detail = await request(t.app)
      .get(`/api/issues?unitId=${unitId}&limit=1`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(detail.body.items[0].unitName).to.equal('德清县企业综合服务中心（新址）');
    await request(t.app)
      .patch(`/api/units/${String(unit._id)}`)
      .set(await t.auth('admin'))
      .send({ name: unit.name })
      .expect(200);
  });

  it('a calendar override moves the deadline of the next issue, and removing it moves it back', async () => {
    // Monday 2 March 2026, 09:00: five working days end on Monday 9 March; a day off on Wednesday adds one.
    const before = (await routedUnit()).resolveBy;
    const admin = await t.auth('admin');
    await request(t.app)
      .put('/api/calendar/overrides/2026-03-04')
      .set(admin)
      .send({ kind: 'off', note: '临时停工' })
      .expect(200);
    const withDayOff = (await routedUnit()).resolveBy;
    expect(Date.parse(withDayOff) - Date.parse(before)).to.equal(24 * 3600_000);
    await request(t.app).delete('/api/calendar/overrides/2026-03-04').set(admin).expect(204);
    expect((await routedUnit()).resolveBy).to.equal(before);
  });

  it("another process sees an admin's change once its snapshot is older than the TTL", async () => {
    let now = 0;
    const other = anotherApp(t, { intakeConfigCache: { ttlMs: 5_000, now: () => now } });
    const local = String(unitByCode(t, 'deqing-centre')._id);
    const city = String(unitByCode(t, 'city-drc')._id);
    expect((await routedUnit(other)).unitId).to.equal(local);
    const rule = await request(t.app)
      .post('/api/routing-rules')
      .set(await t.auth('admin'))
      .send({ category: 'land', region: 'deqing', unitId: city, priority: 9 })
      .expect(201);
    // Within the TTL the other process still routes by the snapshot it has; here, at once, by the new rule.
    expect((await routedUnit(other)).unitId).to.equal(local);
    expect((await routedUnit()).unitId).to.equal(city);
    now += 5_000;
    expect((await routedUnit(other)).unitId).to.equal(city);
    await request(t.app)
      .delete(`/api/routing-rules/${rule.body.id}`)
      .set(await t.auth('admin'))
      .expect(204);
  });
});
