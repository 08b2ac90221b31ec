// The WeChat adapter's pure parts: credit codes inside free text, the crypto round trip and its refusals,
// and what the account says for each kind of push.
import { expect } from 'chai';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import { findCreditCode } from '../../../server/channels/credit-code-in-text.ts';
import { aesKeyOf, decryptWechat, encryptWechat } from '../../../server/channels/wechat/wechat.crypto.ts';
import { inboundOf, nextStep, WECHAT_TEXT } from '../../../server/channels/wechat/wechat.dialogue.ts';
import {
  parsePush,
  UnreadablePush,
  type WechatPush,
} from '../../../server/channels/wechat/wechat.adapter.ts';
import { ChannelRefusal, type AdapterRequest } from '../../../server/channels/types.ts';
import {
  AES_KEY,
  plainQuery,
  TOKEN,
  wechatDecrypt,
  wechatEncrypt,
} from '../../api/channels/wechat.harness.ts';

const CODE = makeCreditCode('91330502MA2B3C4D5');
const OTHER_CODE = makeCreditCode('91330523MA2B3C4D6');

describe('channels: credit code in free text', () => {
  it('finds a valid code anywhere, case-insensitively, and returns the rest of the text', () => {
    expect(findCreditCode(`${CODE}`)).to.deep.equal({ code: CODE, rest: '' });
    expect(findCreditCode(`统一社会信用代码：${CODE.toLowerCase()}，用电扩容没回音`)).to.deep.equal({
      code: CODE,
      rest: '用电扩容没回音',
    });
  });
  it('reports an 18-character candidate with a wrong check digit, and ignores words', () => {
    const wrong = CODE.slice(0, 17) + (CODE[17] === '0' ? '1' : '0');
    expect(findCreditCode(`代码 ${wrong}`).invalid).to.equal(wrong);
    expect(findCreditCode('abcdefghijklmnopqr is a word').invalid).to.equal(undefined);
  });
});

describe('channels: WeChat crypto', () => {
  const key = aesKeyOf(AES_KEY);
  it('decrypts what WeChat encrypts, and WeChat decrypts what we encrypt (32-byte PKCS#7)', () => {
    const xml = '<xml><Content><![CDATA[你好，企业码]]></Content></xml>';
    expect(decryptWechat(wechatEncrypt(xml), key)).to.deep.equal({ xml, appId: 'wx0123456789abcdef' });
    for (const len of [0, 1, 11, 12, 43, 44]) {
      const body = 'a'.repeat(len);
      const enc = encryptWechat(body, key, 'wxappid', Buffer.alloc(16, 7));
      expect(Buffer.from(enc, 'base64').length % 32).to.equal(0);
      expect(wechatDecrypt(enc)).to.deep.equal({ xml: body, appId: 'wxappid' });
    }
  });
  it('refuses bad ciphertext with invalid_encrypt, and a malformed EncodingAESKey', () => {
    for (const bad of ['AAAA', '!!!', Buffer.alloc(48, 1).toString('base64')]) {
      expect(() => decryptWechat(bad, key))
        .to.throw(ChannelRefusal)
        .with.property('code', 'invalid_encrypt');
    }
    expect(() => aesKeyOf('short')).to.throw(RangeError);
  });
});

describe('channels: WeChat push verification', () => {
  const creds = { id: 'c', token: TOKEN };
  const req = (body: string, query: Record<string, string>): AdapterRequest => ({
    method: 'POST',
    headers: {},
    query,
    rawBody: Buffer.from(body),
    now: new Date(),
  });
  const thrown = (run: () => unknown) => {
    try {
      run();
    } catch (err) {
      return err as ChannelRefusal;
    }
    throw new Error('expected a throw');
  };

  it('checks the signature before reading the body: garbage unsigned is refused, signed it is unreadable', () => {
    for (const body of ['<xml><ToUserName>gh</ToUserName', 'not xml at all']) {
      const unsigned = thrown(() => parsePush(req(body, {}), creds));
      expect(unsigned).not.to.be.instanceOf(UnreadablePush);
      expect(unsigned).to.include({ code: 'signature_invalid', status: 401 });
      const signed = thrown(() => parsePush(req(body, plainQuery('o1')), creds));
      expect(signed).to.be.instanceOf(UnreadablePush).and.include({ code: 'invalid_xml' });
    }
    const fields = thrown(() =>
      parsePush(req('<xml><MsgType>text</MsgType></xml>', plainQuery('o1')), creds),
    );
    expect(fields).to.be.instanceOf(UnreadablePush).and.include({ code: 'invalid_message' });
  });
});

