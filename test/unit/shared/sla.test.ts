import { expect } from 'chai';
import { HOUR_MS } from '../../../shared/clock.ts';
import { chinaTime, createWorkCalendar } from '../../../shared/calendar.ts';
import {
  computeDeadlines,
  followUps,
  pauseDeadlines,
  resumeDeadlines,
  retimeDeadlines,
  warningLevel,
  type Deadlines,
  type TimeLimitPolicy,
} from '../../../shared/sla.ts';
import { dueFollowUps, nextCheckAt, type SweepView } from '../../../shared/sla-steps.ts';
import { DEFAULT_TIME_LIMIT_POLICY } from '../../../config/time-limits.ts';

const calendar = createWorkCalendar();
const policy = DEFAULT_TIME_LIMIT_POLICY;
const cst = (d: Date) => new Date(d.getTime() + 8 * HOUR_MS).toISOString().slice(0, 16).replace('T', ' ');
const at = (date: string, time = '00:00') => chinaTime(date, time);

function normalFromFeb13(): Deadlines {
  return computeDeadlines({ policy, urgency: 'normal', startAt: at('2026-02-13', '10:00'), calendar });
}

describe('SLA deadlines', () => {
  describe('normal issue dispatched on the Friday before the Spring Festival', () => {
    const d = normalFromFeb13();

    it('must be signed and the enterprise contacted by the end of the 调休 Saturday', () => {
      expect(cst(d.signBy)).to.equal('2026-02-14 17:30');
      expect(cst(d.contactBy)).to.equal('2026-02-14 17:30');
    });

    it('is due at the end of Fri 27 Feb, yellow one working day before', () => {
      expect(cst(d.resolveBy)).to.equal('2026-02-27 17:30');
      expect(cst(d.yellowAt)).to.equal('2026-02-26 17:30');
      expect(cst(d.redAt)).to.equal('2026-02-27 17:30');
    });

    it('turns overdue a working day after red, and schedules escalation and bulletin', () => {
      expect(cst(d.overdueAt)).to.equal('2026-02-28 17:30');
      expect(cst(d.escalateAt)).to.equal('2026-03-03 17:30');
      expect(cst(d.bulletinAt)).to.equal('2026-03-05 17:30');
      const f = followUps(d, calendar, policy);
      expect(cst(f.urgeAt)).to.equal('2026-02-26 17:30');
      expect(cst(f.superviseAt)).to.equal('2026-02-27 17:30');
      expect(cst(f.escalateAt)).to.equal('2026-03-03 17:30');
      expect(cst(f.bulletinAt)).to.equal('2026-03-05 17:30');
    });

    it('shows its light changing as the days pass', () => {
      const seen = [
        ['2026-02-14', '10:00'],
        ['2026-02-26', '10:00'],
        ['2026-02-26', '17:30'],
        ['2026-02-27', '17:29'],
        ['2026-02-27', '17:30'],
        ['2026-02-28', '17:29'],
        ['2026-02-28', '17:30'],
      ].map(([day, time]) => warningLevel(d, at(day, time)));
      expect(seen).to.deep.equal(['none', 'none', 'yellow', 'yellow', 'red', 'red', 'overdue']);
    });
  });

  it('complex issues get 15 working days with yellow two working days before', () => {
    const d = computeDeadlines({ policy, urgency: 'complex', startAt: at('2026-02-13', '10:00'), calendar });
    // 14 Feb, then 24–28 Feb (5), 2–6 Mar (5), 9–12 Mar (4) = 15.
    expect(cst(d.resolveBy)).to.equal('2026-03-12 17:30');
    expect(cst(d.yellowAt)).to.equal('2026-03-10 17:30');
  });

  it('urgent issues count working hours for signing and two-thirds of working time for yellow', () => {
    const d = computeDeadlines({ policy, urgency: 'urgent', startAt: at('2026-02-13', '16:00'), calendar });
    expect(cst(d.signBy)).to.equal('2026-02-14 09:00');
    expect(cst(d.contactBy)).to.equal('2026-02-14 11:00');
    expect(cst(d.resolveBy)).to.equal('2026-02-25 17:30');
    // 24 working hours in all; 16 are used by Tue 24 Feb 17:00.
    expect(cst(d.yellowAt)).to.equal('2026-02-24 17:00');
    expect(d.basis).to.equal('working');
  });

  describe('critical issues run on the wall clock', () => {
    it('sign within 30 minutes and contact within an hour, even on a holiday', () => {
      const d = computeDeadlines({
        policy,
        urgency: 'critical',
        startAt: at('2026-02-17', '10:00'),
        calendar,
      });
      expect(cst(d.signBy)).to.equal('2026-02-17 10:30');
      expect(cst(d.contactBy)).to.equal('2026-02-17 11:00');
      expect(cst(d.resolveBy)).to.equal('2026-02-17 23:59');
      expect(d.basis).to.equal('wall');
    });

    it('turn yellow when two-thirds of the day is used', () => {
      const d = computeDeadlines({
        policy,
        urgency: 'critical',
        startAt: at('2026-02-13', '10:00'),
        calendar,
      });
      expect(cst(d.yellowAt)).to.equal('2026-02-13 19:19');
    });

    it('raised after office hours are due the next day', () => {
      const d = computeDeadlines({
        policy,
        urgency: 'critical',
        startAt: at('2026-02-13', '20:00'),
        calendar,
      });
      expect(cst(d.resolveBy)).to.equal('2026-02-14 23:59');
    });
  });

  it('applies a category override', () => {
    const landPolicy: TimeLimitPolicy = {
      ...policy,
      categoryOverrides: { land: { normal: { resolve: { kind: 'working_days', days: 10 } } } },
    };
    const land = computeDeadlines({
      policy: landPolicy,
      urgency: 'normal',
      category: 'land',
      startAt: at('2026-03-02', '09:00'),
      calendar,
    });
    const tax = computeDeadlines({
      policy: landPolicy,
      urgency: 'normal',
      category: 'tax',
      startAt: at('2026-03-02', '09:00'),
      calendar,
    });
    expect(cst(land.resolveBy)).to.equal('2026-03-16 17:30');
    expect(cst(tax.resolveBy)).to.equal('2026-03-09 17:30');
  });

  describe('suspension pauses the clock', () => {
    const start = computeDeadlines({
      policy,
      urgency: 'normal',
      startAt: at('2026-02-09', '09:00'),
      calendar,
    });

    it('keeps the remaining working time: paused Thu 12 Feb, resumed Wed 25 Feb', () => {
      expect(cst(start.resolveBy)).to.equal('2026-02-14 17:30');
      const paused = pauseDeadlines(start, at('2026-02-12', '09:00'));
      const resumed = resumeDeadlines(paused, at('2026-02-25', '09:00'), calendar);
      // 22 working hours were left at the pause; Wed 7 h + Thu 7.5 h + Fri 7.5 h = 22 h.
      expect(cst(resumed.resolveBy)).to.equal('2026-02-27 17:30');
      expect(resumed.pausedAt).to.equal(null);
      expect(resumed.pausedMs).to.equal(30 * HOUR_MS);
    });

    it('does not move deadlines that had already passed', () => {
      const paused = pauseDeadlines(start, at('2026-02-12', '09:00'));
      const resumed = resumeDeadlines(paused, at('2026-02-25', '09:00'), calendar);
      expect(resumed.signBy.getTime()).to.equal(start.signBy.getTime());
    });

    it('keeps the sign-for limit where it was, though it lay ahead at the pause (the unit had signed)', () => {
      // Signed at once on Mon 9 Feb and suspended at 10:00, before its one-working-day sign-for limit ran out.
      const paused = pauseDeadlines(start, at('2026-02-09', '10:00'));
      expect(start.signBy.getTime()).to.be.above(paused.pausedAt!.getTime());
      const resumed = resumeDeadlines(paused, at('2026-02-25', '09:00'), calendar);
      expect(resumed.signBy.getTime()).to.equal(start.signBy.getTime());
      expect(resumed.contactBy.getTime()).to.be.above(start.contactBy.getTime());
    });

    it('freezes the light while paused', () => {
      const paused = pauseDeadlines(start, at('2026-02-12', '09:00'));
      expect(warningLevel(paused, at('2026-06-01', '09:00'))).to.equal('none');
      expect(warningLevel(start, at('2026-06-01', '09:00'))).to.equal('overdue');
    });

    it('moves wall-clock deadlines by wall time', () => {
      const d = computeDeadlines({
        policy,
        urgency: 'critical',
        startAt: at('2026-03-02', '09:00'),
        calendar,
      });
      const resumed = resumeDeadlines(
        pauseDeadlines(d, at('2026-03-02', '12:00')),
        at('2026-03-02', '14:00'),
        calendar,
      );
      expect(resumed.resolveBy.getTime() - d.resolveBy.getTime()).to.equal(2 * HOUR_MS);
    });

    it('ignores a second pause and a resume without a pause', () => {
      const once = pauseDeadlines(start, at('2026-02-10', '09:00'));
      expect(pauseDeadlines(once, at('2026-02-11', '09:00')).pausedAt).to.equal(once.pausedAt);
      expect(resumeDeadlines(start, at('2026-02-11', '09:00'), calendar)).to.equal(start);
    });
  });

  it('an extension moves the due date and the lights with it', () => {
    const d = normalFromFeb13();
    const extended = retimeDeadlines({
      deadlines: d,
      resolveBy: calendar.addWorkingDays(d.resolveBy, 5),
      policy,
      urgency: 'normal',
      calendar,
    });
    expect(cst(extended.resolveBy)).to.equal('2026-03-05 17:30');
    expect(cst(extended.yellowAt)).to.equal('2026-03-04 17:30');
    expect(cst(extended.signBy)).to.equal('2026-02-14 17:30');
    expect(warningLevel(extended, at('2026-02-27', '18:00'))).to.equal('none');
  });

  describe('the sweep plan', () => {
    const view = (over: Partial<SweepView> = {}): SweepView => ({
      state: 'in_progress',
      deadlines: normalFromFeb13(),
      warning: 'none',
      urged: false,
      supervised: false,
      bulletined: false,
      escalated: false,
      ...over,
    });

    it('next looks at a fresh issue when it turns yellow', () => {
      expect(cst(nextCheckAt(view(), at('2026-02-13', '10:00'))!)).to.equal('2026-02-26 17:30');
    });

    it('after the urge, next looks at red', () => {
      expect(cst(nextCheckAt(view({ urged: true, warning: 'yellow' }))!)).to.equal('2026-02-27 17:30');
    });

    it('never looks at closed, suspended or unassigned issues', () => {
      expect(nextCheckAt(view({ state: 'closed' }))).to.equal(null);
      expect(nextCheckAt(view({ state: 'received', deadlines: null }))).to.equal(null);
      const paused = pauseDeadlines(normalFromFeb13(), at('2026-02-24', '09:00'));
      expect(nextCheckAt(view({ state: 'suspended', deadlines: paused }))).to.equal(null);
    });

    it('after a week of downtime, catches up every missed step at once, in order', () => {
      const steps = dueFollowUps(view(), at('2026-03-09', '09:00'));
      expect(steps).to.deep.equal(['warning', 'urge', 'supervise', 'escalate', 'bulletin']);
    });

    it('fires nothing twice', () => {
      const done = view({
        warning: 'overdue',
        urged: true,
        supervised: true,
        escalated: true,
        bulletined: true,
      });
      expect(dueFollowUps(done, at('2026-04-01', '09:00'))).to.deep.equal([]);
      expect(nextCheckAt(done)).to.equal(null);
    });

    it('does not escalate beyond the leader tier', () => {
      const atTop = view({ tier: 'leader', urged: true, supervised: true, warning: 'overdue' });
      expect(dueFollowUps(atTop, at('2026-03-04', '09:00'))).to.deep.equal([]);
    });

    it('does not escalate an issue already in consultation', () => {
      const steps = dueFollowUps(
        view({ state: 'consulting', urged: true, supervised: true }),
        at('2026-03-04', '09:00'),
      );
      expect(steps).to.deep.equal(['warning']);
    });

    it('asks for a callback when the rating window closes without a rating', () => {
      const waiting = view({ state: 'awaiting_rating', rateBy: at('2026-03-04', '17:30') });
      expect(cst(nextCheckAt(waiting)!)).to.equal('2026-03-04 17:30');
      expect(dueFollowUps(waiting, at('2026-03-04', '17:00'))).to.deep.equal([]);
      expect(dueFollowUps(waiting, at('2026-03-05', '09:00'))).to.deep.equal(['request_callback']);
      expect(dueFollowUps({ ...waiting, callbackRequested: true }, at('2026-03-05', '09:00'))).to.deep.equal(
        [],
      );
    });
  });
});
