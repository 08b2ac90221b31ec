// Security review (fresh eyes): gaps a hostile but realistic staff user could use, each pinned by what the
// attacker could do before the fix.
import { expect } from 'chai';
import request from 'supertest';
import { enterpriseIn, useIssueApp } from './issues/fixtures.ts';
import { insertKpiIssues, type KpiFixture } from './kpi-fixture.ts';

describe('api: security review', function () {
  this.timeout(60_000);
  const t = useIssueApp();

  const directory = async (q: string, as: string) => {
    const res = await request(t.app)
      .get(`/api/enterprises?q=${encodeURIComponent(q)}`)
      .set(await t.auth(as));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return (res.body as { items: { id: string }[] }).items.map((i) => i.id);
  };

  it('finds an enterprise by its whole mobile only for the roles that read the mobile', async () => {
    // Before: any staff member saw 139****1234 in the directory and could try the 10,000 numbers it allows
    // until the search named the enterprise, reading the registered mobile the centre alone may read.
    const e = enterpriseIn(t, 'deqing', 2);
    for (const as of ['clerk', 'dispatcher', 'director', 'admin'])
      expect(await directory(e.mobile, as), as).to.deep.equal([String(e._id)]);
    for (const as of ['leader', 'supervisor', 'handler-city-tax', 'unithead-city-tax'])
      expect(await directory(e.mobile, as), as).to.deep.equal([]);
    // Written with spaces and dashes it is the same number, and still no oracle.
    const spaced = `${e.mobile.slice(0, 3)} ${e.mobile.slice(3, 7)}-${e.mobile.slice(7)}`;
    expect(await directory(spaced, 'handler-city-tax')).to.deep.equal([]);
    // Searching by name still works for everyone.
    expect(await directory(e.name, 'handler-city-tax')).to.include(String(e._id));
  });

  describe('the monthly report', () => {
    let f: KpiFixture;
    before(async () => {
      f = await insertKpiIssues(t);
    });

    it('lists the issues awaiting coordination to issue readers only, and counts them for the admin', async () => {
      // Before: the admin, who reads figures and never an issue, read the leader-tier and consulting issues of
      // the whole city here (number, title, enterprise), which the drill-downs and the issue page refuse it.
      const report = async (as: string) => {
        const res = await request(t.app)
          .get('/api/reports/monthly?month=2026-03')
          .set(await t.auth(as));
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        return res.body as { awaitingCoordination: { id: string }[]; awaitingTotal: number };
      };
      for (const as of ['leader', 'director', 'supervisor']) {
        const r = await report(as);
        expect(
          r.awaitingCoordination.map((i) => i.id),
          as,
        ).to.deep.equal([f.ids.I3]);
      }
      const admin = await report('admin');
      expect(admin.awaitingCoordination).to.deep.equal([]);
      expect(admin.awaitingTotal).to.equal(1);
    });
  });
});
