// A year of the working calendar as 工作日历 shows it (shared/calendar-year.ts): each day's kind and source, an
// override compared with the State Council arrangement it changes, festivals grouped in the order they fall and
// local changes by month, and the year's totals. Pure: the packaged 2026 data, overrides given inline.
import { expect } from 'chai';
import { createWorkCalendar } from '../../../shared/calendar.ts';
import { datesOfYear, groupYearDays, resolveYear, yearTotals } from '../../../shared/calendar-year.ts';

const arrangement = createWorkCalendar();
const withOverrides = (overrides: Record<string, 'work' | 'off'>) => createWorkCalendar({ overrides });

describe('a year of the working calendar (calendar-year)', () => {
  it('lists every day of the year, 366 in a leap year', () => {
    expect(datesOfYear(2026)).to.have.length(365);
    expect(datesOfYear(2028)).to.have.length(366);
    expect(datesOfYear(2026)[58]).to.equal('2026-02-28');
  });

  it('2026: holidays 休 and make-up days 班 from the State Council, plain days with no source', () => {
    const days = resolveYear(2026, arrangement, arrangement);
    const on = (date: string) => days.find((d) => d.date === date);
    expect(on('2026-02-14')).to.deep.equal({
      date: '2026-02-14',
      working: true,
      kind: 'workday',
      source: 'state_council',
      name: '春节',
    });
    expect(on('2026-02-15')).to.include({ working: false, kind: 'holiday', name: '春节' });
    expect(on('2026-03-07')).to.deep.equal({ date: '2026-03-07', working: false, kind: 'weekend' });
    expect(yearTotals(days)).to.deep.include({ workdays: 6, workingDays: 248 });
  });

  it('an override says what it replaced: a worked festival day is 班, an extra day off 休', () => {
    const inForce = withOverrides({ '2026-02-23': 'work', '2026-03-06': 'off', '2026-03-09': 'work' });
    const notes = { '2026-02-23': '提前复工', '2026-03-06': '防汛停工' };
    const days = resolveYear(2026, inForce, arrangement, notes);
    const on = (date: string) => days.find((d) => d.date === date);
    expect(on('2026-02-23')).to.deep.equal({
      date: '2026-02-23',
      working: true,
      kind: 'workday',
      source: 'local',
      name: '提前复工',
      replaces: { kind: 'holiday', name: '春节' },
    });
    expect(on('2026-03-06')).to.deep.include({ working: false, kind: 'holiday', source: 'local' });
    // Working an ordinary Monday changes nothing: listed as the admin's, but not a 班.
    expect(on('2026-03-09')).to.deep.equal({
      date: '2026-03-09',
      working: true,
      kind: 'weekday',
      source: 'local',
    });
  });

  it('groups festivals in the order they fall and local changes by month, consecutive days as one run', () => {
    const inForce = withOverrides({ '2026-02-23': 'work', '2026-03-05': 'off', '2026-03-06': 'off' });
    const notes = { '2026-03-05': '防汛停工', '2026-03-06': '防汛停工' };
    const groups = groupYearDays(resolveYear(2026, inForce, arrangement, notes));
    expect(groups.map((g) => `${g.title}:${g.source}`)).to.deep.equal([
      '元旦:state_council',
      '春节:state_council',
      '2月:local',
      '3月:local',
      '清明:state_council',
      '劳动节:state_council',
      '端午:state_council',
      '中秋:state_council',
      '国庆节:state_council',
    ]);
    const spring = groups[1];
    expect(spring.off).to.deep.equal([{ from: '2026-02-15', to: '2026-02-22', days: 8, name: '春节' }]);
    expect(spring.work.map((r) => r.from)).to.deep.equal(['2026-02-14', '2026-02-28']);
    expect(groups[2].work).to.deep.equal([
      { from: '2026-02-23', to: '2026-02-23', days: 1, replaces: { kind: 'holiday', name: '春节' } },
    ]);
    expect(groups[3].off).to.deep.equal([
      { from: '2026-03-05', to: '2026-03-06', days: 2, name: '防汛停工' },
    ]);
  });

  it('a year without data: Monday to Friday worked, but the 13 days the holiday law fixes are off', () => {
    // It was Monday–Friday alone, which counted 元旦 as a working day (a deadline across it fell a day short).
    const days = resolveYear(2030, arrangement, arrangement);
    const groups = groupYearDays(days);
    expect(groups.map((g) => [g.title, g.source, g.work.length])).to.deep.equal(
      ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'].map((t) => [t, 'statutory', 0]),
    );
    // 春节 is 除夕 to 初三 by the lunar calendar (2030: 初一 is 3 February).
    expect(groups[1].off).to.deep.equal([{ from: '2030-02-02', to: '2030-02-05', days: 4, name: '春节' }]);
    // 261 weekdays, less the 11 statutory days that fall on one.
    expect(yearTotals(days)).to.deep.equal({ workingDays: 250, offDays: 115, holidays: 13, workdays: 0 });
  });
});
