// Downloads the picture a follower sent to the official account, by the media id its message carried
// (`GET ${apiBase}/cgi-bin/media/get?access_token=…&media_id=…`): WeChat answers the bytes, or a JSON
// `{errcode, errmsg}`. Temporary media are kept by WeChat for three days, so an unknown media id (40007) is
// gone for good; a stale token is fetched again once; anything else (45009 the API's rate limit, a 5xx, a
// timeout) is worth another try later. An edge: no database, no business clock.
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

/** errcode of an invalid (unknown or expired) media id. */
export const INVALID_MEDIA = 40007;

type Answer = { bytes: Buffer } | { error: WechatAnswer };

/** The body, refused as soon as it grows past `maxBytes` (a declared or a chunked length alike). */
async function boundedBody(res: Response, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new MediaGoneError(`图片超过${Math.round(maxBytes / 2 ** 20)}MB，未下载`);
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.byteLength;
    if (size > maxBytes) {
      await reader?.cancel();
      throw tooLarge();
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks);
}

export function createWechatMediaClient(opts: WechatMediaOptions): WechatMediaClient {
  const doFetch = opts.fetch ?? fetch;
  const tokens = opts.tokens ?? createWechatTokens(opts);

  async function get(accessToken: string, mediaId: string): Promise<Answer> {
    const url = new URL(`${apiBaseOf(opts)}/cgi-bin/media/get`);
    url.searchParams.set('access_token', accessToken);
    url.searchParams.set('media_id', mediaId);
    let res: Response;
    try {
      res = await doFetch(url, { signal: timeoutOf(opts) });
    } catch {
      // The URL carries the token: never in the message.
      throw new Error('微信素材接口无应答（网络错误或超时）');
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`微信素材接口应答 HTTP ${res.status}`);
    }
    // Errors come as JSON (sometimes labelled text/plain); the media itself as image/* or octet-stream.
    if (/json|text\/plain/i.test(res.headers.get('content-type') ?? ''))
      return { error: ((await res.json().catch(() => ({}))) ?? {}) as WechatAnswer };
    return { bytes: await boundedBody(res, opts.maxBytes) };
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
        throw new MediaGoneError(`微信素材已失效或不存在：${describeAnswer(answer.error)}`);
      throw new Error(`微信素材下载失败：${describeAnswer(answer.error)}`);
    },
  };
}
