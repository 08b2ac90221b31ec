// Admin-edited configuration: units, routing rules, calendar overrides and settings.
import { expect } from 'chai';
import request from 'supertest';
import { createWorkCalendar } from '../../shared/calendar.ts';
import { expectError, unitOf, useTestApp } from './helpers.ts';

const MISSING = '0123456789abcdef01234567';

describe('api: admin configuration', () => {
  const t = useTestApp();

  describe('units (POST/PATCH)', () => {
    it('admin creates a township under its county centre; 409 on a taken code', async () => {
      const centre = unitOf(t, 'county', 'anji');
      const body = {
        code: 'anji-tianziu',
        name: '天子湖镇',
        level: 'township',
        region: 'anji',
        parentId: String(centre._id),
      };
      const res = await request(t.app)
        .post('/api/units')
        .set(await t.auth('admin'))
        .send(body);
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ code: 'anji-tianziu', parentId: String(centre._id), level: 'township' });
      expectError(
        await request(t.app)
          .post('/api/units')
          .set(await t.auth('admin'))
          .send(body),
        409,
        'duplicate',
      );
    });

    it('400 for bad input, unknown parents and cycles; 403 for non-admins; 404 for unknown ids', async () => {
      const auth = await t.auth('admin');
      const base = { code: 'x-unit', name: '测试单位', level: 'county', region: 'anji' };
      expectError(
        await request(t.app)
          .post('/api/units')
          .set(auth)
          .send({ ...base, level: 'galaxy' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app)
          .post('/api/units')
          .set(auth)
          .send({ ...base, region: 'mars' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app)
          .post('/api/units')
          .set(auth)
          .send({ ...base, parentId: MISSING }),
        400,
        'unknown_unit',
      );
      // Level and region agree (both are fixed once created): a city department is the city's, a county or
      // township unit a county's.
      for (const wrong of [
        { level: 'city', region: 'wuxing' },
        { level: 'county', region: 'city' },
        { level: 'township', region: 'city' },
      ]) {
        const res = await request(t.app)
          .post('/api/units')
          .set(auth)
          .send({ ...base, ...wrong });
        expectError(res, 400, 'validation_failed');
        expect(res.body.error.message).to.include('市级部门的区域须为湖州市');
      }
      expect(await t.models.Unit.countDocuments({ code: base.code })).to.equal(0);
      expectError(
        await request(t.app)
          .post('/api/units')
          .set(await t.auth('dispatcher'))
          .send(base),
        403,
        'forbidden',
      );
      const county = unitOf(t, 'county', 'deqing');
      const township = unitOf(t, 'township', 'deqing');
      const cycle = await request(t.app)
        .patch(`/api/units/${String(county._id)}`)
        .set(auth)
        .send({ parentId: String(township._id) });
      expectError(cycle, 400, 'invalid_parent');
      expectError(
        await request(t.app).patch(`/api/units/${MISSING}`).set(auth).send({ name: '新名称' }),
        404,
        'not_found',
      );
      expectError(
        await request(t.app)
          .patch(`/api/units/${String(county._id)}`)
          .set(auth)
          .send({ code: 'x' }),
        400,
        'validation_failed',
      );
    });

    it('a parent of another level or county is refused 400 invalid_parent (POST and PATCH); a fitting one is saved', async () => {
      const auth = await t.auth('admin');
      const anjiTown = unitOf(t, 'township', 'anji');
      const anjiCounty = unitOf(t, 'county', 'anji');
      const wuxingCounty = unitOf(t, 'county', 'wuxing');
      const wuxingTown = unitOf(t, 'township', 'wuxing');
      const cityDept = unitOf(t, 'city');
      const patch = (unit: { _id: unknown }, parent: { _id: unknown } | null) =>
        request(t.app)
          .patch(`/api/units/${String(unit._id)}`)
          .set(auth)
          .send({ parentId: parent ? String(parent._id) : null });
      const refused = [
        [anjiTown, wuxingCounty, '乡镇/街道的上级单位须为本区县的区县单位'],
        [anjiTown, cityDept, '乡镇/街道的上级单位须为本区县的区县单位'],
        [anjiCounty, wuxingCounty, '区县单位的上级单位须为市级部门'],
        [anjiCounty, wuxingTown, '区县单位的上级单位须为市级部门'],
        [cityDept, anjiCounty, '市级部门的上级单位须为市级部门'],
      ] as const;
      for (const [unit, parent, message] of refused) {
        const res = await patch(unit, parent);
        expectError(res, 400, 'invalid_parent');
        expect(res.body.error.message, `${unit.code} under ${parent.code}`).to.include(message);
      }
      expect(String((await t.models.Unit.findById(anjiTown._id).lean())!.parentId)).to.equal(
        String(anjiCounty._id),
      );
      const created = await request(t.app)
        .post('/api/units')
        .set(auth)
        .send({
          code: 'anji-x-town',
          name: '测试镇',
          level: 'township',
          region: 'anji',
          parentId: String(wuxingCounty._id),
        });
      expectError(created, 400, 'invalid_parent');
      expect(await t.models.Unit.countDocuments({ code: 'anji-x-town' })).to.equal(0);
      // A township under its own county's unit, a county unit under a city department or none: saved.
      expect((await patch(anjiTown, anjiCounty)).status).to.equal(200);
      expect((await patch(anjiCounty, null)).status).to.equal(200);
      const restored = await patch(anjiCounty, cityDept);
      expect(restored.status).to.equal(200);
      expect(restored.body.parentId).to.equal(String(cityDept._id));
    });

    it('admin renames a unit and changes its categories', async () => {
      const unit = unitOf(t, 'city');
      const res = await request(t.app)
        .patch(`/api/units/${String(unit._id)}`)
        .set(await t.auth('admin'))
        .send({ name: '市发展和改革委员会（更名）', categories: ['policy'] });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ name: '市发展和改革委员会（更名）' });
      expect(res.body.categories).to.deep.equal(['policy']);
    });
  });

  describe('routing rules', () => {
    let ruleId = '';

    it('admin creates a rule (201) that every desk can read', async () => {
      const unit = unitOf(t, 'county', 'changxing');
      const co = unitOf(t, 'city');
      const res = await request(t.app)
        .post('/api/routing-rules')
        .set(await t.auth('admin'))
        .send({
          category: 'finance',
          region: 'changxing',
          unitId: String(unit._id),
          coUnitIds: [String(co._id)],
          priority: 5,
        });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({
        category: 'finance',
        region: 'changxing',
        unitId: String(unit._id),
        enabled: true,
      });
      ruleId = res.body.id as string;
      const list = await request(t.app)
        .get('/api/routing-rules?category=finance')
        .set(await t.auth('dispatcher'))
        .expect(200);
      expect(list.body.items.map((r: { id: string }) => r.id)).to.include(ruleId);
    });

    it('400 for unknown units, a bad category or a unit that is its own co-unit; 403 for non-admins', async () => {
      const auth = await t.auth('admin');
      const unit = String(unitOf(t, 'city')._id);
      const post = (body: object) => request(t.app).post('/api/routing-rules').set(auth).send(body);
      expectError(await post({ category: 'finance', unitId: MISSING }), 400, 'unknown_unit');
      expectError(await post({ category: 'weather', unitId: unit }), 400, 'validation_failed');
      expectError(await post({ category: 'tax', unitId: unit, coUnitIds: [unit] }), 400, 'validation_failed');
      expectError(await post({ category: 'tax', unitId: unit, region: 'mars' }), 400, 'validation_failed');
      const asClerk = await request(t.app)
        .post('/api/routing-rules')
        .set(await t.auth('clerk'))
        .send({ category: 'tax', unitId: unit });
      expectError(asClerk, 403, 'forbidden');
      expectError(await request(t.app).get('/api/routing-rules'), 401, 'unauthorized');
    });

    it('admin disables and deletes the rule; 404 afterwards', async () => {
      const auth = await t.auth('admin');
      const patched = await request(t.app)
        .patch(`/api/routing-rules/${ruleId}`)
        .set(auth)
        .send({ enabled: false })
        .expect(200);
      expect(patched.body.enabled).to.equal(false);
      expectError(
        await request(t.app).patch(`/api/routing-rules/${ruleId}`).set(auth).send({}),
        400,
        'validation_failed',
      );
      await request(t.app).delete(`/api/routing-rules/${ruleId}`).set(auth).expect(204);
      expectError(await request(t.app).delete(`/api/routing-rules/${ruleId}`).set(auth), 404, 'not_found');
      expectError(
        await request(t.app).patch(`/api/routing-rules/${ruleId}`).set(auth).send({ enabled: true }),
        404,
        'not_found',
      );
    });
  });

  describe('calendar', () => {
    it('shows the 2026 Spring Festival arrangement, including the worked Saturday', async () => {
      const res = await request(t.app)
        .get('/api/calendar/days?from=2026-02-13&to=2026-02-16')
        .set(await t.auth('handler-city-tax'))
        .expect(200);
      const byDate = Object.fromEntries(
        res.body.items.map((d: { date: string; working: boolean }) => [d.date, d.working]),
      );
      expect(byDate).to.deep.equal({
        '2026-02-13': true,
        '2026-02-14': true,
        '2026-02-15': false,
        '2026-02-16': false,
      });
    });

    it("the due date a 会商决定 or 立项 form previews is counted by the deadlines' calendar, overrides included", async () => {
      const handler = await t.auth('handler-city-tax');
      const due = (q: string) => request(t.app).get(`/api/calendar/due?${q}`).set(handler);
      const now = t.clock.now();
      const plain = await due('workingDays=3');
      expect(plain.status).to.equal(200);
      expect(plain.body.dueAt).to.equal(createWorkCalendar().addWorkingDays(now, 3).toISOString());
      const admin = await t.auth('admin');
      // A day off in the middle moves the date a working day later, as it moves the deadline itself.
      await request(t.app)
        .put('/api/calendar/overrides/2026-03-03')
        .set(admin)
        .send({ kind: 'off' })
        .expect(200);
      const moved = (await due('workingDays=3').expect(200)).body.dueAt as string;
      const withOverride = createWorkCalendar({ overrides: { '2026-03-03': 'off' } });
      expect(moved).to.equal(withOverride.addWorkingDays(now, 3).toISOString());
      expect(Date.parse(moved)).to.be.above(Date.parse(plain.body.dueAt as string));
      await request(t.app).delete('/api/calendar/overrides/2026-03-03').set(admin).expect(204);
      for (const q of ['workingDays=0', 'workingDays=61', 'workingDays=2.5', 'workingDays=abc', ''])
        expectError(await due(q), 400, 'validation_failed');
      expectError(await request(t.app).get('/api/calendar/due?workingDays=3'), 401, 'unauthorized');
    });

    it('admin adds an extra day off, which the day view then reflects; and removes it', async () => {
      const auth = await t.auth('admin');
      const put = await request(t.app)
        .put('/api/calendar/overrides/2026-03-06')
        .set(auth)
        .send({ kind: 'off', note: '防汛停工' });
      expect(put.status).to.equal(200);
      expect(put.body).to.deep.equal({ date: '2026-03-06', kind: 'off', note: '防汛停工' });
      const list = await request(t.app).get('/api/calendar/overrides').set(auth).expect(200);
      expect(list.body.items).to.deep.include({ date: '2026-03-06', kind: 'off', note: '防汛停工' });
      expect(list.body.missingYears).to.be.an('array');
      const day = await request(t.app)
        .get('/api/calendar/days?from=2026-03-06&to=2026-03-06')
        .set(auth)
        .expect(200);
      expect(day.body.items[0]).to.include({ date: '2026-03-06', working: false });
      await request(t.app).delete('/api/calendar/overrides/2026-03-06').set(auth).expect(204);
      expectError(
        await request(t.app).delete('/api/calendar/overrides/2026-03-06').set(auth),
        404,
        'not_found',
      );
    });

    it('a year the admin imports in one request is no longer missing, each day with its own note', async () => {
      const auth = await t.auth('admin');
      const before = await request(t.app).get('/api/calendar/overrides').set(auth).expect(200);
      expect(before.body.missingYears).to.deep.equal([2027]);
      await request(t.app)
        .put('/api/calendar/years/2027')
        .set(auth)
        .send({ offDays: ['2027-01-01'], workDays: ['2027-02-07'], notes: { '2027-01-01': '元旦' } })
        .expect(200);
      const after = await request(t.app).get('/api/calendar/overrides').set(auth).expect(200);
      expect(after.body.missingYears).to.deep.equal([]);
      expect(after.body.items).to.deep.include.members([
        { date: '2027-01-01', kind: 'off', note: '元旦' },
        { date: '2027-02-07', kind: 'work', note: '2027年放假安排' },
      ]);
    });

    it('400 for bad dates, kinds and ranges; 403 for non-admin writes', async () => {
      const auth = await t.auth('admin');
      expectError(
        await request(t.app).put('/api/calendar/overrides/2026-02-30').set(auth).send({ kind: 'off' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).put('/api/calendar/overrides/tomorrow').set(auth).send({ kind: 'off' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).put('/api/calendar/overrides/2026-03-09').set(auth).send({ kind: 'nap' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).get('/api/calendar/days?from=2026-03-09&to=2026-03-01').set(auth),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).get('/api/calendar/days?from=2020-01-01&to=2026-01-01').set(auth),
        400,
        'validation_failed',
      );
      const asDirector = await request(t.app)
        .put('/api/calendar/overrides/2026-03-09')
        .set(await t.auth('director'))
        .send({ kind: 'off' });
      expectError(asDirector, 403, 'forbidden');
    });
  });

  describe('settings', () => {
    it('admin stores and reads a setting', async () => {
      const auth = await t.auth('admin');
      const value = { normal: { resolveWorkingDays: 4 } };
      const put = await request(t.app)
        .put('/api/settings/sla.overrides')
        .set(auth)
        .send({ value })
        .expect(200);
      expect(put.body).to.include({ key: 'sla.overrides' });
      expect(put.body.value).to.deep.equal(value);
      const list = await request(t.app).get('/api/settings').set(auth).expect(200);
      expect(list.body.items.find((s: { key: string }) => s.key === 'sla.overrides').value).to.deep.equal(
        value,
      );
    });

    it('400 for operator-like keys, a missing value or a bad key; 403 for non-admins', async () => {
      const auth = await t.auth('admin');
      expectError(
        await request(t.app)
          .put('/api/settings/x')
          .set(auth)
          .send({ value: { $where: '1' } }),
        400,
        'invalid_body',
      );
      expectError(
        await request(t.app)
          .put('/api/settings/x')
          .set(auth)
          .send({ value: { 'a.b': 1 } }),
        400,
        'validation_failed',
      );
      expectError(await request(t.app).put('/api/settings/x').set(auth).send({}), 400, 'validation_failed');
      expectError(
        await request(t.app).put('/api/settings/bad%20key').set(auth).send({ value: 1 }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app)
          .get('/api/settings')
          .set(await t.auth('director')),
        403,
        'forbidden',
      );
    });
  });
});
