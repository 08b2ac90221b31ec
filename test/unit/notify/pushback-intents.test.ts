// The push-back a 12345 work order hears, pure: the verified answer once at verification, and the outcome once
// when the issue ends (closed with its rating, or rejected with the reason), never a state label for a text.
import { expect } from 'chai';
import type { IssueChange } from '../../../server/commands/issue-deps.ts';
import { intentsOf, pushbackText } from '../../../server/notify/intents.ts';
import { DEFAULT_TEMPLATES, render } from '../../../server/notify/templates.ts';
import { STATE_LABELS } from '../../../shared/states.ts';

const change = (c: Partial<IssueChange> & Pick<IssueChange, 'action' | 'state'>): IssueChange => ({
  issueId: 'i',
  number: 'HZ-2026-000337',
  fromState: null,
  unitId: null,
  coUnitIds: [],
  enterpriseId: 'e',
  actorId: 'a',
  at: new Date(0),
  ...c,
});

const pushbacks = (c: IssueChange) =>
  intentsOf(c)
    .filter((x) => x.audience === 'origin')
    .map((x) => x.event);

/** The callback's text as the default template writes it. */
const told = (c: IssueChange) => {
  const [event] = pushbacks(c);
  return render(DEFAULT_TEMPLATES[event], { state: STATE_LABELS[c.state], text: pushbackText(c) });
};

describe('push-back to the originating channel (intents)', () => {
  it('verification sends the answer the enterprise is given: the reply text, nothing around it', () => {
    const verify = change({
      action: 'verify',
      fromState: 'replied',
      state: 'awaiting_rating',
      note: '退税款已于今日到账。',
      data: { rateBy: new Date(0) },
    });
    expect(pushbacks(verify)).to.deep.equal(['pushback_reply']);
    expect(told(verify)).to.equal('退税款已于今日到账。');
  });

  it('closing sends the outcome with the rating, whoever recorded it', () => {
    const rated = (action: 'rate' | 'callback', data: Record<string, unknown>) =>
      change({ action, fromState: 'awaiting_rating', state: 'closed', data });
    const good = rated('rate', { rating: 'good', source: 'enterprise' });
    expect(pushbacks(good)).to.deep.equal(['pushback_outcome']);
    expect(told(good)).to.equal('已办结：企业评价「好评」');
    expect(told(rated('rate', { rating: 'good', level: 'very_satisfied', source: 'staff' }))).to.equal(
      '已办结：企业评价「非常满意」',
    );
    expect(
      told(rated('callback', { reached: true, rating: 'good', level: 'satisfied', source: 'callback' })),
    ).to.equal('已办结：回访评价「满意」');
    const upheld = change({
      action: 'verify_rating',
      fromState: 'awaiting_rating',
      state: 'closed',
      note: '企业所提诉求超出政策范围，已充分解释。',
      data: { reasonable: false },
    });
    expect(pushbacks(upheld)).to.deep.equal(['pushback_outcome']);
    expect(told(upheld)).to.equal('已办结：差评经核实不成立（企业所提诉求超出政策范围，已充分解释。）');
  });

  it('rejection sends 不予受理 with the reason', () => {
    const rejected = change({
      action: 'reject',
      fromState: 'received',
      state: 'rejected',
      note: '属于司法程序。',
    });
    expect(pushbacks(rejected)).to.deep.equal(['pushback_outcome']);
    expect(told(rejected)).to.equal('不予受理：属于司法程序。');
  });

  it('nothing is pushed back while the issue stays open or is already closed', () => {
    const still = [
      change({ action: 'reply', fromState: 'in_progress', state: 'replied', note: '已办理。' }),
      change({
        action: 'rate',
        fromState: 'awaiting_rating',
        state: 'awaiting_rating',
        data: { rating: 'bad' },
      }),
      change({
        action: 'callback',
        fromState: 'awaiting_rating',
        state: 'awaiting_rating',
        data: { reached: false },
      }),
      change({
        action: 'callback',
        fromState: 'closed',
        state: 'closed',
        data: { reached: true, rating: 'good' },
      }),
      change({
        action: 'verify_rating',
        fromState: 'awaiting_rating',
        state: 'in_progress',
        data: { reasonable: true },
      }),
    ];
    expect(still.flatMap(pushbacks)).to.deep.equal([]);
    // A bad rating still goes to the centre.
    expect(intentsOf(still[1]).map((x) => x.event)).to.deep.equal(['bad_rating']);
  });
});
