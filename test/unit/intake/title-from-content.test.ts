// An untitled message's title: its first sentence when short, else its first words and 「…」.
import { expect } from 'chai';
import { titleFromContent } from '../../../server/intake/title-from-content.ts';
import { issueText } from '../../../server/text/issue-text.ts';

describe('the title of a message that came without one', () => {
  it('is the whole text when short', () => {
    expect(titleFromContent('厂门口路灯坏了没人修')).to.equal('厂门口路灯坏了没人修');
  });

  it('is the first sentence when it reads as a title', () => {
    expect(
      titleFromContent('园区道路积水严重。每逢下雨货车无法进出，已经影响交货，请尽快协调处理，谢谢！'),
    ).to.equal('园区道路积水严重');
  });

  it('runs on past a greeting, and says it was cut with 「…」 rather than stopping mid-sentence', () => {
    const text =
      '您好。我公司位于织里镇，近期园区频繁停电，每周两三次，严重影响发货，请供电部门尽快排查线路。';
    const title = titleFromContent(text);
    expect([...title]).to.have.length.at.most(30);
    expect(title.endsWith('…')).to.equal(true);
    expect(title.startsWith('您好。我公司位于织里镇')).to.equal(true);
  });

  it('never ends on a comma before the 「…」', () => {
    const title = titleFromContent(`${'企业反映'.repeat(7)}，${'厂房验收'.repeat(5)}`);
    expect(title).to.equal(`${'企业反映'.repeat(7)}…`);
  });

  it('starts at the first word, and cuts Latin text between words', () => {
    expect(titleFromContent('  ……？？停电！')).to.equal('停电！');
    expect(titleFromContent('Hello, our factory power supply has been cut three times this week')).to.equal(
      'Hello, our factory power…',
    );
    expect(titleFromContent('？？？')).to.equal('？？？');
  });

  it('keeps an opening bracket or quote with the text it opens', () => {
    expect(titleFromContent('【补充】货车限行路段是工业园路')).to.equal('【补充】货车限行路段是工业园路');
    expect(titleFromContent('“双随机”检查一个月来了三次，影响生产')).to.equal(
      '“双随机”检查一个月来了三次，影响生产',
    );
    expect(titleFromContent('（企业通过微信公众号发送了一张图片，见附件）')).to.equal(
      '（企业通过微信公众号发送了一张图片，见附件）',
    );
    expect(titleFromContent('……【紧急】停电')).to.equal('【紧急】停电');
  });

  it('adds nothing to the text the classifier and the repeat check read', () => {
    for (const content of [
      '园区道路积水严重。每逢下雨货车无法进出，已经影响交货，请尽快协调处理，谢谢！',
      '您好。我公司位于织里镇，\n近期园区频繁停电，每周两三次，严重影响发货，请供电部门尽快排查线路。',
      '  ……？？停电！',
      'Hello, our factory power supply has been cut three times this week',
    ])
      expect(issueText({ title: titleFromContent(content), content })).to.equal(content);
    expect(issueText({ title: '用电增容', content: '新产线无法投产' })).to.equal('用电增容\n新产线无法投产');
  });
});
