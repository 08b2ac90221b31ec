import { expect } from 'chai';
import { MINUTE_MS } from '../../../../shared/clock.ts';
import { dueFollowUps } from '../../../../shared/sla-steps.ts';
import { followUpAction } from '../../../../shared/lifecycle/actions.ts';
import { refreshIssue, SYSTEM_ACTOR } from '../../../../shared/lifecycle.ts';
import { actors, at, cst, IssueStory } from './fixtures.ts';

/** A simulated sweep: every 30 minutes it fires whatever is due, as the real cron job would. */
function runSweep(story: IssueStory, until: Date, stepMs = 30 * MINUTE_MS) {
  const fired: string[] = [];
  const lights: string[] = [];
  while (story.clock.now() < until) {
    story.clock.advance(stepMs);
    const now = story.clock.now();
    for (const step of dueFollowUps(story.issue, now)) {
      if (step === 'warning') {
        story.issue = refreshIssue(story.issue, now);
        lights.push(`${cst(now)} ${story.issue.warning}`);
      } else {
        const { action, input } = followUpAction(step);
        story.do(SYSTEM_ACTOR, action, input);
        fired.push(`${cst(now)} ${step}`);
      }
    }
  }
  return { fired, lights };
}

describe('lifecycle over simulated weeks: warnings and escalation', () => {
  it('a normal issue dispatched before the Spring Festival turns yellow, red, overdue and escalates on time, then its undecided consultation goes up a tier', () => {
    const story = new IssueStory(at('2026-02-13', '10:00')).signed();
    const { fired, lights } = runSweep(story, at('2026-03-10', '00:00'));
    expect(lights).to.deep.equal([
      '2026-02-26 17:30 yellow',
      '2026-02-27 17:30 red',
      '2026-02-28 17:30 overdue',
    ]);
    expect(fired).to.deep.equal([
      '2026-02-26 17:30 urge',
      '2026-02-27 17:30 supervise',
      '2026-03-03 17:30 escalate',
      // The director-tier consultation's inputs were due 2 working days later; nobody gave one or decided.
      '2026-03-05 17:30 remind_input',
      '2026-03-05 17:30 bulletin',
      '2026-03-09 17:30 escalate',
    ]);
    expect(story.issue).to.include({
      state: 'consulting',
      tier: 'leader',
      urged: true,
      supervised: true,
      bulletined: true,
    });
    // The leader tier owes its inputs by 11 March; nothing escalates beyond it.
    expect(story.issue.consultation?.tier).to.equal('leader');
    expect(story.issue.nextCheckAt?.toISOString()).to.equal(at('2026-03-11', '17:30').toISOString());
  });

  it('catches up after a week of downtime, firing each step once', () => {
    const story = new IssueStory(at('2026-02-13', '10:00')).signed();
    story.goTo('2026-03-09', '08:00');
    const { fired } = runSweep(story, at('2026-03-12', '00:00'), 60 * MINUTE_MS);
    expect(fired).to.deep.equal([
      '2026-03-09 09:00 urge',
      '2026-03-09 09:00 supervise',
      '2026-03-09 09:00 escalate',
      '2026-03-09 09:00 bulletin',
      '2026-03-11 18:00 remind_input',
    ]);
  });

  it('a person’s 催签 before the sign-for limit marks nothing late', () => {
    const story = new IssueStory(at('2026-03-02', '10:00'), { urgency: 'urgent' }).dispatched();
    story.goTo('2026-03-02', '11:00');
    story.do(actors.supervisor, 'urge', { target: 'sign', note: '请尽快签收' });
    expect(story.issue.signedLate).to.equal(null);
  });

  it('reminds a unit that has not signed for an issue once its sign-for limit passes (催签), once per unit', () => {
    // DESIGN §5: an urgent issue is signed for within 2 working hours, resolved within 3 working days.
    const story = new IssueStory(at('2026-03-02', '10:00'), { urgency: 'urgent' }).dispatched();
    expect(cst(story.issue.deadlines?.signBy)).to.equal('2026-03-02 12:00');
    const first = runSweep(story, at('2026-03-02', '16:00'));
    expect(first.fired).to.deep.equal(['2026-03-02 12:00 remind_sign']);
    // Late from now on, signed or not (及时签收率 counts it); a transfer starts a new limit, not yet late.
    expect(story.issue).to.include({ state: 'dispatched', urged: false, signedLate: true });
    expect(story.issue.deadlines?.signUrgedAt?.toISOString()).to.equal(
      at('2026-03-02', '12:00').toISOString(),
    );
    expect(story.timeline.at(-1)).to.deep.include({ action: 'urge', actorRole: 'system' });
    expect(story.timeline.at(-1)?.data).to.deep.equal({ target: 'sign', step: 'remind_sign' });

    // The centre moves it to another unit at 16:00: a new sign-for limit, and a 催签 of its own when it passes.
    story.do(actors.dispatcher, 'transfer', { unitId: 'wuxing', reason: '属地管理' });
    expect(story.issue.deadlines?.signUrgedAt).to.equal(null);
    expect(story.issue.signedLate).to.equal(null);
    // 16:00–17:30, then half an hour from 08:30 the next working day.
    expect(cst(story.issue.deadlines?.signBy)).to.equal('2026-03-03 09:00');
    const second = runSweep(story, at('2026-03-03', '12:00'));
    expect(second.fired).to.deep.equal(['2026-03-03 09:00 remind_sign']);

    // Signed late: no more 催签; the handling clock's own 催办 comes at its yellow light.
    story.do(actors.handler, 'sign');
    expect(story.issue.signedLate).to.equal(true);
    const third = runSweep(story, at('2026-03-05', '18:00'));
    expect(third.fired).to.deep.equal(['2026-03-04 15:30 urge', '2026-03-05 17:30 supervise']);
  });

  it('a consultation handing the issue back to the unit that missed its sign-for keeps the miss; another unit starts clean', () => {
    const missed = () => {
      const story = new IssueStory(at('2026-03-02', '10:00'), { urgency: 'urgent' }).dispatched();
      runSweep(story, at('2026-03-02', '16:00'));
      expect(story.issue.signedLate).to.equal(true);
      story.do(actors.dispatcher, 'consult', { tier: 'director', unitIds: ['city-nrp', 'city-drc'] });
      return story;
    };
    const same = missed();
    same.do(actors.director, 'decide', { unitId: 'city-nrp', workingDays: 3 });
    // It was 100% 及时签收 for the unit that had ignored the issue until the decision.
    expect(same.issue).to.include({ state: 'in_progress', unitId: 'city-nrp', signedLate: true });
    const other = missed();
    other.do(actors.director, 'decide', { unitId: 'city-drc', workingDays: 3 });
    expect(other.issue).to.include({ state: 'in_progress', unitId: 'city-drc', signedLate: false });
  });

  it('a unit that signs in time is never reminded to sign', () => {
    const story = new IssueStory(at('2026-03-02', '10:00'), { urgency: 'urgent' }).dispatched();
    story.goTo('2026-03-02', '11:30');
    story.do(actors.handler, 'sign');
    const { fired } = runSweep(story, at('2026-03-04', '00:00'));
    expect(fired).to.deep.equal([]);
  });

  it('a reply in time stops the lights', () => {
    const story = new IssueStory(at('2026-02-13', '10:00')).signed();
    runSweep(story, at('2026-02-27', '09:00'));
    expect(story.issue.warning).to.equal('yellow');
    story.do(actors.handler, 'reply', { text: '已办结' });
    const { fired } = runSweep(story, at('2026-03-10', '00:00'));
    expect(fired).to.deep.equal([]);
    expect(story.issue.repliedLate).to.equal(false);
  });

  it('an urgent issue dispatched on the 调休 Saturday turns yellow after two-thirds of its working time', () => {
    const story = new IssueStory(at('2026-02-14', '09:00'), { urgency: 'urgent' }).signed();
    // Three working days after the start day: 24, 25 and 26 Feb.
    expect(cst(story.issue.deadlines?.resolveBy)).to.equal('2026-02-26 17:30');
    const { fired } = runSweep(story, at('2026-02-27', '00:00'), 15 * MINUTE_MS);
    // 29.5 working hours to the deadline; two-thirds (19 h 40 min) are used by Wed 25 Feb 15:10.
    expect(fired).to.deep.equal(['2026-02-25 15:15 urge', '2026-02-26 17:30 supervise']);
  });

  it('asks for a callback when the enterprise does not rate within 3 working days', () => {
    const story = new IssueStory(at('2026-02-12', '09:00')).awaitingRating();
    expect(cst(story.issue.rateBy)).to.equal('2026-02-24 17:30');
    const { fired } = runSweep(story, at('2026-02-26', '00:00'));
    expect(fired).to.deep.equal(['2026-02-24 17:30 request_callback']);
  });
});
