// What the leader dashboard compares a period's figures with (server/kpi/kpi-period.ts): the calendar period
// before it, cut at the same day and time while the period still runs (本月 on the 15th against the 1st–15th of
// last month, not all of it), and the whole period before it once the period is over.
import { expect } from 'chai';
import { comparisonPeriod, monthPeriod, parseInstant, shiftMonths } from '../../../server/kpi/kpi-period.ts';

/** China wall time → instant. */
const china = (text: string) => new Date(`${text.replace(' ', 'T')}+08:00`);
const period = (from: string, to: string) => ({ from: parseInstant(from), to: parseInstant(to) });
const iso = (p: { from: Date; to: Date; periodToDate: boolean }) => ({
  from: p.from.toISOString(),
  to: p.to.toISOString(),
  periodToDate: p.periodToDate,
});

describe('KPI comparison period (较上期)', () => {
  it('本月 on the 15th at 10:00 is compared with last month up to the 15th at 10:00', () => {
    const p = comparisonPeriod(monthPeriod('2026-03'), china('2026-03-15 10:00'));
    expect(iso(p)).to.deep.equal({
      from: china('2026-02-01 00:00').toISOString(),
      to: china('2026-02-15 10:00').toISOString(),
      periodToDate: true,
    });
  });

  it('a month that is over is compared with the whole calendar month before it, not the same length', () => {
    // March has 31 days: the same length before it would start on 29 January.
    const p = comparisonPeriod(monthPeriod('2026-03'), china('2026-04-10 09:00'));
    expect(iso(p)).to.deep.equal({
      from: china('2026-02-01 00:00').toISOString(),
      to: china('2026-03-01 00:00').toISOString(),
      periodToDate: false,
    });
  });

  it('a day last month does not have means all of last month (31 March against February)', () => {
    const p = comparisonPeriod(monthPeriod('2026-03'), china('2026-03-31 16:20'));
    expect(p.to.toISOString()).to.equal(china('2026-03-01 00:00').toISOString());
    expect(shiftMonths(china('2026-05-31 08:00'), -1).toISOString()).to.equal(
      china('2026-05-01 00:00').toISOString(),
    );
    expect(shiftMonths(china('2028-02-29 12:00'), -12).toISOString()).to.equal(
      china('2027-03-01 00:00').toISOString(),
    );
  });

  it('本季度 and 本年 against last quarter and last year to the same day', () => {
    const quarter = comparisonPeriod(period('2026-04-01', '2026-07-01'), china('2026-05-20 14:05'));
    expect(iso(quarter)).to.deep.equal({
      from: china('2026-01-01 00:00').toISOString(),
      to: china('2026-02-20 14:05').toISOString(),
      periodToDate: true,
    });
    const year = comparisonPeriod(period('2026-01-01', '2027-01-01'), china('2026-03-02 09:00'));
    expect(iso(year)).to.deep.equal({
      from: china('2025-01-01 00:00').toISOString(),
      to: china('2025-03-02 09:00').toISOString(),
      periodToDate: true,
    });
  });

  it('a custom range is compared with the same length before it, cut at the same point while it runs', () => {
    const range = period('2026-03-10', '2026-03-20');
    expect(iso(comparisonPeriod(range, china('2026-03-25 00:00')))).to.deep.equal({
      from: china('2026-02-28 00:00').toISOString(),
      to: china('2026-03-10 00:00').toISOString(),
      periodToDate: false,
    });
    expect(iso(comparisonPeriod(range, china('2026-03-12 12:00')))).to.deep.equal({
      from: china('2026-02-28 00:00').toISOString(),
      to: china('2026-03-02 12:00').toISOString(),
      periodToDate: true,
    });
  });

  it('cuts to the next whole minute, so refreshes within a minute ask for the same period', () => {
    const a = comparisonPeriod(monthPeriod('2026-03'), china('2026-03-15 10:00:01'));
    const b = comparisonPeriod(monthPeriod('2026-03'), china('2026-03-15 10:00:59'));
    expect(a.to.toISOString()).to.equal(china('2026-02-15 10:01').toISOString());
    expect(b.to.getTime()).to.equal(a.to.getTime());
    // In the period's first seconds the other still has a minute, never an empty or reversed period.
    const start = comparisonPeriod(monthPeriod('2026-03'), china('2026-03-01 00:00:00.5'));
    expect(start.to.getTime() - start.from.getTime()).to.equal(60_000);
  });
});
