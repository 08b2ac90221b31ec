// WeChat pictures end to end (issue 6): a real WeChat XML image push files an issue with a pending attachment;
// the media job downloads it through a local fake of WeChat's API (tokens, media/get with real JPEG bytes and
// WeChat's headers, its JSON errors) into its place, and staff download it with its type and size. Also: one
// token for several downloads, a stale token refreshed once, an unknown media id failed with the reason, rate
// limits and 5xx retried later, WeChat's three-day retention, and a crash at any point losing nothing.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Types } from 'mongoose';
import { pino } from 'pino';
import request from 'supertest';
import { createSimulatedClock, DAY_MS, type SimulatedClock } from '../../../shared/clock.ts';
import { MAX_ATTACHMENT_BYTES } from '../../../server/attachments/attachment.rules.ts';
import { createAttachmentStore, type AttachmentStore } from '../../../server/attachments/attachment.store.ts';
import { fetchWechatMedia, MEDIA_LEASE_MS } from '../../../server/jobs/wechat-media.job.ts';
import { createWechatMediaClient, type WechatMediaClient } from '../../../server/wechat/wechat-media.ts';
import { createWechatTokens } from '../../../server/wechat/wechat-token.ts';
import { expectError } from '../helpers.ts';
import { handlerOf, must, unitByCode, useIssueApp } from '../issues/fixtures.ts';
import { binary } from './files.fixtures.ts';
import { FAKE_APPID, FAKE_APPSECRET, FakeWechatApi } from './wechat-api.fake.ts';
import { imageXml, plainQuery, textXml } from './wechat.harness.ts';

const JPEG = readFileSync(new URL('../../fixtures/wechat-photo.jpg', import.meta.url));
const silent = pino({ level: 'silent' });

interface Listed {
  id: string;
  filename: string;
  contentType: string | null;
  size: number;
  source: string;
  status: string;
  reason?: string;
}

