// Where a message turns from an earlier matter to another (server/text/repeat-turns.ts), and the duplicate
// check keeping such a message from merging into the open issue it recaps while a chase of it still merges.
// Texts written for this test.
import { expect } from 'chai';
import { CATEGORIES } from '../../config/categories.ts';
import { DAY_MS } from '../../shared/clock.ts';
import { findRepeat, fingerprint } from '../../server/text/repeat.ts';
import { mergeVetoes } from '../../server/text/repeat-features.ts';
import { turnOf } from '../../server/text/repeat-turns.ts';
import { normaliseText } from '../../server/text/segment.ts';
import { compileKeywords } from '../../server/text/text-features.ts';
import { corpusModel } from './corpus-model.ts';

const SENTENCE_END = /[。;!?\n]/u;
const turn = (text: string) => turnOf(normaliseText(text), SENTENCE_END);

describe('text: a message turning to another matter', function () {
  this.timeout(60_000);

  it('a phrase opening another matter turns the message in its sentence', () => {
    expect(turn('进项发票那件事我们已经把材料交上去了。另外想问一下研发费用加计扣除怎么填')).to.deep.equal({
      sentence: 1,
      settled: false,
    });
    expect(turn('防火墙的事还在谈，这次想咨询的是微型消防站的人员配置')).to.deep.equal({
      sentence: 0,
      settled: false,
    });
  });

  it('such a phrase opening the message is no turn', () => {
    expect(turn('另外一批货也被海关抽中查验了')).to.equal(null);
  });

  it('a sentence saying where the earlier matter stands turns the message after it', () => {
    expect(turn('韩国技术总监的工作许可延期已经批了。他的家属随行居留又办不下来')).to.deep.equal({
      sentence: 1,
      settled: true,
    });
  });

  it('a chase saying the matter is still not moving is no turn', () => {
    expect(turn('土地房产证还在走流程吗，已经两个多月了还没有消息。员工天天来问')).to.equal(null);
    expect(turn('厂门口的路灯还没修')).to.equal(null);
  });

  it('a recap followed by another matter may not merge, while a chase of the same matter still does', () => {
    const { model } = corpusModel();
    const keywords = compileKeywords(CATEGORIES);
    const print = (text: string) => fingerprint(model, keywords, text);
    const now = new Date('2026-06-01T02:00:00Z');
    const open = {
      id: 'gas',
      text: '恒鑫铝业反映：天然气公司本月起对我司限气百分之三十，熔铝炉没法满负荷生产，订单交付受影响，请求保障用气。',
      category: 'utilities' as const,
      createdAt: new Date(now.getTime() - 5 * DAY_MS),
    };
    const other =
      '恒鑫铝业：限气的事燃气公司说已经协调好了。现在反映的是天然气账单，每立方涨了四毛多，没收到任何调价通知。';
    const chase = '恒鑫铝业限气的事五天前反映过，到现在还是只给七成的气，熔铝炉开不满，请尽快协调。';
    const theirs = print(open.text);
    expect(mergeVetoes(print(other), theirs, false).turn).to.equal(true);
    expect(mergeVetoes(print(chase), theirs, false).turn).to.equal(false);
    expect(findRepeat(model, keywords, { text: other, now, candidates: [open] }).verdict).to.not.equal(
      'merge',
    );
    expect(findRepeat(model, keywords, { text: chase, now, candidates: [open] }).verdict).to.equal('merge');
  });
});
