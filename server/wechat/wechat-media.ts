// Downloads the picture a follower sent to the official account, by the media id its message carried
// (`GET ${apiBase}/cgi-bin/media/get?access_token=…&media_id=…`): WeChat answers the bytes, or a JSON
// `{errcode, errmsg}`. Temporary media are kept by WeChat for three days, so an unknown media id (40007) is
// gone for good; a stale token is fetched again once; anything else is worth another try later.
import {
  apiBaseOf,
  createWechatTokens,
  describeAnswer,
  STALE_TOKEN,
  timeoutOf,
  type WechatAnswer,
  type WechatApiOptions,
  type WechatTokens,
} from './wechat-token.ts';

/** The media cannot be fetched, now or later (expired or unknown id, larger than allowed). */
export class MediaGoneError extends Error {}

export interface WechatMediaClient {
  download(mediaId: string): Promise<Buffer>;
}

export type WechatMediaOptions = WechatApiOptions & { tokens?: WechatTokens; maxBytes: number };

const INVALID_MEDIA = 40007;

type Answer = { bytes: Buffer } | { error: WechatAnswer };

export function createWechatMediaClient(opts: WechatMediaOptions): WechatMediaClient {
  const doFetch = opts.fetch ?? fetch;
  const tokens = opts.tokens ?? createWechatTokens(opts);

  async function get(accessToken: string, mediaId: string): Promise<Answer> {
    const url = new URL(`${apiBaseOf(opts)}/cgi-bin/media/get`);
    url.searchParams.set('access_token', accessToken);
    url.searchParams.set('media_id', mediaId);
    const res = await doFetch(url, { signal: timeoutOf(opts) });
    if (!res.ok) throw new Error(`微信素材接口应答 HTTP ${res.status}`);
    const type = res.headers.get('content-type') ?? '';
    if (/json|text\/plain/i.test(type))
      return { error: ((await res.json().catch(() => ({}))) ?? {}) as WechatAnswer };
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > opts.maxBytes) {
      await res.body?.cancel();
      throw new MediaGoneError(`图片超过${Math.round(opts.maxBytes / 2 ** 20)}MB`);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > opts.maxBytes)
      throw new MediaGoneError(`图片超过${Math.round(opts.maxBytes / 2 ** 20)}MB`);
    return { bytes };
  }

  return {
    async download(mediaId) {
      const used = await tokens.token();
      let answer = await get(used, mediaId);
      if ('error' in answer && STALE_TOKEN.has(Number(answer.error.errcode))) {
        tokens.forget(used);
        answer = await get(await tokens.token(), mediaId);
      }
      if ('bytes' in answer) return answer.bytes;
      if (Number(answer.error.errcode) === INVALID_MEDIA)
        throw new MediaGoneError(`微信素材已失效：${describeAnswer(answer.error)}`);
      throw new Error(`微信素材下载失败：${describeAnswer(answer.error)}`);
    },
  };
}
