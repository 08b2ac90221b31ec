// The sweep's reads stay cheap however many issues are stored: an idle pass is two index range scans that
// examine nothing (the due issues, the stale claims), a busy one examines about as many keys as it returns,
// and the projected read still gives the shared core every field it works on.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { toCore } from '../../server/commands/issue-store.ts';
import { dueFilter } from '../../server/jobs/escalation-sweep.job.ts';
import { staleFilter } from '../../server/jobs/follow-up-claims.ts';
import { SWEEP_PROJECTION } from '../../server/jobs/sweep-plan.ts';
import type { IssueDoc } from '../../server/models/index.ts';
import { useIssueApp } from '../api/issues/fixtures.ts';
import { china, inProgress, stored, sweep } from './sweep-helpers.ts';

const DAY = 86_400_000;

interface PlanStage {
  stage: string;
  indexName?: string;
  inputStage?: PlanStage;
}

interface Explained {
  queryPlanner: { winningPlan: PlanStage };
  executionStats: { nReturned: number; totalKeysExamined: number; totalDocsExamined: number };
}

/** The index the winning plan scans, or null for a collection scan. */
function scannedIndex(plan: PlanStage): string | null {
  for (let s: PlanStage | undefined = plan; s; s = s.inputStage) {
    if (s.stage === 'IXSCAN') return s.indexName ?? null;
  }
  return null;
}

describe('escalation sweep: what its reads examine', () => {
  const t = useIssueApp();
  let template: IssueDoc;

  before(async () => {
    t.clock.set(china('2026-02-13 09:00'));
    template = await stored(t, (await inProgress(t)).id);
    // Many issues that are not due (later checks, closed ones without any), and a ledger of past firings.
    const later = (i: number) => new Date(china('2026-04-01 09:00').getTime() + i * DAY);
    const copies = Array.from({ length: 300 }, (_, i) => ({
      ...template,
      _id: new Types.ObjectId(),
      number: `HZ-2026-${String(900_000 + i)}`,
      ...(i % 3 ? { nextCheckAt: later(i) } : { state: 'closed', nextCheckAt: null }),
    }));
    await t.models.Issue.collection.insertMany(copies);
    await t.models.FollowUpClaim.collection.insertMany(
      copies.map((c) => ({
        issueId: c._id,
        step: 'urge',
        dueAt: template.deadlines!.yellowAt,
        status: 'applied',
        owner: 'earlier-sweeper',
        claimedAt: template.createdAt,
        appliedAt: template.createdAt,
        issueVersion: 2,
      })),
    );
  });

  const dueRead = (now: Date) =>
    t.models.Issue.find(dueFilter(now), SWEEP_PROJECTION)
      .sort({ nextCheckAt: 1 })
      .limit(500)
      .explain('executionStats') as unknown as Promise<Explained>;

  it('an idle pass: the due range and the stale claims are index scans that examine nothing', async () => {
    const now = china('2026-02-20 10:00');
    expect((await sweep(t)).examined).to.equal(0);
    const due = await dueRead(now);
    expect(scannedIndex(due.queryPlanner.winningPlan)).to.equal('nextCheckAt_1');
    expect(due.executionStats).to.include({ nReturned: 0, totalKeysExamined: 0, totalDocsExamined: 0 });
    const lease = { owner: 'me', now, leaseMs: 5 * 60_000 };
    const stale = (await t.models.FollowUpClaim.find(staleFilter(lease))
      .sort({ claimedAt: 1 })
      .limit(10_000)
      .explain('executionStats')) as unknown as Explained;
    expect(scannedIndex(stale.queryPlanner.winningPlan)).to.equal('claimedAt_1');
    expect(stale.executionStats).to.include({ nReturned: 0, totalKeysExamined: 0, totalDocsExamined: 0 });
  });

  it('a busy pass reads the due issues and about nothing else', async () => {
    const due = await dueRead(china('2026-03-06 10:00'));
    expect(due.executionStats.nReturned).to.equal(1);
    expect(due.executionStats.totalKeysExamined).to.be.at.most(2);
    expect(due.executionStats.totalDocsExamined).to.equal(1);
  });

  it('the projected read gives the shared core every field it works on', async () => {
    t.clock.set(china('2026-03-06 10:00'));
    await sweep(t);
    const full = await stored(t, String(template._id));
    expect(full.consultation).to.not.equal(null);
    const projected = await t.models.Issue.findById(template._id, SWEEP_PROJECTION).lean<IssueDoc>();
    expect(toCore(projected!)).to.deep.equal(toCore(full));
    expect(projected).to.not.have.property('timeline');
    expect(projected).to.include({ number: full.number, version: full.version });
  });
});
