// The WeChat official account's access token (`${apiBase}/cgi-bin/token` with the account's appid and secret),
// shared by everything that calls the account's API: customer-service messages (server/notify) and media
// downloads (server/attachments). Kept until shortly before it expires, fetched once for every caller that
// needs a new one, and forgotten when WeChat says it is no longer valid. The token and the secret travel only
// in query strings: never in a log or an error message.

export interface WechatApiOptions {
  /** `https://api.weixin.qq.com` in production; a local fake in tests. */
  apiBase: string;
  appId: string;
  appSecret: string;
  fetch?: typeof fetch;
  /** Real time in ms (token lifetimes are WeChat's, never the business clock). */
  nowMs?: () => number;
  timeoutMs?: number;
}

export interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
}

/** No access token could be had (WeChat refused the appid or secret, or did not answer): every call waits. */
export class WechatTokenError extends Error {}

export interface WechatTokens {
  /** The cached token while it is good; one fetch shared by every caller that needs a new one. */
  token(): Promise<string>;
  /** Forgets `used` (WeChat refused it) unless another caller already replaced it. */
  forget(used: string): void;
}

/** Tokens are refreshed this long before WeChat's stated expiry. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
/** errcodes meaning the token is invalid or expired: fetch a new one and call once more. */
export const STALE_TOKEN = new Set([40001, 40014, 42001]);

export const apiBaseOf = (opts: WechatApiOptions) => opts.apiBase.replace(/\/+$/, '');
export const timeoutOf = (opts: WechatApiOptions) => AbortSignal.timeout(opts.timeoutMs ?? 10_000);

export async function readAnswer(res: Response, what: string): Promise<WechatAnswer> {
  if (!res.ok) throw new Error(`微信${what}接口应答 HTTP ${res.status}`);
  return ((await res.json().catch(() => ({}))) ?? {}) as WechatAnswer;
}

export const describeAnswer = (a: WechatAnswer) =>
  `errcode ${a.errcode}${a.errmsg ? ` (${String(a.errmsg).slice(0, 100)})` : ''}`;

export function createWechatTokens(opts: WechatApiOptions): WechatTokens {
  const doFetch = opts.fetch ?? fetch;
  const nowMs = opts.nowMs ?? Date.now;
  let cached: { token: string; until: number } | null = null;
  let fetching: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const url = new URL(`${apiBaseOf(opts)}/cgi-bin/token`);
    url.searchParams.set('grant_type', 'client_credential');
    url.searchParams.set('appid', opts.appId);
    url.searchParams.set('secret', opts.appSecret);
    let answer: WechatAnswer;
    try {
      answer = await readAnswer(await doFetch(url, { signal: timeoutOf(opts) }), '获取 access_token ');
    } catch (err) {
      // The URL carries the secret: only the failure's kind goes into the message.
      const what = err instanceof Error && err.message.startsWith('微信') ? err.message : '网络错误或超时';
      throw new WechatTokenError(`无法获取微信 access_token：${what}`);
    }
    if (!answer.access_token)
      throw new WechatTokenError(`微信未发放 access_token：${describeAnswer(answer)}`);
    const lifetimeMs = Math.max(60, Number(answer.expires_in) || 7200) * 1000;
    cached = { token: answer.access_token, until: nowMs() + lifetimeMs - EXPIRY_MARGIN_MS };
    return answer.access_token;
  }

  return {
    token() {
      if (cached && nowMs() < cached.until) return Promise.resolve(cached.token);
      fetching ??= fetchToken().finally(() => (fetching = null));
      return fetching;
    },
    forget(used) {
      if (cached?.token === used) cached = null;
    },
  };
}
