// WeChat pictures through `npm start` itself, as a new user tries them: the server started with the account's
// appid, secret and API base pointing at a local fake of WeChat's API; a real signed XML image push; the server
// stopped (normally before its minute job came round, so the picture waits, 待下载, in the database);
// restarted, it fetches the picture at start-up, once, and staff download the JPEG byte for byte.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { login, start, stop, type Running } from '../main.harness.ts';
import { FAKE_APPID, FAKE_APPSECRET, FakeWechatApi } from './wechat-api.fake.ts';
import { imageXml, plainQuery, textXml } from './wechat.harness.ts';

const JPEG = readFileSync(new URL('../../fixtures/wechat-photo.jpg', import.meta.url));

describe('WeChat pictures through npm start (fake WeChat API)', function () {
  this.timeout(360_000);
  const wechat = new FakeWechatApi();
  let dataDir = '';
  let env: Record<string, string> = {};
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'eil-wechat-media-'));
    wechat.media.set('MEDIA_main_0001', { data: JPEG, contentType: 'image/jpeg' });
    const base = await wechat.start();
    env = { WECHAT_APPID: FAKE_APPID, WECHAT_APPSECRET: FAKE_APPSECRET, WECHAT_API_BASE: base };
  });
  after(async () => {
    await wechat.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const get = async (r: Running, token: string, url: string) =>
    fetch(`${r.url}${url}`, { headers: { authorization: `Bearer ${token}` } });

  it('a picture sent while the server runs is fetched after a restart and served to staff', async () => {
    const first = await start(dataDir, env);
    let issueId: string;
    try {
      const token = await login(first.url, 'dispatcher');
      const found = await get(first, token, `/api/enterprises?q=${encodeURIComponent('湖州')}`);
      const creditCode = ((await found.json()) as { items: { creditCode: string }[] }).items[0]!.creditCode;
      const openid = 'oMAIN_media_0001';
      const push = (xml: string) =>
        fetch(`${first.url}/api/intake/wechat?${new URLSearchParams(plainQuery(openid))}`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body: xml,
        }).then((res) => res.text());
      await push(textXml(openid, creditCode, 'main-bind'));
      const reply = await push(imageXml(openid, 'MEDIA_main_0001', 'main-img'));
      const number = /受理编号：([\w-]+)/.exec(reply)?.[1];
      expect(number, reply).to.be.a('string');
      const list = await get(first, token, `/api/issues?q=${number}`);
      issueId = ((await list.json()) as { items: { id: string }[] }).items[0]!.id;
      const files = await (await get(first, token, `/api/issues/${issueId}/attachments`)).json();
      expect(files.items).to.have.length(1);
      // 待下载 until the job's next pass (its minute may just have come round: then it is already here).
      expect(files.items[0]).to.include({ source: 'wechat' });
      expect(files.items[0].status).to.be.oneOf(['pending', 'stored']);
    } finally {
      expect(await stop(first)).to.equal(0);
    }

    const second = await start(dataDir, env);
    try {
      const token = await login(second.url, 'dispatcher');
      let item: { id: string; status: string; size: number } | undefined;
      for (let i = 0; i < 100 && item?.status !== 'stored'; i++) {
        await new Promise((ok) => setTimeout(ok, 100));
        const res = await get(second, token, `/api/issues/${issueId}/attachments`);
        item = ((await res.json()) as { items: (typeof item)[] }).items[0];
      }
      expect(item).to.include({ status: 'stored', size: JPEG.length });
      const file = await get(second, token, `/api/issues/${issueId}/attachments/${item!.id}`);
      expect(file.headers.get('content-type')).to.equal('image/jpeg');
      expect(Buffer.compare(Buffer.from(await file.arrayBuffer()), JPEG)).to.equal(0);
      expect(wechat.mediaRequests, 'fetched once').to.deep.equal(['MEDIA_main_0001']);
    } finally {
      expect(await stop(second)).to.equal(0);
    }
  });
});
