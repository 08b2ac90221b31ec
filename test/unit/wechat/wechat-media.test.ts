// The media/get client's edges with a scripted fetch: WeChat's JSON errors whatever their content type, a body
// growing past the limit without a Content-Length (cut off, not buffered), and failures that never carry the
// access token or the secret (both travel in query strings).
import { expect } from 'chai';
import { createWechatMediaClient, MediaGoneError } from '../../../server/wechat/wechat-media.ts';
import { WechatTokenError } from '../../../server/wechat/wechat-token.ts';

const SECRET = 'secret-not-in-errors-0123456789';
const base = { apiBase: 'http://wechat.test', appId: 'wx00112233445566aa', appSecret: SECRET };

function scripted(media: () => Response | Promise<Response>) {
  const seen: string[] = [];
  const fetch = (async (input: URL | string) => {
    const url = new URL(String(input));
    seen.push(url.pathname);
    if (url.pathname === '/cgi-bin/token')
      return new Response(JSON.stringify({ access_token: 'TOKEN-not-in-errors', expires_in: 7200 }));
    return media();
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: Error) => e,
  );

describe('WeChat media client', () => {
  it('reads a JSON error labelled text/plain as WeChat’s errcode (40007: gone for good)', async () => {
    const api = scripted(
      () =>
        new Response('{"errcode":40007,"errmsg":"invalid media_id"}', {
          headers: { 'content-type': 'text/plain' },
        }),
    );
    const err = await failureOf(
      createWechatMediaClient({ ...base, fetch: api.fetch, maxBytes: 100 }).download('m'),
    );
    expect(err).to.be.instanceOf(MediaGoneError);
    expect(err!.message).to.contain('40007');
  });

  it('cuts off a chunked body that grows past the limit', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(64).fill(0xff));
        if (pulled > 1000) controller.close();
      },
    });
    const api = scripted(() => new Response(body, { headers: { 'content-type': 'image/jpeg' } }));
    const err = await failureOf(
      createWechatMediaClient({ ...base, fetch: api.fetch, maxBytes: 200 }).download('m'),
    );
    expect(err).to.be.instanceOf(MediaGoneError);
    expect(pulled, 'stopped reading soon after the limit').to.be.lessThan(10);
  });

  it('never puts the token or the secret in an error', async () => {
    const down = scripted(() => {
      throw new TypeError(
        'fetch failed http://wechat.test/cgi-bin/media/get?access_token=TOKEN-not-in-errors',
      );
    });
    const err = await failureOf(
      createWechatMediaClient({ ...base, fetch: down.fetch, maxBytes: 100 }).download('m'),
    );
    expect(err!.message).to.contain('无应答').and.not.contain('TOKEN-not-in-errors');

    const noToken = (async () => {
      throw new TypeError(`connect ECONNREFUSED http://wechat.test/cgi-bin/token?secret=${SECRET}`);
    }) as typeof globalThis.fetch;
    const tokenErr = await failureOf(
      createWechatMediaClient({ ...base, fetch: noToken, maxBytes: 100 }).download('m'),
    );
    expect(tokenErr).to.be.instanceOf(WechatTokenError);
    expect(tokenErr!.message).to.not.contain(SECRET);
  });
});
