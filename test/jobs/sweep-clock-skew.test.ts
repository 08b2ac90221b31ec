// Finding 9: the claim lease does not depend on the processes' clocks. Two sweepers whose clocks are ten
// minutes apart (more than the five-minute lease) share one database: the one ahead must not take over the
// claims the other has just made and is still applying, and every fired step keeps its row in the ledger.
import { expect } from 'chai';
import { createSimulatedClock } from '../../shared/clock.ts';
import { runEscalationSweep } from '../../server/jobs/escalation-sweep.job.ts';
import { useIssueApp } from '../api/issues/fixtures.ts';
import {
  beforeSweepWrites,
  calendar,
  china,
  inProgress,
  minuteAfter,
  policy,
  silent,
  stored,
  systemActions,
} from './sweep-helpers.ts';

const TEN_MINUTES = 10 * 60_000;

describe('escalation sweep: two processes with skewed clocks', () => {
  const t = useIssueApp();

  it('the sweeper ten minutes ahead leaves live claims alone; every firing is in the ledger once', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const ids = [
      (await inProgress(t, '时钟偏差下的问题一')).id,
      (await inProgress(t, '时钟偏差下的问题二')).id,
    ];
    const yellowAt = (await stored(t, ids[0])).deadlines!.yellowAt;
    t.clock.set(minuteAfter(yellowAt));
    const ahead = createSimulatedClock(new Date(t.clock.now().getTime() + TEN_MINUTES));
    const pass = (clock: typeof t.clock) =>
      runEscalationSweep({ models: t.models, clock, calendar, policy, logger: silent });

    // Sweeper A has claimed and is about to write when sweeper B, ten minutes ahead, runs a whole pass.
    let overtaking: Awaited<ReturnType<typeof pass>> | undefined;
    const restore = beforeSweepWrites(t, {
      [ids[0]]: async () => {
        overtaking = await pass(ahead);
      },
    });
    let first: Awaited<ReturnType<typeof pass>> | undefined;
    try {
      first = await pass(t.clock);
    } finally {
      restore();
    }
    const firedBy = (r: Awaited<ReturnType<typeof pass>> | undefined) =>
      r!.fired.filter((f) => ids.includes(f.issueId));
    expect(firedBy(overtaking), 'the sweeper ahead fired steps another held').to.deep.equal([]);
    expect(firedBy(first).map((f) => f.step)).to.deep.equal(['urge', 'urge']);

    for (const id of ids) expect(await systemActions(t, id)).to.deep.equal(['urge']);
    const claims = await t.models.FollowUpClaim.find({ issueId: { $in: ids } }).lean();
    expect(claims.map((c) => c.status)).to.deep.equal(['applied', 'applied']);
  });
});
