// Finding 3: rate limits hold across processes and addresses. Counters live in the database (every app
// process shares them), each account has its own limit with a progressive delay wherever the guesses come
// from, and X-Forwarded-For is believed only from the configured proxies.
import { expect } from 'chai';
import request from 'supertest';
import { progressiveDelay, DEFAULT_LOGIN_LIMITS } from '../../../server/auth/login-throttle.ts';
import { createCounters } from '../../../server/rate-limit/counters.ts';
import { anotherApp, expectError, TEST_LOGIN_LIMITS, useTestApp } from '../helpers.ts';

const wrong = (app: Parameters<typeof request>[0], username: string, ip?: string) => {
  const req = request(app).post('/api/auth/login');
  if (ip) req.set('X-Forwarded-For', ip);
  return req.send({ username, password: 'wrong-password' });
};

describe('rate limits: counters in the database', () => {
  const t = useTestApp({ seed: false });

  it('counts concurrent hits exactly and opens a new window when the old one ends', async () => {
    const counters = createCounters(t.models.RateLimit, t.clock);
    const hits = await Promise.all(Array.from({ length: 40 }, () => counters.hit('k|a', 60_000)));
    expect(hits.map((h) => h.hits).sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect((await counters.get('k|a'))?.hits).to.equal(40);
    t.clock.advance(60_001);
    expect(await counters.get('k|a')).to.equal(undefined);
    expect((await counters.hit('k|a', 60_000)).hits).to.equal(1);
  });

  it('progressive delay: free attempts, then doubling up to the cap', () => {
    const l = DEFAULT_LOGIN_LIMITS;
    expect([1, 5, 6, 7, 8, 12, 19].map((n) => progressiveDelay(n, l))).to.deep.equal([
      0, 0, 500, 1000, 2000, 8000, 8000,
    ]);
  });
});

describe('rate limits: staff login across processes and addresses', () => {
  const limits = { ...TEST_LOGIN_LIMITS, perAccount: 6, perIpAccount: 100, perIp: 4 };
  const t = useTestApp({ env: { TRUSTED_PROXIES: 'loopback' }, deps: { loginLimits: limits } });
  // Windows run on the security clock; here the suite's simulated clock.
  before(() => {
    const authClock = t.clock;
    const app = anotherApp(t, { loginLimits: limits, authClock });
    Object.assign(t, { app });
  });

  it('one account: the limit holds however the guesses are spread over processes and addresses', async () => {
    const second = anotherApp(t, { loginLimits: limits, authClock: t.clock });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await wrong(i % 2 ? second : t.app, 'supervisor', `198.51.100.${i + 1}`);
      statuses.push(res.status);
    }
    expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 401, 429, 429, 429, 429]);
    const last = await wrong(t.app, 'supervisor', '198.51.100.99');
    expectError(last, 429, 'account_rate_limited');
    // The window ends: the owner of the account logs in, and the count starts again.
    t.clock.advance(DEFAULT_LOGIN_LIMITS.windowMs + 1);
    await request(second)
      .post('/api/auth/login')
      .set('X-Forwarded-For', '198.51.100.1')
      .send({ username: 'supervisor', password: 'demo1234' })
      .expect(200);
  });

  it('one address: failures in one process count in the other', async () => {
    const second = anotherApp(t, { loginLimits: limits, authClock: t.clock });
    const ip = '203.0.113.7';
    for (let i = 0; i < 4; i += 1) {
      expect((await wrong(i % 2 ? second : t.app, `nobody-${i}`, ip)).status).to.equal(401);
    }
    expectError(await wrong(second, 'nobody-9', ip), 429, 'rate_limited');
    expectError(await wrong(t.app, 'nobody-10', ip), 429, 'rate_limited');
  });

  it('an account that logs in correctly starts its count again', async () => {
    for (let i = 0; i < 3; i += 1) await wrong(t.app, 'leader', `192.0.2.${i + 1}`);
    await request(t.app)
      .post('/api/auth/login')
      .send({ username: 'leader', password: 'demo1234' })
      .expect(200);
    const row = await t.models.RateLimit.findById('login-account|leader').lean();
    expect(row).to.equal(null);
  });
});

