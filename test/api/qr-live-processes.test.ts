// The QR page's live stream across app processes (issue 8): two app instances on one database, each with its
// own live hub; a page open on one hears a handler's step taken through the other within one poll, only for
// its own enterprise, without a duplicate for steps taken through its own process; and an enterprise nobody
// is watching costs no write.
import { once } from 'node:events';
import { get, type ClientRequest, type Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { createQrLiveHub, type QrLiveHub } from '../../server/realtime/qr-live.ts';
import { TICKS_COLLECTION } from '../../server/realtime/qr-live-ticker.ts';
import { anotherApp } from './helpers.ts';
import { enterpriseIn, useIssueApp } from './issues/fixtures.ts';

describe('QR page live stream across app processes', () => {
  const t = useIssueApp();
  let hubA: QrLiveHub;
  let hubB: QrLiveHub;
  let serverA: Server;
  let appB: ReturnType<typeof anotherApp>;
  let appA: ReturnType<typeof anotherApp>;
  let stream: ClientRequest | undefined;
  const chunks: string[] = [];

  before(async () => {
    hubA = createQrLiveHub({ models: t.models });
    hubB = createQrLiveHub({ models: t.models });
    appA = anotherApp(t, { qrLive: hubA });
    appB = anotherApp(t, { qrLive: hubB });
    serverA = createServer(appA).listen(0, '127.0.0.1');
    await once(serverA, 'listening');
  });
  after(() => {
    stream?.destroy();
    hubA.close();
    hubB.close();
    serverA.close();
  });

  const newIssue = async (app: typeof appA, creditCode: string, content: string) =>
    request(app)
      .post('/api/issues')
      .set(await t.auth('dispatcher'))
      .send({ enterprise: { creditCode }, channel: 'window', urgency: 'normal', content })
      .expect(201);
  const changedEvents = () =>
    chunks
      .join('')
      .split('\n\n')
      .filter((c) => c.startsWith('event: changed'));
  const settle = () => new Promise((r) => setTimeout(r, 150));

  it('a step taken through process B reaches a page open on process A at A’s next poll, once', async () => {
    const e = enterpriseIn(t, 'wuxing', 2);
    const other = enterpriseIn(t, 'wuxing', 3);
    const token = (await t.models.Enterprise.findById(e._id).lean())!.qrToken;
    const { port } = serverA.address() as AddressInfo;
    stream = get(`http://127.0.0.1:${port}/e/${token}/live`, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => chunks.push(c));
    });
    await settle(); // the stream is open and its watch recorded
    await hubB.pollNow(); // B learns which enterprises are watched

    await newIssue(appB, other.creditCode, '另一家企业反映园区道路破损，货车通行困难。');
    await newIssue(appB, e.creditCode, '企业反映厂区周边路灯损坏已久，夜班职工出行不安全。');
    await settle();
    expect(changedEvents(), 'B’s change does not reach A by itself').to.have.length(0);
    expect(await hubA.pollNow()).to.equal(1);
    await settle();
    expect(changedEvents()).to.have.length(1);
    expect(await hubA.pollNow(), 'nothing new: no second event').to.equal(0);

    // A step through A's own process arrives at once, and its tick is not heard a second time.
    await newIssue(appA, e.creditCode, '企业反映厂区门前积水严重，雨天车辆无法进出。');
    await settle();
    expect(changedEvents()).to.have.length(2);
    expect(await hubA.pollNow()).to.equal(0);
    await settle();
    expect(changedEvents()).to.have.length(2);

    // Only watched enterprises are written: the other enterprise has no ticker at all.
    const ticks = t.models.Issue.db.collection(TICKS_COLLECTION);
    expect(await ticks.countDocuments({ _id: String(other._id) } as never)).to.equal(0);
    expect(await ticks.countDocuments({ _id: String(e._id) } as never)).to.equal(1);
  });

  it('polls on its own once started: the page hears B’s step without anyone asking', async () => {
    const e = enterpriseIn(t, 'wuxing', 2);
    const before = (await t.models.Issue.db
      .collection(TICKS_COLLECTION)
      .findOne({ _id: String(e._id) } as never))!;
    hubA.start(50);
    hubB.start(50);
    await newIssue(appB, e.creditCode, '企业反映厂区外排水沟堵塞，暴雨时倒灌车间。');
    const deadline = Date.now() + 3_000;
    let after = before;
    while (Date.now() < deadline && after.seq === before.seq) {
      await settle();
      after = (await t.models.Issue.db
        .collection(TICKS_COLLECTION)
        .findOne({ _id: String(e._id) } as never))!;
    }
    expect(after.seq).to.equal((before.seq as number) + 1);
    while (Date.now() < deadline && changedEvents().length < 3) await settle();
    expect(changedEvents()).to.have.length(3);
  });

  it('replacing the printed code closes the streams opened with the old one, in this process and the other', async () => {
    const e = enterpriseIn(t, 'wuxing', 4);
    hubA.start(50); // (already polling when the tests before ran)
    const { port } = serverA.address() as AddressInfo;
    const open = async () => {
      const token = (await t.models.Enterprise.findById(e._id).lean())!.qrToken;
      let ended = false;
      const req = get(`http://127.0.0.1:${port}/e/${token}/live`, (res) => {
        res.resume();
        res.on('end', () => (ended = true));
      });
      await settle();
      return { req, ended: () => ended };
    };
    const rotate = async (app: typeof appA) =>
      request(app)
        .post(`/api/enterprises/${String(e._id)}/qr/rotate`)
        .set(await t.auth('clerk'))
        .expect(200);
    const until = async (done: () => boolean) => {
      const deadline = Date.now() + 3_000;
      while (!done() && Date.now() < deadline) await settle();
      return done();
    };

    // Replaced through A, where the page's stream is open: closed at once.
    const first = await open();
    await rotate(appA);
    expect(await until(first.ended), 'closed by its own process').to.equal(true);

    // Replaced through B: A closes it at its next poll; a page opened afterwards on the new code stays.
    const second = await open();
    await rotate(appB);
    const third = await open();
    expect(await until(second.ended), 'closed by the other process’s poll').to.equal(true);
    await settle();
    expect(third.ended(), 'the new code’s page stays live').to.equal(false);
    for (const s of [first, second, third]) s.req.destroy();
  });
});
