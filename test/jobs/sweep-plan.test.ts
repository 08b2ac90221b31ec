// The sweep's pure core, without a database: which follow-ups are due with the deadline that keys each
// claim, what a batch writes for an issue when it holds all of them or only the first ones, and the change
// records built from what was written.
import { expect } from 'chai';
import { Types } from 'mongoose';
import { draftSteps, planSteps, updateOf, changesOf, settledAt } from '../../server/jobs/sweep-plan.ts';
import type { IssueDoc } from '../../server/models/index.ts';
import { at, calendar, policy, IssueStory } from '../unit/shared/lifecycle/fixtures.ts';

const settings = { calendar, policy };

/** The issue as the sweep reads it: the core's fields plus what the write and the change records need. */
function stored(story: IssueStory): IssueDoc {
  return {
    ...story.issue,
    _id: new Types.ObjectId(),
    number: 'HZ-2026-000042',
    enterpriseId: new Types.ObjectId(),
    version: 7,
  } as unknown as IssueDoc;
}

describe('escalation sweep: the pure core of one issue', () => {
  // Signed Friday 13 Feb 2026; the server was down until the morning after the bulletin instant.
  const story = new IssueStory(at('2026-02-13', '10:00')).signed();
  const doc = stored(story);
  const now = at('2026-03-06', '10:00');
  const d = story.issue.deadlines!;

  it('plans every due follow-up in firing order, each keyed by the deadline it hangs off', () => {
    expect(planSteps(story.issue, now)).to.deep.equal([
      { step: 'urge', dueAt: d.yellowAt },
      { step: 'supervise', dueAt: d.redAt },
      { step: 'escalate', dueAt: d.escalateAt },
      { step: 'bulletin', dueAt: d.bulletinAt },
    ]);
    expect(planSteps(story.issue, at('2026-02-20', '12:00'))).to.deep.equal([]);
  });

  it('holding every step: one version-guarded update with all the events, and nothing left due', () => {
    const draft = draftSteps(doc, planSteps(story.issue, now), now, settings);
    expect(draft.events.map((e) => [e.action, e.actorName, (e.data?.dueAt as Date).getTime()])).to.deep.equal(
      [
        ['urge', '系统', d.yellowAt.getTime()],
        ['supervise', '系统', d.redAt.getTime()],
        ['escalate', '系统', d.escalateAt.getTime()],
        ['bulletin', '系统', d.bulletinAt.getTime()],
      ],
    );
    const { filter, update } = updateOf(draft);
    expect(filter).to.deep.equal({ _id: doc._id, version: 7 });
    expect(update).to.deep.include({ $inc: { version: 1 }, $push: { timeline: { $each: draft.events } } });
    expect(draft.set).to.include({ state: 'consulting', urged: true, bulletined: true, updatedAt: now });
    expect(draft.set).to.not.have.property('category');
    expect(settledAt(draft.core.nextCheckAt, now)).to.equal(true);
  });

  it('holding only the first steps (another sweeper has the third): those fire, the issue stays due', () => {
    const draft = draftSteps(doc, planSteps(story.issue, now).slice(0, 2), now, settings);
    expect(draft.applied.map((s) => s.step)).to.deep.equal(['urge', 'supervise']);
    expect(draft.set).to.include({ urged: true, supervised: true });
    expect(draft.set).to.not.have.property('escalated');
    expect(settledAt(draft.core.nextCheckAt, now)).to.equal(false);
  });

  it('a light change alone writes the light and the next check, without events or a new updatedAt', () => {
    const yellow = new Date(d.yellowAt.getTime() + 60_000);
    const quiet = stored(new IssueStory(at('2026-02-13', '10:00'), { ...story.issue, urged: true }));
    const draft = draftSteps(quiet, [], yellow, settings);
    expect(draft.events).to.deep.equal([]);
    expect(Object.keys(draft.set).sort()).to.deep.equal(['nextCheckAt', 'warning']);
    expect(updateOf(draft).update).to.not.have.property('$push');
  });

  it('a light turning red moves updatedAt (the KPI rollups rebuild the days of changed issues)', () => {
    const fired = { ...story.issue, urged: true, supervised: true, escalated: true, bulletined: true };
    const red = stored(new IssueStory(at('2026-02-13', '10:00'), fired));
    const draft = draftSteps(red, [], now, settings);
    expect(draft.events).to.deep.equal([]);
    expect(draft.set).to.include({ warning: 'overdue', updatedAt: now });
  });

  it('the red light at the due time moves updatedAt (超期 counts it); red turning 已超期 does not', () => {
    const fired = { ...story.issue, urged: true, supervised: true, escalated: true, bulletined: true };
    const red = stored(new IssueStory(at('2026-02-13', '10:00'), { ...fired, warning: 'yellow' }));
    const atRed = new Date(d.redAt.getTime() + 60_000);
    const turned = draftSteps(red, [], atRed, settings);
    expect(turned.events).to.deep.equal([]);
    expect(turned.set).to.include({ warning: 'red', updatedAt: atRed });

    const stillLate = stored(new IssueStory(at('2026-02-13', '10:00'), { ...fired, warning: 'red' }));
    const atOverdue = new Date(d.overdueAt.getTime() + 60_000);
    const later = draftSteps(stillLate, [], atOverdue, settings);
    expect(later.set).to.include({ warning: 'overdue' });
    expect(later.set, 'already counted as past its deadline').to.not.have.property('updatedAt');
  });

  it('the change records come from what was written: one per event, with the state it led to', () => {
    const draft = draftSteps(doc, planSteps(story.issue, now), now, settings);
    const changes = changesOf(draft, now);
    expect(changes.map((c) => [c.action, c.fromState, c.state])).to.deep.equal([
      ['urge', 'in_progress', 'in_progress'],
      ['supervise', 'in_progress', 'in_progress'],
      ['escalate', 'in_progress', 'consulting'],
      ['bulletin', 'consulting', 'consulting'],
    ]);
    expect(changes[0]).to.include({
      issueId: String(doc._id),
      number: 'HZ-2026-000042',
      enterpriseId: String(doc.enterpriseId),
      unitId: 'city-nrp',
      actorId: 'system',
      at: now,
    });
  });
});
