// The deadline running in each state (shared/running-deadline.ts), pure, along one issue's life over simulated
// days: what the desk's cards, the workbench's rows and the issue page all count down to, and its light.
import { expect } from 'chai';
import { HOUR_MS, MINUTE_MS } from '../../../shared/clock.ts';
import { enterpriseActor } from '../../../shared/lifecycle.ts';
import { runningDeadline, type RunningDeadline } from '../../../shared/running-deadline.ts';
import { computeTriage, warningLevel } from '../../../shared/sla.ts';
import { actors, at, calendar, cst, IssueStory, policy } from './lifecycle/fixtures.ts';

const light = (r: RunningDeadline | null, now: Date) => (r ? warningLevel(r, now) : null);

describe('running deadline (the one a card and the issue page show)', () => {
  it('runs the triage clock while 待受理: red at its deadline, overdue a working day later', () => {
    const start = at('2026-03-02', '09:00');
    const triage = computeTriage({ policy, urgency: 'normal', startAt: start, calendar });
    const story = new IssueStory(start, { triage });
    const r = runningDeadline(story.issue)!;
    expect(r.kind).to.equal('triage');
    expect(r.dueAt).to.deep.equal(triage.dueAt);
    expect(light(r, start)).to.equal('none');
    expect(light(r, triage.dueAt)).to.equal('red');
    // The demo's HZ-2026-000247: received weeks ago, never dispatched.
    expect(light(r, new Date(start.getTime() + 24 * 24 * HOUR_MS))).to.equal('overdue');
  });

  it('runs the sign-for limit while 待签收 (紧急: 2 working hours), not the resolve deadline', () => {
    const story = new IssueStory(at('2026-03-02', '16:00'), { urgency: 'urgent' });
    story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp' });
    const d = story.issue.deadlines!;
    const r = runningDeadline(story.issue)!;
    expect(r.kind).to.equal('sign');
    // 16:00 Monday plus two working hours runs into Tuesday morning.
    expect(cst(r.dueAt)).to.equal('2026-03-03 09:00');
    expect(r.dueAt.getTime()).to.be.below(d.resolveBy.getTime());
    expect(light(r, at('2026-03-02', '16:30'))).to.equal('none');
    expect(light(r, d.signBy)).to.equal('red');
    // Late by as long again as it allowed (17 h of wall time): still red, not 已超期, while the resolve light
    // (the stored warning the 已超期 filter and KPIs count) is green; 已超期 comes with the handling clock.
    const late = new Date(d.signBy.getTime() + 18 * HOUR_MS);
    expect(light(r, late)).to.equal('red');
    expect(warningLevel(d, late)).to.equal('none');
    expect(light(r, d.overdueAt)).to.equal('overdue');
  });

  it('counts the sign-for yellow in working time: dispatched on Friday evening, yellow on Monday morning', () => {
    // 2026-03-06 is a Friday. 紧急: 2 working hours from Friday 18:16 run to Monday 10:30; ⅔ of them is 80
    // working minutes, Monday 09:50. Two thirds of the wall time (about 64 h) fell on Sunday.
    const story = new IssueStory(at('2026-03-06', '18:16'), { urgency: 'urgent' });
    story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp' });
    const r = runningDeadline(story.issue)!;
    expect(r.kind).to.equal('sign');
    expect(cst(r.dueAt)).to.equal('2026-03-09 10:30');
    expect(cst(r.yellowAt)).to.equal('2026-03-09 09:50');
    expect(light(r, at('2026-03-08', '13:00'))).to.equal('none');
    expect(light(r, at('2026-03-09', '09:50'))).to.equal('yellow');
  });

  it('reads an issue stored before the sign-for yellow was: ⅔ of the wall time', () => {
    const story = new IssueStory(at('2026-03-02', '09:00'), { urgency: 'urgent' });
    story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp' });
    const { signYellowAt: _stored, ...old } = story.issue.deadlines!;
    const r = runningDeadline({ ...story.issue, deadlines: old })!;
    expect(cst(r.yellowAt)).to.equal('2026-03-02 10:20');
  });

  it('never shows a sign-for light greener than the handling clock’s', () => {
    const story = new IssueStory(at('2026-03-02', '09:00'), { urgency: 'critical' });
    story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp' });
    const d = story.issue.deadlines!;
    const r = runningDeadline(story.issue)!;
    for (const t of [d.yellowAt, d.redAt, d.overdueAt, new Date(d.overdueAt.getTime() + MINUTE_MS)]) {
      const order = ['none', 'yellow', 'red', 'overdue'];
      expect(order.indexOf(light(r, t)!)).to.be.at.least(order.indexOf(warningLevel(d, t)));
    }
  });

  it('runs the resolve deadline once signed', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    const r = runningDeadline(story.issue)!;
    expect(r.kind).to.equal('resolve');
    expect(r.dueAt).to.deep.equal(story.issue.deadlines!.resolveBy);
    expect(r.pausedAt).to.equal(null);
  });

  it('has nothing running for the staff in 待审核 or while the enterprise rates', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    story.do(actors.handler, 'reply', { text: '已处理' });
    expect(runningDeadline(story.issue)).to.equal(null);
    story.do(actors.clerk, 'verify');
    expect(runningDeadline(story.issue)).to.equal(null);
  });

  it('runs the rating check after a bad rating: red at 核实时限, not the stored green', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    story.do(actors.handler, 'reply', { text: '已处理' });
    story.do(actors.clerk, 'verify');
    story.clock.advance(HOUR_MS);
    story.do(enterpriseActor('ent-1'), 'rate', { rating: 'bad', comment: '仍未解决' });
    const verifyBy = story.issue.rating!.verifyBy!;
    const r = runningDeadline(story.issue)!;
    expect(r.kind).to.equal('ratingVerify');
    expect(r.dueAt).to.deep.equal(verifyBy);
    expect(story.issue.warning).to.equal('none');
    expect(light(r, story.clock.now())).to.equal('none');
    expect(light(r, verifyBy)).to.equal('red');
    // The demo's HZ-2026-000050: 92 days past its check.
    expect(light(r, new Date(verifyBy.getTime() + 92 * 24 * HOUR_MS))).to.equal('overdue');
  });

  it('reads the presented ISO strings the same as stored dates', () => {
    const story = new IssueStory(at('2026-03-02', '09:00'), { urgency: 'urgent' });
    story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp' });
    const sent = JSON.parse(JSON.stringify(story.issue));
    expect(runningDeadline(sent)).to.deep.equal(runningDeadline(story.issue));
  });
});
