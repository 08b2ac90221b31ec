// The dashboard's drill-down to the issue list (web/src/lib/kpis.ts drillQuery): a period ends at an exclusive
// instant (the next 00:00) and the list's `to` is inclusive, so an issue taken in at that midnight belongs to
// the next period and is not listed under this one's figure.
import { expect } from 'chai';
import { drillQuery } from '../../../web/src/lib/kpis.ts';
import { periodOf } from '../../../web/src/lib/period.ts';

describe('dashboard drill-down query (web lib/kpis)', () => {
  const december = periodOf('month', new Date('2026-12-05T02:00:00Z'));

  it("ends 1 ms before the period's exclusive end, as the server's own drill strings do", () => {
    const q = drillQuery({ key: 'land' }, 'overdue', 'category', december);
    expect(q).to.include({
      from: '2026-12-01T00:00:00+08:00',
      to: '2026-12-31T15:59:59.999Z',
      category: 'land',
      // 超期 is past the deadline: red (at the due time) and 已超期 (a working day later), as the server counts.
      warning: 'red,overdue',
    });
  });

  it("takes the server's drill string as it is when the row has one", () => {
    const given = 'from=2026-12-01T00%3A00%3A00.000Z&to=2026-12-31T15%3A59%3A59.999Z&scope=kpi&state=closed';
    expect(drillQuery({ drill: { closed: given } }, 'closed', null, december)).to.deep.equal({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-31T15:59:59.999Z',
      scope: 'kpi',
      state: 'closed',
    });
  });
});