describe('rate limits: X-Forwarded-For only from trusted proxies', () => {
  const limits = { ...TEST_LOGIN_LIMITS, perIp: 3 };
  // The test client connects from loopback, which is not the configured proxy: its header is a lie.
  const t = useTestApp({ env: { TRUSTED_PROXIES: '10.9.9.9' }, deps: { loginLimits: limits } });

  it('rotating X-Forwarded-For from an untrusted client does not escape the address limit', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect((await wrong(t.app, `someone-${i}`, `100.64.0.${i + 1}`)).status).to.equal(401);
    }
    expectError(await wrong(t.app, 'someone-9', '100.64.0.99'), 429, 'rate_limited');
  });
});

describe('rate limits: the progressive delay is real', () => {
  const limits = { perAccount: 50, freeAttempts: 2, baseDelayMs: 150, maxDelayMs: 150 };
  const t = useTestApp({ deps: { loginLimits: limits } });

  it('attempts past the free ones wait before the password is checked', async () => {
    const timed = async () => {
      const started = Date.now();
      await wrong(t.app, 'clerk');
      return Date.now() - started;
    };
    await timed();
    await timed();
    expect(await timed()).to.be.at.least(140);
  });
});

describe('rate limits: guesses from elsewhere never lock staff out of their own browser', () => {
  const limits = { ...TEST_LOGIN_LIMITS, perAccount: 4, perDevice: 3, perIpAccount: 100, perIp: 100 };
  const t = useTestApp({ deps: { loginLimits: limits } });

  const login = (username: string, password: string, cookie?: string) => {
    const req = request(t.app).post('/api/auth/login');
    if (cookie) req.set('Cookie', cookie);
    return req.send({ username, password });
  };
  /** `eil_device=<value>` from a login answer's Set-Cookie, or undefined. */
  const deviceCookie = (res: request.Response) => {
    const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
    return raw?.find((c) => c.startsWith('eil_device='))?.split(';')[0];
  };
  const knownBrowser = async (username: string) => {
    const res = await login(username, 'demo1234').expect(200);
    const cookie = deviceCookie(res);
    expect(cookie, 'a correct login marks the browser as known').to.match(/^eil_device=[\w-]+\.[\w-]+$/);
    const header = (res.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('eil_device='),
    );
    expect(header).to.match(/; Max-Age=31536000; Path=\/api\/auth; .*HttpOnly; .*SameSite=Strict$/);
    return cookie!;
  };

  it('an account locked by guesses still logs in from the browser its owner used before', async () => {
    const cookie = await knownBrowser('clerk');
    for (let i = 0; i < 4; i += 1) expect((await login('clerk', 'wrong-password')).status).to.equal(401);
    expectError(await login('clerk', 'wrong-password'), 429, 'account_rate_limited');
    expectError(await login('clerk', 'demo1234'), 429, 'account_rate_limited');
    const res = await login('clerk', 'demo1234', cookie).expect(200);
    expect(deviceCookie(res), 'a known browser keeps its cookie').to.equal(undefined);
  });

  it("another account's device cookie, or a forged one, is no way round the account's limit", async () => {
    const leaders = await knownBrowser('leader');
    const [id, mac] = (await knownBrowser('supervisor')).slice('eil_device='.length).split('.');
    for (let i = 0; i < 5; i += 1) await login('supervisor', 'wrong-password');
    for (const cookie of [
      leaders,
      `eil_device=${id}`,
      `eil_device=${id}.${'A'.repeat(mac!.length)}`,
      `eil_device=${id!.slice(1)}x.${mac}`,
    ]) {
      expectError(await login('supervisor', 'demo1234', cookie), 429, 'account_rate_limited');
    }
  });

  it('guesses through a known browser are limited per browser, apart from the account', async () => {
    const cookie = await knownBrowser('dispatcher');
    for (let i = 0; i < 3; i += 1) {
      expect((await login('dispatcher', 'wrong-password', cookie)).status).to.equal(401);
    }
    expectError(await login('dispatcher', 'demo1234', cookie), 429, 'account_rate_limited');
    await login('dispatcher', 'demo1234').expect(200);
  });
});
