import { expect } from 'chai';
import { MINUTE_MS } from '../../../../shared/clock.ts';
import { dueFollowUps } from '../../../../shared/sla.ts';
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
