// The promote dialog's default title: words an enterprise used, not a list of keywords.
import { expect } from 'chai';
import { suggestedTitle } from '../../../server/classes/class-title.ts';

describe('class problems: the suggested title of a candidate', () => {
  it('takes the representative issue’s own title', () => {
    expect(suggestedTitle({ title: '织里工业园区频繁停电', content: '这个月停了三次电，损失很大' })).to.equal(
      '织里工业园区频繁停电',
    );
  });

  it('takes the first clause of the content when the title only repeats its start', () => {
    const content = '织里镇工业园区这个月已经停了三次电，每次一两个小时';
    expect(suggestedTitle({ title: content.slice(0, 12), content })).to.equal(
      '织里镇工业园区这个月已经停了三次电',
    );
  });

  it('skips who is speaking and keeps the clause to twenty characters', () => {
    expect(suggestedTitle({ content: '来电人反映，织里镇工业园区近期频繁停电，希望扩容' })).to.equal(
      '织里镇工业园区近期频繁停电',
    );
    expect(
      suggestedTitle({ content: '您好！我司反映出口退税申报后两个多月仍未到账资金周转困难。' }),
    ).to.equal('出口退税申报后两个多月仍未到账资金周转困难'.slice(0, 20));
  });

  it('joins a clause too short to name the problem with the next, up to twenty characters', () => {
    expect(suggestedTitle({ content: '织里工业园区，这个月停了三次电，损失很大' })).to.equal(
      '织里工业园区这个月停了三次电',
    );
  });

  it('leaves out the enterprise speaking as the subject: a class is many enterprises’ problem', () => {
    expect(suggestedTitle({ content: '我们在织里工业园区最近三天两头停电，损失很大' })).to.equal(
      '织里工业园区最近三天两头停电',
    );
    expect(suggestedTitle({ content: '我公司出口退税申报后两个多月仍未到账' })).to.equal(
      '出口退税申报后两个多月仍未到账',
    );
  });
});
