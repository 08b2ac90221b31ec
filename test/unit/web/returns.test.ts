// 退单 in 待分办 (shared/issue-card.ts, web lib/returns): the units that returned an issue and the last reason, and
// no one-click suggestion of a unit that already returned it.
import { expect } from 'chai';
import { returnsOf } from '../../../shared/issue-card.ts';
import { preselectedUnit } from '../../../web/src/lib/returns.ts';
import type { TimelineEntry } from '../../../web/src/lib/types.ts';

const step = (over: Partial<TimelineEntry>): TimelineEntry => ({
  at: '2026-03-02T01:00:00.000Z',
  action: 'note',
  actorId: 'u1',
  actorName: '王敏',
  actorRole: 'handler',
  fromState: 'in_progress',
  toState: 'in_progress',
  note: null,
  public: false,
  data: null,
  ...over,
});

describe('退单 in 待分办 (web lib/returns)', () => {
  const timeline = [
    step({ action: 'create', fromState: null, toState: 'received' }),
    step({ action: 'dispatch', data: { unitId: 'A' } }),
    step({
      action: 'return',
      note: '不属于本单位职责',
      data: { fromUnitId: 'A', legalBasis: '三定方案第三条', returnCount: 1 },
      toState: 'received',
    }),
    step({ action: 'dispatch', data: { unitId: 'B' } }),
    step({ action: 'return', note: '应由属地办理', data: { fromUnitId: 'B', legalBasis: '' } }),
  ];

  it('lists each return with its unit, reason and basis (none when left empty)', () => {
    expect(returnsOf(timeline).map((r) => [r.fromUnitId, r.reason, r.legalBasis])).to.deep.equal([
      ['A', '不属于本单位职责', '三定方案第三条'],
      ['B', '应由属地办理', null],
    ]);
    expect(returnsOf(timeline.slice(0, 2))).to.deep.equal([]);
  });

  it('does not preselect a unit that returned the issue', () => {
    const returns = returnsOf(timeline);
    expect(preselectedUnit('A', returns)).to.equal('');
    expect(preselectedUnit('B', returns)).to.equal('');
    expect(preselectedUnit('C', returns)).to.equal('C');
    expect(preselectedUnit(undefined, [])).to.equal('');
  });
});
