// Cross-channel repeats, pure: the open issues of the same enterprise within 30 days go to the text core's
// check (merge, flag 可能重复, none); without it a near-identical text merges. An owner's repeat is only flagged.
import { expect } from 'chai';
import {
  findRepeat,
  textSimilarity,
  type RepeatCheck,
  type RepeatCheckInput,
} from '../../../server/intake/repeat.ts';

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
    expect(findRepeat(q, [candidate()]).merge?.number).to.equal('HZ-2026-000001');
  });

  it('ignores closed, merged and rejected issues and those older than 30 days', () => {
    const q = { enterpriseId: 'e', text: TEXT, now: NOW };
    const none = { merge: null, flag: null };
    expect(findRepeat(q, [candidate({ state: 'closed' })])).to.deep.equal(none);
    expect(findRepeat(q, [candidate({ state: 'merged' })])).to.deep.equal(none);
    expect(findRepeat(q, [candidate({ createdAt: new Date(NOW.getTime() - 31 * DAY) })])).to.deep.equal(none);
    expect(
      findRepeat(q, [candidate({ content: '企业出口退税迟迟没有到账，资金周转困难。', title: '退税' })]),
    ).to.deep.equal(none);
  });

  it('picks the most similar of several', () => {
    const q = { enterpriseId: 'e', text: TEXT, now: NOW };
    const near = candidate({ number: 'A', content: TEXT.slice(0, 30) + '影响投产' });
    const same = candidate({ number: 'B' });
    expect(findRepeat(q, [near, same]).merge?.number).to.equal('B');
  });

  it("flags instead of merging when asked to (the owner's own form), with the similarity", () => {
    const q = { text: TEXT, now: NOW, flagOnly: true };
    const c = candidate();
    expect(findRepeat(q, [c])).to.deep.equal({ merge: null, flag: { candidate: c, score: 1 } });
    expect(findRepeat({ ...q, text: '企业出口退税迟迟没有到账，资金周转困难。' }, [c])).to.deep.equal({
      merge: null,
      flag: null,
    });
  });

  describe('with the text core', () => {
    const seen: RepeatCheckInput[] = [];
    const answering =
      (verdict: 'merge' | 'flag' | 'none', issueId: string | null): RepeatCheck =>
      (input) => {
        seen.push(input);
        return { verdict, issueId, score: 0.5 };
      };

    it('asks it about the open candidates only, with their text and category', () => {
      seen.length = 0;
      const q = { text: '又停电了', now: NOW };
      const open = candidate({ _id: 'a', category: 'utilities' });
      findRepeat(q, [open, candidate({ _id: 'b', state: 'closed' })], answering('none', null));
      expect(seen).to.have.length(1);
      expect(seen[0].candidates.map((c) => [c.id, c.category])).to.deep.equal([['a', 'utilities']]);
      expect(seen[0].candidates[0].text).to.equal(`厂房验收迟迟未办\n${TEXT}`);
    });

    it('merges on merge, flags on flag (never both), and skips the check without candidates', () => {
      const q = { text: TEXT, now: NOW };
      const c = candidate({ _id: 'a' });
      expect(findRepeat(q, [c], answering('merge', 'a'))).to.deep.equal({ merge: c, flag: null });
      expect(findRepeat(q, [c], answering('flag', 'a'))).to.deep.equal({
        merge: null,
        flag: { candidate: c, score: 0.5 },
      });
      const flagOnly = { ...q, flagOnly: true };
      expect(findRepeat(flagOnly, [c], answering('merge', 'a'))).to.deep.equal({
        merge: null,
        flag: { candidate: c, score: 0.5 },
      });
      seen.length = 0;
      expect(findRepeat(q, [], answering('merge', 'a'))).to.deep.equal({ merge: null, flag: null });
      expect(seen).to.have.length(0);
    });
  });
});