describe('channels: WeChat dialogue', () => {
  const push = (p: Partial<WechatPush>): WechatPush => ({
    account: 'gh',
    openid: 'o',
    createTime: 1,
    msgType: 'text',
    rawType: 'text',
    encrypted: false,
    ...p,
  });
  it('asks an unbound user for the code, binds on a valid code, files for a bound user', () => {
    expect(nextStep(push({ content: '有问题' }), undefined)).to.deep.equal({
      kind: 'reply',
      text: WECHAT_TEXT.askCode,
    });
    // A short complaint from a follower not bound yet is filed (for a provisional enterprise); a greeting of
    // the same length, or a text too short to say what is wrong, gets the request for the code.
    expect(nextStep(push({ content: '厂门口路灯坏了没人修' }), undefined)).to.deep.equal({
      kind: 'file-unbound',
    });
    for (const content of [
      '您好，请问有人在吗？',
      '你好你好在吗',
      '有问题',
      '你好，我们有问题要反映',
      '您好，我想咨询一下',
      '请问，我公司有个事情需要反映',
    ])
      expect(nextStep(push({ content }), undefined), content).to.deep.equal({
        kind: 'reply',
        text: WECHAT_TEXT.askCode,
      });
    expect(nextStep(push({ content: `${CODE} 厂房漏雨` }), undefined)).to.deep.equal({
      kind: 'bind',
      creditCode: CODE,
      complaint: '厂房漏雨',
    });
    // The code with only courtesy beside it binds and files nothing (谢谢 is no problem, bound or not).
    for (const content of [`${CODE} 你好`, `统一社会信用代码：${CODE}，谢谢`, `${CODE}`])
      for (const bound of [undefined, OTHER_CODE])
        expect(nextStep(push({ content }), bound), `${content} ${bound}`).to.deep.equal({
          kind: 'bind',
          creditCode: CODE,
        });
    expect(nextStep(push({ content: '厂房漏雨' }), CODE)).to.deep.equal({ kind: 'file' });
    // The code it is bound to, sent again with a complaint: filed without the code, not bound again.
    expect(nextStep(push({ content: `${CODE} 厂房漏雨` }), CODE)).to.deep.equal({
      kind: 'file',
      complaint: '厂房漏雨',
    });
    // Bare courtesy from a bound follower is answered, not filed; courtesy with a problem in it is filed.
    for (const content of ['谢谢', '好的，收到！', '谢谢，已收到。', '您好，在吗？', '辛苦了👍', 'x', '1'])
      expect(nextStep(push({ content }), CODE), content).to.deep.equal({
        kind: 'reply',
        text: WECHAT_TEXT.courtesy,
      });
    // A bare rating is filed as a rating reply: the router keeps it on the issue awaiting its rating, and
    // answers it as courtesy when there is none (test/api/notify/pushback.test.ts).
    for (const content of ['满意', '很满意', '不满意', '差评'])
      expect(nextStep(push({ content }), CODE), content).to.deep.equal({ kind: 'file', ratingReply: true });
    for (const content of [
      '谢谢，路灯还是坏的',
      '你好，厂门口积水严重',
      '不满意，根本没人联系我',
      'T3车间漏水',
    ])
      expect(nextStep(push({ content }), CODE), content).to.deep.equal({ kind: 'file' });
    // A picture is a complaint whoever sends it: filed (for a provisional enterprise) and the code asked for.
    expect(nextStep(push({ msgType: 'image', mediaId: 'm' }), undefined)).to.deep.equal({
      kind: 'file-unbound',
    });
    expect(nextStep(push({ msgType: 'image', mediaId: 'm' }), CODE)).to.deep.equal({ kind: 'file' });
    expect(nextStep(push({ msgType: 'event', event: 'subscribe' }), undefined)).to.deep.equal({
      kind: 'reply',
      text: WECHAT_TEXT.askCode,
    });
    expect(nextStep(push({ msgType: 'event', event: 'VIEW' }), CODE)).to.deep.equal({ kind: 'silent' });
  });

  it('files the follower with the name and number its text offers to be called on', () => {
    const msg = inboundOf(
      push({ msgId: '7', content: '厂门口积水严重，联系人王经理，手机13905721234' }),
      CODE,
    );
    expect(msg.contact).to.deep.equal({ name: '王经理', phone: '13905721234', openid: 'o' });
    expect(inboundOf(push({ msgId: '8', content: '厂门口积水严重' }), CODE).contact).to.deep.equal({
      openid: 'o',
    });
  });
});
