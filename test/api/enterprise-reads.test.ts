// Reads that name many enterprises at once go through the enterprise index (ENTERPRISE_ISSUES_INDEX), never
// the createdAt one: the KPI rollups' repeat predecessors of a changed day and an import batch's repeat
// candidates. The trap, found at 1,000,000 issues: the newest issues
// of the range are exactly those of the enterprises named, so the createdAt plan wins the planner's trial
// (its first keys all match) and then walks every issue of the range (98,835 keys for 6,549 predecessors).
// Each read the code really makes is captured and explained: keys examined stay near what it returns.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { DAY_MS } from '../../shared/clock.ts';
import { buildDays } from '../../server/kpi/kpi-rollup-issues.ts';
import { dayNumber, dayStart } from '../../server/kpi/kpi-rollup.ts';
import { candidatesOf, createBatchMemory } from '../../server/intake/intake-batch.ts';
import type { EnterpriseDoc } from '../../server/models/index.ts';
import { fixtureIssueDoc } from './kpi-fixture.ts';
import { useIssueApp } from './issues/fixtures.ts';

/** Enterprises with one issue each on the newest day: the ones the reads name. */
const NAMED = 150;
/** Issues of other enterprises in the 90 days before: what a createdAt scan would walk through. */
const OTHERS = 3000;

interface Read {
  filter: Record<string, unknown>;
  options: Record<string, unknown>;
}

describe('reads of many enterprises at once', function () {
  this.timeout(120_000);
  const t = useIssueApp();
  let day: number;
  let named: EnterpriseDoc[];

  const enterprise = (i: number) =>
    ({
      _id: new Types.ObjectId(),
      name: `企业${i}`,
      creditCode: `91330500MA2B${String(i).padStart(6, '0')}`,
      region: '吴兴区',
    }) as unknown as EnterpriseDoc;

  before(async () => {
    day = dayNumber(t.clock.now()) - 1;
    named = Array.from({ length: NAMED }, (_, i) => enterprise(i));
    const others = Array.from({ length: 40 }, (_, i) => enterprise(1000 + i));
    const docs = [
      ...named.map((ent, i) =>
        fixtureIssueDoc({
          ent,
          unit: null,
          state: 'received',
          createdAt: new Date(dayStart(day).getTime() + 3_600_000 + i * 60_000).toISOString(),
        }),
      ),
      // Each also has an older issue merged into another (so not a predecessor, not a candidate): newest issues
      // are not merged yet, so the enterprise index meets these on the way while the createdAt one does not.
      ...named.map((ent, i) =>
        fixtureIssueDoc({
          ent,
          unit: null,
          state: 'merged',
          createdAt: new Date(dayStart(day).getTime() - 20 * DAY_MS + i * 60_000).toISOString(),
        }),
      ),
      ...Array.from({ length: OTHERS }, (_, i) =>
        fixtureIssueDoc({
          ent: others[i % others.length],
          unit: null,
          state: 'received',
          createdAt: new Date(dayStart(day).getTime() - ((i + 1) / OTHERS) * 89 * DAY_MS).toISOString(),
        }),
      ),
    ];
    await t.models.Issue.collection.insertMany(docs as never[]);
  });

  /** The issue finds `run` makes, as it made them. */
  async function capture(run: () => Promise<unknown>): Promise<Read[]> {
    type Find = (filter: Read['filter'], options?: Read['options']) => unknown;
    const coll = t.models.Issue.collection as unknown as { find: Find };
    const find = coll.find;
    const reads: Read[] = [];
    coll.find = function (this: unknown, filter: Read['filter'], options: Read['options'] = {}) {
      reads.push({ filter, options });
      return find.call(this, filter, options);
    };
    try {
      await run();
    } finally {
      coll.find = find;
    }
    return reads;
  }

  async function expectEnterpriseReads(reads: Read[]): Promise<void> {
    const many = reads.filter((r) => {
      const e = r.filter.enterpriseId as { $in?: unknown[] } | undefined;
      return (e?.$in?.length ?? 0) >= NAMED;
    });
    expect(many.length, 'reads naming the enterprises').to.be.at.least(1);
    for (const { filter, options } of many) {
      const explained = await t.models.Issue.collection
        .find(filter as never, options as never)
        .explain('executionStats');
      const stats = explained.executionStats as { totalKeysExamined: number; nReturned: number };
      expect(stats.nReturned, JSON.stringify(filter).slice(0, 80)).to.be.at.least(1);
      // A point scan per enterprise: its issues and at most one key past them, never the range's others.
      expect(stats.totalKeysExamined).to.be.at.most(stats.nReturned + NAMED + 1);
    }
  }

  it('rebuilds a changed day reading its predecessors by enterprise', async () => {
    const reads = await capture(() => buildDays(t.models, [[day, day + 1]]));
    await expectEnterpriseReads(reads);
  });

  it("reads an import batch's repeat candidates by enterprise", async () => {
    const reads = await capture(() =>
      candidatesOf(
        t.models,
        named.map((e) => e._id),
        t.clock.now(),
        createBatchMemory(),
      ),
    );
    await expectEnterpriseReads(reads);
  });
});
