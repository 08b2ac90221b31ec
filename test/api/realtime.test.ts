// Realtime over socket.io against a real HTTP server: staff sockets authenticate with the session JWT, hear
// `issue:changed` only for issues their audience may see, and may subscribe only to visible issues.
import type { AddressInfo } from 'node:net';
import { createServer, type Server as HttpServer } from 'node:http';
import { expect } from 'chai';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import request from 'supertest';
import type { Express } from 'express';
import { systemClock, createSimulatedClock } from '../../shared/clock.ts';
import { createApp } from '../../server/app.ts';
import { createTokenSigner } from '../../server/auth/token.ts';
import { createModels, ensureIndexes } from '../../server/models/index.ts';
import { createRealtime, type IssueChangedEvent, type Realtime } from '../../server/realtime/realtime.ts';
import { seedDemo, type SeedSummary } from '../../server/seed/index.ts';
import { DEMO_PASSWORD, TEST_HASH, TEST_START, openTestDatabase, testConfig } from './helpers.ts';

const QUIET_MS = 300;
const VAGUE_TEXT = '企业负责人来电，反映补贴方面的事情，希望约时间面谈。';

describe('realtime (socket.io)', () => {
  let conn: Connection;
  let app: Express;
  let server: HttpServer;
  let realtime: Realtime;
  let url: string;
  let seed: SeedSummary;
  const sockets: Socket[] = [];

  before(async function () {
    this.timeout(60_000);
    conn = await openTestDatabase();
    const clock = createSimulatedClock(TEST_START);
    const config = testConfig();
    const models = createModels(conn, clock);
    await ensureIndexes(models);
    seed = await seedDemo(models, clock, { hashParams: TEST_HASH, issues: false });
    const logger = pino({ level: 'silent' });
    const tokens = createTokenSigner(config.jwtSecret ?? '', config.jwtExpiresIn, systemClock);
    realtime = createRealtime({ models, tokens, logger });
    app = createApp({ config, conn, clock, logger, models, onIssueChange: realtime.onChange });
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
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    if (conn) {
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
    }
  });

  const unitId = (code: string) => {
    const unit = seed.units.find((u) => u.code === code);
    if (!unit) throw new Error(`no unit ${code}`);
    return String(unit._id);
  };

  async function login(username: string): Promise<string> {
    const res = await request(app).post('/api/auth/login').send({ username, password: DEMO_PASSWORD });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
    return res.body.token as string;
  }

  /** Connects and resolves once connected, or rejects with the server's refusal. */
  function open(token: string): Promise<Socket> {
    const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err) => reject(err));
    });
  }

  /** Collects every `issue:changed` the socket hears. */
  function collect(socket: Socket): IssueChangedEvent[] {
    const events: IssueChangedEvent[] = [];
    socket.on('issue:changed', (e: IssueChangedEvent) => events.push(e));
    return events;
  }

  async function waitFor(events: IssueChangedEvent[], pred: (e: IssueChangedEvent) => boolean) {
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const hit = events.find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no matching issue:changed within 3 s');
  }

  async function receivedIssue(token: string): Promise<string> {
    const res = await request(app)
      .post('/api/issues')
      .set({ Authorization: `Bearer ${token}` })
      .send({
        enterprise: { creditCode: seed.enterprises[0].creditCode },
        channel: 'window',
        urgency: 'normal',
        content: VAGUE_TEXT,
      });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  it('sends issue:changed to the lead unit and the centre, and nothing to another unit', async () => {
    const dispatcherToken = await login('dispatcher');
    const id = await receivedIssue(dispatcherToken);
    const [a, b, d] = await Promise.all([
      login('handler-city-drc').then(open),
      login('handler-city-tax').then(open),
      open(dispatcherToken),
    ]);
    const [atA, atB, atD] = [collect(a), collect(b), collect(d)];

    const res = await request(app)
      .post(`/api/issues/${id}/actions/dispatch`)
      .set({ Authorization: `Bearer ${dispatcherToken}` })
      .send({ unitId: unitId('city-drc') });
    expect(res.status).to.equal(200);

    const heardA = await waitFor(atA, (e) => e.id === id);
    const heardD = await waitFor(atD, (e) => e.id === id);
    for (const e of [heardA, heardD]) {
      expect(e).to.deep.equal({
        id,
        number: res.body.number,
        state: res.body.state,
        warning: res.body.warning,
        unitId: unitId('city-drc'),
        version: res.body.version,
      });
    }
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(atB).to.deep.equal([]);
  });

  it('refuses a missing, bad or revoked token', async () => {
    const refused = async (token: string) => {
      const err = await open(token).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.equal('invalid_token');
    };
    await refused('');
    await refused('not-a-jwt');
    const token = await login('handler-city-drc');
    await open(token); // valid before logout
    await request(app)
      .post('/api/auth/logout')
      .set({ Authorization: `Bearer ${token}` })
      .expect((r) => expect(r.status).to.be.lessThan(300));
    await refused(token);
  });

  it('lets a socket subscribe only to issues it may see', async () => {
    const dispatcherToken = await login('dispatcher');
    const id = await receivedIssue(dispatcherToken);
    await request(app)
      .post(`/api/issues/${id}/actions/dispatch`)
      .set({ Authorization: `Bearer ${dispatcherToken}` })
      .send({ unitId: unitId('city-drc') })
      .expect(200);
    const subscribe = (s: Socket, issueId: string) =>
      s.timeout(3000).emitWithAck('subscribe', issueId) as Promise<{ ok: boolean; error?: string }>;

    const a = await login('handler-city-drc').then(open);
    const b = await login('handler-city-tax').then(open);
    expect(await subscribe(a, id)).to.deep.equal({ ok: true });
    expect(await subscribe(b, id)).to.deep.equal({ ok: false, error: 'not_found' });
    expect(await subscribe(b, 'not-an-id')).to.deep.equal({ ok: false, error: 'not_found' });
  });
});
