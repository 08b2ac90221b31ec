// The repeat check's read of an enterprise's open issues (issue 7 §2): messages of the same moment share one
// read for all their enterprises, and each still gets exactly its own enterprise's candidates, newest first,
// at most REPEAT_CANDIDATES; an enterprise the shared read's limit cut short reads its own.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { REPEAT_CANDIDATES, repeatCandidates } from '../../../server/intake/repeat-candidates.ts';
import { enterpriseIn, useIssueApp } from '../issues/fixtures.ts';

describe('intake: the repeat candidates read', () => {
  const t = useIssueApp();
  let seq = 0;

  /** `n` open issues of the enterprise, created `hoursAgo` hours before now and one minute apart. */
  async function issuesOf(enterpriseId: Types.ObjectId, n: number, hoursAgo: number, state = 'dispatched') {
    const now = t.clock.now().getTime();
    await t.models.Issue.collection.insertMany(
      Array.from({ length: n }, (_, i) => ({
        _id: new Types.ObjectId(),
        number: `HZ-2026-9${String(++seq).padStart(5, '0')}`,
        enterpriseId,
        title: `问题${seq}`,
        content: `第${seq}件`,
        category: 'land',
        state,
        createdAt: new Date(now - hoursAgo * 3_600_000 - i * 60_000),
      })),
    );
  }

  const finds = async () => {
    const status = await t.models.Issue.db.db!.admin().command({ serverStatus: 1 });
    return (status.metrics.commands.find?.total ?? 0) as number;
  };
  const ids = (list: Array<{ _id: unknown }>) => list.map((c) => String(c._id));

  it('reads the candidates of concurrent messages in one read, each enterprise its own', async () => {
    const [a, b, c] = [0, 1, 2].map((n) => enterpriseIn(t, 'wuxing', n)._id as Types.ObjectId);
    await issuesOf(a, 3, 1);
    await issuesOf(b, 2, 2);
    await issuesOf(b, 1, 3, 'closed');
    const now = t.clock.now();
    const alone = [];
    for (const e of [a, b, c]) alone.push(await repeatCandidates(t.models, String(e), now));
    expect(alone.map((l) => l.length)).to.deep.equal([3, 2, 0]);

    const before = await finds();
    const together = await Promise.all([a, b, c, a].map((e) => repeatCandidates(t.models, String(e), now)));
    expect((await finds()) - before, 'one read for the four messages').to.equal(1);
    expect(together.map(ids)).to.deep.equal([...alone, alone[0]].map(ids));
    expect(together[0].map((x) => x.createdAt.getTime())).to.deep.equal(
      [...together[0]].map((x) => x.createdAt.getTime()).sort((x, y) => y - x),
    );
  });

  it('an enterprise the shared limit cut short reads its own candidates', async () => {
    const [busy, quiet] = [3, 4].map((n) => enterpriseIn(t, 'wuxing', n)._id as Types.ObjectId);
    // The busy enterprise's newest issues fill the shared read's limit (REPEAT_CANDIDATES for each of two).
    await issuesOf(busy, 2 * REPEAT_CANDIDATES + 5, 1);
    await issuesOf(quiet, 3, 24);
    const now = t.clock.now();
    const [ofBusy, ofQuiet] = await Promise.all(
      [busy, quiet].map((e) => repeatCandidates(t.models, String(e), now)),
    );
    expect(ofBusy).to.have.length(REPEAT_CANDIDATES);
    expect(ids(ofQuiet)).to.deep.equal(ids(await repeatCandidates(t.models, String(quiet), now)));
    expect(ofQuiet).to.have.length(3);
  });
});