describe('WeChat pictures: the media download job against a fake WeChat API', function () {
  this.timeout(30_000);
  const t = useIssueApp();
  const wechat = new FakeWechatApi();
  let apiBase = '';
  let store: AttachmentStore;
  let openids = 0;

  before(async () => {
    apiBase = await wechat.start();
    store = createAttachmentStore(t.conn, t.models);
  });
  after(() => wechat.close());

  /** The process's WeChat API: one token cache, one media client (a fresh one is a restarted process). */
  function wechatProcess(opts: { maxBytes?: number } = {}) {
    const api = { apiBase, appId: FAKE_APPID, appSecret: FAKE_APPSECRET };
    const tokens = createWechatTokens(api);
    const media = createWechatMediaClient({
      ...api,
      tokens,
      maxBytes: opts.maxBytes ?? MAX_ATTACHMENT_BYTES,
    });
    return { tokens, media };
  }

  // WeChat's retention is counted on the real clock from when the entry was stored: the job's clock starts now.
  const realClock = () => createSimulatedClock(new Date());
  const run = (media: WechatMediaClient, clock: SimulatedClock, s: AttachmentStore = store) =>
    fetchWechatMedia({ store: s, media, clock, logger: silent });

  /** A follower of the nth seeded enterprise binds its openid and sends one picture; the issue it filed. */
  async function sendPicture(nth: number, mediaId: string, data: Buffer | null = JPEG) {
    const e = t.data.enterprises[nth]!;
    const openid = `oMEDIA_${nth}_${++openids}`;
    const post = (xml: string) =>
      request(t.app).post('/api/intake/wechat').query(plainQuery(openid)).type('text/xml').send(xml);
    await post(textXml(openid, e.creditCode, `${openid}-bind`));
    const res = await post(imageXml(openid, mediaId, `${openid}-img`));
    expect(res.status).to.equal(200);
    if (data) wechat.media.set(mediaId, { data, contentType: 'image/jpeg' });
    const issue = await t.models.Issue.findOne({ channel: 'wechat', externalId: `${openid}-img` }).lean();
    expect(res.text, 'the passive reply names the number').to.contain(issue!.number);
    return issue!;
  }

  async function listed(issueId: Types.ObjectId | string, as = 'dispatcher'): Promise<Listed[]> {
    const res = await request(t.app)
      .get(`/api/issues/${issueId}/attachments`)
      .set(await t.auth(as));
    expect(res.status).to.equal(200);
    return res.body.items as Listed[];
  }

  const fileUrl = (issueId: unknown, fileId: string) =>
    `/api/issues/${String(issueId)}/attachments/${fileId}`;
  /** The file's download by the dispatcher; `bytes`: its body kept as one Buffer (else an error's JSON). */
  const fileAs = async (issueId: unknown, fileId: string, bytes = false) => {
    const req = request(t.app)
      .get(fileUrl(issueId, fileId))
      .set(await t.auth('dispatcher'));
    return bytes ? req.buffer(true).parse(binary) : req;
  };

  it('a picture pushed by WeChat is listed 待下载, then downloaded into its place with its bytes, type and size', async () => {
    const issue = await sendPicture(1, 'MEDIA_e2e_photo_0001');
    const [pending] = await listed(issue._id);
    expect(pending).to.include({ status: 'pending', source: 'wechat', size: 0, contentType: null });
    expectError(await fileAs(issue._id, pending!.id), 409, 'attachment_pending');

    const { media } = wechatProcess();
    expect(await run(media, realClock())).to.deep.equal({ stored: 1, retried: 0, failed: 0 });
    const [stored] = await listed(issue._id);
    expect(stored).to.include({
      id: pending!.id,
      status: 'stored',
      source: 'wechat',
      contentType: 'image/jpeg',
      size: JPEG.length,
    });
    expect(stored!.filename).to.match(/^微信图片-.*\.jpg$/);
    expect(stored).to.not.have.property('reason');

    const file = await fileAs(issue._id, stored!.id, true);
    expect(file.status).to.equal(200);
    expect(Buffer.compare(file.body as Buffer, JPEG)).to.equal(0);
    expect(file.headers['content-type']).to.equal('image/jpeg');
    expect(file.headers['content-length']).to.equal(String(JPEG.length));
    expect(file.headers['x-content-type-options']).to.equal('nosniff');
    expect(file.headers['content-disposition']).to.match(/^inline; filename=".*\.jpg"; filename\*=UTF-8''/);

    // Nothing is fetched twice: the next pass finds nothing due.
    const asked = wechat.mediaRequests.length;
    expect(await run(media, realClock())).to.deep.equal({ stored: 0, retried: 0, failed: 0 });
    expect(wechat.mediaRequests).to.have.length(asked);
  });

  it('is read by exactly those who may read the issue: the handling unit yes, another unit’s handler no', async () => {
    const issue = await sendPicture(2, 'MEDIA_auth_0002');
    await run(wechatProcess().media, realClock());
    await must(t, 'dispatcher', String(issue._id), 'dispatch', {
      unitId: String(unitByCode(t, 'city-drc')._id),
    });
    const [file] = await listed(issue._id);
    const url = fileUrl(issue._id, file!.id);
    const as = async (user: string) =>
      request(t.app)
        .get(url)
        .set(await t.auth(user));
    expect((await as(handlerOf('city-drc'))).status).to.equal(200);
    // Like the issue itself: an issue the user may not read answers 404, as one that does not exist.
    const other = handlerOf('city-tax');
    expectError(
      await request(t.app)
        .get(`/api/issues/${String(issue._id)}`)
        .set(await t.auth(other)),
      404,
      'not_found',
    );
    expectError(await as(other), 404, 'not_found');
    expectError(
      await request(t.app)
        .get(`/api/issues/${String(issue._id)}/attachments`)
        .set(await t.auth(other)),
      404,
      'not_found',
    );
    expectError(await request(t.app).get(url), 401, 'unauthorized');
  });

  it('fetches the access token once for several downloads, and again once when WeChat says it is stale (40001)', async () => {
    const issues = [
      await sendPicture(3, 'MEDIA_token_a'),
      await sendPicture(4, 'MEDIA_token_b'),
      await sendPicture(5, 'MEDIA_token_c'),
    ];
    const before = wechat.tokensIssued;
    const { media, tokens } = wechatProcess();
    expect(await run(media, realClock())).to.deep.equal({ stored: 3, retried: 0, failed: 0 });
    expect(wechat.tokensIssued - before, 'one token for three pictures').to.equal(1);

    const later = await sendPicture(6, 'MEDIA_token_d');
    wechat.expireTokens(); // another server took a new token: ours answers 40001
    const stale = await tokens.token();
    expect(await run(media, realClock())).to.deep.equal({ stored: 1, retried: 0, failed: 0 });
    expect(wechat.tokensIssued - before, 'one refresh').to.equal(2);
    expect(await tokens.token()).to.not.equal(stale);
    for (const i of [...issues, later]) expect((await listed(i._id))[0]).to.include({ status: 'stored' });
  });

  it('an unknown or expired media id (40007) is failed with the reason and never asked again', async () => {
    const issue = await sendPicture(7, 'MEDIA_gone_0007', null);
    const { media } = wechatProcess();
    expect(await run(media, realClock())).to.deep.equal({ stored: 0, retried: 0, failed: 1 });
    const [file] = await listed(issue._id);
    expect(file).to.include({ status: 'failed', size: 0 });
    expect(file!.reason).to.contain('微信素材已失效或不存在').and.to.contain('40007');
    expectError(await fileAs(issue._id, file!.id), 410, 'attachment_failed');
    const asked = wechat.mediaRequests.filter((m) => m === 'MEDIA_gone_0007').length;
    const clock = realClock();
    clock.advance(DAY_MS);
    await run(media, clock);
    expect(wechat.mediaRequests.filter((m) => m === 'MEDIA_gone_0007')).to.have.length(asked);
  });

  it('a rate limit (45009) or a 5xx is retried later with backoff; the picture arrives on a later pass', async () => {
    const issue = await sendPicture(8, 'MEDIA_busy_0008');
    const { media } = wechatProcess();
    const clock = realClock();
    wechat.mediaFailures.push({ errcode: 45009 });
    expect(await run(media, clock)).to.deep.equal({ stored: 0, retried: 1, failed: 0 });
    const [waiting] = await listed(issue._id);
    expect(waiting).to.include({ status: 'pending' });
    expect(waiting!.reason).to.contain('45009');

    // Not due yet: nothing asked. After a minute: a 502 this time, retried again (2 minutes later).
    const asked = wechat.mediaRequests.length;
    expect(await run(media, clock)).to.deep.equal({ stored: 0, retried: 0, failed: 0 });
    expect(wechat.mediaRequests).to.have.length(asked);
    clock.advance(61_000);
    wechat.mediaFailures.push({ status: 502 });
    expect(await run(media, clock)).to.deep.equal({ stored: 0, retried: 1, failed: 0 });
    expect((await listed(issue._id))[0]!.reason).to.contain('HTTP 502');
    clock.advance(61_000);
    expect(await run(media, clock), 'the second delay is two minutes').to.deep.equal({
      stored: 0,
      retried: 0,
      failed: 0,
    });
    clock.advance(61_000);
    expect(await run(media, clock)).to.deep.equal({ stored: 1, retried: 0, failed: 0 });
    expect((await listed(issue._id))[0]).to.include({ status: 'stored', size: JPEG.length });
  });

  it('gives up once WeChat’s three-day retention has passed, saying so', async () => {
    const issue = await sendPicture(9, 'MEDIA_late_0009');
    const { media } = wechatProcess();
    const clock = realClock();
    clock.advance(3 * DAY_MS - 30_000); // the job was down for almost three days
    wechat.mediaFailures.push({ status: 503 });
    expect(await run(media, clock)).to.deep.equal({ stored: 0, retried: 0, failed: 1 });
    const [file] = await listed(issue._id);
    expect(file).to.include({ status: 'failed' });
    expect(file!.reason).to.contain('3天').and.to.contain('HTTP 503');
  });

  it('refuses bytes that are not an image or are too large, with the reason', async () => {
    const html = await sendPicture(
      10,
      'MEDIA_html_0010',
      Buffer.from('<html><script>alert(1)</script></html>'),
    );
    const big = await sendPicture(11, 'MEDIA_big_0011');
    const { media } = wechatProcess({ maxBytes: JPEG.length - 1 });
    expect(await run(media, realClock())).to.deep.equal({ stored: 0, retried: 0, failed: 2 });
    expect((await listed(html._id))[0]!.reason).to.contain('只接受图片');
    expect((await listed(big._id))[0]!.reason).to.match(/图片超过.*MB/);
  });

  it('a crash at any point loses nothing and stores nothing twice', async () => {
    const issue = await sendPicture(12, 'MEDIA_crash_0012');
    const clock = realClock();
    // A process claims the picture and dies mid-download (its request never answers).
    const hung: WechatMediaClient = { download: () => new Promise<Buffer>(() => undefined) };
    void run(hung, clock, createAttachmentStore(t.conn, t.models));
    await waitUntil(async () => (await claimedUntil(issue._id)) !== undefined);

    // A restarted process leaves it alone while the claim holds, then downloads it.
    const restarted = createAttachmentStore(t.conn, t.models);
    const { media } = wechatProcess();
    expect(await run(media, clock, restarted)).to.deep.equal({ stored: 0, retried: 0, failed: 0 });
    clock.advance(MEDIA_LEASE_MS + 1000);

    // A process that died after writing part of the bytes left chunks behind: they are replaced, not kept.
    const [pending] = await listed(issue._id);
    await t.conn.db!.collection('attachments.chunks').insertOne({
      files_id: new Types.ObjectId(pending!.id),
      n: 0,
      data: Buffer.from('half a picture'),
    });
    expect(await run(media, clock, restarted)).to.deep.equal({ stored: 1, retried: 0, failed: 0 });
    const files = await listed(issue._id);
    expect(files).to.have.length(1);
    const file = await fileAs(issue._id, files[0]!.id, true);
    expect(Buffer.compare(file.body as Buffer, JPEG)).to.equal(0);
    const slots = await t.models.Issue.collection.findOne(
      { _id: issue._id },
      { projection: { attachmentCount: 1 } },
    );
    expect(slots?.attachmentCount, 'one slot, taken once').to.equal(1);
  });

  it('a second picture of the same enterprise, merged into its open issue, is attached there', async () => {
    const first = await sendPicture(13, 'MEDIA_merge_a');
    const e = t.data.enterprises[13]!;
    const openid = `oMEDIA_13_second`;
    const post = (xml: string) =>
      request(t.app).post('/api/intake/wechat').query(plainQuery(openid)).type('text/xml').send(xml);
    await post(textXml(openid, e.creditCode, 'merge-bind'));
    const res = await post(imageXml(openid, 'MEDIA_merge_b', 'merge-img'));
    expect(res.text).to.contain(first.number);
    wechat.media.set('MEDIA_merge_b', { data: JPEG, contentType: 'image/jpeg' });
    await run(wechatProcess().media, realClock());
    const files = await listed(first._id);
    expect(files.map((f) => f.status)).to.deep.equal(['stored', 'stored']);
  });

  it('a picture sent just after the follower’s complaint joins that issue; one sent 40 minutes later does not', async () => {
    const e = t.data.enterprises[14]!;
    const openid = 'oMEDIA_14_followup';
    const post = (xml: string) =>
      request(t.app).post('/api/intake/wechat').query(plainQuery(openid)).type('text/xml').send(xml);
    await post(textXml(openid, e.creditCode, 'follow-bind'));
    const said = await post(
      textXml(openid, '厂区门口的路灯坏了一个多月，晚上下班员工走路很危险。', 'follow-text'),
    );
    const issue = (await t.models.Issue.findOne({ externalId: 'follow-text' }).lean())!;
    expect(said.text).to.contain(issue.number);
    const shown = await post(imageXml(openid, 'MEDIA_follow_a', 'follow-img-a'));
    expect(shown.text).to.contain(`已收到您发送的图片，已补充到问题 ${issue.number}`);
    expect(await t.models.Issue.countDocuments({ externalId: 'follow-img-a' })).to.equal(0);
    // Its timeline says a picture was added, not that the problem was raised again.
    const added = (await t.models.Issue.findById(issue._id).lean())!.timeline.at(-1)!;
    expect(added.note).to.equal('收到企业通过「微信公众号/小程序」补充的图片，已附在本件');
    expect((await listed(issue._id)).map((f) => f.status)).to.deep.equal(['pending']);
    t.clock.set(new Date(t.clock.now().getTime() + 40 * 60_000));
    const later = await post(imageXml(openid, 'MEDIA_follow_b', 'follow-img-b'));
    const own = (await t.models.Issue.findOne({ externalId: 'follow-img-b' }).lean())!;
    expect(later.text).to.contain(own.number).and.not.contain(issue.number);
  });

  it('a picture sent before the follower’s words: one issue, the picture attached, the words its content', async () => {
    const e = t.data.enterprises[15]!;
    const openid = 'oMEDIA_15_picfirst';
    const post = (xml: string) =>
      request(t.app).post('/api/intake/wechat').query(plainQuery(openid)).type('text/xml').send(xml);
    await post(textXml(openid, e.creditCode, 'picfirst-bind'));
    const before = await t.models.Issue.countDocuments({});
    // The picture alone is taken in at once (nothing lost if no words follow) and its words asked for.
    const shown = await post(imageXml(openid, 'MEDIA_picfirst', 'picfirst-img'));
    const issue = (await t.models.Issue.findOne({ externalId: 'picfirst-img' }).lean())!;
    expect(shown.text).to.contain(`已收到您发送的图片，受理编号：${issue.number}`).and.contain('文字');
    expect(issue.state).to.equal('received');
    // A minute later, the words.
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    const words = '厂区门口的污水管网堵塞，污水漫到路面，已经一个星期了，请尽快安排疏通。';
    const said = await post(textXml(openid, words, 'picfirst-text'));
    expect(said.text).to.contain(`已与您刚才发送的图片一并登记，受理编号：${issue.number}`);
    expect(await t.models.Issue.countDocuments({}), 'one issue, not two').to.equal(before + 1);
    const one = (await t.models.Issue.findById(issue._id).lean())!;
    expect(one).to.include({
      content: words,
      title: '厂区门口的污水管网堵塞，污水漫到路面，已经一个星期了，请尽…',
    });
    // Classified and routed on the words, as if they had come first.
    expect(one.category).to.equal('utilities');
    expect(one.timeline.map((x) => x.data?.kind ?? x.action)).to.include('picture_described');
    // Staff find it by its words (the list search reads the terms the words gave it).
    const found = await request(t.app)
      .get(`/api/issues?q=${encodeURIComponent('污水管网堵塞')}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(found.body.items.map((i: { id: string }) => i.id)).to.include(String(issue._id));
    expect((await listed(issue._id)).map((f) => f.status)).to.deep.equal(['pending']);
    // Redelivery of either message answers the same number (newly signed URLs, as WeChat retries).
    expect((await post(imageXml(openid, 'MEDIA_picfirst', 'picfirst-img'))).text).to.contain(issue.number);
    expect((await post(textXml(openid, words, 'picfirst-text'))).text).to.contain(issue.number);
    expect(await t.models.Issue.countDocuments({})).to.equal(before + 1);
    // Words 40 minutes after a picture are a problem of their own; the picture stays filed as it was.
    t.clock.set(new Date(t.clock.now().getTime() + 40 * 60_000));
    await post(imageXml(openid, 'MEDIA_picfirst_b', 'picfirst-img-b'));
    const lone = (await t.models.Issue.findOne({ externalId: 'picfirst-img-b' }).lean())!;
    t.clock.set(new Date(t.clock.now().getTime() + 40 * 60_000));
    const late = await post(
      textXml(openid, '园区内路灯已经坏了半个月，晚上员工下班很不安全。', 'picfirst-late'),
    );
    expect(late.text).to.not.contain(lone.number);
    expect((await t.models.Issue.findById(lone._id).lean())!.content).to.contain('图片');
  });

  it('a picture whose words repeat another open issue waits in 待受理 flagged 可能重复 with it', async () => {
    const e = t.data.enterprises[16]!;
    const openid = 'oMEDIA_16_picrepeat';
    const post = (xml: string) =>
      request(t.app).post('/api/intake/wechat').query(plainQuery(openid)).type('text/xml').send(xml);
    await post(textXml(openid, e.creditCode, 'picrepeat-bind'));
    const words = '园区东门外的污水管网堵塞，污水漫到路面，已经一个星期了，请尽快安排疏通。';
    await post(textXml(openid, words, 'picrepeat-first'));
    const open = (await t.models.Issue.findOne({ externalId: 'picrepeat-first' }).lean())!;
    // An hour later the owner photographs it and writes the same again.
    t.clock.set(new Date(t.clock.now().getTime() + 60 * 60_000));
    await post(imageXml(openid, 'MEDIA_picrepeat', 'picrepeat-img'));
    const picture = (await t.models.Issue.findOne({ externalId: 'picrepeat-img' }).lean())!;
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    const said = await post(textXml(openid, words, 'picrepeat-text'));
    expect(said.text).to.contain(picture.number);
    const after = (await t.models.Issue.findById(picture._id).lean())!;
    expect(after.content).to.equal(words);
    // Not dispatched on its own as a second issue for one problem: the dispatcher merges it, picture and all.
    expect(after.state).to.equal('received');
    expect(after.possibleRepeat).to.include({ number: open.number });
    const flagged = after.timeline.find((x) => x.data?.kind === 'possible_repeat');
    expect(flagged?.note).to.contain(open.number);
    expect(flagged?.public).to.equal(false);
  });

  /** When the picture's current claim (its next attempt) ends, if it has one. */
  async function claimedUntil(issueId: Types.ObjectId): Promise<Date | undefined> {
    const doc = await t.conn.db!.collection('attachments.files').findOne({ 'metadata.issueId': issueId });
    return doc?.metadata?.nextAttemptAt as Date | undefined;
  }
});

async function waitUntil(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
