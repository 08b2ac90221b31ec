// The WeChat official account's customer-service message (客服消息), the push-back to an enterprise that wrote
// in by WeChat or chose WeChat on the QR page (issue 8). A text message is POSTed to
// `${apiBase}/cgi-bin/message/custom/send?access_token=…` as `{touser, msgtype: "text", text: {content}}` with the
// account's access token (server/wechat/wechat-token.ts), fetched again once when WeChat says it is no longer
// valid.
import {
  apiBaseOf,
  createWechatTokens,
  describeAnswer,
  readAnswer,
  STALE_TOKEN,
  timeoutOf,
  type WechatAnswer,
  type WechatApiOptions,
  type WechatTokens,
} from '../wechat/wechat-token.ts';
import { PermanentDeliveryError } from './delivery-errors.ts';

export interface WechatMessageSender {
  /** Sends `text` to the follower `openid`; rejects when WeChat refuses (permanently or for now). */
  send(openid: string, text: string): Promise<string | void>;
}

export type WechatCustomOptions = WechatApiOptions & {
  /** The account's tokens, shared with the other API callers; made from the options when absent. */
  tokens?: WechatTokens;
};

/**
 * errcodes that a retry cannot fix: the follower is outside the 48-hour window or unsubscribed (45015, 43004),
 * the openid is not a follower of this account (40003), the message is refused (45047: quota, 45002: length).
 */
const PERMANENT = new Set([40003, 43004, 45002, 45015, 45047]);
const MAX_CONTENT = 600;

export function createWechatCustomSender(opts: WechatCustomOptions): WechatMessageSender {
  const doFetch = opts.fetch ?? fetch;
  const tokens = opts.tokens ?? createWechatTokens(opts);

  async function post(accessToken: string, body: string): Promise<WechatAnswer> {
    const url = new URL(`${apiBaseOf(opts)}/cgi-bin/message/custom/send`);
    url.searchParams.set('access_token', accessToken);
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      signal: timeoutOf(opts),
    });
    return readAnswer(res, '客服消息');
  }

  return {
    async send(openid, text) {
      const content = text.length > MAX_CONTENT ? `${text.slice(0, MAX_CONTENT - 1)}…` : text;
      const body = JSON.stringify({ touser: openid, msgtype: 'text', text: { content } });
      const used = await tokens.token();
      let answer = await post(used, body);
      if (STALE_TOKEN.has(Number(answer.errcode))) {
        tokens.forget(used);
        answer = await post(await tokens.token(), body);
      }
      const code = Number(answer.errcode ?? 0);
      if (code === 0) return;
      if (PERMANENT.has(code))
        throw new PermanentDeliveryError(`微信拒绝客服消息：${describeAnswer(answer)}`);
      throw new Error(`微信客服消息发送失败：${describeAnswer(answer)}`);
    },
  };
}
