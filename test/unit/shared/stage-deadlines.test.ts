// Deadlines on every stage (issue 8), pure, over simulated weeks: the triage clock of `received` (the meeting
// channel's 2 working days across the 2026 Spring Festival and its 调休 Saturday), the consultation's reminder
// and escalation, a policy change mid-flight (future deadlines move, fired steps stay fired), a calendar
// override that moves a deadline, and the missing-year warning from 1 October.
import { expect } from 'chai';
import { chinaTime, createWorkCalendar } from '../../../shared/calendar.ts';
import { calendarWarnings } from '../../../shared/calendar-warnings.ts';
import { HOUR_MS } from '../../../shared/clock.ts';
import { followUpAction } from '../../../shared/lifecycle/actions.ts';
import { SYSTEM_ACTOR, refreshIssue } from '../../../shared/lifecycle.ts';
import { mergePolicy } from '../../../shared/policy-schema.ts';
import { recomputeClocks } from '../../../shared/sla-recompute.ts';
import { computeTriage, triageWarning } from '../../../shared/sla.ts';
import { dueFollowUps } from '../../../shared/sla-steps.ts';
import { DEFAULT_TIME_LIMIT_POLICY } from '../../../config/time-limits.ts';
import { actors, IssueStory } from './lifecycle/fixtures.ts';

const calendar = createWorkCalendar();
const policy = DEFAULT_TIME_LIMIT_POLICY;
const at = (date: string, time = '00:00') => chinaTime(date, time);
const cst = (d: Date) => new Date(d.getTime() + 8 * HOUR_MS).toISOString().slice(0, 16).replace('T', ' ');

/** Fires whatever is due every 30 minutes until `until`, as the sweep would; returns "time step" lines. */
function sweepUntil(story: IssueStory, until: Date): string[] {
  const fired: string[] = [];
  while (story.clock.now() < until) {
    story.clock.advance(30 * 60_000);
    const now = story.clock.now();
    for (const step of dueFollowUps(story.issue, now)) {
      if (step === 'warning') story.issue = refreshIssue(story.issue, now);
      else {
        const { action, input } = followUpAction(step);
        story.do(SYSTEM_ACTOR, action, input);
        fired.push(`${cst(now)} ${step}`);
      }
    }
  }
  return fired;
}

describe('triage deadlines (received)', () => {
  it('the meeting channel promises dispatch within 2 working days: Fri 13 Feb → Sat 14 (调休) and Tue 24 Feb', () => {
    const t = computeTriage({
      policy,
      urgency: 'normal',
      channel: 'meeting',
      startAt: at('2026-02-13', '10:00'),
      calendar,
    });
    expect(cst(t.dueAt)).to.equal('2026-02-24 17:30');
    // Two thirds of the 21 working hours (Fri 6, Sat 7.5, Tue 7.5), skipping the nine days of the festival.
    expect(cst(t.yellowAt)).to.equal('2026-02-24 09:00');
    expect(cst(t.overdueAt)).to.equal('2026-02-25 17:30');
  });

  it('other channels get one working day; an urgent issue 4 working hours, a critical one an hour of wall time', () => {
    const start = at('2026-02-13', '16:00');
    expect(
      cst(computeTriage({ policy, urgency: 'normal', channel: 'window', startAt: start, calendar }).dueAt),
    ).to.equal('2026-02-14 17:30');
    expect(
      cst(computeTriage({ policy, urgency: 'urgent', channel: 'meeting', startAt: start, calendar }).dueAt),
    ).to.equal('2026-02-14 11:00');
    expect(cst(computeTriage({ policy, urgency: 'critical', startAt: start, calendar }).dueAt)).to.equal(
      '2026-02-13 17:00',
    );
  });

  it('lights, urging and supervision fire on the triage clock while the issue waits, each once', () => {
    const story = new IssueStory(at('2026-02-13', '10:00'));
    story.issue = refreshIssue(
      {
        ...story.issue,
        triage: computeTriage({
          policy,
          urgency: 'normal',
          channel: 'meeting',
          startAt: story.clock.now(),
          calendar,
        }),
      },
      story.clock.now(),
    );
    const fired = sweepUntil(story, at('2026-03-02'));
    expect(fired).to.deep.equal(['2026-02-24 09:00 urge', '2026-02-24 17:30 supervise']);
    expect(story.issue.warning).to.equal('overdue');
    expect(story.issue.triage).to.include({ urged: true, supervised: true });
    // The handling flags are untouched: they belong to the clock that starts at dispatch.
    expect(story.issue).to.include({ urged: false, supervised: false });
    expect(triageWarning(story.issue.triage!, at('2026-02-14', '12:00'))).to.equal('none');
  });

  it('a return puts the issue back in received with a fresh triage clock', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    story.do(actors.handler, 'return', { reason: '不属于本单位职责', legalBasis: '三定方案' });
    expect(story.issue.state).to.equal('received');
    expect(cst(story.issue.triage!.dueAt)).to.equal('2026-03-03 17:30');
  });
});

