// The duplicate check (server/text/repeat.ts) on texts written for this test.
import { expect } from 'chai';
import { CATEGORIES } from '../../../config/categories.ts';
import { DAY_MS } from '../../../shared/clock.ts';
import { classifyText } from '../../../server/text/classify-text.ts';
import {
  FingerprintCache,
  findRepeat,
  fingerprint,
  mayMerge,
  similarities,
  type RepeatCandidate,
} from '../../../server/text/repeat.ts';
import { mergeVetoes, neverMerge } from '../../../server/text/repeat-features.ts';
import { templateCheck } from '../../../server/text/repeat-template.ts';
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
    // Not a copy (a copy merges whatever its category): the same complaint in a few other words.
    const v = check('园区昨晚突然停电了，生产线全部停产，到现在都还没恢复供电', 'finance');
    expect(v.verdict).to.equal('flag');
  });

  it('merges a chase of an open report even when the chase alone reads as another category', () => {
    // A chase names too little to be classified: the report it chases decides.
    const v = check('前天反映的园区停电再催一下，生产线全部停产，到现在还没恢复供电', 'finance');
    expect(v.verdict).to.equal('merge');
    expect(v.issueId).to.equal('power');
  });

  it("merges across categories only when each is among the other text's likeliest", () => {
    const mine = fingerprint(model, keywords, '园区昨晚停电了，我们生产线全部停产，现在还没有恢复供电');
    const theirs = fingerprint(model, keywords, candidates[0].text);
    const pair = { probability: 1, neverMerge: false };
    expect(mayMerge(model, mine, theirs, 'utilities', 'utilities', pair)).to.equal(true);
    // The model is sure both are about power: a 金融 label on either side is no likely reading of it.
    expect(mayMerge(model, mine, theirs, 'finance', 'utilities', pair)).to.equal(false);
    expect(mayMerge(model, mine, theirs, 'utilities', 'finance', pair)).to.equal(false);
    // A mortgage valued too low, told twice: 金融 first for both, 用地 second (over 2 %) for both, so a letter
    // a clerk filed under 用地 and a line read as 金融 may merge; 税务 is no likely reading of either.
    const line = fingerprint(model, keywords, '厂房抵押贷款银行说评估价太低，只能贷三百万');
    const letter = fingerprint(
      model,
      keywords,
      '关于我司以厂房抵押申请贷款评估价值偏低的情况反映：银行评估价明显低于市场价，贷款额度仅三百万元，恳请协调',
    );
    expect(mayMerge(model, line, letter, 'finance', 'land', pair)).to.equal(true);
    expect(mayMerge(model, line, letter, 'land', 'finance', pair)).to.equal(true);
    expect(mayMerge(model, line, letter, 'finance', 'tax', pair)).to.equal(false);
    expect(mayMerge(model, mine, theirs, 'utilities', 'utilities', { ...pair, neverMerge: true })).to.equal(
      false,
    );
  });

  it("left to the model, the message's category is its likeliest readings, not its first guess alone", () => {
    // The letter reads 执法 (0.998, 物流 under 0.001); the line 物流 first (0.89) and 执法 second (0.04): one fine
    // told twice. The guess 物流 is no label the letter must share: 执法 is a likely reading of the line.
    const letter = '执法人员来厂里检查，因为货车标签小瑕疵罚款二十万，处罚明显过重，也没有出具书面通知';
    const line = '货车标签的事被罚二十万，货车白天进不来，原料运不进来';
    const fine = [open('fine', letter, 'enforcement')];
    const left = findRepeat(model, keywords, { text: line, now, candidates: fine });
    expect(left).to.include({ verdict: 'merge', issueId: 'fine' });
    // A category the caller gives is a label: 物流 against 执法 is at most a flag, as before.
    expect(check(line, 'logistics', fine).verdict).to.equal('flag');
    // The open issue's category must still be a likely reading of the line: 用地 is not.
    const filedAsLand = findRepeat(model, keywords, {
      text: line,
      now,
      candidates: [open('fine', letter, 'land')],
    });
    expect(filedAsLand.verdict).to.equal('flag');
  });

  it('takes the category the classifier would give when the caller leaves it out', () => {
    const text = '园区昨晚停电了，我们生产线全部停产，现在还没有恢复供电，请尽快';
    const given = check(text, classifyText(model, CATEGORIES, text).category);
    const left = findRepeat(model, keywords, { text, now, candidates });
    expect(left).to.deep.equal(given);
  });

  it('weighs a candidate that shares only words the training texts never had', () => {
    // 堤脚 and 掏空 are in no fixture text, so the two texts' TF-IDF vectors share nothing: the chase was
    // answered `none` without being scored.
    const dyke = [open('dyke', '仓库背后那段防洪堤的堤脚被掏空了，一下暴雨就往里渗', 'land', 5)];
    const v = check('上周反映的堤脚掏空还没人来看，这两天又下雨了', 'land', dyke);
    expect(v.verdict).to.equal('merge');
    expect(v.issueId).to.equal('dyke');
  });

  it('never merges a report about another numbered building, lorry or year', () => {
    const lift = [open('lift', '2号楼的电梯困人了，维保公司说周末没人来，员工被困半小时', 'land')];
    const v = check('6号楼的电梯困人了，维保公司说周末没人来，员工被困半小时', 'land', lift);
    expect(v.verdict).not.to.equal('merge');
  });

  it('never merges an enquiry about applying anew into an open complaint about an application', () => {
    const voucher = [
      open('voucher', '科技创新券兑付申请已提交半年，委托检测的4.6万元至今未到账，请协调兑付', 'innovation'),
    ];
    const v = check('今年的科技创新券怎么申领 我们要委托检测 兑付要多久', 'innovation', voucher);
    expect(v.verdict).not.to.equal('merge');
    // A chase that asks how still merges.
    const chase = check('创新券兑付的事上次反映过 半年了还没到账 到底怎么报才行', 'innovation', voucher);
    expect(chase).to.deep.include({ verdict: 'merge', issueId: 'voucher' });
  });

  it('names the family of veto that keeps a pair from merging (fit-repeat.ts leaves each out in turn)', () => {
    const held = (a: string, b: string) => {
      const [mine, theirs] = [fingerprint(model, keywords, a), fingerprint(model, keywords, b)];
      const all = mergeVetoes(mine, theirs, templateCheck(mine, theirs).slotSwap);
      return {
        held: Object.keys(all).filter((k) => all[k as keyof typeof all]),
        never: neverMerge(mine, theirs),
      };
    };
    const building = held(
      '6号楼的电梯困人了，维保公司说周末没人来，员工被困半小时',
      '2号楼的电梯困人了，维保公司说周末没人来，员工被困半小时',
    );
    expect(building).to.deep.equal({ held: ['particulars'], never: true });
    const enquiry = held(
      '今年的科技创新券怎么申领 我们要委托检测 兑付要多久',
      '科技创新券兑付申请已提交半年，委托检测的4.6万元至今未到账，请协调兑付',
    );
    expect(enquiry).to.deep.equal({ held: ['enquiry'], never: true });
    const retold = held(
      '园区停电了，到现在还没来电，生产线停着',
      '园区昨晚突然停电，生产线全部停产，到现在还没恢复供电',
    );
    expect(retold).to.deep.equal({ held: [], never: false });
  });

  it('never merges a message that recaps the open issue in a sentence and then raises another problem', () => {
    const [recap, retold, named] = [
      '园区停电停产的事，到现在还没恢复供电。现在又有新问题，食堂的天然气管道漏气，师傅不敢开火，中午两百人吃不上饭',
      '园区停电了，到现在还没来电，生产线停着',
      '来电人：园区企业办公室。园区昨晚停电，生产线全部停下来了，到现在还没恢复',
    ].map((text) => fingerprint(model, keywords, text));
    const theirs = fingerprint(model, keywords, '园区昨晚突然停电，生产线全部停产，到现在还没恢复供电');
    expect(mergeVetoes(recap, theirs, false).recap).to.equal(true);
    // A re-telling, and one that opens with who is calling, share a little in every sentence: no recap.
    expect(mergeVetoes(retold, theirs, false).recap).to.equal(false);
    expect(mergeVetoes(named, theirs, false).recap).to.equal(false);
  });

  it('never merges a report about another gate, month or added lorry', () => {
    const pairs: [string, string, RepeatCandidate['category']][] = [
      [
        '厂区东门外的雨水管堵塞，一下雨门口就积水，货车进不来',
        '厂区北门外的雨水管堵塞，一下雨门口就积水，货车进不来',
        'utilities',
      ],
      [
        '今年3月份的电费单比平时高出近一倍，用电量没变化',
        '今年5月份的电费单比平时高出近一倍，用电量没变化',
        'utilities',
      ],
      [
        '货车浙E·A3K21办城区通行证被拒了，送货受阻',
        '货车浙E·C7M09办城区通行证被拒了，浙E·A3K21那辆办下来了',
        'logistics',
      ],
    ];
    for (const [earlier, text, category] of pairs) {
      const v = check(text, category, [open('earlier', earlier, category)]);
      expect(v.verdict, text).not.to.equal('merge');
    }
  });
});

