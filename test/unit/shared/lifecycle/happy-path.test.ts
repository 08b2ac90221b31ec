import { expect } from 'chai';
import { enterpriseActor } from '../../../../shared/lifecycle.ts';
import { actors, at, cst, IssueStory } from './fixtures.ts';

describe('lifecycle: the full happy path', () => {
  it('goes from received to closed with a good rating, one timeline event per step', () => {
    const story = new IssueStory(at('2026-02-13', '10:00'));
    story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp', coUnitIds: ['wuxing'] });
    expect(story.issue).to.include({ state: 'dispatched', unitId: 'city-nrp', warning: 'none' });
    expect(story.issue.coUnitIds).to.deep.equal(['wuxing']);
    // DESIGN §5: a 5-working-day issue dispatched on Fri 13 Feb 2026 is due at the end of Fri 27 Feb.
    expect(cst(story.issue.deadlines?.resolveBy)).to.equal('2026-02-27 17:30');
    // The sweep first looks at the sign-for limit (催签 if nobody has signed): one working day, and Sat 14 Feb
    // is a working day (调休 for the Spring Festival).
    expect(cst(story.issue.nextCheckAt)).to.equal('2026-02-14 17:30');

    story.goTo('2026-02-14', '09:00');
    story.do(actors.handler, 'sign');
    expect(story.issue).to.include({ state: 'in_progress', signedLate: false });
    // Signed: next, the yellow light.
    expect(cst(story.issue.nextCheckAt)).to.equal('2026-02-26 17:30');

    story.goTo('2026-02-24', '10:00');
    story.do(actors.handler, 'note', { text: '已电话联系企业，约定现场踏勘', public: true });
    story.do(actors.handler, 'note', { text: '规划科意见待反馈', public: false });

    story.goTo('2026-02-26', '15:00');
    story.do(actors.handler, 'reply', { text: '已协调完成厂房验收，证书已发放' });
    expect(story.issue).to.include({ state: 'replied', repliedLate: false });

    story.do(actors.clerk, 'verify');
    expect(story.issue.state).to.equal('awaiting_rating');
    expect(cst(story.issue.rateBy)).to.equal('2026-03-02 17:30');

    story.goTo('2026-02-27', '09:00');
    story.do(enterpriseActor('ent-1'), 'rate', {
      rating: 'good',
      level: 'very_satisfied',
      comment: '办事效率高',
    });
    expect(story.issue).to.include({ state: 'closed', warning: 'none', nextCheckAt: null });
    expect(story.issue.rating).to.include({ rating: 'good', level: 'very_satisfied', source: 'enterprise' });
    expect(cst(story.issue.closedAt)).to.equal('2026-02-27 09:00');

    expect(story.timeline.map((e) => [e.action, e.fromState, e.toState])).to.deep.equal([
      ['dispatch', 'received', 'dispatched'],
      ['sign', 'dispatched', 'in_progress'],
      ['note', 'in_progress', 'in_progress'],
      ['note', 'in_progress', 'in_progress'],
      ['reply', 'in_progress', 'replied'],
      ['verify', 'replied', 'awaiting_rating'],
      ['rate', 'awaiting_rating', 'closed'],
    ]);
  });

  it('shows the enterprise public steps and hides internal ones', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    story.do(actors.handler, 'note', { text: '已联系企业', public: true });
    story.do(actors.handler, 'note', { text: '内部讨论', public: false });
    story.do(actors.handler, 'reply', { text: '答复内容' });
    story.do(actors.clerk, 'verify');
    const visible = story.timeline.filter((e) => e.public).map((e) => e.note ?? e.action);
    expect(visible).to.deep.equal(['dispatch', 'sign', '已联系企业', '答复内容']);
  });

  it('records who did what and when', () => {
    const story = new IssueStory(at('2026-03-02', '09:00'));
    const event = story.do(actors.dispatcher, 'dispatch', { unitId: 'city-nrp' });
    expect(event).to.include({ actorId: actors.dispatcher.id, actorRole: 'dispatcher', action: 'dispatch' });
    expect(cst(event.at)).to.equal('2026-03-02 09:00');
    expect(event.data).to.deep.include({ unitId: 'city-nrp' });
  });

  it('flags a late signature for the sign-for KPI', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).dispatched();
    story.goTo('2026-03-04', '09:00');
    story.do(actors.handler, 'sign');
    expect(story.issue.signedLate).to.equal(true);
  });

  it('sends a reply back for more work', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    story.do(actors.handler, 'reply', { text: '已处理' });
    story.do(actors.dispatcher, 'send_back', { reason: '答复未回应企业诉求' });
    expect(story.issue).to.include({ state: 'in_progress', reply: null });
  });

  it('gives the unit back the working time the centre held the answer, not a deadline already missed', () => {
    // Signed Monday 2 March (5 working days: due Monday 9 March), answered Tuesday 3 March 09:00, sent back
    // Friday 6 March 09:00: three working days with the centre, so the unit is now due Thursday 12 March.
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    const due = cst(story.issue.deadlines?.resolveBy);
    story.goTo('2026-03-03', '09:00');
    story.do(actors.handler, 'reply', { text: '已处理' });
    story.goTo('2026-03-06', '09:00');
    story.do(actors.dispatcher, 'send_back', { reason: '答复未回应企业诉求' });
    expect(due).to.equal('2026-03-09 17:30');
    expect(cst(story.issue.deadlines?.resolveBy)).to.equal('2026-03-12 17:30');
    expect(story.issue.deadlines?.pausedAt ?? null).to.equal(null);
    // Answered after the deadline: still late when sent back, however long the centre took.
    const late = new IssueStory(at('2026-03-02', '09:00')).signed();
    late.goTo('2026-03-10', '09:00');
    late.do(actors.handler, 'reply', { text: '已处理' });
    late.goTo('2026-03-13', '09:00');
    late.do(actors.dispatcher, 'send_back', { reason: '答复未回应企业诉求' });
    expect(cst(late.issue.deadlines?.resolveBy)).to.equal('2026-03-09 17:30');
  });

  it('does not mutate the issue it was given', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    const before = structuredClone(story.issue);
    const snapshot = story.issue;
    story.do(actors.dispatcher, 'consult', { tier: 'director', unitIds: ['city-nrp', 'city-drc'] });
    story.do(actors.drcHandler, 'consult_input', { text: '建议由自然资源和规划局牵头' });
    expect(snapshot).to.deep.equal(before);
  });

  it('passes extra fields such as the id through', () => {
    const story = new IssueStory(at('2026-03-02', '09:00'));
    story.issue = { ...story.issue, id: 'x1' } as typeof story.issue;
    story.dispatched();
    expect((story.issue as unknown as { id: string }).id).to.equal('x1');
  });
});
