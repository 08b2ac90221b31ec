// The duplicate check (server/text/repeat.ts) on one enterprise's second problem at the same place: the word
// features score it as a repeat (the road, the gate, the lorries are the same), so only the faults the texts
// name (server/text/repeat-problems.ts) keep it from being merged silently into the first. The texts are written
// for this test (the corpus's held-out pairs are never copied into tests).
import { expect } from 'chai';
import { CATEGORIES } from '../../../config/categories.ts';
import { DAY_MS } from '../../../shared/clock.ts';
import { findRepeat, fingerprint, type RepeatCandidate } from '../../../server/text/repeat.ts';
import { pairFeatures, PAIR_FEATURE_NAMES } from '../../../server/text/repeat-features.ts';
import { problemsDiffer, problemsOf } from '../../../server/text/repeat-problems.ts';
import { normaliseText } from '../../../server/text/segment.ts';
import { compileKeywords } from '../../../server/text/text-features.ts';
import { trainTextModel } from '../../../server/text/text-model.ts';
import { FIXTURE_TEXTS } from './texts.fixture.ts';

const faults = (text: string) => problemsOf(normaliseText(text));

describe('text core: the faults at a place a duplicate check compares', () => {
  it('reads one fault told in other words as one, and two faults as two', () => {
    expect(problemsDiffer(faults('厂门口一下雨就淹'), faults('门前道路雨后积水严重'))).to.equal(false);
    expect(problemsDiffer(faults('车间没电了'), faults('厂区突然停电'))).to.equal(false);
    expect(
      problemsDiffer(faults('天然气管道被挖破了，能闻到气味'), faults('燃气管被挖断了 在漏气')),
    ).to.equal(false);
    expect(problemsDiffer(faults('路面坑坑洼洼'), faults('路面积水严重'))).to.equal(true);
    expect(problemsDiffer(faults('门口的路灯不亮'), faults('门口井盖破损下陷'))).to.equal(true);
    expect(problemsDiffer(faults('园区频繁停电'), faults('园区电压不稳'))).to.equal(true);
    expect(problemsDiffer(faults('厂外排污管堵了'), faults('厂区周边有刺鼻异味'))).to.equal(true);
    // A burst main against low pressure, parking against a broken surface, the gas price against its pressure
    // or a meter that counts wrong, a kitchen's fumes against a boiler's noise, a night without power against
    // the bill.
    expect(
      problemsDiffer(faults('厂区水压不足，锅炉补水困难'), faults('厂门口自来水管爆了 水往外冒')),
    ).to.equal(true);
    expect(problemsDiffer(faults('园区道路路面严重破损'), faults('晚上大货车乱停 把厂门堵死了'))).to.equal(
      true,
    );
    expect(problemsDiffer(faults('天然气压力不足'), faults('燃气公司说下个月气价要涨'))).to.equal(true);
    expect(problemsDiffer(faults('气表计量不准，气费多了一半'), faults('工业用气价格每方上调四毛'))).to.equal(
      true,
    );
    expect(problemsDiffer(faults('食堂油烟被邻居投诉'), faults('锅炉房噪音被投诉'))).to.equal(true);
    expect(problemsDiffer(faults('厂里昨晚停了一夜电'), faults('力调电费大幅增加'))).to.equal(true);
    expect(problemsDiffer(faults('门口水管裂了在冒水'), faults('供水管爆管了'))).to.equal(false);
    // 掉线 is said of a phone signal and of a broadband line alike: it names neither.
    expect(
      problemsDiffer(
        faults('车间里手机信号几乎没有 平板终端经常掉线'),
        faults('厂里的宽带又断了 光纤被挖断了'),
      ),
    ).to.equal(true);
  });

  it("reads 进水 as flooding only where water gets in, not a boiler that cannot take water or a plant's intake", () => {
    expect(problemsDiffer(faults('昨天下雨车间又进水了'), faults('厂门口雨后积水严重'))).to.equal(false);
    expect(
      problemsDiffer(faults('白天自来水没什么劲 锅炉都补不进水'), faults('白天供水压力不足，锅炉补水困难')),
    ).to.equal(false);
    expect(faults('污水处理厂的进水标准一直不明确')).to.equal(faults('污水处理厂的标准一直不明确'));
  });

  it('judges nothing when a text names no fault at a place (a chase, a subsidy)', () => {
    expect(faults('上周反映的那个事还没人来')).to.equal(0);
    expect(problemsDiffer(faults('技改补助还没到账'), faults('路面积水严重'))).to.equal(false);
  });
});