describe('consultation deadlines', () => {
  it('reminds the units that owe input at the deadline and goes up a tier 2 working days later, once each', () => {
    const story = new IssueStory(at('2026-02-12', '10:00')).signed();
    story.do(actors.director, 'consult', { tier: 'director', unitIds: [story.issue.unitId!] });
    // Inputs due 2 working days after Thu 12 Feb: Fri 13, Sat 14 (调休); escalation 2 more: Tue 24, Wed 25.
    expect(cst(story.issue.consultation!.dueAt)).to.equal('2026-02-14 17:30');
    expect(cst(story.issue.consultation!.escalateAt!)).to.equal('2026-02-25 17:30');
    const fired = sweepUntil(story, at('2026-02-27'));
    // The handling clock runs on beside it (5 working days from 12 Feb: due Thu 26 Feb).
    expect(fired).to.deep.equal([
      '2026-02-14 17:30 remind_input',
      '2026-02-25 17:30 urge',
      '2026-02-25 17:30 escalate',
      '2026-02-26 17:30 supervise',
    ]);
    expect(story.issue.consultation).to.include({ tier: 'leader' });
  });

  it('an input given in time spares the reminder; a decision stops the escalation', () => {
    const story = new IssueStory(at('2026-03-02', '10:00')).signed();
    story.do(actors.director, 'consult', { tier: 'director', unitIds: [story.issue.unitId!] });
    story.do(actors.handler, 'consult_input', { text: '我单位意见：可在两周内解决。' });
    story.do(actors.director, 'decide', { unitId: story.issue.unitId!, workingDays: 10 });
    expect(sweepUntil(story, at('2026-03-10'))).to.deep.equal([]);
  });
});

