// China days for the issue list's 受理时间 (web/src/lib/period.ts): the days an instant and a range's end fall
// on in China time whatever the process's own zone, and the first and last instants of a day.
import { expect } from 'chai';
import { comparisonPeriod } from '../../../server/kpi/kpi-period.ts';
import {
  chinaDayEnd,
  chinaDayOf,
  chinaDayStart,
  comparisonName,
  customPeriod,
  lastChinaDayOf,
  periodFileLabel,
  periodOf,
  reportMonthOf,
} from '../../../web/src/lib/period.ts';

describe('China days (web lib/period)', () => {
  it('an instant falls on its China day: 23:30 UTC is the next morning in Huzhou', () => {
    expect(chinaDayOf('2026-12-04T23:30:00Z')).to.equal('2026-12-05');
    expect(chinaDayOf('2026-12-05T15:59:59.999Z')).to.equal('2026-12-05');
    expect(chinaDayOf('2026-12-05T16:00:00Z')).to.equal('2026-12-06');
  });

  it('a range cut at midnight ends the day before; any later cut on its own day', () => {
    // 本月 in December ends at 2027-01-01 00:00 China time: its last day is 12-31, not 01-01.
    expect(lastChinaDayOf(periodOf('month', new Date('2026-12-05T02:00:00Z')).to)).to.equal('2026-12-31');
    expect(lastChinaDayOf(customPeriod('2026-03-01', '2026-03-31').to)).to.equal('2026-03-31');
    expect(lastChinaDayOf('2026-12-05T01:00:00Z')).to.equal('2026-12-05');
    expect(lastChinaDayOf(chinaDayEnd('2026-12-05'))).to.equal('2026-12-05');
  });

  it('a day runs from its 00:00 to its 23:59:59.999 at +08:00', () => {
    expect(chinaDayStart('2026-12-05')).to.equal('2026-12-04T16:00:00.000Z');
    expect(chinaDayEnd('2026-12-05')).to.equal('2026-12-05T15:59:59.999Z');
    expect(chinaDayOf(chinaDayStart('2026-12-05'))).to.equal('2026-12-05');
  });

  it('a period opens the 月度分析报告 of the last month it reaches that has begun', () => {
    const now = new Date('2026-12-05T02:00:00Z');
    expect(reportMonthOf(periodOf('year', now), now)).to.equal('2026-12');
    expect(reportMonthOf(periodOf('quarter', now), now)).to.equal('2026-12');
    expect(reportMonthOf(periodOf('month', now), now)).to.equal('2026-12');
    expect(reportMonthOf(customPeriod('2026-03-01', '2026-05-31'), now)).to.equal('2026-05');
    // The last hour of a month in China is the next day's morning in UTC: still that month.
    const lastHour = new Date('2026-11-30T15:59:59Z');
    expect(reportMonthOf(periodOf('year', lastHour), lastHour)).to.equal('2026-11');
  });

  it('a period names its export file without spaces', () => {
    const now = new Date('2026-12-05T02:00:00Z');
    expect(periodFileLabel('year', periodOf('year', now))).to.equal('2026年');
    expect(periodFileLabel('quarter', periodOf('quarter', now))).to.equal('2026年第4季度');
    expect(periodFileLabel('custom', customPeriod('2026-03-01', '2026-03-31'))).to.equal(
      '2026-03-01至2026-03-31',
    );
  });

  it('a custom range of whole months is compared with the months before it, and named so', () => {
    // The server's answer: 1–30 November against 1–31 October, not the 30 days before (kpi-period.ts).
    const november = { from: '2026-10-31T16:00:00.000Z', to: '2026-11-30T16:00:00.000Z' };
    const before = comparisonPeriod(
      { from: new Date(november.from), to: new Date(november.to) },
      new Date('2026-12-07T00:00:00Z'),
    );
    expect(before.from.toISOString()).to.equal('2026-09-30T16:00:00.000Z');
    expect(comparisonName('custom', false, november)).to.equal('上月');
    expect(comparisonName('custom', false, customPeriod('2026-01-01', '2026-06-30'))).to.equal('前6个月');
    expect(comparisonName('custom', true, customPeriod('2026-12-01', '2026-12-31'))).to.equal('上月同期');
    // Any other range is set against as many days just before it.
    expect(comparisonName('custom', false, customPeriod('2026-11-02', '2026-11-30'))).to.equal(
      '前一等长区间',
    );
    expect(comparisonName('custom', false, customPeriod('2026-11-01', '2026-11-29'))).to.equal(
      '前一等长区间',
    );
    expect(comparisonName('month', true)).to.equal('上月同期');
  });
});
