// The WeChat official-account server protocol (DESIGN §2, §10), as a pure adapter: verify the URL check
// (GET, answer echostr), verify and parse a push (POST: XML, plaintext or safe mode), and format the passive
// reply (encrypted in safe mode). It knows nothing of enterprises or the database; the route decides what to
// say (wechat.dialogue.ts) and hands complaints to the intake pipeline.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { stampedTimes } from '../raised-at.ts';
import { SIGNATURE_WINDOW_S } from '../signature.ts';
import { ChannelRefusal, type AdapterReply, type AdapterRequest } from '../types.ts';
import {
  aesKeyOf,
  decryptWechat,
  encryptWechat,
  signatureMatches,
  wechatSignature,
} from './wechat.crypto.ts';

/** The account's server settings (admin configuration). */
export interface WechatCredentials {
  /** Names the credential for the inbox (which configuration authenticated the push). */
  id: string;
  token: string;
  /** Safe mode: the 43-character EncodingAESKey. */
  encodingAesKey?: string;
  /** Safe mode: the account's appid, checked against the one inside each message. */
  appId?: string;
}

export type WechatMsgType = 'text' | 'image' | 'event' | 'other';

/** One push, with only the fields we use, all as plain strings. */
export interface WechatPush {
  /** The official account's id (gh_…), the reply's sender. */
  account: string;
  openid: string;
  createTime: number;
  /**
   * CreateTime as the time the follower sent it (the 来件时间), when it is in range of the arrival
   * (raised-at.ts); absent when it is not, and the arrival stands.
   */
  sentAt?: Date;
  msgType: WechatMsgType;
  /** The raw MsgType when it is none we handle (voice, video, location, link…). */
  rawType: string;
  msgId?: string;
  content?: string;
  picUrl?: string;
  mediaId?: string;
  event?: string;
  /** Whether it came encrypted (the reply must then be encrypted too). */
  encrypted: boolean;
}

const MAX_CONTENT = 10_000;

/**
 * A push that proved it came from WeChat (a valid, fresh signature) but cannot be read: not refused, but kept
 * raw in the dead-letter list (DESIGN §2) and acknowledged, so WeChat does not send it again and again. `text`
 * is what to keep when it is not the body as received (the decrypted message, in safe mode).
 */
export class UnreadablePush extends ChannelRefusal {
  constructor(
    refusal: ChannelRefusal,
    readonly text?: string,
  ) {
    super(refusal.code, refusal.status, refusal.message);
  }
}

/** Runs a read of an authenticated push: what it refuses is an unreadable push, not a refused request. */
function readAuthenticated<T>(read: () => T, text?: string): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ChannelRefusal) throw new UnreadablePush(err, text);
    throw err;
  }
}

const refuse = {
  signature: () => new ChannelRefusal('signature_invalid', 401, '签名校验失败'),
  stale: () =>
    new ChannelRefusal('timestamp_stale', 401, '签名时间戳与服务器时间相差超过5分钟，请校准时钟后重发'),
  xml: () => new ChannelRefusal('invalid_xml', 400, '消息不是合法的微信 XML'),
  fields: () => new ChannelRefusal('invalid_message', 400, '微信消息缺少必要字段'),
  appId: () => new ChannelRefusal('appid_mismatch', 401, '消息的 AppID 与公众号配置不符'),
  safeMode: () =>
    new ChannelRefusal('encryption_not_configured', 400, '公众号未配置 EncodingAESKey，无法解密安全模式消息'),
  plaintext: () =>
    new ChannelRefusal('encryption_required', 401, '已配置 EncodingAESKey：只接收安全模式（加密）推送'),
};

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  trimValues: true,
});

