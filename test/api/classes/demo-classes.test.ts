// The demo's class problems (issue 7 §3): on a fresh clone the seeded complaints of many enterprises come out
// of the clustering as three candidate class problems a leader can promote.
import { expect } from 'chai';
import request from 'supertest';
import { DEMO_CLASSES, seedClassIssues } from '../../../server/seed/class-issues.seed.ts';
import { useTestApp } from '../helpers.ts';

describe('api: demo class problems', function () {
  this.timeout(60_000);
  const t = useTestApp();

  it('seeds three classes across enterprises and regions, once, and the clustering offers each as a candidate', async () => {
    const created = await seedClassIssues(t.models, t.clock, t.seed!.enterprises);
    expect(created).to.equal(DEMO_CLASSES.reduce((n, c) => n + c.texts.length, 0));
    expect(await seedClassIssues(t.models, t.clock, t.seed!.enterprises)).to.equal(0);
    await request(t.app)
      .post('/api/class-problems/cluster')
      .set(await t.auth('leader'))
      .expect(200);
    const res = await request(t.app)
      .get('/api/class-problems/candidates')
      .set(await t.auth('leader'));
    for (const cls of DEMO_CLASSES) {
      const found = res.body.items.find(
        (c: { category: string; memberCount: number }) =>
          c.category === cls.category && c.memberCount >= cls.texts.length - 1,
      );
      expect(
        found,
        `${cls.key}: ${JSON.stringify(res.body.items.map((c: { category: string; memberCount: number }) => [c.category, c.memberCount]))}`,
      ).to.not.equal(undefined);
      expect(found.enterpriseCount).to.equal(found.memberCount);
    }
    const rebate = res.body.items.find((c: { category: string }) => c.category === 'tax');
    expect(rebate.regions.length).to.be.at.least(2);
  });
});
