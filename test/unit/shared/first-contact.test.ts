// 首次联系 (DESIGN §5): a progress note marked as the contact with the enterprise is kept on the timeline with
// whether it came after 首次联系时限, and the issue page reads the first one since the issue reached its
// current unit (a transfer gives the new unit its own deadline, and its own first contact to record).
import { expect } from 'chai';
import { firstContactOf } from '../../../shared/first-contact.ts';
import { actors, at, cst, IssueStory } from './lifecycle/fixtures.ts';

describe('first contact with the enterprise', () => {
  it('a note marked contacted within the limit is recorded on time; unmarked notes are not contacts', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    story.do(actors.handler, 'note', { text: '内部讨论', public: false });
    expect(firstContactOf(story.timeline)).to.equal(null);
    story.goTo('2026-03-02', '10:00');
    const event = story.do(actors.handler, 'note', {
      text: '已电话联系企业负责人',
      public: true,
      contacted: true,
    });
    expect(event.data).to.deep.equal({ contacted: true, late: false });
    const contact = firstContactOf(story.timeline);
    expect(contact && cst(contact.at)).to.equal('2026-03-02 10:00');
    expect(contact?.late).to.equal(false);
    story.goTo('2026-03-02', '11:00');
    story.do(actors.handler, 'note', { text: '再次联系', public: false, contacted: true });
    expect(cst(firstContactOf(story.timeline)!.at)).to.equal('2026-03-02 10:00');
  });

  it('after 首次联系时限 (一般: one working day) the contact is recorded late', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    story.goTo('2026-03-04', '09:00');
    story.do(actors.handler, 'note', { text: '联系企业', public: false, contacted: true });
    expect(firstContactOf(story.timeline)?.late).to.equal(true);
  });

  it('a contact made for an earlier unit does not count for the unit the issue was transferred to', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    story.do(actors.handler, 'note', { text: '联系企业', public: false, contacted: true });
    story.goTo('2026-03-02', '11:00');
    story.do(actors.dispatcher, 'transfer', { unitId: 'city-econ', reason: '职责不符' });
    expect(firstContactOf(story.timeline)).to.equal(null);
  });

  it('the contact mark is refused when it is not a yes or no', () => {
    const story = new IssueStory(at('2026-03-02', '09:00')).signed();
    story.refuses(actors.handler, 'note', { text: '联系', public: false, contacted: 'yes' }, 'invalid_input');
  });
});