describe('recomputing after a policy or calendar change', () => {
  it('a policy change mid-flight moves the future deadlines and keeps what already fired', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    // Five working days from Mon 2 Mar: due Mon 9 Mar, yellow a working day before.
    expect(sweepUntil(story, at('2026-03-07', '00:00'))).to.deep.equal(['2026-03-06 17:30 urge']);
    // The admin gives normal issues 8 working days instead of 5 (yellow stays one working day before).
    const merged = mergePolicy(policy, {
      urgencies: { normal: { resolve: { kind: 'working_days', days: 8 } } },
    });
    if (!merged.ok) throw new Error(merged.message);
    const moved = recomputeClocks(story.issue, { policy: merged.policy, calendar, now: story.clock.now() });
    expect(cst(moved!.deadlines!.resolveBy)).to.equal('2026-03-12 17:30');
    // Deadlines still ahead move (red to 12 Mar); yellow had passed and fired: it stays, and so does the flag.
    expect(cst(moved!.deadlines!.yellowAt)).to.equal('2026-03-06 17:30');
    expect(cst(moved!.deadlines!.redAt)).to.equal('2026-03-12 17:30');
    expect(cst(moved!.deadlines!.signBy)).to.equal(cst(story.issue.deadlines!.signBy));
    story.issue = refreshIssue({ ...story.issue, ...moved! }, story.clock.now());
    expect(story.issue.urged).to.equal(true);
    expect(sweepUntil(story, at('2026-03-13', '00:00'))).to.deep.equal(['2026-03-12 17:30 supervise']);
  });

  it('a calendar override (an extra day off) moves a deadline by a working day; nothing moves when nothing changed', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    expect(recomputeClocks(story.issue, { policy, calendar, now: story.clock.now() })).to.equal(null);
    const withDayOff = createWorkCalendar({ overrides: { '2026-03-04': 'off' } });
    const moved = recomputeClocks(story.issue, { policy, calendar: withDayOff, now: story.clock.now() });
    expect(cst(story.issue.deadlines!.resolveBy)).to.equal('2026-03-09 17:30');
    expect(cst(moved!.deadlines!.resolveBy)).to.equal('2026-03-10 17:30');
  });

  it('a day off moves the sign-for deadline of an issue not yet signed, and its yellow with it', () => {
    // Normal: sign for within one working day of Tue 3 Mar 09:00, by the end of Wednesday. Its yellow comes at
    // ⅔ of the 14.5 working hours between (7 on Tuesday, 8:30–12:00 and 13:30–17:30 on Wednesday).
    const story = new IssueStory(at('2026-03-03', '09:00'));
    story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp' });
    expect(cst(story.issue.deadlines!.signBy)).to.equal('2026-03-04 17:30');
    expect(cst(story.issue.deadlines!.signYellowAt!)).to.equal('2026-03-04 11:10');
    const withDayOff = createWorkCalendar({ overrides: { '2026-03-04': 'off' } });
    const moved = recomputeClocks(story.issue, { policy, calendar: withDayOff, now: story.clock.now() });
    expect(cst(moved!.deadlines!.signBy)).to.equal('2026-03-05 17:30');
    expect(cst(moved!.deadlines!.signYellowAt!)).to.equal('2026-03-05 11:10');
  });

  it('a suspended issue is recomputed at once for the time it had left, and resume adds the suspended time', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    expect(cst(story.issue.deadlines!.resolveBy)).to.equal('2026-03-09 17:30');
    story.goTo('2026-03-04', '10:00');
    story.do(actors.handler, 'suspend', { reason: '等待企业补充材料' });
    story.do(actors.director, 'approve_suspend');
    expect(story.issue.state).to.equal('suspended');
    // While suspended the admin gives normal issues 8 working days: the promise moves now (12 Mar as the
    // clock stands), not only when the issue resumes, and the clock stays stopped.
    story.goTo('2026-03-05', '15:00');
    const merged = mergePolicy(policy, {
      urgencies: { normal: { resolve: { kind: 'working_days', days: 8 } } },
    });
    if (!merged.ok) throw new Error(merged.message);
    const moved = recomputeClocks(story.issue, { policy: merged.policy, calendar, now: story.clock.now() });
    expect(cst(moved!.deadlines!.resolveBy)).to.equal('2026-03-12 17:30');
    expect(moved!.deadlines!.pausedAt!.getTime()).to.equal(at('2026-03-04', '10:00').getTime());
    story.issue = refreshIssue({ ...story.issue, ...moved! }, story.clock.now());
    expect(story.issue.warning).to.equal('none');
    // Resumed on Tue 10 Mar 10:00 after 4 working days suspended: 12 Mar + 4 working days = 18 Mar.
    story.goTo('2026-03-10', '10:00');
    story.do(actors.handler, 'resume');
    story.do(actors.director, 'approve_resume');
    expect(story.issue.state).to.equal('in_progress');
    expect(cst(story.issue.deadlines!.resolveBy)).to.equal('2026-03-18 17:30');
    // A calendar day off while suspended moves it the same way (Tue 17 Mar off: 18 Mar → 19 Mar).
    story.do(actors.handler, 'suspend', { reason: '再次等待材料' });
    story.do(actors.director, 'approve_suspend');
    const dayOff = createWorkCalendar({ overrides: { '2026-03-17': 'off' } });
    const again = recomputeClocks(story.issue, {
      policy: merged.policy,
      calendar: dayOff,
      now: story.clock.now(),
    });
    expect(cst(again!.deadlines!.resolveBy)).to.equal('2026-03-19 17:30');
  });

  it('refuses an invalid policy with the path of the bad value', () => {
    const bad = mergePolicy(policy, {
      urgencies: { normal: { resolve: { kind: 'working_days', days: 0 } } },
    });
    expect(bad.ok).to.equal(false);
    if (!bad.ok) expect(bad.message).to.match(/^urgencies\.normal\.resolve/);
    expect(mergePolicy(policy, { sameDayCutoff: '25:00' }).ok).to.equal(false);
    expect(mergePolicy(policy, { unknownKey: 1 }).ok).to.equal(false);
  });
});

describe('missing holiday years', () => {
  const noData2027 = { hasDataFor: (y: number) => y <= 2026 };
  it('warns about next year from 1 October of this year, and about this year whenever it is missing', () => {
    expect(calendarWarnings(noData2027, [], at('2026-09-30', '23:00'))).to.deep.equal([]);
    expect(calendarWarnings(noData2027, [], at('2026-10-01', '08:00')).map((w) => w.year)).to.deep.equal([
      2027,
    ]);
    expect(calendarWarnings(noData2027, [], at('2027-03-01')).map((w) => w.year)).to.deep.equal([2027]);
  });
  it('stops warning once an admin entered the year', () => {
    expect(calendarWarnings(noData2027, [2027], at('2026-11-01'))).to.deep.equal([]);
  });
});
