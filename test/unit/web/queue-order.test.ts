// A centre queue's cards (受理分办台 → 差评待核实, 待审核, 待回访) due soonest first by the deadline each runs in
// its own state: the list's order is the handling deadline, which for a bad rating waiting to be checked says
// nothing about when its 核实时限 runs out.
import { expect } from 'chai';
import { byRunningDeadline } from '../../../web/src/lib/format.ts';

describe('web: a queue’s cards by their running deadline', () => {
  it('puts the soonest 核实时限 first, cards with none last, and keeps the order of equals', () => {
    const card = (id: string, dueAt: string | null) => ({ id, running: dueAt ? { dueAt } : null });
    const rows = [
      card('a', '2026-12-09T09:30:00.000Z'),
      card('b', null),
      card('c', '2026-11-01T09:30:00.000Z'),
      card('d', '2026-12-09T09:30:00.000Z'),
      card('e', '2026-12-07T01:00:00.000Z'),
    ];
    expect(byRunningDeadline(rows).map((r) => r.id)).to.deep.equal(['c', 'e', 'a', 'd', 'b']);
    expect(
      rows.map((r) => r.id),
      'the loaded rows are left as they were',
    ).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
  });
});
