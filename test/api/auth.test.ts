// Staff identity: login, the generic credential error, rate limiting, token checks, logout and revocation.
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createSimulatedClock, HOUR_MS } from '../../shared/clock.ts';
import { anotherApp, expectError, TEST_JWT_SECRET, TEST_START, useTestApp, unitOf } from './helpers.ts';

describe('api: auth', () => {
  const t = useTestApp();

  describe('POST /api/auth/login', () => {
    it('returns a token and the §10 user shape for a demo account', async () => {
      const res = await request(t.app)
        .post('/api/auth/login')
        .send({ username: 'dispatcher', password: 'demo1234' });
      expect(res.status).to.equal(200);
      expect(res.body.token).to.be.a('string');
      expect(res.body.user).to.include({ username: 'dispatcher', role: 'dispatcher', unitId: null });
      expect(res.body.user.id).to.match(/^[0-9a-f]{24}$/);
      expect(res.body.user).to.not.have.any.keys('passwordHash', 'tokenVersion');
    });

    it('accepts the username in any case and with spaces', async () => {
      await request(t.app)
        .post('/api/auth/login')
        .send({ username: ' Clerk ', password: 'demo1234' })
        .expect(200);
    });

    it('gives a handler their unit', async () => {
      const unit = unitOf(t, 'city');
      const res = await request(t.app)
        .post('/api/auth/login')
        .send({ username: `handler-${unit.code}`, password: 'demo1234' });
      expect(res.status).to.equal(200);
      expect(res.body.user).to.include({ role: 'handler', unitId: String(unit._id) });
    });

    it('answers the same 401 invalid_credentials for a wrong password and an unknown user', async () => {
      const wrong = await request(t.app)
        .post('/api/auth/login')
        .send({ username: 'director', password: 'nope' });
      const unknown = await request(t.app)
        .post('/api/auth/login')
        .send({ username: 'nobody', password: 'nope' });
      expectError(wrong, 401, 'invalid_credentials');
      expectError(unknown, 401, 'invalid_credentials');
      expect(wrong.body).to.deep.equal(unknown.body);
    });

    it('rejects a missing or malformed body with 400 validation_failed', async () => {
      expectError(
        await request(t.app).post('/api/auth/login').send({ username: 'admin' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(t.app).post('/api/auth/login').send({ username: 1, password: 2 }),
        400,
        'validation_failed',
      );
      expectError(await request(t.app).post('/api/auth/login'), 400, 'validation_failed');
      const long = await request(t.app)
        .post('/api/auth/login')
        .send({ username: 'admin', password: 'x'.repeat(201) });
      expectError(long, 400, 'validation_failed');
    });

    it('says what is wrong: a missing password, one that is not text, and one too long (not 请输入密码)', async () => {
      const login = (body: object) => request(t.app).post('/api/auth/login').send(body);
      const said = async (body: object) => {
        const res = await login(body);
        expectError(res, 400, 'validation_failed');
        return res.body.error;
      };
      expect(await said({ username: 'admin', password: 'x'.repeat(20_000) })).to.deep.equal({
        code: 'validation_failed',
        message: '密码不能超过200个字符',
        field: 'password',
      });
      expect(await said({ username: 'admin' })).to.deep.equal({
        code: 'validation_failed',
        message: '请填写密码',
        field: 'password',
      });
      expect((await said({ username: 'admin', password: 2 })).message).to.equal('密码必须是文本');
      expect((await said({ username: 'a'.repeat(65), password: 'demo1234' })).message).to.equal(
        '用户名不能超过64个字符',
      );
    });

    it('tells a disabled account so only when the password is right', async () => {
      const unit = unitOf(t, 'county');
      const username = `unithead-${unit.code}`;
      await t.models.User.updateOne({ username }, { $set: { disabled: true } });
      const wrong = await request(t.app).post('/api/auth/login').send({ username, password: 'wrong-pass' });
      expectError(wrong, 401, 'invalid_credentials');
      expect(wrong.body.error.message).to.equal('用户名或密码错误');
      const right = await request(t.app).post('/api/auth/login').send({ username, password: 'demo1234' });
      expectError(right, 403, 'account_disabled');
      expect(right.body.error.message).to.equal('账号已停用，请联系管理员');
      expect(right.body).to.not.have.property('token');
    });

    it('locks out an IP+username after 10 failed attempts with 429 rate_limited, other users unaffected', async () => {
      for (let i = 0; i < 10; i++) {
        const res = await request(t.app)
          .post('/api/auth/login')
          .send({ username: 'supervisor', password: `bad${i}` });
        expectError(res, 401, 'invalid_credentials');
      }
      const blocked = await request(t.app)
        .post('/api/auth/login')
        .send({ username: 'supervisor', password: 'demo1234' });
      expectError(blocked, 429, 'rate_limited');
      await request(t.app)
        .post('/api/auth/login')
        .send({ username: 'leader', password: 'demo1234' })
        .expect(200);
    });

    it('does not count successful logins towards the limit', async () => {
      for (let i = 0; i < 12; i++) {
        await request(t.app)
          .post('/api/auth/login')
          .send({ username: 'director', password: 'demo1234' })
          .expect(200);
      }
    });
  });

  describe('GET /api/me and token checks', () => {
    it('returns the current user', async () => {
      const res = await request(t.app)
        .get('/api/me')
        .set(await t.auth('clerk'));
      expect(res.status).to.equal(200);
      expect(res.body.user).to.include({ username: 'clerk', role: 'clerk', roleLabel: '受理员' });
    });

    it('401 unauthorized without a token', async () => {
      expectError(await request(t.app).get('/api/me'), 401, 'unauthorized');
      expectError(await request(t.app).get('/api/me').set('Authorization', 'Basic abc'), 401, 'unauthorized');
    });

    it('401 invalid_token for garbage, a foreign signature, alg none and an expired token', async () => {
      const user = await t.models.User.findOne({ username: 'clerk' }).lean();
      const claims = { sub: String(user!._id), tv: user!.tokenVersion };
      const opts = { issuer: 'enterprise-issue-loop' };
      const tokens = [
        'garbage',
        jwt.sign(claims, 'another-secret-0123456789-0123456789', { ...opts, expiresIn: '1h' }),
        jwt.sign(claims, '', { ...opts, algorithm: 'none' }),
        jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_JWT_SECRET, opts),
        jwt.sign(claims, TEST_JWT_SECRET, { expiresIn: '1h' }), // no issuer
        jwt.sign({ sub: 'not-an-id', tv: 0 }, TEST_JWT_SECRET, { ...opts, expiresIn: '1h' }),
      ];
      for (const token of tokens) {
        expectError(
          await request(t.app).get('/api/me').set('Authorization', `Bearer ${token}`),
          401,
          'invalid_token',
        );
      }
    });
  });

  describe('signing key', () => {
    it('accepts a token signed with the secret as text, as tokens issued before this release were', async () => {
      const user = await t.models.User.findOne({ username: 'clerk' }).lean();
      const token = jwt.sign(
        { sub: String(user!._id), tv: user!.tokenVersion, iat: Math.floor(Date.now() / 1000) },
        TEST_JWT_SECRET,
        { algorithm: 'HS256', expiresIn: '1h', issuer: 'enterprise-issue-loop' },
      );
      const me = await request(t.app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(me.body.user.username).to.equal('clerk');
    });
  });

  describe('expiry and storage', () => {
    it('a token stops working once its 12 h lifetime has passed on the session clock', async () => {
      const authClock = createSimulatedClock(TEST_START);
      const app = anotherApp(t, { authClock });
      const login = await request(app)
        .post('/api/auth/login')
        .send({ username: 'clerk', password: 'demo1234' });
      const auth = { Authorization: `Bearer ${login.body.token as string}` };
      authClock.advance(11 * HOUR_MS);
      await request(app).get('/api/me').set(auth).expect(200);
      authClock.advance(2 * HOUR_MS);
      expectError(await request(app).get('/api/me').set(auth), 401, 'invalid_token');
    });

    it('stores passwords only as salted scrypt hashes', async () => {
      const users = await t.models.User.find({ username: { $in: ['clerk', 'dispatcher'] } }).lean();
      const [a, b] = users.map((u) => u.passwordHash);
      expect(a).to.match(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(a).to.not.contain('demo1234');
      expect(a.split('$')[4]).to.not.equal(b.split('$')[4]);
    });
  });

  describe('revocation', () => {
    it('POST /api/auth/logout revokes the token (and every other token of that user)', async () => {
      const a = await t.login('director');
      const b = await t.login('director');
      await request(t.app).post('/api/auth/logout').set('Authorization', `Bearer ${a}`).expect(204);
      expectError(
        await request(t.app).get('/api/me').set('Authorization', `Bearer ${a}`),
        401,
        'invalid_token',
      );
      expectError(
        await request(t.app).get('/api/me').set('Authorization', `Bearer ${b}`),
        401,
        'invalid_token',
      );
      const again = await t.login('director');
      await request(t.app).get('/api/me').set('Authorization', `Bearer ${again}`).expect(200);
    });

    it('logout through one server process revokes the token in another at once', async () => {
      // A second app on the same database stands for another process behind the load balancer.
      const other = anotherApp(t);
      const token = await t.login('dispatcher');
      await request(other).get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
      await request(t.app).post('/api/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
      expectError(
        await request(other).get('/api/me').set('Authorization', `Bearer ${token}`),
        401,
        'invalid_token',
      );
      t.forget('dispatcher');
    });

    it('logout needs a valid token', async () => {
      expectError(await request(t.app).post('/api/auth/logout'), 401, 'unauthorized');
    });

    it('disabling a user revokes their live token at once', async () => {
      const unit = unitOf(t, 'township');
      const username = `handler-${unit.code}`;
      const token = await t.login(username);
      const user = await t.models.User.findOne({ username }).lean();
      await request(t.app)
        .patch(`/api/users/${String(user!._id)}`)
        .set(await t.auth('admin'))
        .send({ disabled: true })
        .expect(200);
      expectError(
        await request(t.app).get('/api/me').set('Authorization', `Bearer ${token}`),
        401,
        'invalid_token',
      );
    });
  });
});
