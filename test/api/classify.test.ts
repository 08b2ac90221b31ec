// POST /api/classify: the intake suggestion of category and urgency.
import { expect } from 'chai';
import request from 'supertest';
import { expectError, useTestApp } from './helpers.ts';

describe('api: classify', () => {
  const t = useTestApp({ seed: true });

  it('suggests category, urgency and confidence for a described problem', async () => {
    const res = await request(t.app)
      .post('/api/classify')
      .set(await t.auth('clerk'))
      .send({ text: '工厂突然停电导致停产，申请电力增容一直没有批下来' });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ category: 'utilities', urgency: 'critical' });
    expect(res.body.confidence).to.be.within(0, 1);
    expect(res.body.categoryLabel).to.be.a('string');
  });

  it('answers confidence 0 when nothing matches', async () => {
    const res = await request(t.app)
      .post('/api/classify')
      .set(await t.auth('dispatcher'))
      .send({ text: '你好' });
    expect(res.status).to.equal(200);
    expect(res.body.confidence).to.equal(0);
  });

  it('400 validation_failed for missing, empty or oversized text', async () => {
    const auth = await t.auth('clerk');
    for (const body of [{}, { text: '   ' }, { text: 42 }, { text: '字'.repeat(10_001) }]) {
      expectError(await request(t.app).post('/api/classify').set(auth).send(body), 400, 'validation_failed');
    }
  });

  it('401 without a token', async () => {
    expectError(await request(t.app).post('/api/classify').send({ text: '停电' }), 401, 'unauthorized');
  });
});
