// Builds WeChat pushes as the WeChat server does, with node:crypto directly (independent of the adapter's own
// crypto): the XML, the signatures, and safe-mode encryption (random 16 bytes, big-endian length, message,
// appid, PKCS#7 to 32 bytes, AES-256-CBC with the key's first 16 bytes as IV).
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt } from 'node:crypto';

export const TOKEN = 'demo-wechat-token';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const APPID = 'wx0123456789abcdef';
export const ACCOUNT = 'gh_0123456789ab';

const sha1 = (parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');

export function textXml(openid: string, content: string, msgId: string, createTime = 1772413200): string {
  return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
}

export function imageXml(openid: string, mediaId: string, msgId: string): string {
  return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>1772413300</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[${mediaId}]]></MediaId><MsgId>${msgId}</MsgId></xml>`;
}

/** A voice message; with the account's 语音识别 on, WeChat adds its transcript (`<Recognition>`). */
export function voiceXml(
  openid: string,
  msgId: string,
  recognition?: string,
  createTime = 1772413400,
): string {
  const heard = recognition === undefined ? '' : `<Recognition><![CDATA[${recognition}]]></Recognition>`;
  return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[MEDIAV_${msgId}]]></MediaId><Format><![CDATA[amr]]></Format>${heard}<MsgId>${msgId}</MsgId></xml>`;
}

/** Query string of a plaintext push. */
/** Now, as WeChat stamps a push (unix seconds): the server refuses a signature more than 5 minutes off. */
const newNonce = () => String(randomInt(1e9, 1e10));
export const nowStamp = (offsetS = 0) => String(Math.floor(Date.now() / 1000) + offsetS);

/** A push's query as WeChat signs it; each call a new nonce, as each of WeChat's pushes has. */
export function plainQuery(openid: string, timestamp = nowStamp(), nonce = newNonce(), token = TOKEN) {
  return { signature: sha1([token, timestamp, nonce]), timestamp, nonce, openid };
}

const aesKey = () => Buffer.from(AES_KEY + '=', 'base64');

export function wechatEncrypt(xml: string, appId = APPID): string {
  const msg = Buffer.from(xml, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(appId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', aesKey(), aesKey().subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
}

export function wechatDecrypt(encrypt: string): { xml: string; appId: string } {
  const decipher = createDecipheriv('aes-256-cbc', aesKey(), aesKey().subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const body = plain.subarray(16, plain.length - plain[plain.length - 1]);
  const len = body.readUInt32BE(0);
  return { xml: body.subarray(4, 4 + len).toString('utf8'), appId: body.subarray(4 + len).toString('utf8') };
}

/** A safe-mode push: body and query as the WeChat server sends them. */
export function encryptedPush(innerXml: string, openid: string, appId = APPID, timestamp = nowStamp()) {
  const encrypt = wechatEncrypt(innerXml, appId);
  const nonce = '889900';
  return {
    body: `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    query: {
      signature: sha1([TOKEN, timestamp, nonce]),
      timestamp,
      nonce,
      openid,
      encrypt_type: 'aes',
      msg_signature: sha1([TOKEN, timestamp, nonce, encrypt]),
    },
  };
}

export const replySignature = (timestamp: string, nonce: string, encrypt: string) =>
  sha1([TOKEN, timestamp, nonce, encrypt]);
