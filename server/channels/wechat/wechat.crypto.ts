// The WeChat official-account message crypto, as the platform specifies it:
//  - signature: hex sha1 of the strings (token, timestamp, nonce[, Encrypt]) sorted and joined;
//  - safe mode: the 43-character EncodingAESKey plus "=" is the base64 of a 32-byte AES-256 key whose first
//    16 bytes are the CBC IV; the plaintext is 16 random bytes, the message length (4 bytes, big-endian), the
//    message (UTF-8) and the appid, padded with PKCS#7 to a multiple of 32 bytes; the result is base64.
// Pure functions of their inputs (the random prefix is passed in).
import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { ChannelRefusal } from '../types.ts';

const PAD_BLOCK = 32;

export function wechatSignature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Constant-time comparison of a received hex signature with the expected one (anything not hex is false). */
export function signatureMatches(received: string | undefined, expected: string): boolean {
  if (!received || !/^[0-9a-fA-F]+$/.test(received) || received.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(received.toLowerCase()), Buffer.from(expected));
}

/** The AES key from an EncodingAESKey; throws when it is not 43 base64 characters of 32 bytes. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  const key = /^[A-Za-z0-9+/]{43}$/.test(encodingAesKey) ? Buffer.from(encodingAesKey + '=', 'base64') : null;
  if (!key || key.length !== 32) throw new RangeError('EncodingAESKey must be 43 base64 characters');
  return key;
}

export function encryptWechat(xml: string, key: Buffer, appId: string, random16: Buffer): string {
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([random16.subarray(0, 16), length, body, Buffer.from(appId, 'utf8')]);
  const pad = PAD_BLOCK - (plain.length % PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
}

const malformed = () =>
  new ChannelRefusal('invalid_encrypt', 400, '加密消息无法解密（密文或 EncodingAESKey 有误）');

/** The message and the appid inside an Encrypt element; a ChannelRefusal when it is not well formed. */
export function decryptWechat(encrypt: string, key: Buffer): { xml: string; appId: string } {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypt)) throw malformed();
  const data = Buffer.from(encrypt, 'base64');
  if (data.length < PAD_BLOCK || data.length % 16 !== 0) throw malformed();
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw malformed();
  }
  const pad = plain[plain.length - 1];
  if (pad < 1 || pad > PAD_BLOCK || pad > plain.length) throw malformed();
  if (!plain.subarray(plain.length - pad).every((b) => b === pad)) throw malformed();
  const content = plain.subarray(16, plain.length - pad);
  if (content.length < 4) throw malformed();
  const length = content.readUInt32BE(0);
  if (4 + length > content.length) throw malformed();
  return {
    xml: content.subarray(4, 4 + length).toString('utf8'),
    appId: content.subarray(4 + length).toString('utf8'),
  };
}
