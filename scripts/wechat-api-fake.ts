/**
 * `npx tsx scripts/wechat-api-fake.ts [port]`: a stand-in for WeChat's API on 127.0.0.1 (default port 3901),
 * to try WeChat pictures locally without an official account: it issues access tokens to the demo appid and
 * secret it prints, and answers every media id with a sample JPEG (`test/fixtures/wechat-photo.jpg`). Start
 * the app with the printed environment, then send an image push as the README shows.
 */
import { readFileSync } from 'node:fs';
import { FAKE_APPID, FAKE_APPSECRET, FakeWechatApi } from '../test/api/channels/wechat-api.fake.ts';

const port = Number(process.argv[2] ?? 3901);
const api = new FakeWechatApi();
api.fallbackMedia = {
  data: readFileSync(new URL('../test/fixtures/wechat-photo.jpg', import.meta.url)),
  contentType: 'image/jpeg',
};
const base = await api.start(port);
process.stdout.write(
  `fake WeChat API on ${base} (Ctrl-C to stop). Start the app with:\n\n` +
    `  WECHAT_APPID=${FAKE_APPID} WECHAT_APPSECRET=${FAKE_APPSECRET} WECHAT_API_BASE=${base} npm start\n\n`,
);
setInterval(() => {
  if (api.mediaRequests.length)
    process.stdout.write(`media fetched: ${api.mediaRequests.splice(0).join(', ')}\n`);
}, 1000).unref();
process.on('SIGINT', () => void api.close().then(() => process.exit(0)));
