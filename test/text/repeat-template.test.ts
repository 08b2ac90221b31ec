// The one-template guard of the duplicate check (server/text/repeat-template.ts templateCheck) with the corpus
// model, whose word weights decide what names a thing: a complaint re-told with one word said another way is
// not two things, while a template about another thing still is. Texts written for this test.
import { expect } from 'chai';
import { CATEGORIES } from '../../config/categories.ts';
import { DAY_MS } from '../../shared/clock.ts';
import { findRepeat, fingerprint } from '../../server/text/repeat.ts';
import { templateCheck } from '../../server/text/repeat-template.ts';
import { compileKeywords } from '../../server/text/text-features.ts';
import { corpusModel } from './corpus-model.ts';

describe('text: the one-template guard of the duplicate check', function () {
  this.timeout(60_000);
  const keywords = compileKeywords(CATEGORIES);
  const slotSwap = (earlier: string, later: string) => {
    const { model } = corpusModel();
    return templateCheck(fingerprint(model, keywords, later), fingerprint(model, keywords, earlier)).slotSwap;
  };

  it('merges a complaint re-told with a word said another way (黑漆漆 / 一片黑)', () => {
    const earlier = '仓库后门那盏路灯坏了快三周，夜里叉车作业黑漆漆的，请路灯所派人修';
    const later = '仓库后门那盏路灯坏了快三周了，夜里叉车作业一片黑，麻烦路灯管理所派人修';
    expect(slotSwap(earlier, later)).to.equal(false);
    const now = new Date('2026-05-20T02:00:00Z');
    const candidates = [
      {
        id: 'light',
        text: earlier,
        category: 'utilities' as const,
        createdAt: new Date(now.getTime() - 3 * DAY_MS),
      },
    ];
    const v = findRepeat(corpusModel().model, keywords, {
      text: later,
      category: 'utilities',
      now,
      candidates,
    });
    expect(v).to.include({ verdict: 'merge', issueId: 'light' });
  });

  it('takes no adverb or pronoun for a swapped thing (重复 / 都一样)', () => {
    // 重复 (an adverb to jieba) and 一样 (a pronoun) are rare enough to weigh as things, but name none.
    expect(
      slotSwap('各部门轮流来检查，内容重复，希望联合检查', '各部门轮流来检查，内容都一样，希望联合检查'),
    ).to.equal(false);
  });

  it('still tells one template about two things apart (消防 / 人防, 井盖 / 篦子)', () => {
    expect(
      slotSwap('消防验收约了三次都没约上，厂房没法投用', '人防验收约了三次都没约上，厂房没法投用'),
    ).to.equal(true);
    expect(
      slotSwap('厂门口道路上的污水井盖丢了，晚上很危险', '厂门口道路上的雨水篦子丢了，晚上很危险'),
    ).to.equal(true);
  });

  it('flags, never merges, one template with another document number; merges the same one in another form', () => {
    const now = new Date('2026-05-20T02:00:00Z');
    const earlier =
      '关于兑现长政〔2024〕15号文件技改奖励的请示：我司2024年技改投入1800万元，按文件应获奖励90万元，申报材料已交半年未见兑现。';
    const verdict = (later: string) =>
      findRepeat(corpusModel().model, keywords, {
        text: later,
        category: 'policy',
        now,
        candidates: [
          { id: 'award', text: earlier, category: 'policy', createdAt: new Date(now.getTime() - 9 * DAY_MS) },
        ],
      }).verdict;
    // The year and the amount agree, and the words all but one number: another document is another award.
    const chase = (doc: string) => `按${doc}文件申报的技改奖励90万，材料交了半年了还没兑现，问一下进度`;
    expect(verdict(chase('长政〔2024〕27号'))).to.equal('flag');
    expect(verdict(chase('长政（2024）15号'))).to.equal('merge');
    expect(verdict(chase('第15号'))).to.equal('merge');
    expect(verdict(chase(''))).to.equal('merge');
  });
});
