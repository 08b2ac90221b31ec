// The staff session that survives a new tab and a reload: the refresh cookie set at login, POST
// /api/auth/refresh, and the same revocation as bearer tokens (logout, disabling, a password reset).
import { expect } from 'chai';
import request from 'supertest';
import { REFRESH_COOKIE } from '../../server/auth/refresh-cookie.ts';
import { DEMO_PASSWORD, expectError, unitOf, useTestApp } from './helpers.ts';

/** The refresh cookie's `name=value` and attributes from a response's Set-Cookie. */
function refreshCookie(res: request.Response): { pair: string; attributes: string } {
  const raw = ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith(`${REFRESH_COOKIE}=`));
  if (!raw) throw new Error(`no ${REFRESH_COOKIE} cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  const [pair, ...attributes] = raw.split(';');
  return { pair, attributes: attributes.join(';') };
}

describe('api: staff refresh cookie', () => {
  const t = useTestApp();

  const login = async (username: string) => {
    const res = await request(t.app)
      .post('/api/auth/login')
      .send({ username, password: DEMO_PASSWORD })
      .expect(200);
    return { token: res.body.token as string, cookie: refreshCookie(res).pair, res };
  };
  const refresh = (cookie?: string) => {
    const req = request(t.app).post('/api/auth/refresh');
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
});