describe('text core: duplicate check, another problem at the same place', () => {
  const model = trainTextModel(FIXTURE_TEXTS, CATEGORIES);
  const keywords = compileKeywords(CATEGORIES);
  const now = new Date('2026-05-20T02:00:00Z');
  const open = (id: string, text: string): RepeatCandidate => ({
    id,
    text,
    category: 'utilities',
    createdAt: new Date(now.getTime() - 2 * DAY_MS),
  });
  const check = (text: string, candidate: RepeatCandidate) =>
    findRepeat(model, keywords, { text, category: 'utilities', now, candidates: [candidate] });
  const flooding = open(
    'flooding',
    '【12345工单】来电人反映：其公司位于吴兴区红丰路的厂区门口，连日降雨后路面积水严重，货车无法进出，请求尽快排水。',
  );

  it('counts a fault both name, in whatever words, for the pair (problemsAgree)', () => {
    const agree = PAIR_FEATURE_NAMES.indexOf('problemsAgree');
    const feature = (a: string, b: string) =>
      pairFeatures(fingerprint(model, keywords, a), fingerprint(model, keywords, b))[agree];
    expect(feature('红丰路厂门口一下雨就淹', flooding.text)).to.equal(1);
    expect(feature('红丰路厂门口路面坑坑洼洼', flooding.text)).to.equal(0);
    expect(feature('红丰路那个事还没人来', flooding.text)).to.equal(0);
  });

  it('flags 路面坑洼 and 路灯坏了 on the road of an open 积水 issue as 可能重复, never merges them', () => {
    const potholes = check(
      '红丰路我们厂门口的路面坑坑洼洼的 大坑好几个 货车进出颠得厉害 请尽快修一下',
      flooding,
    );
    const lights = check('红丰路我们厂门口的路灯坏了 晚上一片漆黑 货车进出看不清 请尽快修一下', flooding);
    for (const v of [potholes, lights]) {
      expect(v.verdict).to.equal('flag');
      expect(v.issueId).to.equal('flooding');
    }
  });

  it('still merges the 积水 told again, in the same or in other words', () => {
    for (const text of [
      '红丰路我们厂门口又积水了 连着下了几天雨 货车进不来 请尽快排水',
      '红丰路厂门口一下雨就淹 水都没过轮胎了 货车进出不了 赶紧来排水',
    ]) {
      expect(check(text, flooding), text).to.deep.include({ verdict: 'merge', issueId: 'flooding' });
    }
  });

  it('never merges another fault of the same gate, line or pipe', () => {
    const pairs: [string, string][] = [
      [
        '【12345工单】诉求人反映：其公司位于织里镇栋梁路的厂区，本周已三次无计划停电，每次两个多小时，生产线停摆。',
        '栋梁路我们厂这几天电压不稳 灯一闪一闪 设备老报警停机',
      ],
      [
        '企业来电反映：其公司位于新市镇工业区，厂门口路灯一到晚上就不亮，已持续半个月。',
        '新市工业区我们厂门口的井盖塌下去了 车子一过哐当一声',
      ],
      [
        '关于请求修复园区道路的报告：我司位于吴兴区红丰路，厂区门口路面严重破损，重载货车通行困难，恳请修复。',
        '红丰路我们厂门口晚上总有大货车乱停 把厂大门都堵住了 早上货车进不来',
      ],
      [
        '【12345工单】来电人称：其公司位于夹浦镇工业区，厂外市政排污管堵塞，企业污水排不出去，请求疏通。',
        '夹浦工业区我们厂边上最近一股刺鼻的怪味 工人闻了头疼',
      ],
    ];
    for (const [earlier, text] of pairs) {
      const v = check(text, open('earlier', earlier));
      expect(v.verdict, text).not.to.equal('merge');
    }
  });
});
