// Staff account administration (admin only): list, create, and change role/unit/disabled.
import { expect } from 'chai';
import { CITY_REGION } from '../../shared/roles.ts';
import request from 'supertest';
import { expectError, unitOf, useTestApp } from './helpers.ts';

describe('api: users', () => {
  const t = useTestApp();

  describe('GET /api/users', () => {
    it('401 without a token; 403 for every non-admin role', async () => {
      expectError(await request(t.app).get('/api/users'), 401, 'unauthorized');
      for (const username of ['clerk', 'dispatcher', 'director', 'leader', 'supervisor']) {
        expectError(
          await request(t.app)
            .get('/api/users')
            .set(await t.auth(username)),
          403,
          'forbidden',
        );
      }
    });

    it('lists accounts as {items:[{id, username, role, unitId}]} without secrets', async () => {
      const res = await request(t.app)
        .get('/api/users')
        .set(await t.auth('admin'))
        .expect(200);
      expect(res.body.items.length).to.equal(t.seed!.accounts.length);
      const admin = res.body.items.find((u: { username: string }) => u.username === 'admin');
      expect(admin).to.include({ role: 'admin', unitId: null });
      expect(JSON.stringify(res.body)).to.not.match(/passwordHash|scrypt|tokenVersion/);
    });

    it('filters by unitId and role; 400 for a malformed unitId', async () => {
      const unit = unitOf(t, 'city');
      const auth = await t.auth('admin');
      const res = await request(t.app)
        .get(`/api/users?unitId=${String(unit._id)}`)
        .set(auth)
        .expect(200);
      expect(res.body.items.map((u: { username: string }) => u.username).sort()).to.deep.equal(
        [`handler-${unit.code}`, `unithead-${unit.code}`].sort(),
      );
      const heads = await request(t.app).get('/api/users?role=unit_head').set(auth).expect(200);
      expect(heads.body.items.every((u: { role: string }) => u.role === 'unit_head')).to.equal(true);
      expectError(await request(t.app).get('/api/users?unitId=42').set(auth), 400, 'validation_failed');
    });
  });

  describe('POST /api/users', () => {
    it('creates a staff member who can then log in', async () => {
      const unit = unitOf(t, 'county');
      const res = await request(t.app)
        .post('/api/users')
        .set(await t.auth('admin'))
        .send({
          username: 'zhang.wei',
          name: '张伟',
          password: 'Secret-pass-1',
          role: 'handler',
          unitId: String(unit._id),
        });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({
        username: 'zhang.wei',
        role: 'handler',
        unitId: String(unit._id),
        region: unit.region,
      });
      await request(t.app)
        .post('/api/auth/login')
        .send({ username: 'zhang.wei', password: 'Secret-pass-1' })
        .expect(200);
    });

    it('a township handler takes the county of the unit, whatever region the form sent', async () => {
      const township = unitOf(t, 'township', 'deqing');
      const auth = await t.auth('admin');
      const res = await request(t.app)
        .post('/api/users')
        .set(auth)
        .send({
          username: 'xinshi.handler',
          name: '新市经办',
          password: 'Secret-pass-1',
          role: 'handler',
          unitId: String(township._id),
          region: 'city',
        });
      expect(res.status).to.equal(201);
      expect(res.body.region).to.equal('deqing');
      const edited = await request(t.app)
        .patch(`/api/users/${res.body.id}`)
        .set(auth)
        .send({ name: '新市经办', unitId: String(township._id), region: 'city' })
        .expect(200);
      expect(edited.body.region).to.equal('deqing');
    });

    it('409 duplicate for an existing username', async () => {
      const res = await request(t.app)
        .post('/api/users')
        .set(await t.auth('admin'))
        .send({ username: 'clerk', name: '重复', password: 'Secret-pass-1', role: 'clerk' });
      expectError(res, 409, 'duplicate');
    });

    it('400 with exact codes for bad input', async () => {
      const auth = await t.auth('admin');
      const post = (body: object) => request(t.app).post('/api/users').set(auth).send(body);
      const ok = { username: 'li.na', name: '李娜', password: 'Secret-pass-1', role: 'clerk' };
      expectError(await post({ ...ok, username: 'Bad Name!' }), 400, 'validation_failed');
      expectError(await post({ ...ok, password: 'short' }), 400, 'validation_failed');
      // Only digits, one character repeated, or a password guessed first (the demo's among them): refused.
      for (const weak of [
        '12345678',
        '13905721234',
        'aaaaaaaa',
        'Admin123',
        'demo1234',
        '1111aaaa'.slice(0, 4).repeat(2),
      ]) {
        const res = await post({ ...ok, password: weak });
        expectError(res, 400, 'validation_failed');
      }
      expect((await post({ ...ok, password: '12345678' })).body.error.message).to.include('至少两类');
      expect((await post({ ...ok, password: 'demo1234' })).body.error.message).to.include('过于常见');
      expectError(await post({ ...ok, role: 'emperor' }), 400, 'validation_failed');
      // Each check says what is wrong with the name (a long one was answered 请输入姓名).
      expect((await post({ ...ok, name: '李'.repeat(51) })).body.error.message).to.equal(
        '姓名不能超过50个字符',
      );
      expect((await post({ ...ok, name: '   ' })).body.error.message).to.equal('请输入姓名');
      expect((await post({ ...ok, name: 7 })).body.error.message).to.equal('姓名必须是文本');
      // A region is the leader's domain: a code no county has (a typo) made a leader who saw nothing.
      const typo = await post({ ...ok, role: 'leader', region: 'anjii' });
      expectError(typo, 400, 'validation_failed');
      expect(typo.body.error.message).to.equal('区域无效');
      expect(await t.models.User.countDocuments({ username: ok.username })).to.equal(0);
      expectError(await post({ ...ok, role: 'handler' }), 400, 'unit_required');
      expectError(
        await post({ ...ok, role: 'handler', unitId: '0123456789abcdef01234567' }),
        400,
        'unknown_unit',
      );
    });

    it('403 for non-admins, 401 without a token', async () => {
      const body = { username: 'x.y', name: 'X', password: 'Secret-pass-1', role: 'admin' };
      expectError(await request(t.app).post('/api/users').send(body), 401, 'unauthorized');
      expectError(
        await request(t.app)
          .post('/api/users')
          .set(await t.auth('director'))
          .send(body),
        403,
        'forbidden',
      );
    });
  });

  describe('PATCH /api/users/:id', () => {
    const idOf = async (username: string) => String((await t.models.User.findOne({ username }).lean())!._id);

    it('changes the role, which revokes the old token', async () => {
      const token = await t.login('supervisor');
      const res = await request(t.app)
        .patch(`/api/users/${await idOf('supervisor')}`)
        .set(await t.auth('admin'))
        .send({ role: 'director' });
      expect(res.status).to.equal(200);
      expect(res.body.role).to.equal('director');
      expectError(
        await request(t.app).get('/api/me').set('Authorization', `Bearer ${token}`),
        401,
        'invalid_token',
      );
      await request(t.app)
        .patch(`/api/users/${await idOf('supervisor')}`)
        .set(await t.auth('admin'))
        .send({ role: 'supervisor' })
        .expect(200);
    });

    it('moves a leader to another region (their domain), which revokes the old token; the same region does not', async () => {
      const id = await idOf('leader');
      const patch = async (body: object) =>
        request(t.app)
          .patch(`/api/users/${id}`)
          .set(await t.auth('admin'))
          .send(body)
          .expect(200);
      const token = await t.login('leader');
      const me = () => request(t.app).get('/api/me').set('Authorization', `Bearer ${token}`);
      await patch({ region: CITY_REGION, name: '市领导 王国平' });
      await me().expect(200);
      await patch({ region: 'anji' });
      expectError(await me(), 401, 'invalid_token');
      const typo = await request(t.app)
        .patch(`/api/users/${id}`)
        .set(await t.auth('admin'))
        .send({ region: 'nowhere' });
      expectError(typo, 400, 'validation_failed');
      expect((await t.models.User.findById(id).lean())!.region).to.equal('anji');
      await patch({ region: CITY_REGION });
    });

    it('a supervisor’s reach is the city: a county is refused 400 region_not_applicable, and a leader made supervisor is the city’s', async () => {
      const auth = await t.auth('admin');
      const base = { username: 'du.cha2', name: '督查二', password: 'Secret-pass-1', role: 'supervisor' };
      // The region would do nothing (the supervisor sees every county): refused, not saved.
      const county = await request(t.app)
        .post('/api/users')
        .set(auth)
        .send({ ...base, region: 'anji' });
      expectError(county, 400, 'region_not_applicable');
      expect(county.body.error.message).to.include('督查的工作范围为全市');
      expect(await t.models.User.countDocuments({ username: base.username })).to.equal(0);
      const created = await request(t.app).post('/api/users').set(auth).send(base).expect(201);
      expect(created.body.region).to.equal(CITY_REGION);
      const id = String(created.body.id);
      expectError(
        await request(t.app).patch(`/api/users/${id}`).set(auth).send({ region: 'anji' }),
        400,
        'region_not_applicable',
      );
      // A county leader moved to 督查 no longer holds the county.
      await request(t.app)
        .patch(`/api/users/${id}`)
        .set(auth)
        .send({ role: 'leader', region: 'anji' })
        .expect(200);
      const moved = await request(t.app)
        .patch(`/api/users/${id}`)
        .set(auth)
        .send({ role: 'supervisor' })
        .expect(200);
      expect(moved.body.region).to.equal(CITY_REGION);
    });

    it('a name change keeps the session', async () => {
      const token = await t.login('clerk');
      await request(t.app)
        .patch(`/api/users/${await idOf('clerk')}`)
        .set(await t.auth('admin'))
        .send({ name: '受理员 新名字' })
        .expect(200);
      await request(t.app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('disables and re-enables an account', async () => {
      const id = await idOf('leader');
      const auth = await t.auth('admin');
      await request(t.app).patch(`/api/users/${id}`).set(auth).send({ disabled: true }).expect(200);
      expectError(
        await request(t.app).post('/api/auth/login').send({ username: 'leader', password: 'demo1234' }),
        403,
        'account_disabled',
      );
      await request(t.app).patch(`/api/users/${id}`).set(auth).send({ disabled: false }).expect(200);
      await request(t.app)
        .post('/api/auth/login')
        .send({ username: 'leader', password: 'demo1234' })
        .expect(200);
    });

    it('403 self_lockout when an admin disables or demotes themself', async () => {
      const id = await idOf('admin');
      const auth = await t.auth('admin');
      expectError(
        await request(t.app).patch(`/api/users/${id}`).set(auth).send({ disabled: true }),
        403,
        'self_lockout',
      );
      expectError(
        await request(t.app).patch(`/api/users/${id}`).set(auth).send({ role: 'clerk' }),
        403,
        'self_lockout',
      );
    });

    it('400 for an empty or unknown change, 404 for unknown or malformed ids, 403 for non-admins', async () => {
      const auth = await t.auth('admin');
      const id = await idOf('dispatcher');
      expectError(
        await request(t.app).patch(`/api/users/${id}`).set(auth).send({}),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).patch(`/api/users/${id}`).set(auth).send({ tokenVersion: 0 }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).patch(`/api/users/${id}`).set(auth).send({ disabled: 'yes' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).patch('/api/users/0123456789abcdef01234567').set(auth).send({ disabled: true }),
        404,
        'not_found',
      );
      expectError(
        await request(t.app).patch('/api/users/nope').set(auth).send({ disabled: true }),
        404,
        'not_found',
      );
      expectError(
        await request(t.app)
          .patch(`/api/users/${id}`)
          .set(await t.auth('dispatcher'))
          .send({ disabled: true }),
        403,
        'forbidden',
      );
    });
  });
});
