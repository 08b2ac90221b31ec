// The demo clock exists only with DEMO_CLOCK=1, and only the admin may read or advance it.
import { expect } from 'chai';
import request from 'supertest';
import { expectError, TEST_START, useTestApp } from './helpers.ts';

describe('api: dev clock (DEMO_CLOCK=1)', () => {
  const t = useTestApp({ env: { DEMO_CLOCK: '1' } });

  it('GET returns the simulated time to the admin', async () => {
    const res = await request(t.app)
      .get('/api/dev/clock')
      .set(await t.auth('admin'))
      .expect(200);
    expect(res.body).to.deep.equal({ now: TEST_START.toISOString(), simulated: true });
  });

  it('POST {advanceMs} moves the clock the app uses', async () => {
    const res = await request(t.app)
      .post('/api/dev/clock')
      .set(await t.auth('admin'))
      .send({ advanceMs: 3 * 3600_000 })
      .expect(200);
    const expected = new Date(TEST_START.getTime() + 3 * 3600_000);
    expect(res.body.now).to.equal(expected.toISOString());
    expect(t.clock.now().toISOString()).to.equal(expected.toISOString());
    // Every API answer says the app's time, which the staff app counts its lights and countdowns from.
    const later = await request(t.app)
      .get('/api/issues?limit=1')
      .set(await t.auth('clerk'))
      .expect(200);
    expect(later.headers['x-server-time']).to.equal(String(expected.getTime()));
    // …and that the clock is a simulated one, so the admin screen offers 演示时钟.
    expect(later.headers['x-clock']).to.equal('simulated');
    const refused = await request(t.app).get('/api/issues').expect(401);
    expect(refused.headers['x-server-time']).to.equal(String(expected.getTime()));
  });

  it('400 validation_failed for a missing, negative or fractional advance', async () => {
    const auth = await t.auth('admin');
    for (const body of [{}, { advanceMs: -1 }, { advanceMs: 1.5 }, { advanceMs: '100' }]) {
      expectError(await request(t.app).post('/api/dev/clock').set(auth).send(body), 400, 'validation_failed');
    }
  });

  it('401 without a token, 403 for non-admins', async () => {
    expectError(await request(t.app).get('/api/dev/clock'), 401, 'unauthorized');
    expectError(
      await request(t.app)
        .post('/api/dev/clock')
        .set(await t.auth('director'))
        .send({ advanceMs: 1 }),
      403,
      'forbidden',
    );
  });
});

describe('api: dev clock (default)', () => {
  const t = useTestApp({ seed: false });

  it('does not exist without DEMO_CLOCK=1', async () => {
    expectError(await request(t.app).get('/api/dev/clock'), 404, 'not_found');
    expectError(await request(t.app).post('/api/dev/clock').send({ advanceMs: 1 }), 404, 'not_found');
  });

  it('its answers do not say the clock is simulated, so the admin screen never asks for it', async () => {
    const res = await request(t.app).get('/api/issues').expect(401);
    expect(res.headers).to.not.have.property('x-clock');
    expect(res.headers).to.have.property('x-server-time');
  });
});

describe('api: dev outbox (demo mode, real clock)', () => {
  const t = useTestApp();

  it('demo mode without the clock still shows the outbox to the admin (DESIGN §10), to nobody else', async () => {
    expect(t.config.demo).to.equal(true);
    const res = await request(t.app)
      .get('/api/dev/outbox')
      .set(await t.auth('admin'));
    expect(res.status).to.equal(200);
    expect(res.body.items).to.be.an('array');
    expectError(
      await request(t.app)
        .get('/api/dev/outbox')
        .set(await t.auth('dispatcher')),
      403,
      'forbidden',
    );
    expectError(await request(t.app).get('/api/dev/outbox'), 401, 'unauthorized');
  });
});
