// The dead-letter desk's words: a stored `code: message` reads as a Chinese label and message, for every code the
// channels store, so a clerk never sees a bare English code or the catch-all 处理失败 for a known failure.
import { expect } from 'chai';
import { reasonText } from '../../../web/src/lib/dead-letters.ts';

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
    expect(reasonText('something_new: 出错').label).to.equal('处理失败');
    expect(reasonText(null)).to.deep.equal({ label: null, text: '未说明原因' });
  });
});
