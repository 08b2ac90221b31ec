// The WeChat customer-service sender's token handling (issue 8), with a scripted fetch and a controlled clock:
// one token for many sends until shortly before it expires, one fetch shared by concurrent sends, a clear
// error (without the secret) when WeChat refuses the appid or secret.
import { expect } from 'chai';
import { createWechatCustomSender } from '../../../server/notify/wechat-custom.ts';

function scriptedWechat() {
  const calls: string[] = [];
  let issued = 0;
  let refuseToken = false;
  const fetch = (async (input: URL | string) => {
    const url = new URL(String(input));
    calls.push(url.pathname);
    const json = (body: object) => new Response(JSON.stringify(body), { status: 200 });
    if (url.pathname === '/cgi-bin/token') {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (refuseToken) return json({ errcode: 40125, errmsg: 'invalid appsecret' });
      return json({ access_token: `t${++issued}`, expires_in: 7200 });
    }
    return json({ errcode: 0, errmsg: 'ok' });
  }) as typeof globalThis.fetch;
  return { fetch, calls, refuse: () => (refuseToken = true), issued: () => issued };
}

describe('WeChat customer-service sender: the access token', () => {
  it('is fetched once for concurrent sends, reused until 5 minutes before expiry, then fetched again', async () => {
    const api = scriptedWechat();
    let now = 1_000_000;
    const sender = createWechatCustomSender({
      apiBase: 'http://wechat.test/',
      appId: 'wx00112233445566aa',
      appSecret: 'secret-not-in-errors-0123456789',
      fetch: api.fetch,
      nowMs: () => now,
    });
    await Promise.all([sender.send('o1', '甲'), sender.send('o2', '乙'), sender.send('o3', '丙')]);
    expect(api.issued()).to.equal(1);
    now += (7200 - 301) * 1000;
    await sender.send('o1', '丁');
    expect(api.issued()).to.equal(1);
    now += 2000;
    await sender.send('o1', '戊');
    expect(api.issued()).to.equal(2);
    expect(api.calls.filter((p) => p === '/cgi-bin/message/custom/send')).to.have.length(5);
  });

  it('a refused appid or secret rejects with WeChat’s code, never the secret', async () => {
    const api = scriptedWechat();
    api.refuse();
    const sender = createWechatCustomSender({
      apiBase: 'http://wechat.test',
      appId: 'wx00112233445566aa',
      appSecret: 'secret-not-in-errors-0123456789',
      fetch: api.fetch,
    });
    const err = await sender.send('o1', '甲').then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.include('40125');
    expect(err?.message).to.not.include('secret-not-in-errors');
  });
});
