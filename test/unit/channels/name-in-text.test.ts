// The firm a free-text message says it writes for (server/channels/name-in-text.ts): introduced as the writer's
// own and ending in a legal form; a company complained about is not the writer.
import { expect } from 'chai';
import { enterpriseHint, nameInText } from '../../../server/channels/name-in-text.ts';

describe('channels: the firm a message writes for', () => {
  it('reads a name the writer introduces as theirs', () => {
    expect(nameInText('我们德清众联物流集团有限公司反映：园区门口道路对货车限行')).to.equal(
      '德清众联物流集团有限公司',
    );
    expect(nameInText('您好，我是湖州德润印染有限公司的张三，厂区停电')).to.equal('湖州德润印染有限公司');
    expect(nameInText('本公司：长兴星河电子有限公司，反映用电')).to.equal('长兴星河电子有限公司');
  });

  it('reads nothing from a company the message is about, or from no name at all', () => {
    expect(nameInText('湖州某某建设有限公司施工堵了我们厂门口')).to.equal(undefined);
    expect(nameInText('园区多家有限公司都停电了')).to.equal(undefined);
    expect(nameInText('厂区门口路灯坏了')).to.equal(undefined);
  });

  it('a credit code decides; a name read from text is marked as such', () => {
    expect(enterpriseHint('91330521MA2B3C4D5X', '我是湖州德润印染有限公司的')).to.deep.equal({
      creditCode: '91330521MA2B3C4D5X',
    });
    expect(enterpriseHint(undefined, '我是湖州德润印染有限公司的')).to.deep.equal({
      name: '湖州德润印染有限公司',
      nameFromText: true,
    });
    expect(enterpriseHint(undefined, '路灯坏了')).to.deep.equal({});
  });
});
