// Who to call, as a mail or a WeChat message offers it: the name after 联系人 and a number after words that
// offer it (联系人, 联系电话, 联系方式, 手机), never the complaint's own numbers.
import { expect } from 'chai';
import { contactInText } from '../../../server/channels/contact-in-text.ts';

describe('contact in text', () => {
  it('reads the name after 联系人 and the number offered with it', () => {
    expect(contactInText('请尽快协调。联系人孙玉兰 13344456064')).to.deep.equal({
      name: '孙玉兰',
      phone: '13344456064',
    });
    expect(contactInText('联系人：王经理，电话13905721234')).to.deep.equal({
      name: '王经理',
      phone: '13905721234',
    });
    expect(contactInText('联系人是张三丰，手机 13905721234')).to.deep.equal({
      name: '张三丰',
      phone: '13905721234',
    });
    expect(contactInText('联系方式：0572-2345678转8')).to.deep.equal({ phone: '0572-2345678' });
    expect(contactInText('打了好几次也没用，我手机13905721234')).to.deep.equal({ phone: '13905721234' });
  });

  it('leaves the numbers the complaint is about, and digits inside longer runs', () => {
    expect(contactInText('供电所电话0572-2101234一直打不通，12345也打了')).to.deep.equal({});
    expect(contactInText('联系人：李四，订单号202612050001234567')).to.deep.equal({ name: '李四' });
    expect(contactInText('园区道路货车限行，原料进不了厂')).to.deep.equal({});
  });
});
