// The issue page after a unit's own action (web lib/action-outcome): it leaves when the unit no longer holds
// the issue (a 退单, a transfer away), and stays for the centre and for a unit that still holds it.
import { expect } from 'chai';
import { leftTheUnit } from '../../../web/src/lib/action-outcome.ts';

const issue = (unitId: string | null, coUnitIds: string[] = [], consulted: string[] = []) => ({
  unitId,
  coUnitIds,
  consultation: consulted.length
    ? { tier: 'director' as const, unitIds: consulted, inputs: {}, dueAt: '2026-03-09T09:30:00.000Z' }
    : null,
});

describe('the issue page after a unit’s action (web lib/action-outcome)', () => {
  const handler = { role: 'handler' as const, unitId: 'A' };

  it('leaves when the unit no longer holds the issue', () => {
    expect(leftTheUnit(handler, issue(null))).to.equal(true);
    expect(leftTheUnit({ role: 'unit_head', unitId: 'A' }, issue('B'))).to.equal(true);
  });

  it('stays while the unit leads, co-handles or is consulted, and always for the centre', () => {
    expect(leftTheUnit(handler, issue('A'))).to.equal(false);
    expect(leftTheUnit(handler, issue('B', ['A']))).to.equal(false);
    expect(leftTheUnit(handler, issue(null, [], ['A', 'C']))).to.equal(false);
    expect(leftTheUnit({ role: 'dispatcher', unitId: null }, issue(null))).to.equal(false);
    expect(leftTheUnit(null, issue(null))).to.equal(false);
  });
});
