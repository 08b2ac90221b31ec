import { expect } from 'chai';
import { createSimulatedClock, DAY_MS, HOUR_MS } from '../../../shared/clock.ts';
import { chinaDateKey, chinaTime, createWorkCalendar, statutoryDays } from '../../../shared/calendar.ts';

const cal = createWorkCalendar();
const iso = (d: Date) => d.toISOString();
/** Formats an instant as China wall time 'YYYY-MM-DD HH:MM'. */
const cst = (d: Date) => new Date(d.getTime() + 8 * HOUR_MS).toISOString().slice(0, 16).replace('T', ' ');

describe('working-day calendar', () => {
  describe('the 2026 State Council arrangement (DESIGN §5)', () => {
    const expectDays = (days: string[], working: boolean) => {
      for (const day of days) expect(cal.isWorkingDay(day), day).to.equal(working);
    };

    it('New Year: 1–3 Jan off, Sunday 4 Jan worked', () => {
      expectDays(['2026-01-01', '2026-01-02', '2026-01-03'], false);
      expectDays(['2026-01-04', '2026-01-05'], true);
    });

    it('Spring Festival: 15–23 Feb off, Saturdays 14 and 28 Feb worked', () => {
      const off = Array.from({ length: 9 }, (_, i) => `2026-02-${String(15 + i).padStart(2, '0')}`);
      expectDays(off, false);
      expectDays(['2026-02-13', '2026-02-14', '2026-02-24', '2026-02-28'], true);
      expectDays(['2026-03-01'], false);
    });

    it('Labour Day: 1–5 May off, Saturday 9 May worked', () => {
      expectDays(['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05'], false);
      expectDays(['2026-05-06', '2026-05-09'], true);
      expectDays(['2026-05-10'], false);
    });

    it('National Day: 1–7 Oct off, Sunday 20 Sep and Saturday 10 Oct worked', () => {
      expectDays(['2026-10-01', '2026-10-04', '2026-10-07'], false);
      expectDays(['2026-09-20', '2026-10-08', '2026-10-10'], true);
      expectDays(['2026-10-11'], false);
    });

    it('names the holiday', () => {
      expect(cal.dayInfo('2026-02-17')).to.include({ working: false, reason: 'holiday', name: '春节' });
      expect(cal.dayInfo('2026-02-14')).to.include({ working: true, reason: 'adjusted_workday' });
      expect(cal.dayInfo('2026-03-07')).to.include({ working: false, reason: 'weekend' });
    });
  });

  describe('adding working days', () => {
    it('a 5-working-day issue dispatched Fri 13 Feb 2026 is due at the end of Fri 27 Feb', () => {
      const due = cal.addWorkingDays(chinaTime('2026-02-13', '10:00'), 5);
      expect(cst(due)).to.equal('2026-02-27 17:30');
    });

    it('counts the 调休 Saturday after the Spring Festival', () => {
      expect(cst(cal.addWorkingDays(chinaTime('2026-02-13', '10:00'), 6))).to.equal('2026-02-28 17:30');
      expect(cst(cal.addWorkingDays(chinaTime('2026-02-13', '10:00'), 7))).to.equal('2026-03-02 17:30');
    });

    it('skips New Year and counts Sunday 4 Jan', () => {
      expect(cst(cal.addWorkingDays(chinaTime('2025-12-31', '15:00'), 1))).to.equal('2026-01-04 17:30');
      expect(cst(cal.addWorkingDays(chinaTime('2025-12-31', '15:00'), 2))).to.equal('2026-01-05 17:30');
    });

    it('skips Labour Day and counts Saturday 9 May', () => {
      expect(cst(cal.addWorkingDays(chinaTime('2026-04-30', '09:00'), 1))).to.equal('2026-05-06 17:30');
      expect(cst(cal.addWorkingDays(chinaTime('2026-04-30', '09:00'), 4))).to.equal('2026-05-09 17:30');
    });

    it('skips National Day and counts Saturday 10 Oct', () => {
      expect(cst(cal.addWorkingDays(chinaTime('2026-09-30', '09:00'), 3))).to.equal('2026-10-10 17:30');
    });

    it('counts from the China day even late in the evening (UTC is still the previous day)', () => {
      const lateFriday = chinaTime('2026-02-13', '23:30');
      expect(iso(lateFriday)).to.equal('2026-02-13T15:30:00.000Z');
      expect(cst(cal.addWorkingDays(lateFriday, 1))).to.equal('2026-02-14 17:30');
      const earlySaturday = chinaTime('2026-02-14', '00:30');
      expect(cst(cal.addWorkingDays(earlySaturday, 1))).to.equal('2026-02-24 17:30');
    });

    it('counts backwards for negative values', () => {
      expect(cst(cal.addWorkingDays(chinaTime('2026-02-24', '10:00'), -1))).to.equal('2026-02-14 17:30');
    });

    it('rejects fractional days', () => {
      expect(() => cal.addWorkingDays(chinaTime('2026-02-24'), 1.5)).to.throw(RangeError);
    });
  });

  describe('working hours', () => {
    it('defaults to 08:30–12:00 and 13:30–17:30, 7.5 hours a day', () => {
      expect(cal.workingMsPerDay).to.equal(7.5 * HOUR_MS);
      expect(cal.isWorkingTime(chinaTime('2026-02-13', '08:30'))).to.equal(true);
      expect(cal.isWorkingTime(chinaTime('2026-02-13', '08:29'))).to.equal(false);
      expect(cal.isWorkingTime(chinaTime('2026-02-13', '12:30'))).to.equal(false);
      expect(cal.isWorkingTime(chinaTime('2026-02-13', '17:30'))).to.equal(false);
      expect(cal.isWorkingTime(chinaTime('2026-02-14', '09:00'))).to.equal(true);
      expect(cal.isWorkingTime(chinaTime('2026-02-16', '09:00'))).to.equal(false);
    });

    it('adds working hours across lunch, evenings and the Spring Festival', () => {
      expect(cst(cal.addWorkingHours(chinaTime('2026-02-13', '11:00'), 2))).to.equal('2026-02-13 14:30');
      expect(cst(cal.addWorkingHours(chinaTime('2026-02-13', '16:00'), 2))).to.equal('2026-02-14 09:00');
      expect(cst(cal.addWorkingHours(chinaTime('2026-02-14', '17:00'), 1))).to.equal('2026-02-24 09:00');
      expect(cst(cal.addWorkingHours(chinaTime('2026-02-15', '10:00'), 0.5))).to.equal('2026-02-24 09:00');
    });

    it('ends exactly at a period end rather than jumping to the next one', () => {
      expect(cst(cal.addWorkingHours(chinaTime('2026-02-13', '08:30'), 3.5))).to.equal('2026-02-13 12:00');
      expect(cst(cal.addWorkingHours(chinaTime('2026-02-13', '08:30'), 7.5))).to.equal('2026-02-13 17:30');
    });

    it('measures working time between two instants', () => {
      const fridayClose = chinaTime('2026-02-13', '17:30');
      const tuesdayOpen = chinaTime('2026-02-24', '08:30');
      expect(cal.workingMsBetween(fridayClose, tuesdayOpen)).to.equal(7.5 * HOUR_MS);
      expect(cal.workingMsBetween(tuesdayOpen, fridayClose)).to.equal(-7.5 * HOUR_MS);
      expect(
        cal.workingMsBetween(chinaTime('2026-02-13', '11:00'), chinaTime('2026-02-13', '14:00')),
      ).to.equal(1.5 * HOUR_MS);
    });

    it('round-trips: the working time to a point reached by adding equals what was added', () => {
      const start = chinaTime('2026-02-12', '15:47');
      for (const hours of [0.25, 3, 7.5, 11, 40]) {
        const end = cal.addWorkingHours(start, hours);
        expect(cal.workingMsBetween(start, end), `${hours} h`).to.equal(hours * HOUR_MS);
      }
    });

    it('finds the end and start of the working day, skipping to the next working day', () => {
      expect(cst(cal.endOfWorkingDay(chinaTime('2026-02-13', '09:00')))).to.equal('2026-02-13 17:30');
      expect(cst(cal.endOfWorkingDay(chinaTime('2026-02-15', '09:00')))).to.equal('2026-02-24 17:30');
      expect(cst(cal.startOfWorkingDay(chinaTime('2026-02-21', '09:00')))).to.equal('2026-02-24 08:30');
    });

    it('accepts configured working hours and rejects overlapping or malformed ones', () => {
      const nineToFive = createWorkCalendar({ workingHours: [{ start: '09:00', end: '17:00' }] });
      expect(nineToFive.workingMsPerDay).to.equal(8 * HOUR_MS);
      expect(cst(nineToFive.addWorkingDays(chinaTime('2026-02-13'), 1))).to.equal('2026-02-14 17:00');
      expect(() => createWorkCalendar({ workingHours: [{ start: '13:00', end: '12:00' }] })).to.throw(
        RangeError,
      );
      expect(() =>
        createWorkCalendar({
          workingHours: [
            { start: '08:00', end: '12:00' },
            { start: '11:00', end: '17:00' },
          ],
        }),
      ).to.throw(RangeError);
      expect(() => createWorkCalendar({ workingHours: [{ start: '8:00', end: '12:00' }] })).to.throw(
        RangeError,
      );
    });
  });

  describe('a simulated month across the 2026 Spring Festival', () => {
    it('sees exactly the working days a civil servant would', () => {
      const clock = createSimulatedClock(chinaTime('2026-02-09', '10:00'));
      const worked: string[] = [];
      while (clock.now() < chinaTime('2026-03-03')) {
        if (cal.isWorkingTime(clock.now())) worked.push(chinaDateKey(clock.now()).slice(5));
        clock.advance(DAY_MS);
      }
      expect(worked).to.deep.equal([
        '02-09',
        '02-10',
        '02-11',
        '02-12',
        '02-13',
        '02-14',
        '02-24',
        '02-25',
        '02-26',
        '02-27',
        '02-28',
        '03-02',
      ]);
    });

    it('accumulates no working time during the holiday week', () => {
      expect(
        cal.workingMsBetween(chinaTime('2026-02-14', '17:30'), chinaTime('2026-02-24', '08:30')),
      ).to.equal(0);
    });
  });

  describe('admin overrides', () => {
    it('an extra day off moves the due date', () => {
      const withOff = createWorkCalendar({ overrides: { '2026-02-24': 'off' } });
      expect(withOff.dayInfo('2026-02-24')).to.include({ working: false, reason: 'override' });
      expect(cst(withOff.addWorkingDays(chinaTime('2026-02-13', '10:00'), 5))).to.equal('2026-02-28 17:30');
    });

    it('a worked weekend day counts', () => {
      const withWork = createWorkCalendar({ overrides: { '2026-03-07': 'work' } });
      expect(withWork.isWorkingDay('2026-03-07')).to.equal(true);
      expect(cst(withWork.addWorkingDays(chinaTime('2026-03-06', '10:00'), 1))).to.equal('2026-03-07 17:30');
    });
  });

  describe('missing years', () => {
    it('knows which years it has data for', () => {
      expect(cal.hasDataFor(2026)).to.equal(true);
      expect(cal.hasDataFor(2099)).to.equal(false);
      expect(cal.missingYears(2025, 2026)).to.deep.equal([]);
      expect(cal.missingYears(2098, 2099)).to.deep.equal([2098, 2099]);
    });

    it('falls back to Monday–Friday for a year without data, with the days the holiday law fixes off', () => {
      expect(cal.dayInfo('2099-01-02')).to.include({ working: true, reason: 'fallback' }); // a Friday
      expect(cal.dayInfo('2099-01-03')).to.include({ working: false, reason: 'fallback' }); // a Saturday
      // 元旦, a Thursday: off by law whatever the year's arrangement adds (it was counted a working day).
      expect(cal.dayInfo('2099-01-01')).to.include({ working: false, reason: 'statutory', name: '元旦' });
    });

    it('2027, which the package lacks: 元旦 and 春节 (除夕 to 初三) off, so deadlines step over them', () => {
      expect(statutoryDays(2027)).to.deep.equal({
        '2027-01-01': '元旦',
        '2027-02-05': '春节',
        '2027-02-06': '春节',
        '2027-02-07': '春节',
        '2027-02-08': '春节',
        '2027-04-05': '清明节',
        '2027-05-01': '劳动节',
        '2027-05-02': '劳动节',
        '2027-06-09': '端午节',
        '2027-09-15': '中秋节',
        '2027-10-01': '国庆节',
        '2027-10-02': '国庆节',
        '2027-10-03': '国庆节',
      });
      // 15 working days from Friday 18 December 2026: 11 January 2027, not 8 January.
      expect(cal.addWorkingDays(chinaTime('2026-12-18', '10:00'), 15)).to.deep.equal(
        chinaTime('2027-01-11', '17:30'),
      );
    });

    it('uses replacement data when given', () => {
      const custom = createWorkCalendar({
        data: { holidays: { '2030-01-01': 'New Year,元旦,1' }, workdays: {} },
      });
      expect(custom.hasDataFor(2030)).to.equal(true);
      expect(custom.hasDataFor(2026)).to.equal(false);
      expect(custom.isWorkingDay('2030-01-01')).to.equal(false);
    });
  });

  describe('time zone independence', () => {
    const saved = process.env.TZ;
    after(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it('gives the same deadlines on a server in New York', () => {
      process.env.TZ = 'America/New_York';
      const fresh = createWorkCalendar();
      expect(cst(fresh.addWorkingDays(chinaTime('2026-02-13', '23:30'), 5))).to.equal('2026-02-27 17:30');
      expect(cst(fresh.addWorkingDays(chinaTime('2026-02-14', '00:30'), 5))).to.equal('2026-02-28 17:30');
      expect(fresh.isWorkingTime(chinaTime('2026-02-14', '09:00'))).to.equal(true);
    });
  });

  it('rejects malformed dates', () => {
    expect(() => cal.isWorkingDay('2026/02/13')).to.throw(RangeError);
    expect(() => cal.isWorkingDay(new Date('nope'))).to.throw(RangeError);
  });
});
