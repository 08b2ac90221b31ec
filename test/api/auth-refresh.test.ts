// The staff session that survives a new tab and a reload: the refresh cookie set at login, POST
// /api/auth/refresh, and the same revocation as bearer tokens (logout, disabling, a password reset).
import { expect } from 'chai';
import request from 'supertest';
import { REFRESH_COOKIE, REFRESH_LIFETIME, refreshSecretOf } from '../../server/auth/refresh-cookie.ts';
import { REUSE_GRACE_MS } from '../../server/auth/staff-session.command.ts';
import { createTokenSigner } from '../../server/auth/token.ts';
import { createSimulatedClock } from '../../shared/clock.ts';
import { anotherApp, DEMO_PASSWORD, expectError, TEST_START, unitOf, useTestApp } from './helpers.ts';

/** The refresh cookie's `name=value` and attributes from a response's Set-Cookie. */
function refreshCookie(res: request.Response): { pair: string; attributes: string } {
  const raw = ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith(`${REFRESH_COOKIE}=`));
  if (!raw) throw new Error(`no ${REFRESH_COOKIE} cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  const [pair, ...attributes] = raw.split(';');
  return { pair, attributes: attributes.join(';') };
}

/** A refresh cookie's session and generation, read from its JWT payload. */
function sessionOf(cookie: string): { sid: string; n: number } {
  const payload = cookie.split('=')[1].split('.')[1];
  const { sid, n } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sid: string; n: number };
  return { sid, n };
}

describe('api: staff refresh cookie', () => {
  const t = useTestApp();

  const login = async (username: string, app = t.app) => {
    const res = await request(app)
      .post('/api/auth/login')
      .send({ username, password: DEMO_PASSWORD })
      .expect(200);
    return { token: res.body.token as string, cookie: refreshCookie(res).pair, res };
  };
  const refresh = (cookie?: string, app = t.app) => {
    const req = request(app).post('/api/auth/refresh');
    return cookie ? req.set('Cookie', cookie) : req;
  };

  it('login keeps its shape and sets an httpOnly, SameSite=Strict, Secure cookie scoped to /api/auth', async () => {
    const { res } = await login('clerk');
    expect(Object.keys(res.body).sort()).to.deep.equal(['token', 'user']);
    const { attributes } = refreshCookie(res);
    expect(attributes).to.match(/HttpOnly/i);
    expect(attributes).to.match(/SameSite=Strict/i);
    expect(attributes).to.match(/Secure/i);
    expect(attributes).to.match(/Path=\/api\/auth/);
  });

  it('a new tab trades the cookie for a working bearer token and the user', async () => {
    const { cookie } = await login('dispatcher');
    const res = await refresh(cookie).expect(200);
    expect(res.body.user).to.include({ username: 'dispatcher', role: 'dispatcher' });
    await request(t.app).get('/api/me').set('Authorization', `Bearer ${res.body.token}`).expect(200);
    // The cookie is renewed, so an active user stays logged in.
    await refresh(refreshCookie(res).pair).expect(200);
  });

  it('401 without a cookie, with a forged one, or with a bearer token in its place; the cookie is no bearer token', async () => {
    expectError(await refresh(), 401, 'invalid_refresh');
    expectError(await refresh(`${REFRESH_COOKIE}=nonsense`), 401, 'invalid_refresh');
    const { token, cookie } = await login('director');
    expectError(await refresh(`${REFRESH_COOKIE}=${token}`), 401, 'invalid_refresh');
    const asBearer = cookie.slice(REFRESH_COOKIE.length + 1);
    expectError(
      await request(t.app).get('/api/me').set('Authorization', `Bearer ${asBearer}`),
      401,
      'invalid_token',
    );
  });

  it('logout clears the cookie and ends every session of the user', async () => {
    const a = await login('supervisor');
    const b = await login('supervisor');
    const out = await request(t.app)
      .post('/api/auth/logout')
      .set('Authorization', `Bearer ${a.token}`)
      .expect(204);
    expect(refreshCookie(out).attributes).to.match(/Expires=Thu, 01 Jan 1970/);
    expectError(await refresh(a.cookie), 401, 'invalid_refresh');
    expectError(await refresh(b.cookie), 401, 'invalid_refresh');
  });

  it('disabling the user or resetting their password ends the cookie session', async () => {
    const username = `handler-${unitOf(t, 'township').code}`;
    const user = await t.models.User.findOne({ username }).lean();
    const first = await login(username);
    await request(t.app)
      .patch(`/api/users/${String(user!._id)}`)
      .set(await t.auth('admin'))
      .send({ password: 'another-password-123' })
      .expect(200);
    expectError(await refresh(first.cookie), 401, 'invalid_refresh');
    const res = await request(t.app)
      .post('/api/auth/login')
      .send({ username, password: 'another-password-123' })
      .expect(200);
    const second = refreshCookie(res).pair;
    await refresh(second).expect(200);
    await request(t.app)
      .patch(`/api/users/${String(user!._id)}`)
      .set(await t.auth('admin'))
      .send({ disabled: true })
      .expect(200);
    expectError(await refresh(second), 401, 'invalid_refresh');
  });

  describe('rotation: each cookie is good for one refresh', () => {
    const SECOND = 1000;

    it('a cookie traded before that comes back ends its session, the live cookie with it, and no other browser', async () => {
      const authClock = createSimulatedClock(TEST_START);
      const app = anotherApp(t, { authClock });
      const stolen = await login('dispatcher', app);
      const other = await login('dispatcher', app);
      const next = refreshCookie(await refresh(stolen.cookie, app).expect(200)).pair;
      expect(sessionOf(next)).to.deep.equal({ sid: sessionOf(stolen.cookie).sid, n: 2 });
      authClock.advance(REUSE_GRACE_MS + SECOND);
      const reused = await refresh(stolen.cookie, app);
      expectError(reused, 401, 'invalid_refresh');
      expect(refreshCookie(reused).attributes).to.match(/Expires=Thu, 01 Jan 1970/);
      expectError(await refresh(next, app), 401, 'invalid_refresh');
      const ended = await t.models.StaffSession.findById(sessionOf(next).sid).lean();
      expect(ended?.revokedAt?.getTime()).to.equal(authClock.now().getTime());
      // The other browser's session is its own; the bearer tokens stay (they end with their short lifetime).
      await refresh(other.cookie, app).expect(200);
      await request(app).get('/api/me').set('Authorization', `Bearer ${stolen.token}`).expect(200);
    });

    it('two tabs refreshing with the same cookie at once both get in, and the session carries on', async () => {
      const authClock = createSimulatedClock(TEST_START);
      const app = anotherApp(t, { authClock });
      const { cookie } = await login('director', app);
      const first = await refresh(cookie, app).expect(200);
      authClock.advance(REUSE_GRACE_MS - SECOND);
      const second = await refresh(cookie, app).expect(200);
      await request(app)
        .get('/api/me')
        .set('Authorization', `Bearer ${second.body.token as string}`)
        .expect(200);
      // Both tabs now hold the live generation: the race started nothing new and ended nothing.
      const live = refreshCookie(second).pair;
      expect(sessionOf(live)).to.deep.equal(sessionOf(refreshCookie(first).pair));
      expect(sessionOf(live).n).to.equal(2);
      await refresh(live, app).expect(200);
    });

    it("a cookie of another user's session, of an unknown session or from before sessions is refused", async () => {
      const signer = createTokenSigner(
        refreshSecretOf(t.config.jwtSecret!),
        REFRESH_LIFETIME,
        createSimulatedClock(new Date()),
      );
      const clerk = await t.models.User.findOne({ username: 'clerk' }).lean();
      const leader = await login('leader');
      const leaderSession = sessionOf(leader.cookie);
      const forged = (session?: { sid: string; n: number }) =>
        `${REFRESH_COOKIE}=${signer.sign(String(clerk!._id), clerk!.tokenVersion, session)}`;
      // The key is the server's, so only the session can tell: the clerk's name on the leader's session.
      expectError(await refresh(forged(leaderSession)), 401, 'invalid_refresh');
      expectError(await refresh(forged({ sid: '0123456789abcdef01234567', n: 1 })), 401, 'invalid_refresh');
      expectError(await refresh(forged()), 401, 'invalid_refresh');
      // None of these touched the leader's session.
      await refresh(leader.cookie).expect(200);
    });
  });
});
