// Liveness and the error contract: /healthz reflects the database, and no bad input ever yields a 500.
import { expect } from 'chai';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { z } from 'zod';
import { createSimulatedClock } from '../../shared/clock.ts';
import { createApp } from '../../server/app.ts';
import { badRequest, conflict } from '../../server/errors.ts';
import { errorMiddleware } from '../../server/http/error.middleware.ts';
import { createModels } from '../../server/models/index.ts';
import { expectError, openTestDatabase, testConfig, TEST_START, useTestApp } from './helpers.ts';

describe('api: health and errors', () => {
  const t = useTestApp();

  it('serves the site icon as SVG, under its own name and the one browsers ask for unprompted', async () => {
    for (const path of ['/favicon.svg', '/favicon.ico']) {
      const res = await request(t.app).get(path).expect(200);
      expect(res.headers['content-type'], path).to.match(/^image\/svg\+xml/);
      expect(String(res.body), path).to.match(/^<svg /);
    }
  });

  it('GET /healthz answers 200 {"status":"ok"} while the database answers', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });

  it('GET /healthz answers 503 once the database connection is gone', async () => {
    const conn = await openTestDatabase();
    const clock = createSimulatedClock(TEST_START);
    const app = createApp({
      config: testConfig(),
      conn,
      clock,
      logger: pino({ level: 'silent' }),
      models: createModels(conn, clock),
    });
    await conn.close();
    const res = await request(app).get('/healthz');
    expect(res.status).to.equal(503);
    expect(res.body).to.deep.equal({ status: 'unavailable' });
  });

  it('echoes a request id (a well-formed incoming one, or a fresh one)', async () => {
    const fresh = await request(t.app).get('/healthz');
    expect(fresh.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    const mine = await request(t.app).get('/healthz').set('X-Request-Id', 'trace-abc-12345');
    expect(mine.headers['x-request-id']).to.equal('trace-abc-12345');
    const evil = await request(t.app).get('/healthz').set('X-Request-Id', 'bad id\twith spaces');
    expect(evil.headers['x-request-id']).to.not.equal('bad id\twith spaces');
  });

  it('sets security headers (helmet) and hides the framework', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-powered-by']).to.equal(undefined);
  });

  it('malformed JSON → 400 invalid_json', async () => {
    const res = await request(t.app)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": "admin", ');
    expectError(res, 400, 'invalid_json');
  });

  it('a body over the limit → 413 payload_too_large', async () => {
    const res = await request(t.app)
      .post('/api/auth/login')
      .send({ username: 'admin', password: 'x'.repeat(300 * 1024) });
    expectError(res, 413, 'payload_too_large');
  });

  // Outside /api, unknown paths belong to the web front end (its history fallback), so only /api is checked.
  it('an unknown /api route → 404 not_found (JSON, not HTML)', async () => {
    expectError(await request(t.app).get('/api/nope'), 404, 'not_found');
    expectError(await request(t.app).post('/api/auth/nope').send({}), 404, 'not_found');
  });

  it('a malformed id → 404, never 500', async () => {
    const auth = await t.auth('clerk');
    for (const path of ['/api/units/xyz', '/api/enterprises/123', '/api/enterprises/%24where/qr.svg']) {
      expectError(await request(t.app).get(path).set(auth), 404, 'not_found');
    }
  });

  it('repeated or bracketed query parameters are a 400 or ignored, never a 500', async () => {
    const auth = await t.auth('clerk');
    expectError(await request(t.app).get('/api/enterprises?q=a&q=b').set(auth), 400, 'validation_failed');
    const bracketed = await request(t.app).get('/api/enterprises?q[$ne]=x&limit[$gt]=1').set(auth);
    expect(bracketed.status).to.equal(200);
    expect(bracketed.body.items).to.have.length(20);
  });

  it('query operators smuggled into the body are rejected, not executed', async () => {
    const res = await request(t.app)
      .post('/api/auth/login')
      .send({ username: { $ne: null }, password: { $ne: null } });
    // Refused by the one body check before any route sees it (server/http/body-guard.middleware.ts).
    expectError(res, 400, 'invalid_body');
  });
});

describe('error middleware', () => {
  const app = express();
  app.use(express.json());
  app.get('/app-error', () => {
    throw conflict('已被修改');
  });
  app.get('/bad', () => {
    throw badRequest();
  });
  app.get('/zod', () => {
    z.object({ enterprise: z.object({ creditCode: z.string() }) }).parse({ enterprise: { creditCode: 5 } });
  });
  app.get('/zod-chinese', () => {
    z.object({ rootCause: z.string().min(1, { error: '请填写根本原因' }) }).parse({ rootCause: '' });
  });
  app.get('/cast', () => {
    throw Object.assign(new Error('Cast to ObjectId failed'), { name: 'CastError', path: 'unitId' });
  });
  app.get('/dup', () => {
    throw Object.assign(new Error('E11000 duplicate key error collection: users index: username_1'), {
      code: 11000,
    });
  });
  app.get('/bug', () => {
    throw new Error('secret internals: password=hunter2 at /srv/app.ts:42');
  });
  app.use(errorMiddleware);

  it('AppError → its status and {error:{code,message}}', async () => {
    const res = await request(app).get('/app-error');
    expect(res.status).to.equal(409);
    expect(res.body).to.deep.equal({ error: { code: 'conflict', message: '已被修改' } });
    expectError(await request(app).get('/bad'), 400, 'bad_request');
  });

  it('zod error → 400 validation_failed naming the first issue path', async () => {
    const res = await request(app).get('/zod');
    expectError(res, 400, 'validation_failed');
    // zod's own English ("Invalid input: expected string, received number") is put in Chinese.
    expect(res.body.error.message).to.equal('字段 enterprise.creditCode 无效：类型不正确，应为文本');
    expect(res.body.error.field).to.equal('enterprise.creditCode');
  });

  it('zod error with our Chinese message → that message alone (no English field name), the field beside it', async () => {
    const res = await request(app).get('/zod-chinese');
    expect(res.status).to.equal(400);
    expect(res.body).to.deep.equal({
      error: { code: 'validation_failed', message: '请填写根本原因', field: 'rootCause' },
    });
  });

  it('mongoose CastError → 400; duplicate key → 409 duplicate', async () => {
    expectError(await request(app).get('/cast'), 400, 'validation_failed');
    const dup = await request(app).get('/dup');
    expectError(dup, 409, 'duplicate');
    expect(dup.body.error.message).to.not.contain('E11000');
  });

  it('anything else → a generic 500 internal that leaks nothing', async () => {
    const res = await request(app).get('/bug');
    expectError(res, 500, 'internal');
    expect(JSON.stringify(res.body)).to.not.match(/hunter2|internals|app\.ts/);
  });
});
