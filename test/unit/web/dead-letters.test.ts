// The dead-letter desk's words: a stored `code: message` reads as a Chinese label and message, for every code the
// channels store, so a clerk never sees a bare English code or the catch-all 处理失败 for a known failure. And
// 人工登记's form: prefilled from the draft, sent as POST /api/issues's body on the dead letter's channel and
// external id, refused before sending with the server's own Chinese messages.
import { expect } from 'chai';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import {
  reasonText,
  registerBody,
  registerFormOf,
  type DraftAnswer,
} from '../../../web/src/lib/dead-letters.ts';

describe('dead-letter reasons (dead-letters)', () => {
  it('names each code a WeChat dead letter is stored with', () => {
    for (const [code, label] of [
      ['invalid_xml', '不是合法的 XML'],
      ['invalid_message', '消息无效'],
      ['encryption_not_configured', '未配置解密密钥'],
    ]) {
      expect(reasonText(`${code}: 说明`), code).to.deep.equal({ label, text: '说明' });
    }
  });

  it('names a field by its Chinese label and says 处理失败 for a code it does not know', () => {
    expect(reasonText('invalid_field: 字段 content 无效').text).to.equal('字段「内容」(content) 无效');
    // Every channel's own fields: the SMS gateway's sender and the 好差评 push's rated service.
    expect(reasonText('invalid_field: 字段 from 无效：发送号码格式无效').text).to.equal(
      '字段「发送号码」(from) 无效：发送号码格式无效',
    );
    expect(reasonText('invalid_field: 字段 serviceName 无效').text).to.equal(
      '字段「服务事项」(serviceName) 无效',
    );
    expect(reasonText('something_new: 出错').label).to.equal('处理失败');
    expect(reasonText(null)).to.deep.equal({ label: null, text: '未说明原因' });
  });

  const CODE = makeCreditCode('91330522MA2B3C4D5');
  const answer: DraftAnswer = {
    draft: {
      channel: 'hotline12345',
      externalId: 'WO-9',
      title: '',
      content: '厂区停电三天，影响生产。',
      urgency: 'urgent',
      contact: { name: '王经理', phone: '13905721234', openid: 'o-1' },
      enterprise: { creditCode: CODE, name: '长兴某某有限公司' },
    },
    enterprise: null,
  };
  const letter = { channel: 'hotline12345', externalId: 'WO-9' };

  it("人工登记 prefills from the draft and sends the staff form on the dead letter's channel and id", () => {
    const form = registerFormOf(answer);
    expect(form).to.include({
      creditCode: CODE,
      enterpriseName: '长兴某某有限公司',
      urgency: 'urgent',
      contactEmail: '',
    });
    expect(registerBody({ ...form, contactName: '  王经理 ' }, letter, 'e1')).to.deep.equal({
      enterprise: { id: 'e1' },
      channel: 'hotline12345',
      externalId: 'WO-9',
      content: '厂区停电三天，影响生产。',
      urgency: 'urgent',
      contact: { name: '王经理', phone: '13905721234' },
    });
    // Not in the register: its code, and the name it is registered under (待确认企业).
    expect(registerBody(form, { channel: 'wechat', externalId: null }, null)).to.deep.include({
      enterprise: { creditCode: CODE },
      channel: 'wechat',
      enterpriseName: '长兴某某有限公司',
    });
  });

  it("人工登记 names what to correct before sending, in the server's words", () => {
    const form = registerFormOf(answer);
    expect(() => registerBody({ ...form, creditCode: ' ' }, letter, null)).to.throw('请选择企业');
    expect(() => registerBody({ ...form, content: ' ' }, letter, 'e1')).to.throw('问题内容不能为空');
    expect(() => registerBody({ ...form, contactPhone: '电话' }, letter, 'e1')).to.throw('联系电话格式无效');
    expect(() => registerBody({ ...form, creditCode: '91330521MA2B3C4D5X' }, letter, null)).to.throw(
      '统一社会信用代码无效',
    );
  });
});
