// What class clustering reads stays proportional to what it clusters, however much finished history is stored:
// the older issues still open are read through index ranges of their states, not by walking every older issue
// (a `$nin` of the finished states did that: an 18-second read at a million issues).
import { expect } from 'chai';
import { Types } from 'mongoose';
import { clusterFilters, RECENT_DAYS } from '../../../server/classes/cluster.job.ts';
import { china, inProgress, stored } from '../../jobs/sweep-helpers.ts';
import { useIssueApp } from '../issues/fixtures.ts';

const DAY = 86_400_000;

interface Explained {
  executionStats: { nReturned: number; totalKeysExamined: number; totalDocsExamined: number };
}

describe('class clustering: what its reads examine', () => {
  const t = useIssueApp();
  const now = china('2026-06-01 10:00');

  before(async () => {
    t.clock.set(china('2026-01-05 09:00'));
    const template = await stored(t, (await inProgress(t, '园区道路破损影响货车通行')).id);
    // A year of finished history before the recent window, a few older issues still open, some recent ones.
    const old = (i: number) => new Date(now.getTime() - (RECENT_DAYS + 1 + (i % 300)) * DAY);
    const docs = Array.from({ length: 400 }, (_, i) => ({
      ...template,
      _id: new Types.ObjectId(),
      number: `HZ-2026-${String(800_000 + i)}`,
      createdAt: i < 20 ? new Date(now.getTime() - (i + 1) * DAY) : old(i),
      state: i < 20 ? 'in_progress' : i < 26 ? 'dispatched' : ['closed', 'merged', 'rejected'][i % 3],
    }));
    await t.models.Issue.collection.insertMany(docs);
  });

  const explain = (filter: object) =>
    t.models.Issue.collection.find(filter).explain('executionStats') as unknown as Promise<Explained>;

  it('reads the older open issues through their states’ ranges, not the finished history', async () => {
    const { olderOpen } = clusterFilters(now);
    const { executionStats: s } = await explain(olderOpen);
    expect(s.nReturned).to.equal(7); // six copies and the template, opened in January
    expect(s.totalDocsExamined).to.equal(s.nReturned);
    expect(s.totalKeysExamined).to.be.at.most(s.nReturned + 10); // plus one key per state range's end
  });

  it('reads the recent issues through the creation range', async () => {
    const { recent } = clusterFilters(now);
    const { executionStats: s } = await explain(recent);
    expect(s.nReturned).to.equal(20);
    expect(s.totalDocsExamined).to.be.at.most(s.nReturned + 1);
  });
});
