// Cross-channel repeats, pure: near-identical text of an open issue of the same enterprise within 30 days.
import { expect } from 'chai';
import { findRepeat, textSimilarity } from '../../../server/intake/repeat.ts';

const NOW = new Date('2026-03-20T02:00:00Z');
const DAY = 86_400_000;
const TEXT = '我公司厂房竣工验收申请已提交两个月，至今没有安排现场验收，影响设备进场和投产。';

const candidate = (over: object = {}) => ({
  _id: 'x',
  number: 'HZ-2026-000001',
  title: '厂房验收迟迟未办',
  content: TEXT,
  state: 'dispatched' as const,
  createdAt: new Date(NOW.getTime() - 3 * DAY),
  ...over,
});

describe('repeat detection', () => {
  it('scores retyped text near 1 and a different complaint low', () => {
    expect(textSimilarity(TEXT, TEXT)).to.equal(1);
    const retyped = '我公司厂房竣工验收申请已提交两个月了，至今没安排现场验收，影响设备进场、投产。';
    expect(textSimilarity(TEXT, retyped)).to.be.above(0.8);
    expect(textSimilarity(TEXT, '企业出口退税迟迟没有到账，资金周转困难。')).to.be.below(0.3);
    expect(textSimilarity('', '')).to.equal(0);
  });

  it('finds the open issue of the last 30 days the message repeats', () => {
    const q = { enterpriseId: 'e', text: `厂房验收\n${TEXT}`, now: NOW };
    expect(findRepeat(q, [candidate()])?.number).to.equal('HZ-2026-000001');
  });

  it('ignores closed, merged and rejected issues and those older than 30 days', () => {
    const q = { enterpriseId: 'e', text: TEXT, now: NOW };
    expect(findRepeat(q, [candidate({ state: 'closed' })])).to.equal(null);
    expect(findRepeat(q, [candidate({ state: 'merged' })])).to.equal(null);
    expect(findRepeat(q, [candidate({ createdAt: new Date(NOW.getTime() - 31 * DAY) })])).to.equal(null);
    expect(
      findRepeat(q, [candidate({ content: '企业出口退税迟迟没有到账，资金周转困难。', title: '退税' })]),
    ).to.equal(null);
  });

  it('picks the most similar of several', () => {
    const q = { enterpriseId: 'e', text: TEXT, now: NOW };
    const near = candidate({ number: 'A', content: TEXT.slice(0, 30) + '影响投产' });
    const same = candidate({ number: 'B' });
    expect(findRepeat(q, [near, same])?.number).to.equal('B');
  });
});
