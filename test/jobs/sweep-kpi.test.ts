// The KPI rollups count overdue issues, so a light the sweep turns red must reach them even when no step fires
// with it (the steps were already taken): the sweep moves the issue's updatedAt, the KPI read rebuilds that
// day live, and the dashboard's figure agrees with the direct aggregation at once, before the job's next pass.
import { expect } from 'chai';
import request from 'supertest';
import { refreshRollups } from '../../server/kpi/kpi-rollup.store.ts';
import { useIssueApp } from '../api/issues/fixtures.ts';
import { china, inProgress, minuteAfter, stored, sweep, systemActions } from './sweep-helpers.ts';

describe('escalation sweep: a light turning red reaches the KPI rollups', () => {
  const t = useIssueApp();
  const period = 'groupBy=unit&from=2026-02-01&to=2026-04-01';
  const kpis = async (extra = '') =>
    (
      await request(t.app)
        .get(`/api/kpis?${period}${extra}`)
        .set(await t.auth('leader'))
        .expect(200)
    ).body;

  it('counts the issue as overdue from the rollups, as the direct aggregation does', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t);
    // Its follow-ups were already taken (say by hand), so its light turns red with no event of its own.
    const { _id, deadlines } = await stored(t, id);
    await t.models.Issue.collection.updateOne(
      { _id },
      { $set: { urged: true, supervised: true, escalated: true, bulletined: true } },
    );
    const overdueAt = deadlines!.overdueAt;
    await refreshRollups(t.models, new Date(overdueAt.getTime() - 3_600_000));
    t.clock.set(minuteAfter(overdueAt));
    const before = await kpis();
    expect(before.source).to.equal('rollups');
    expect(before.totals.overdue).to.equal(0);

    await sweep(t);
    const doc = await stored(t, id);
    expect(doc.warning).to.equal('overdue');
    expect(await systemActions(t, id)).to.deep.equal([]);

    const after = await kpis();
    const direct = await kpis('&source=direct');
    expect(after.source).to.equal('rollups');
    expect(after.totals.overdue).to.equal(1);
    expect(after.totals.overdue).to.equal(direct.totals.overdue);
    expect(after.items).to.deep.equal(direct.items);
  });
});