/** The `<xml>` root of a WeChat message as a flat record of strings; a ChannelRefusal when it is not one. */
export function parseWechatXml(xml: string): Record<string, string> {
  // No DTDs: WeChat never sends them, and entity declarations are how XML bombs and XXE start.
  if (xml.includes('\0') || /<!(DOCTYPE|ENTITY)/i.test(xml)) throw refuse.xml();
  if (XMLValidator.validate(xml) !== true) throw refuse.xml();
  let root: unknown;
  try {
    root = (parser.parse(xml) as Record<string, unknown>).xml;
  } catch {
    throw refuse.xml();
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw refuse.xml();
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(root)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * WeChat signs the query (token, timestamp, nonce), not a plaintext body: a signed URL seen once would carry any
 * body. So its timestamp must be now (within the JSON channels' five minutes, by the wall clock).
 */
function checkFresh(req: AdapterRequest, timestamp: string): void {
  if (
    !/^\d{9,11}$/.test(timestamp) ||
    Math.abs(req.now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_S
  )
    throw refuse.stale();
}

function checkPlainSignature(req: AdapterRequest, token: string): void {
  const { timestamp = '', nonce = '', signature } = req.query;
  if (!timestamp || !nonce || !signatureMatches(signature, wechatSignature([token, timestamp, nonce])))
    throw refuse.signature();
  checkFresh(req, timestamp);
}

/** GET: WeChat checks the server URL; the answer is echostr, verbatim, when the signature is right. */
export function answerUrlCheck(req: AdapterRequest, creds: WechatCredentials): AdapterReply {
  checkPlainSignature(req, creds.token);
  const echostr = req.query.echostr ?? '';
  if (!echostr || echostr.length > 200) throw new ChannelRefusal('invalid_message', 400, '缺少 echostr');
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: echostr };
}

function pushOf(fields: Record<string, string>, encrypted: boolean, now: Date): WechatPush {
  const account = fields.ToUserName;
  const openid = fields.FromUserName;
  const rawType = fields.MsgType;
  const createTime = Number(fields.CreateTime);
  if (!account || !openid || !rawType || !Number.isInteger(createTime) || createTime <= 0)
    throw refuse.fields();
  if (openid.length > 128 || account.length > 128) throw refuse.fields();
  // A voice message WeChat transcribed (the account's 语音识别 on: <Recognition>) is read as its text (rawType
  // stays voice, and the filed issue says it is a transcript); without one it is a kind we ask to be written.
  const transcript = rawType === 'voice' ? fields.Recognition?.trim() : undefined;
  const msgType: WechatMsgType = transcript
    ? 'text'
    : rawType === 'text' || rawType === 'image' || rawType === 'event'
      ? rawType
      : 'other';
  const push: WechatPush = { account, openid, createTime, msgType, rawType, encrypted };
  const { raisedAt } = stampedTimes(new Date(createTime * 1000), now);
  if (raisedAt) push.sentAt = raisedAt;
  if (fields.MsgId) push.msgId = fields.MsgId.slice(0, 64);
  if (transcript) push.content = transcript.slice(0, MAX_CONTENT);
  else if (msgType === 'text') {
    if (fields.Content === undefined) throw refuse.fields();
    push.content = fields.Content.slice(0, MAX_CONTENT);
  }
  if (msgType === 'image') {
    if (!fields.MediaId) throw refuse.fields();
    push.mediaId = fields.MediaId.slice(0, 200);
    if (fields.PicUrl) push.picUrl = fields.PicUrl.slice(0, 500);
  }
  if (msgType === 'event') push.event = (fields.Event ?? '').slice(0, 40);
  return push;
}

/**
 * POST: verifies and parses one push, decrypting it in safe mode. The signature is checked before the body is
 * read: an unsigned request is refused (401) whatever it holds; a signed one that cannot be read throws an
 * UnreadablePush (a dead letter, not a refusal). With an EncodingAESKey configured only encrypted pushes are
 * taken: the plain signature covers the token, timestamp and nonce but not the body, and it stands in every
 * safe-mode push URL, so whoever read one such URL could otherwise post any plaintext message under it.
 */
export function parsePush(req: AdapterRequest, creds: WechatCredentials): WechatPush {
  const body = req.rawBody.toString('utf8');
  if (req.query.encrypt_type !== 'aes' && req.query.msg_signature === undefined) {
    if (creds.encodingAesKey) {
      checkPlainSignature(req, creds.token);
      throw refuse.plaintext();
    }
    checkPlainSignature(req, creds.token);
    const outer = readAuthenticated(() => parseWechatXml(body));
    // An encrypted body on a plaintext URL: only msg_signature can vouch for its ciphertext.
    if (outer.Encrypt === undefined) return readAuthenticated(() => pushOf(outer, false, req.now));
  }
  return parseSafePush(req, creds, body);
}

/**
 * Safe mode: msg_signature covers the Encrypt element, so the outer XML is read first; when it cannot be, the
 * plain signature WeChat sends beside it (token, timestamp, nonce) says whether WeChat sent it.
 */
function parseSafePush(req: AdapterRequest, creds: WechatCredentials, body: string): WechatPush {
  const { timestamp = '', nonce = '', msg_signature: signature } = req.query;
  let outer: Record<string, string>;
  try {
    outer = parseWechatXml(body);
  } catch (err) {
    if (!(err instanceof ChannelRefusal)) throw err;
    checkPlainSignature(req, creds.token);
    throw new UnreadablePush(err);
  }
  const encrypt = outer.Encrypt ?? '';
  if (!encrypt) {
    checkPlainSignature(req, creds.token);
    throw new UnreadablePush(refuse.fields());
  }
  const expected = wechatSignature([creds.token, timestamp, nonce, encrypt]);
  if (!timestamp || !nonce || !signatureMatches(signature, expected)) throw refuse.signature();
  checkFresh(req, timestamp);
  const aesKey = creds.encodingAesKey;
  if (!aesKey) throw new UnreadablePush(refuse.safeMode());
  const { xml, appId } = readAuthenticated(() => decryptWechat(encrypt, aesKeyOf(aesKey)));
  if (creds.appId && appId !== creds.appId) throw refuse.appId();
  return readAuthenticated(() => pushOf(parseWechatXml(xml), true, req.now), xml);
}

const cdata = (text: string) => `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** What the reply needs beyond the text: the time and, in safe mode, a nonce and 16 random bytes. */
export interface ReplyContext {
  now: Date;
  nonce: string;
  random16: Buffer;
}

/** The passive text reply to a push, encrypted and signed when the push was. */
export function formatTextReply(
  push: WechatPush,
  text: string,
  creds: WechatCredentials,
  ctx: ReplyContext,
): AdapterReply {
  const timestamp = String(Math.floor(ctx.now.getTime() / 1000));
  const xml =
    `<xml><ToUserName>${cdata(push.openid)}</ToUserName><FromUserName>${cdata(push.account)}</FromUserName>` +
    `<CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>${cdata(text)}</Content></xml>`;
  if (!push.encrypted || !creds.encodingAesKey) {
    return { status: 200, contentType: 'application/xml; charset=utf-8', body: xml };
  }
  const encrypt = encryptWechat(xml, aesKeyOf(creds.encodingAesKey), creds.appId ?? '', ctx.random16);
  const signature = wechatSignature([creds.token, timestamp, ctx.nonce, encrypt]);
  return {
    status: 200,
    contentType: 'application/xml; charset=utf-8',
    body:
      `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
      `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(ctx.nonce)}</Nonce></xml>`,
  };
}

/** "Nothing to say": WeChat accepts the literal `success` and sends nothing to the user. */
export const NO_REPLY: AdapterReply = {
  status: 200,
  contentType: 'text/plain; charset=utf-8',
  body: 'success',
};
