// The app benchmarks start their clock on a settled data set past the KPI rollups' watermark slack
// (bench/lib/app/settle.ts, clockStart). The settle's last writes are stamped up to where its clock stopped,
// after the watermark its rollup build stored: from there they are rebuilt by the run's start-up pass alone.
// A clock started where the settle stopped rebuilt them in the next two minute passes too (at 100,000 issues
// 663 days, 19-40 s of the main thread each), in the middle of the loads being measured.
import { expect } from 'chai';
import { clockStart } from '../../bench/lib/app/settle.ts';
import type { DatasetManifest } from '../../bench/lib/dataset/catalog.ts';
import { refreshRollups } from '../../server/kpi/kpi-rollup.store.ts';
import { unitByCode, useIssueApp } from './issues/fixtures.ts';
import { fixtureIssueDoc } from './kpi-fixture.ts';

describe('the bench clock on a settled data set', function () {
  this.timeout(120_000);
  const t = useIssueApp();

  it("rebuilds the settle's last writes in the start-up pass only, not in the minute passes after it", async () => {
    const asOf = new Date('2026-03-20T01:51:00Z');
    const unit = unitByCode(t, 'city-drc');
    const docs = t.data.enterprises
      .slice(0, 4)
      .flatMap((ent, e) =>
        [1, 5, 9].map((d) =>
          fixtureIssueDoc({ ent, unit, createdAt: `2026-03-${String(d + e).padStart(2, '0')}T02:00:00Z` }),
        ),
      );
    await t.models.Issue.collection.insertMany(docs as never[]);
    // The settle: the rollups built at the as-of time, then its catch-up sweep's writes until its clock stopped.
    await refreshRollups(t.models, asOf);
    const clockAt = new Date(asOf.getTime() + 61_000);
    await t.models.Issue.collection.updateMany({}, { $set: { updatedAt: clockAt }, $inc: { version: 1 } });
    const manifest = {
      asOf: asOf.toISOString(),
      settled: { clockAt: clockAt.toISOString() },
    } as DatasetManifest;
    const start = new Date(clockStart(manifest)).getTime();
    const rebuilt: number[] = [];
    for (const minute of [0, 1, 2]) {
      rebuilt.push((await refreshRollups(t.models, new Date(start + 10_000 + minute * 60_000))).rebuilt);
    }
    expect(rebuilt[0], "the start-up pass rebuilds the settle's changed days").to.be.greaterThan(0);
    expect(rebuilt.slice(1), 'the minute passes after it find nothing changed').to.deep.equal([0, 0]);
  });
});
