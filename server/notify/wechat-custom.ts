// The WeChat official account's customer-service message (客服消息), the push-back to an enterprise that wrote
// in by WeChat or chose WeChat on the QR page (issue 8). A text message is POSTed to
// `${apiBase}/cgi-bin/message/custom/send?access_token=…` as `{touser, msgtype: "text", text: {content}}`; the
// access token comes from `${apiBase}/cgi-bin/token` with the account's appid and secret, is kept until shortly
// before it expires, shared by concurrent sends, and fetched again when WeChat says it is no longer valid. The
// token and the secret never reach a log or an error message (both travel only in the query string).
import { PermanentDeliveryError } from './delivery-errors.ts';

export interface WechatMessageSender {
  /** Sends `text` to the follower `openid`; rejects when WeChat refuses (permanently or for now). */
  send(openid: string, text: string): Promise<string | void>;
}

export interface WechatCustomOptions {
  /** `https://api.weixin.qq.com` in production; a local fake in tests. */
  apiBase: string;
  appId: string;
  appSecret: string;
  fetch?: typeof fetch;
  /** Real time in ms (token lifetimes are WeChat's, never the business clock). */
  nowMs?: () => number;
  timeoutMs?: number;
}

/** Tokens are refreshed this long before WeChat's stated expiry. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
/** errcodes meaning the token is invalid or expired: fetch a new one and send once more. */
const STALE_TOKEN = new Set([40001, 40014, 42001]);
/**
 * errcodes that a retry cannot fix: the follower is outside the 48-hour window or unsubscribed (45015, 43004),
 * the openid is not a follower of this account (40003), the message is refused (45047: quota, 45002: length).
 */
const PERMANENT = new Set([40003, 43004, 45002, 45015, 45047]);
const MAX_CONTENT = 600;

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
}

async function readAnswer(res: Response, what: string): Promise<WechatAnswer> {
  if (!res.ok) throw new Error(`微信${what}接口应答 HTTP ${res.status}`);
  return ((await res.json().catch(() => ({}))) ?? {}) as WechatAnswer;
}

const describe = (a: WechatAnswer) =>
  `errcode ${a.errcode}${a.errmsg ? ` (${String(a.errmsg).slice(0, 100)})` : ''}`;

export function createWechatCustomSender(opts: WechatCustomOptions): WechatMessageSender {
  const doFetch = opts.fetch ?? fetch;
  const nowMs = opts.nowMs ?? Date.now;
  const base = opts.apiBase.replace(/\/+$/, '');
  const signal = () => AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  let cached: { token: string; until: number } | null = null;
  let fetching: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const url = new URL(`${base}/cgi-bin/token`);
    url.searchParams.set('grant_type', 'client_credential');
    url.searchParams.set('appid', opts.appId);
    url.searchParams.set('secret', opts.appSecret);
    const answer = await readAnswer(await doFetch(url, { signal: signal() }), '获取 access_token ');
    if (!answer.access_token) throw new Error(`微信未发放 access_token：${describe(answer)}`);
    const lifetimeMs = Math.max(60, Number(answer.expires_in) || 7200) * 1000;
    cached = { token: answer.access_token, until: nowMs() + lifetimeMs - EXPIRY_MARGIN_MS };
    return answer.access_token;
  }

  /** The cached token while it is good; one fetch shared by every send that needs a new one. */
  function token(): Promise<string> {
    if (cached && nowMs() < cached.until) return Promise.resolve(cached.token);
    fetching ??= fetchToken().finally(() => (fetching = null));
    return fetching;
  }

  async function post(accessToken: string, body: string): Promise<WechatAnswer> {
    const url = new URL(`${base}/cgi-bin/message/custom/send`);
    url.searchParams.set('access_token', accessToken);
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      signal: signal(),
    });
    return readAnswer(res, '客服消息');
  }

  return {
    async send(openid, text) {
      const content = text.length > MAX_CONTENT ? `${text.slice(0, MAX_CONTENT - 1)}…` : text;
      const body = JSON.stringify({ touser: openid, msgtype: 'text', text: { content } });
      const used = await token();
      let answer = await post(used, body);
      if (STALE_TOKEN.has(Number(answer.errcode))) {
        // Forget the token unless another send already replaced it, then send once more.
        if (cached?.token === used) cached = null;
        answer = await post(await token(), body);
      }
      const code = Number(answer.errcode ?? 0);
      if (code === 0) return;
      if (PERMANENT.has(code)) throw new PermanentDeliveryError(`微信拒绝客服消息：${describe(answer)}`);
      throw new Error(`微信客服消息发送失败：${describe(answer)}`);
    },
  };
}
