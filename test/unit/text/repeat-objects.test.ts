// The duplicate check (server/text/repeat.ts) on one enterprise's near miss that swaps the thing of one kind: the
// word features score it as a repeat (the template, the office, the delay are the same), so only which permit,
// approval step, building, equipment or loan matter the texts name (server/text/repeat-objects.ts) keeps it from
// being merged silently. The texts are written for this test (no corpus pair is copied).
import { expect } from 'chai';
import { CATEGORIES } from '../../../config/categories.ts';
import { DAY_MS } from '../../../shared/clock.ts';
import { findRepeat, type RepeatCandidate } from '../../../server/text/repeat.ts';
import { objectsDiffer, objectsOf } from '../../../server/text/repeat-objects.ts';
import { normaliseText } from '../../../server/text/segment.ts';
import { compileKeywords } from '../../../server/text/text-features.ts';
import { trainTextModel } from '../../../server/text/text-model.ts';
import type { CategoryId } from '../../../shared/states.ts';
import { FIXTURE_TEXTS } from './texts.fixture.ts';

const differ = (a: string, b: string) =>
  objectsDiffer(objectsOf(normaliseText(a)), objectsOf(normaliseText(b)));

describe('text core: the things of one kind a duplicate check compares', () => {
  it('reads one thing told in other words as one, and two things of a kind as two', () => {
    expect(differ('桥式起重机定期检验到期', '车间的行车检验过期了')).to.equal(false);
    expect(differ('排污许可证延续还没批', '排污证延续的事还是待审核')).to.equal(false);
    expect(differ('项目环评报告报上去两个月', '环境影响报告书还没评审')).to.equal(false);
    expect(differ('银行要提前收回贷款', '贷款下个月到期，银行不给续了')).to.equal(false);
    expect(differ('排污许可证延续还没批', '辐射安全许可证延续也待审核')).to.equal(true);
    expect(differ('桥式起重机检验排不上', '两台电梯年检也排不上')).to.equal(true);
    expect(differ('新建仓库消防验收没人来', '新建宿舍楼消防验收没人来')).to.equal(true);
    expect(differ('引进的博士人才认定没结果', '又招了两个硕士 人才认定怎么申请')).to.equal(true);
    expect(differ('项目环评迟迟不批', '项目能评也卡住了')).to.equal(true);
    expect(differ('银行要提前收回600万贷款', '银行说贷款利率要上浮')).to.equal(true);
    expect(differ('出口退税四十天没到账', '留抵退税申请也没审')).to.equal(true);
  });

  it('judges nothing when one text names no thing of the kind (a chase)', () => {
    expect(differ('那个许可证的事还没批下来', '排污许可证延续还没批')).to.equal(false);
    expect(differ('技改补助还没到账', '起重机检验排不上')).to.equal(false);
    // 行车 as driving is no crane.
    expect(objectsOf(normaliseText('注意行车安全'))).to.deep.equal(objectsOf(normaliseText('注意安全')));
  });
});

describe('text core: duplicate check, another thing of one kind', () => {
  const model = trainTextModel(FIXTURE_TEXTS, CATEGORIES);
  const keywords = compileKeywords(CATEGORIES);
  const now = new Date('2026-05-20T02:00:00Z');
  const open = (id: string, text: string, category: CategoryId): RepeatCandidate => ({
    id,
    text,
    category,
    createdAt: new Date(now.getTime() - 3 * DAY_MS),
  });
  const check = (text: string, candidate: RepeatCandidate) =>
    findRepeat(model, keywords, { text, category: candidate.category, now, candidates: [candidate] });
  const permit = open(
    'permit',
    '关于排污许可证延续的情况反映：我司排污许可证下月到期，延续材料已在平台提交二十天，状态一直是待审核，恳请尽快审核。',
    'approval',
  );
  const crane = open(
    'crane',
    '来电人称：公司车间的桥式起重机定期检验到期，特检机构排期要到两个月以后，市场监管要求停用。',
    'approval',
  );

  it('flags another permit or another machine of the same template as 可能重复, never merges it', () => {
    const radiation = check('我们的辐射安全许可证延续材料也在平台提交了 状态一直是待审核 请尽快审核', permit);
    const lift = check('车间的电梯定期检验也到期了 特检机构排期要到两个月以后 市场监管要求停用', crane);
    for (const [v, id] of [
      [radiation, 'permit'],
      [lift, 'crane'],
    ] as const) {
      expect(v.verdict).to.equal('flag');
      expect(v.issueId).to.equal(id);
    }
  });

  it('still merges the same permit or machine told again', () => {
    expect(check('排污许可证延续还是待审核 平台提交二十天了 请尽快审核', permit)).to.deep.include({
      verdict: 'merge',
      issueId: 'permit',
    });
    expect(
      check('车间行车的定期检验到期了 特检机构说要排到两个月以后 市场监管不让用', crane),
    ).to.deep.include({
      verdict: 'merge',
      issueId: 'crane',
    });
  });
});
