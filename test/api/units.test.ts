// GET /api/units (all staff): the responsible units for dispatch pickers and filters.
import { expect } from 'chai';
import request from 'supertest';
import { expectError, unitOf, useTestApp } from './helpers.ts';

describe('api: units', () => {
  const t = useTestApp();

  it('401 without a token', async () => {
    expectError(await request(t.app).get('/api/units'), 401, 'unauthorized');
  });

  it('lists every seeded unit with a whitelisted shape, for any staff role', async () => {
    for (const username of ['clerk', 'admin', 'leader', `handler-${unitOf(t, 'township').code}`]) {
      const res = await request(t.app)
        .get('/api/units')
        .set(await t.auth(username));
      expect(res.status).to.equal(200);
      expect(res.body.items).to.have.length(t.seed!.units.length);
      expect(Object.keys(res.body.items[0]).sort()).to.deep.equal(
        ['categories', 'code', 'id', 'level', 'levelLabel', 'name', 'parentId', 'region'].sort(),
      );
    }
  });

  it('filters by level, region and category', async () => {
    const auth = await t.auth('dispatcher');
    const township = unitOf(t, 'township');
    const byLevel = await request(t.app).get('/api/units?level=city').set(auth).expect(200);
    expect(byLevel.body.items.length).to.be.greaterThan(0);
    expect(byLevel.body.items.every((u: { level: string }) => u.level === 'city')).to.equal(true);
    const byRegion = await request(t.app).get(`/api/units?region=${township.region}`).set(auth).expect(200);
    expect(byRegion.body.items.every((u: { region: string }) => u.region === township.region)).to.equal(true);
    const byCategory = await request(t.app).get('/api/units?category=tax&level=city').set(auth).expect(200);
    expect(
      byCategory.body.items.every((u: { categories: string[] }) => u.categories.includes('tax')),
    ).to.equal(true);
  });

  it('400 validation_failed for an unknown level', async () => {
    expectError(
      await request(t.app)
        .get('/api/units?level=planet')
        .set(await t.auth('clerk')),
      400,
      'validation_failed',
    );
  });

  it('GET /api/units/:id returns one unit with its parent; 404 for unknown or malformed ids', async () => {
    const auth = await t.auth('clerk');
    const township = unitOf(t, 'township');
    const res = await request(t.app)
      .get(`/api/units/${String(township._id)}`)
      .set(auth)
      .expect(200);
    expect(res.body).to.include({ id: String(township._id), level: 'township', levelLabel: '乡镇/街道' });
    expect(res.body.parentId).to.be.a('string');
    expectError(await request(t.app).get('/api/units/0123456789abcdef01234567').set(auth), 404, 'not_found');
    expectError(await request(t.app).get('/api/units/not-an-id').set(auth), 404, 'not_found');
  });
});