describe('text core: a copy of an open issue', () => {
  const model = trainTextModel(FIXTURE_TEXTS, CATEGORIES);
  const keywords = compileKeywords(CATEGORIES);
  const now = new Date('2026-05-20T02:00:00Z');
  // Short, and of no clear category: the kind of text the fitted score put below merging even against itself.
  const FLOODING = '附件为厂区积水照片和申请材料，请尽快处理排水问题';
  const TITLED = `厂区积水\n${FLOODING}`;
  const issue = (id: string, text: string, minutesAgo: number, category: RepeatCandidate['category']) => ({
    id,
    text,
    category,
    createdAt: new Date(now.getTime() - minutesAgo * 60_000),
  });

  it('scores an identical text 1 and merges it into the open issue', () => {
    expect(similarities(model, keywords, FLOODING, [{ id: 'a', text: FLOODING }])).to.deep.equal([1]);
    const v = findRepeat(model, keywords, {
      text: FLOODING,
      now,
      candidates: [issue('a', FLOODING, 30, 'utilities')],
    });
    expect(v).to.deep.equal({ verdict: 'merge', issueId: 'a', score: 1 });
  });

  it('merges the same title and content, however they are spaced and punctuated', () => {
    const resent = '厂区积水 附件为厂区积水照片和申请材料,请尽快处理排水问题!';
    expect(similarities(model, keywords, resent, [{ id: 'a', text: TITLED }])).to.deep.equal([1]);
    const v = findRepeat(model, keywords, {
      text: resent,
      now,
      // Staff filed it under another category since: still the same complaint.
      candidates: [issue('a', TITLED, 30, 'land')],
    });
    expect(v).to.deep.equal({ verdict: 'merge', issueId: 'a', score: 1 });
  });

  it('keeps merging every further copy into the first issue', () => {
    for (const text of [FLOODING, TITLED]) {
      const open: RepeatCandidate[] = [];
      for (let n = 0; n < 6; n++) {
        const v = findRepeat(model, keywords, { text, now, candidates: open });
        if (n === 0) expect(v.verdict).to.equal('none');
        else expect(v, `copy ${n + 1}`).to.deep.equal({ verdict: 'merge', issueId: 'first', score: 1 });
        if (v.verdict !== 'merge')
          open.push(issue(n === 0 ? 'first' : `copy-${n}`, text, 60 - n, 'utilities'));
      }
      expect(open.map((c) => c.id)).to.deep.equal(['first']);
    }
  });

  it('merges a copy into the earliest of several open issues with that text', () => {
    const earlier = [issue('later', FLOODING, 10, 'land'), issue('earliest', FLOODING, 90, 'land')];
    const v = findRepeat(model, keywords, { text: FLOODING, now, candidates: earlier });
    expect(v).to.deep.equal({ verdict: 'merge', issueId: 'earliest', score: 1 });
  });
});

