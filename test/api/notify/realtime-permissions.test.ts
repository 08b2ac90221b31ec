// Realtime that follows permissions (issue 8), against a real HTTP server: logout, disabling and a unit change
// disconnect the user's sockets at once, a tokenVersion moved by another process within the revocation poll,
// a transferred issue stops reaching its old subscribers, in-app notifications are pushed to their user, the
// QR page's live stream hears public steps, and in demo mode /api/dev/outbox shows verification codes.
import { createServer, get, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Connection } from 'mongoose';
import { io as connect, type Socket } from 'socket.io-client';
import request from 'supertest';
import type { Express } from 'express';
import { createSimulatedClock, systemClock } from '../../../shared/clock.ts';
import { createApp } from '../../../server/app.ts';
import { createTokenSigner } from '../../../server/auth/token.ts';
import { createModels, ensureIndexes, type Models } from '../../../server/models/index.ts';
import { createNotifyService, type NotifyService } from '../../../server/notify/notify-service.ts';
import { createRealtime, type Realtime } from '../../../server/realtime/realtime.ts';
import { seedDemo, type SeedSummary } from '../../../server/seed/index.ts';
import { DEMO_PASSWORD, TEST_HASH, TEST_START, openTestDatabase, testConfig } from '../helpers.ts';
import { FakeSms, silent } from './notify-harness.ts';

const VAGUE = '企业负责人来电，反映补贴方面的事情，希望约时间面谈。';

