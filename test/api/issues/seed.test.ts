// The demo issues: ≥ 300 issues in every state, category, channel and urgency, written by the real commands
// over a simulated past (genuine timelines and numbers), deterministic and idempotent.
import { expect } from 'chai';
import request from 'supertest';
import { createSimulatedClock, DAY_MS } from '../../../shared/clock.ts';
import { CATEGORY_IDS, CHANNEL_IDS, ISSUE_STATES, URGENCIES } from '../../../shared/states.ts';
import { createModels, ensureIndexes, type IssueDoc, type Models } from '../../../server/models/index.ts';
import { seedDemo } from '../../../server/seed/index.ts';
import { seedIssues } from '../../../server/seed/issues.seed.ts';
import { openTestDatabase, TEST_HASH, TEST_START, useTestApp } from '../helpers.ts';

async function distinct(models: Models, field: string): Promise<string[]> {
  return (await models.Issue.distinct(field)).map(String).sort();
}

describe('demo issue seed', function () {
  this.timeout(180_000);
  const t = useTestApp({ seed: false });
  let issues: IssueDoc[];

  before(async function () {
    this.timeout(180_000);
    await seedDemo(t.models, t.clock, { hashParams: TEST_HASH });
    issues = await t.models.Issue.find().sort({ number: 1 }).lean<IssueDoc[]>();
  });

  it('creates at least 300 issues in every state, category, channel and urgency', async () => {
    expect(issues.length).to.be.at.least(300);
    expect(await distinct(t.models, 'state')).to.deep.equal([...ISSUE_STATES].sort());
    expect(await distinct(t.models, 'category')).to.deep.equal([...CATEGORY_IDS].sort());
    expect(await distinct(t.models, 'channel')).to.deep.equal([...CHANNEL_IDS].sort());
    expect(await distinct(t.models, 'urgency')).to.deep.equal([...URGENCIES].sort());
  });

  it('includes overdue, good, bad, redone, appealed, merged, rejected and consulting issues', () => {
    const some = (pred: (i: IssueDoc) => boolean) => issues.filter(pred).length;
    expect(some((i) => i.warning === 'overdue')).to.be.greaterThan(5);
    expect(some((i) => i.rating?.rating === 'good')).to.be.greaterThan(50);
    expect(some((i) => i.rating?.rating === 'bad' || i.ratingHistory.length > 0)).to.be.greaterThan(5);
    expect(some((i) => i.redoCount > 0)).to.be.greaterThan(3);
    expect(some((i) => i.rating?.verification === 'removed')).to.be.greaterThan(0);
    expect(some((i) => i.state === 'merged' && !!i.mergedInto)).to.be.greaterThan(3);
    expect(some((i) => i.state === 'consulting')).to.be.greaterThan(3);
    expect(some((i) => i.extensionCount > 0)).to.be.greaterThan(3);
    expect(some((i) => i.returnCount > 0)).to.be.greaterThan(3);
    expect(some((i) => i.urged)).to.be.greaterThan(3);
  });

  it('writes a genuine past: numbers follow creation time, timelines move forward, nothing in the future', () => {
    const now = t.clock.now().getTime();
    const earliest = now - 121 * DAY_MS;
    for (let k = 1; k < issues.length; k++) {
      expect(issues[k].createdAt.getTime()).to.be.at.least(issues[k - 1].createdAt.getTime());
    }
    for (const issue of issues) {
      expect(issue.createdAt.getTime()).to.be.within(earliest, now);
      expect(issue.timeline[0].action).to.equal('create');
      const times = issue.timeline.map((e) => e.at.getTime());
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
      expect(times.at(-1)).to.be.at.most(now);
      expect(issue.version).to.be.at.least(1);
    }
  });

  it('is idempotent: a second run adds nothing', async () => {
    const again = await seedIssues(t.models, t.clock, { units: [], enterprises: [] });
    expect(again).to.deep.equal({ created: 0, skipped: true });
    await seedDemo(t.models, t.clock, { hashParams: TEST_HASH });
    expect(await t.models.Issue.countDocuments()).to.equal(issues.length);
  });

  it('serves the workbench: the dispatcher lists them, a handler sees only their unit', async () => {
    const all = await request(t.app)
      .get('/api/issues?limit=100')
      .set(await t.auth('dispatcher'))
      .expect(200);
    expect(all.body.items).to.have.length(100);
    expect(all.body.next).to.be.a('string');
    const unit = await t.models.Unit.findOne({ code: 'city-tax' }).lean();
    const mine = await request(t.app)
      .get('/api/issues?limit=100')
      .set(await t.auth('handler-city-tax'))
      .expect(200);
    for (const item of mine.body.items) expect(item.unitId).to.equal(String(unit?._id));
  });

  it('is deterministic: the same seed on another database tells the same stories', async () => {
    const fingerprint = async (models: Models) =>
      (await models.Issue.find().sort({ number: 1 }).lean<IssueDoc[]>()).map(
        (i) => `${i.number} ${i.state} ${i.category} ${i.timeline.map((e) => e.action).join(',')}`,
      );
    const runOnce = async () => {
      const conn = await openTestDatabase();
      const clock = createSimulatedClock(TEST_START);
      const models = createModels(conn, clock);
      await ensureIndexes(models);
      const base = await seedDemo(models, clock, { hashParams: TEST_HASH, issues: false });
      await seedIssues(models, clock, { units: base.units, enterprises: base.enterprises, count: 40 });
      const result = await fingerprint(models);
      await conn.dropDatabase();
      await conn.close();
      return result;
    };
    const [a, b] = [await runOnce(), await runOnce()];
    expect(a).to.have.length.greaterThan(30);
    expect(a).to.deep.equal(b);
  });
});
