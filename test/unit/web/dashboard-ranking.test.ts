// The dashboard's 排名 as a leader reads it: 名次 1 is the best figure (the highest rate, or the lowest where
// lower is better), equal figures share a place, groups without a figure (or without a group: 未分派) have
// none and come last, and the laggards-first order only turns the list round.
import { expect } from 'chai';
import { rankRows, RATES, type KpiRow, type RateKey } from '../../../web/src/lib/kpis.ts';

const def = (key: RateKey) => RATES.find((r) => r.key === key)!;
function row(name: string, onTimeRate: number | null, repeatRate: number | null = 0, received = 10): KpiRow {
  return {
    key: name,
    name,
    received,
    closed: 0,
    backlog: 0,
    overdue: 0,
    satisfactionRate: null,
    signTimelyRate: null,
    onTimeRate,
    oneTimeRate: null,
    repeatRate,
    returnRate: null,
    rectificationRate: null,
  };
}
const view = (rows: ReturnType<typeof rankRows>) => rows.map((r) => `${r.rank ?? '—'} ${r.row.name}`);

describe('dashboard ranking (rankRows)', () => {
  const rows = [row('乙', 0.762), row('丁', null), row('甲', 0.95), row('丙', 1)];

  it('numbers the best on-time rate 1, the worst last, and leaves a group without closings unranked', () => {
    expect(view(rankRows(rows, def('onTimeRate')))).to.deep.equal(['1 丙', '2 甲', '3 乙', '— 丁']);
  });

  it('laggards first keeps each group’s place: the worst shows its real 名次, not 1', () => {
    expect(view(rankRows(rows, def('onTimeRate'), 'worst'))).to.deep.equal(['3 乙', '2 甲', '1 丙', '— 丁']);
  });

  it('for a rate where lower is better (重复投诉率), the lowest is 1', () => {
    const r = [row('甲', 1, 0.2), row('乙', 1, 0.05), row('丙', 1, 0.1)];
    expect(view(rankRows(r, def('repeatRate')))).to.deep.equal(['1 乙', '2 丙', '3 甲']);
  });

  it('equal figures share a place (1, 2, 2, 4), the busier group listed first in either order', () => {
    const r = [row('甲', 0.9, 0, 5), row('乙', 0.9, 0, 20), row('丙', 1), row('丁', 0.5)];
    expect(view(rankRows(r, def('onTimeRate')))).to.deep.equal(['1 丙', '2 乙', '2 甲', '4 丁']);
    expect(view(rankRows(r, def('onTimeRate'), 'worst'))).to.deep.equal(['4 丁', '2 乙', '2 甲', '1 丙']);
  });

  it('never ranks the row of issues without the grouping (未分派): it is no department, whatever its rate', () => {
    const none = { ...row('未分派', 0, 0, 30), key: null, returnRate: 1 };
    const r = [row('甲', 0.9), none, row('乙', 0.5)];
    expect(view(rankRows(r, def('onTimeRate')))).to.deep.equal(['1 甲', '2 乙', '— 未分派']);
    expect(view(rankRows(r, def('returnRate'), 'worst'))).to.deep.equal(['— 未分派', '— 甲', '— 乙']);
  });
});