describe('realtime follows permissions', () => {
  let conn: Connection;
  let models: Models;
  let app: Express;
  let server: HttpServer;
  let realtime: Realtime;
  let notify: NotifyService;
  let url: string;
  let seed: SeedSummary;
  const sms = new FakeSms();
  const sockets: Socket[] = [];

  before(async function () {
    this.timeout(60_000);
    conn = await openTestDatabase();
    const clock = createSimulatedClock(TEST_START);
    // An http address: the QR page's cookies (its form's CSRF) are Secure at an https one, which supertest's
    // agent does not send back over http.
    const config = testConfig({ DEMO_CLOCK: '1', PUBLIC_BASE_URL: 'http://qy.example.test' });
    models = createModels(conn, clock);
    await ensureIndexes(models);
    seed = await seedDemo(models, clock, { hashParams: TEST_HASH, issues: false });
    const tokens = createTokenSigner(config.jwtSecret ?? '', config.jwtExpiresIn, systemClock);
    realtime = createRealtime({ models, tokens, logger: silent, revocationCheckMs: 100 });
    notify = createNotifyService({
      config,
      models,
      clock,
      logger: silent,
      sms,
      ttlMs: 0,
      deliverOnEnqueue: false,
      onInApp: (n) => realtime.notifyUser(n),
    });
    app = createApp({
      config,
      conn,
      clock,
      logger: silent,
      models,
      simulatedClock: clock,
      onIssueChange: realtime.onChange,
      notify,
      onSessionsChanged: (id) => void realtime.revokeUser(id),
    });
    server = createServer(app);
    realtime.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  after(async () => {
    await realtime?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close();
  });

  const unitId = (code: string) => String(seed.units.find((u) => u.code === code)!._id);
  const userId = async (username: string) => String((await models.User.findOne({ username }).lean())!._id);

  async function login(username: string): Promise<string> {
    const res = await request(app).post('/api/auth/login').send({ username, password: DEMO_PASSWORD });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
    return res.body.token as string;
  }
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  function open(token: string): Promise<Socket> {
    const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  const disconnected = (s: Socket, ms = 1500) =>
    new Promise<boolean>((resolve) => {
      if (s.disconnected) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      s.once('disconnect', () => (clearTimeout(timer), resolve(true)));
    });

  /** Everything `event` brought on the socket while `run` ran and a short quiet time after. */
  async function heard<T>(
    s: Socket,
    event: string,
    run: () => Promise<unknown>,
    quietMs = 300,
  ): Promise<T[]> {
    const got: T[] = [];
    const on = (x: T) => got.push(x);
    s.on(event, on);
    await run();
    await new Promise((r) => setTimeout(r, quietMs));
    s.off(event, on);
    return got;
  }

  async function newIssue(token: string, creditCode = seed.enterprises[0].creditCode) {
    const res = await request(app)
      .post('/api/issues')
      .set(bearer(token))
      .send({ enterprise: { creditCode }, channel: 'window', content: VAGUE, urgency: 'normal' });
    expect(res.status).to.equal(201);
    return res.body.id as string;
  }
  const act = (token: string, id: string, action: string, body: object = {}) =>
    request(app).post(`/api/issues/${id}/actions/${action}`).set(bearer(token)).send(body);

  it('logout disconnects the user’s sockets at once', async () => {
    const token = await login('handler-city-drc');
    const s = await open(token);
    await request(app).post('/api/auth/logout').set(bearer(token)).expect(204);
    expect(await disconnected(s, 500)).to.equal(true);
  });

  it('disabling a user and moving a unit head to another unit disconnect them', async () => {
    const admin = bearer(await login('admin'));
    const a = await open(await login('handler-city-tax'));
    const b = await open(await login('unithead-city-drc'));
    await request(app)
      .patch(`/api/users/${await userId('handler-city-tax')}`)
      .set(admin)
      .send({ disabled: true })
      .expect(200);
    await request(app)
      .patch(`/api/users/${await userId('unithead-city-drc')}`)
      .set(admin)
      .send({ unitId: unitId('city-tax') })
      .expect(200);
    expect(await disconnected(a, 500)).to.equal(true);
    expect(await disconnected(b, 500)).to.equal(true);
    await request(app)
      .patch(`/api/users/${await userId('handler-city-tax')}`)
      .set(admin)
      .send({ disabled: false })
      .expect(200);
  });

  it('a revocation made by another process (tokenVersion moved in the database) disconnects within the poll', async () => {
    const s = await open(await login('supervisor'));
    await models.User.updateOne({ username: 'supervisor' }, { $inc: { tokenVersion: 1 } });
    expect(await disconnected(s, 1000)).to.equal(true);
  });

  it('a transferred issue stops reaching the old unit’s subscribed socket; the new unit hears it', async () => {
    const dispatcher = await login('dispatcher');
    const id = await newIssue(dispatcher);
    await act(dispatcher, id, 'dispatch', { unitId: unitId('city-drc') }).expect(200);
    const old = await open(await login('handler-city-drc'));
    const ack = await old.emitWithAck('subscribe', id);
    expect(ack).to.deep.equal({ ok: true });
    const next = await open(await login('handler-city-tax'));
    const oldHeard = await heard<{ id: string }>(old, 'issue:changed', async () => {
      await act(dispatcher, id, 'transfer', { unitId: unitId('city-tax'), reason: '职责调整' }).expect(200);
      await act(await login('handler-city-tax'), id, 'sign').expect(200);
    });
    expect(oldHeard.filter((e) => e.id === id)).to.deep.equal([]);
    const nextHeard = await heard<{ id: string; state: string }>(next, 'issue:changed', async () => {
      await act(dispatcher, id, 'note', { text: '请尽快联系企业', public: false }).expect(200);
    });
    expect(nextHeard.filter((e) => e.id === id).length).to.equal(1);
  });

  it('a leader-tier issue reaches the city leader and its own county’s leader, never another county’s', async () => {
    const ent = seed.enterprises[0];
    const other = seed.enterprises.find((e) => e.region !== ent.region)!;
    const leader = (await models.User.findOne({ username: 'leader' }).lean())!;
    const { _id: _drop, ...rest } = leader;
    for (const region of [ent.region, other.region])
      await models.User.collection.insertOne({ ...rest, username: `leader-${region}`, region });
    const dispatcher = await login('dispatcher');
    const id = await newIssue(dispatcher, ent.creditCode);
    await act(dispatcher, id, 'dispatch', { unitId: unitId('city-drc') }).expect(200);
    await models.Issue.updateOne({ _id: id }, { $set: { tier: 'leader' } });
    const [city, own, elsewhere] = await Promise.all(
      ['leader', `leader-${ent.region}`, `leader-${other.region}`].map(async (u) => open(await login(u))),
    );
    const got: string[][] = [[], [], []];
    [city, own, elsewhere].forEach((s, n) => s.on('issue:changed', (e: { id: string }) => got[n].push(e.id)));
    await act(dispatcher, id, 'note', { text: '市领导关注', public: false }).expect(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((ids) => ids.filter((x) => x === id).length)).to.deep.equal([1, 1, 0]);
    // Nor may that leader read or act on it; their own county's leader may.
    const outsider = await login(`leader-${other.region}`);
    await request(app).get(`/api/issues/${id}`).set(bearer(outsider)).expect(404);
    await act(outsider, id, 'note', { text: '越权留言', public: true }).expect(404);
    const listed = await request(app).get('/api/issues?limit=100').set(bearer(outsider)).expect(200);
    expect(listed.body.items.map((i: { id: string }) => i.id)).to.not.include(id);
    await request(app)
      .get(`/api/issues/${id}`)
      .set(bearer(await login(`leader-${ent.region}`)))
      .expect(200);
  });

  it('in-app notifications are pushed live to their user', async () => {
    const dispatcher = await login('dispatcher');
    const s = await open(await login('unithead-city-nrp'));
    const pushed = await heard<{ event: string; issueNumber: string }>(s, 'notification:new', async () => {
      const id = await newIssue(dispatcher);
      await act(dispatcher, id, 'dispatch', { unitId: unitId('city-nrp') }).expect(200);
      await notify.flush();
    });
    expect(pushed.map((n) => n.event)).to.deep.equal(['issue_assigned']);
  });

  it('the QR page’s live stream hears a public step of its enterprise (summary only), and nothing of others', async () => {
    const e = seed.enterprises[3];
    const token = (await models.Enterprise.findById(e._id).lean())!.qrToken;
    const chunks: string[] = [];
    const stream = get(`${url}/e/${token}/live`, (res) => {
      expect(res.headers['content-type']).to.match(/^text\/event-stream/);
      res.setEncoding('utf8');
      res.on('data', (c: string) => chunks.push(c));
    });
    await new Promise((r) => setTimeout(r, 200));
    const dispatcher = await login('dispatcher');
    await newIssue(dispatcher, seed.enterprises[4].creditCode); // another enterprise
    const id = await newIssue(dispatcher, e.creditCode);
    await act(dispatcher, id, 'dispatch', { unitId: unitId('city-drc') }).expect(200);
    await new Promise((r) => setTimeout(r, 300));
    stream.destroy();
    const events = chunks
      .join('')
      .split('\n\n')
      .filter((c) => c.startsWith('event: changed'));
    expect(events).to.have.length(2); // its own intake and dispatch (both public)
    expect(events[1]).to.match(/"stage":"[^"]+"/);
    expect(events.join('')).to.not.match(/content|title|unitId/);
  });

  it('in demo mode, /api/dev/outbox shows the latest entries with verification codes', async () => {
    const e = seed.enterprises[5];
    const token = (await models.Enterprise.findById(e._id).lean())!.qrToken;
    const b = request.agent(app);
    const page = await b.get(`/e/${token}/verify`).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await b.post(`/e/${token}/code`).type('form').send({ _csrf: csrf }).expect(303);
    const code = /验证码为(\d{6})/.exec(sms.sent.at(-1)!.text)![1];
    const admin = bearer(await login('admin'));
    const res = await request(app).get('/api/dev/outbox?event=verification_code').set(admin).expect(200);
    expect(res.body.items[0].text).to.include(code);
    expect(res.body.items[0].status).to.equal('sent');
    await request(app)
      .get('/api/dev/outbox')
      .set(bearer(await login('dispatcher')))
      .expect(403);
    // As many as asked for, up to the 500 the query accepts (it once stopped at 100 without saying so).
    const one = (await models.Outbox.findOne().lean())!;
    await models.Outbox.insertMany(
      Array.from({ length: 120 }, (_, k) => ({ ...one, _id: undefined, key: `${one.key}:copy${k}` })),
    );
    const many = await request(app).get('/api/dev/outbox?limit=150').set(admin).expect(200);
    expect(many.body.items).to.have.length(Math.min(150, await models.Outbox.countDocuments()));
    expect(many.body.items.length).to.be.above(100);
  });
});
