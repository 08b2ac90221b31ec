// The duplicate check (server/text/repeat.ts) on texts written for this test.
import { expect } from 'chai';
import { CATEGORIES } from '../../../config/categories.ts';
import { DAY_MS } from '../../../shared/clock.ts';
import { findRepeat, type RepeatCandidate } from '../../../server/text/repeat.ts';
import { compileKeywords } from '../../../server/text/text-features.ts';
import { trainTextModel } from '../../../server/text/text-model.ts';
import { FIXTURE_TEXTS } from './texts.fixture.ts';

describe('text core: duplicate check', () => {
  const model = trainTextModel(FIXTURE_TEXTS, CATEGORIES);
  const keywords = compileKeywords(CATEGORIES);
  const now = new Date('2026-05-20T02:00:00Z');
  const open = (
    id: string,
    text: string,
    category: RepeatCandidate['category'],
    daysAgo = 2,
  ): RepeatCandidate => ({
    id,
    text,
    category,
    createdAt: new Date(now.getTime() - daysAgo * DAY_MS),
  });
  const candidates = [
    open('power', '园区昨晚突然停电，生产线全部停产，到现在还没恢复供电', 'utilities'),
    open('loan', '银行突然抽贷五百万，资金链快断了，希望协调续贷', 'finance'),
    open('fire', '消防验收约了三次都没约上，厂房没法投用', 'land'),
  ];
  const check = (text: string, category: RepeatCandidate['category'], list = candidates) =>
    findRepeat(model, keywords, { text, category, now, candidates: list });

  it('merges the same complaint told again through another channel', () => {
    const v = check('园区昨晚停电了，我们生产线全部停产，现在还没有恢复供电，请尽快', 'utilities');
    expect(v.verdict).to.equal('merge');
    expect(v.issueId).to.equal('power');
    expect(v.score).to.be.within(0.3, 1);
  });

  it('never merges a template near miss that swaps what it is about', () => {
    const v = check('人防验收约了三次都没约上，厂房没法投用', 'land');
    expect(v.verdict).to.equal('flag');
    expect(v.issueId).to.equal('fire');
  });

  it('ignores issues older than the window and answers none without a similar one', () => {
    const old = [open('power', candidates[0].text, 'utilities', 45)];
    expect(check(candidates[0].text, 'utilities', old)).to.deep.equal({
      verdict: 'none',
      issueId: null,
      score: 0,
    });
    expect(check('想咨询一下专利侵权怎么维权', 'legal').verdict).to.equal('none');
  });

  it('a different category is at most a flag', () => {
    const v = check('园区昨晚突然停电，生产线全部停产，到现在还没恢复供电', 'finance');
    expect(v.verdict).to.equal('flag');
  });
});
