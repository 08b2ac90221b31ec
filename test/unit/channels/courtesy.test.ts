// Which replies say the owner is not satisfied (a rating given in the wrong place, in a mail thread): a bare
// 不满意 or 差评, a text that leads with it, or a short one that says it; not satisfaction or courtesy, and not
// a word that merely starts the same (不好意思).
import { expect } from 'chai';
import { isCourtesy, isDissatisfied, isSatisfied } from '../../../server/channels/courtesy.ts';

describe('isDissatisfied', () => {
  it('reads 不满意 and 差评, alone, leading a text, or in a short one', () => {
    for (const text of [
      '不满意',
      '不满意！',
      '非常不满意。',
      '差评',
      ' 很不满意，问题根本没解决',
      '差评！路还是坏的',
      '对处理结果不满意',
      '不太满意',
    ])
      expect(isDissatisfied(text), text).to.equal(true);
  });

  it('leaves satisfaction, courtesy and other words alone', () => {
    for (const text of ['满意', '非常满意', '好评', '谢谢', '不好意思，再补充一张照片'])
      expect(isDissatisfied(text), text).to.equal(false);
    // A bare 不满意 is still a bare reply where no answer is pending (SMS, WeChat, a new mail).
    expect(isCourtesy('不满意')).to.equal(true);
  });
});

describe('isSatisfied', () => {
  it('reads a short reply that rates the answer good', () => {
    for (const text of ['满意', '满意，谢谢你们！', '非常满意', '好评', '谢谢，很满意', '点赞'])
      expect(isSatisfied(text), text).to.equal(true);
  });

  it('leaves dissatisfaction, courtesy and a longer text that says more alone', () => {
    for (const text of [
      '不满意',
      '不太满意',
      '谢谢',
      '满意度调查我们填过了，但厂门口的路灯还是没有修好，晚上很危险',
    ])
      expect(isSatisfied(text), text).to.equal(false);
  });
});
