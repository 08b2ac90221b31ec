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
    // Each class's own complaints make one candidate (all but one at least), not another text's copies.
    for (const cls of DEMO_CLASSES) {
      const ours = await t.models.Issue.find(
        { channel: 'zheliban', externalId: { $regex: `^class-demo-${cls.key}-` } },
        { number: 1 },
      ).lean();
      const numbers = new Set(ours.map((i) => i.number));
      let best = { id: '', hits: 0, members: 0 };
      for (const c of res.body.items.filter((x: { category: string }) => x.category === cls.category)) {
        const detail = await request(t.app)
          .get(`/api/class-problems/candidates/${c.id}`)
          .set(await t.auth('leader'))
          .expect(200);
        const members = detail.body.members as { number: string }[];
        const hits = members.filter((m) => numbers.has(m.number)).length;
        if (hits > best.hits) best = { id: c.id, hits, members: members.length };
      }
      expect(best.hits, `${cls.key}: ${JSON.stringify(best)}`).to.be.at.least(cls.texts.length - 1);
      // Other texts may join (a real repeat of the topic), but the class's own make up most of it.
      expect(best.hits, `${cls.key}: ${JSON.stringify(best)}`).to.be.at.least(best.members / 2);
    }
    const rebate = res.body.items.find((c: { category: string }) => c.category === 'tax');
    expect(rebate.regions.length).to.be.at.least(2);
  });
});