describe('text core: fingerprint cache', () => {
  const model = trainTextModel(FIXTURE_TEXTS, CATEGORIES);
  const keywords = compileKeywords(CATEGORIES);

  it('keeps the most recently used fingerprints within its bound', () => {
    const cache = new FingerprintCache(2);
    const a = cache.get(model, keywords, '园区停电');
    const b = cache.get(model, keywords, '银行抽贷');
    expect(cache.get(model, keywords, '园区停电')).to.equal(a);
    cache.get(model, keywords, '消防验收');
    expect(cache.size).to.equal(2);
    expect(cache.get(model, keywords, '园区停电'), 'a was used last: kept').to.equal(a);
    expect(cache.get(model, keywords, '银行抽贷'), 'b was the least recent: dropped').not.to.equal(b);
  });

  it('fingerprints a text once, whichever issue or message it is, and empties itself for another model', () => {
    const cache = new FingerprintCache();
    const a = cache.get(model, keywords, '园区停电');
    expect(cache.get(model, keywords, '园区停电两天了').words).to.include('两天');
    expect(cache.size).to.equal(2);
    const other = trainTextModel(FIXTURE_TEXTS.slice(1), CATEGORIES);
    expect(cache.get(other, keywords, '园区停电')).not.to.equal(a);
    expect(cache.size).to.equal(1);
  });

  it("serves a message's fingerprint again when its issue is a later message's candidate", () => {
    const cache = new FingerprintCache();
    const now = new Date('2026-06-01T02:00:00Z');
    findRepeat(model, keywords, { text: '园区停电两天了', now, candidates: [] }, {}, cache);
    expect(cache.size, 'the message is kept').to.equal(1);
    const earlier = { id: 'first', text: '园区停电两天了', category: 'utilities' as const, createdAt: now };
    findRepeat(model, keywords, { text: '银行抽贷', now, candidates: [earlier] }, {}, cache);
    expect(cache.size, 'its issue is not fingerprinted again').to.equal(2);
  });
});
