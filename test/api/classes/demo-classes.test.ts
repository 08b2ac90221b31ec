// The demo's class problems (issue 7 §3): on a fresh clone the seeded complaints of many enterprises come out
// of the clustering as three candidate class problems a leader can promote.
import { expect } from 'chai';
import { DEMO_CLASSES, seedClassIssues } from '../../../server/seed/class-issues.seed.ts';
import { useTestApp } from '../helpers.ts';
import { clusterCandidates, expectDemoClassCandidates } from './demo-candidates.ts';

describe('api: demo class problems', function () {
  this.timeout(60_000);
  const t = useTestApp();

  it('seeds three classes across enterprises and regions, once, and the clustering offers each as a candidate', async () => {
    const created = await seedClassIssues(t.models, t.clock, t.seed!.enterprises);
    expect(created).to.equal(DEMO_CLASSES.reduce((n, c) => n + c.texts.length, 0));
    expect(await seedClassIssues(t.models, t.clock, t.seed!.enterprises)).to.equal(0);
    const candidates = await clusterCandidates(t);
    await expectDemoClassCandidates(t, candidates, async (key) => {
      const texts = DEMO_CLASSES.find((c) => c.key === key)!.texts;
      const ours = await t.models.Issue.find(
        { channel: 'zheliban', content: { $in: texts } },
        { number: 1 },
      ).lean();
      return new Set(ours.map((i) => i.number));
    });
    const rebate = candidates.find((c) => c.category === 'tax')!;
    expect(rebate.regions.length).to.be.at.least(2);
  });
});
