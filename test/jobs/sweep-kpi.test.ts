// The KPI rollups count issues past their deadline (red or 已超期), so a light the sweep turns red must reach
// them even when no step fires with it (the steps were already taken): the sweep moves the issue's updatedAt, the KPI read rebuilds that
// day live, and the dashboard's figure agrees with the direct aggregation at once, before the job's next pass.
import { expect } from 'chai';
import { refreshRollups } from '../../server/kpi/kpi-rollup.store.ts';
import { useIssueApp } from '../api/issues/fixtures.ts';
import { kpisOf } from '../api/kpi-fixture.ts';
import { china, inProgress, minuteAfter, stored, sweep, systemActions } from './sweep-helpers.ts';

describe('escalation sweep: a light turning red reaches the KPI rollups', () => {
  const t = useIssueApp();
  const period = 'groupBy=unit&from=2026-02-01&to=2026-04-01';
  const kpis = (extra = '') => kpisOf(t, `${period}${extra}`);

  it('counts the issue as 超期 from the rollups once its light turns red, as the direct aggregation does', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t);
    // Its follow-ups were already taken (say by hand), so its light turns red with no event of its own.
    const { _id, deadlines } = await stored(t, id);
    await t.models.Issue.collection.updateOne(
      { _id },
      { $set: { urged: true, supervised: true, escalated: true, bulletined: true } },
    );
    const { redAt, overdueAt } = deadlines!;
    await refreshRollups(t.models, new Date(redAt.getTime() - 3_600_000));
    t.clock.set(minuteAfter(redAt));
    const before = await kpis();
    expect(before.source).to.equal('rollups');
    expect(before.totals.overdue).to.equal(0);

    // Past the due time: red, and 超期 (it counted only 已超期, a working day later).
    await sweep(t);
    expect((await stored(t, id)).warning).to.equal('red');
    expect(await systemActions(t, id)).to.deep.equal([]);
    const atRed = await kpis();
    expect(atRed.source).to.equal('rollups');
    expect(atRed.totals.overdue).to.equal(1);
    expect(atRed.items).to.deep.equal((await kpis('&source=direct')).items);

    // A working day later 已超期: still one.
    t.clock.set(minuteAfter(overdueAt));
    await sweep(t);
    expect((await stored(t, id)).warning).to.equal('overdue');
    const after = await kpis();
    const direct = await kpis('&source=direct');
    expect(after.source).to.equal('rollups');
    expect(after.totals.overdue).to.equal(1);
    expect(after.items).to.deep.equal(direct.items);
  });
});
