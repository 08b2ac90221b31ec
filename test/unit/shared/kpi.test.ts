import { expect } from 'chai';
import {
  computeKpis,
  kpisBy,
  oneTimeResolutionRate,
  onTimeCompletionRate,
  rectificationRate,
  repeatComplaintRate,
  returnRate,
  satisfactionRate,
  signTimelinessRate,
  type KpiIssue,
  addKpiCounts,
  countRepeats,
  emptyKpiCounts,
  kpiReportOf,
} from '../../../shared/kpi.ts';
import { chinaTime } from '../../../shared/calendar.ts';

const base: KpiIssue = {
  enterpriseId: 'e1',
  category: 'land',
  createdAt: chinaTime('2026-03-02', '09:00'),
  state: 'closed',
  signedAt: chinaTime('2026-03-02', '10:00'),
  signedLate: false,
  repliedLate: false,
  returnCount: 0,
  redoCount: 0,
  extensionCount: 0,
  rating: { rating: 'good', level: 'satisfied' },
  deadlines: {},
};
const issue = (over: Partial<KpiIssue> = {}): KpiIssue => ({ ...base, ...over });

describe('KPIs', () => {
  it('report "no data" rather than 0% or NaN when nothing can be measured', () => {
    const report = computeKpis([]);
    expect(report.total).to.equal(0);
    for (const [name, value] of Object.entries(report)) {
      if (name !== 'total') expect(value, name).to.deep.equal({ numerator: 0, denominator: 0, rate: null });
    }
  });

  it('satisfaction counts 非常满意, 满意 and 基本满意 over all ratings, ignoring ratings removed on appeal', () => {
    const r = satisfactionRate([
      issue({ rating: { rating: 'good', level: 'very_satisfied' } }),
      issue({ rating: { rating: 'good', level: 'basically_satisfied' } }),
      issue({ rating: { rating: 'bad', level: 'dissatisfied' } }),
      issue({ rating: { rating: 'bad', verification: 'removed' } }),
      issue({ rating: { rating: 'good' }, ratingHistory: [{ rating: 'bad', verification: 'reasonable' }] }),
      issue({ rating: null, state: 'in_progress' }),
    ]);
    expect(r).to.deep.equal({ numerator: 3, denominator: 5, rate: 0.6 });
  });

  it('sign-for timeliness counts signed issues and those still unsigned past their limit', () => {
    const r = signTimelinessRate([
      issue(),
      issue({ signedLate: true }),
      // Waiting within its limit: not measured yet.
      issue({ signedAt: null, signedLate: null, state: 'dispatched' }),
      // Past its limit unsigned (the sweep's 催签 marked it late): a miss before anyone signs.
      issue({ signedAt: null, signedLate: true, state: 'dispatched' }),
    ]);
    expect(r).to.deep.equal({ numerator: 1, denominator: 3, rate: 1 / 3 });
  });

  it('on-time completion and one-time resolution look at closed issues', () => {
    const issues = [
      issue(),
      issue({ repliedLate: true }),
      issue({ returnCount: 1 }),
      issue({ extensionCount: 1 }),
      issue({ state: 'in_progress', redoCount: 1 }),
    ];
    expect(onTimeCompletionRate(issues)).to.deep.equal({ numerator: 3, denominator: 4, rate: 0.75 });
    expect(oneTimeResolutionRate(issues)).to.deep.equal({ numerator: 2, denominator: 4, rate: 0.5 });
  });

  it('counts a repeat complaint when the same enterprise raises the same category within 90 days', () => {
    const day = (d: string) => chinaTime(d, '09:00');
    const r = repeatComplaintRate([
      issue({ createdAt: day('2026-01-05') }),
      issue({ createdAt: day('2026-03-20') }), // 74 days later: a repeat
      issue({ createdAt: day('2026-09-01') }), // more than 90 days after the last one
      issue({ createdAt: day('2026-03-21'), category: 'tax' }), // another category
      issue({ createdAt: day('2026-03-22'), enterpriseId: 'e2' }), // another enterprise
      issue({ createdAt: day('2026-03-23'), state: 'merged' }), // a duplicate, not a repeat
    ]);
    expect(r).to.deep.equal({ numerator: 1, denominator: 5, rate: 0.2 });
  });

  it('return rate is over issues that were ever dispatched', () => {
    const r = returnRate([
      issue({ returnCount: 2 }),
      issue(),
      issue({ state: 'received', deadlines: null, signedAt: null }),
    ]);
    expect(r).to.deep.equal({ numerator: 1, denominator: 2, rate: 0.5 });
  });

  it('rectification rate: redone issues that ended with a good rating', () => {
    const r = rectificationRate([
      issue({ redoCount: 1 }),
      issue({ redoCount: 1, state: 'in_progress', rating: null }),
      issue({ redoCount: 2, rating: { rating: 'bad', verification: 'removed' } }),
      issue(),
    ]);
    expect(r).to.deep.equal({ numerator: 1, denominator: 3, rate: 1 / 3 });
  });

  it('groups KPIs by any key, e.g. category', () => {
    const grouped = kpisBy([issue(), issue({ category: 'tax', signedLate: true })], (i) => i.category);
    expect(Object.keys(grouped)).to.have.members(['land', 'tax']);
    expect(grouped.tax.signTimeliness.rate).to.equal(0);
    expect(grouped.land.signTimeliness.rate).to.equal(1);
  });
});

describe('kpi: counts that add up across groups (the server aggregation)', () => {
  it('countRepeats counts each time within 90 days of the one before, in any order', () => {
    const day = 24 * 3600 * 1000;
    expect(countRepeats([100 * day, 0, 90 * day])).to.equal(2);
    expect(countRepeats([200 * day, 0, 100 * day])).to.equal(0);
    expect(countRepeats([0, 90 * day, 180 * day])).to.equal(2);
    expect(countRepeats([0, 91 * day])).to.equal(0);
    expect(countRepeats([])).to.equal(0);
  });

  it('kpiReportOf turns counts into the same rates as computeKpis; added counts give the pooled rates', () => {
    const a = { ...emptyKpiCounts(), ratings: 2, goodRatings: 1, closed: 4, closedOnTime: 3 };
    const b = { ...emptyKpiCounts(), ratings: 3, goodRatings: 3, closed: 0 };
    const r = kpiReportOf(addKpiCounts(a, b));
    expect(r.satisfaction.rate).to.equal(4 / 5);
    expect(r.onTimeCompletion.rate).to.equal(3 / 4);
    expect(r.rectification.rate).to.equal(null);
  });
});
