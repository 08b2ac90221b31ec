// The hot request paths make only the database round trips their answer needs: staff authentication is one
// read per request, intake reads the enterprise, stores the raw inbox entry, takes a number and inserts
// (configuration comes from memory) and records the inbox outcome after answering, batched with others (a
// hotline work order adds only its replay claim and its enterprise's open issues, each beside another step),
// the detail reads the issue, and the QR page reads the enterprise and then its issues once. Counted with the
// driver's command monitoring on a connection of its own.
import { expect } from 'chai';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import request from 'supertest';
import { createSimulatedClock } from '../../shared/clock.ts';
import { createApp } from '../../server/app.ts';
import { channelSecretKeyOf } from '../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../server/channels/demo-credentials.ts';
import { inboxRecorderFor } from '../../server/intake/inbox-store.ts';
import { createNotifyService, type NotifyService } from '../../server/notify/notify-service.ts';
import { createModels, ensureIndexes, type Models } from '../../server/models/index.ts';
import { seedDemo, type SeedSummary } from '../../server/seed/index.ts';
import { DEMO_PASSWORD, embeddedDb, postHotlineOrder, TEST_HASH, TEST_START, testConfig } from './helpers.ts';

/** A database of its own with command monitoring, the demo units, users and enterprises (no issues). */
async function monitoredDatabase(prefix: string) {
  const server = await embeddedDb();
  const dbName = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const conn = await mongoose.createConnection(server.uri, { dbName, monitorCommands: true }).asPromise();
  const clock = createSimulatedClock(TEST_START);
  const models = createModels(conn, clock);
  await ensureIndexes(models);
  const seed = await seedDemo(models, clock, { hashParams: TEST_HASH, issues: false });
  return { conn, clock, models, seed };
}

/** Appends every command the connection sends to `commands`, as "name collection". */
function recordCommands(conn: Connection, commands: string[]): void {
  conn.getClient().on('commandStarted', (e) => {
    commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
  });
}

async function dispatcherToken(app: ReturnType<typeof createApp>): Promise<string> {
  const login = await request(app)
    .post('/api/auth/login')
    .send({ username: 'dispatcher', password: DEMO_PASSWORD });
  return login.body.token as string;
}

describe('database round trips per request', () => {
  let conn: Connection;
  let models: Models;
  let seed: SeedSummary;
  let app: ReturnType<typeof createApp>;
  let token = '';
  const commands: string[] = [];

  before(async function () {
    this.timeout(60_000);
    const db = await monitoredDatabase('eil_roundtrips');
    ({ conn, models, seed } = db);
    await seedDemoChannelCredentials(models, channelSecretKeyOf(testConfig()), db.clock);
    app = createApp({
      config: testConfig(),
      conn,
      clock: db.clock,
      logger: pino({ level: 'silent' }),
      models,
    });
    recordCommands(conn, commands);
    token = await dispatcherToken(app);
  });

  after(async () => {
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close();
  });

  /** The commands the app sent while `run` ran. */
  async function counted(run: () => Promise<unknown>): Promise<string[]> {
    commands.length = 0;
    await run();
    return [...commands];
  }

  const intake = (body: object = {}) =>
    request(app)
      .post('/api/issues')
      .set('Authorization', `Bearer ${token}`)
      .send({
        enterprise: { creditCode: seed.enterprises[0].creditCode },
        channel: 'window',
        content: '企业反映厂房验收迟迟未办结，影响投产。',
        category: 'land',
        urgency: 'normal',
        ...body,
      })
      .expect(201);

  const recorded = () => inboxRecorderFor(models).flush();

  it('intake: the user, the enterprise, the inbox entry, the number, the insert, then the inbox outcome', async () => {
    await intake(); // loads the configuration snapshot
    await recorded();
    expect(
      await counted(async () => {
        await intake();
        await recorded();
      }),
    ).to.deep.equal([
      'find users',
      'find enterprises',
      'insert inbox',
      'findAndModify counters',
      'insert issues',
      'update inbox',
    ]);
  });

  it('intake with an external id: the inbox insert is the redelivery check (no extra read)', async () => {
    const sent = await counted(async () => {
      await intake({ channel: 'hotline12345', externalId: 'WO-RT-1' });
      await recorded();
    });
    expect(sent).to.have.length(6);
    expect(sent.filter((c) => c === 'find issues')).to.have.length(0);
  });

  it('intakes arriving together share their inserts, and their outcomes are written in one batch', async () => {
    await recorded();
    const before = await models.Issue.countDocuments({});
    const sent = await counted(async () => {
      await Promise.all([1, 2, 3, 4, 5, 6].map(() => intake()));
      await recorded();
    });
    expect(await models.Issue.countDocuments({})).to.equal(before + 6);
    // The first insert goes at once; the ones that arrive meanwhile go as one insertMany (coalesce.ts).
    expect(sent.filter((c) => c === 'insert issues').length).to.be.within(1, 3);
    expect(sent.filter((c) => c === 'insert inbox').length).to.be.within(1, 3);
    expect(sent.filter((c) => c === 'update inbox').length).to.be.below(6);
  });

  let order = 0;
  /** A new signed 12345 work order (a new order id and text each time), as the platform pushes it. */
  const hotlineOrder = async () => {
    order += 1;
    const raw = JSON.stringify({
      orderId: `WO-RT-HOTLINE-${order}`,
      creditCode: seed.enterprises[order % seed.enterprises.length].creditCode,
      contactPhone: '13905721234',
      content: `第${order}号工单：企业反映出口退税申报三个月仍未到账，资金周转困难，请求协调税务部门加快办理。`,
    });
    const res = await postHotlineOrder(app, raw).expect(200);
    expect(res.body.status).to.equal('created');
  };

  it('a hotline work order: the replay claim beside the enterprise, the inbox entry beside its open issues, the number, the insert, then the inbox outcome', async () => {
    await hotlineOrder(); // loads the credential snapshot
    await recorded();
    const sent = await counted(async () => {
      await hotlineOrder();
      await recorded();
    });
    // (sorted: the claim and the enterprise, and the inbox insert and the repeat candidates, run side by side)
    expect([...sent].sort()).to.deep.equal(
      [
        'update channel_replays',
        'find enterprises',
        'insert inbox',
        'find issues',
        'findAndModify counters',
        'insert issues',
        'update inbox',
      ].sort(),
    );
  });

  it('the issue detail: the user and the issue', async () => {
    const { body } = await intake();
    const sent = await counted(() =>
      request(app).get(`/api/issues/${body.id}`).set('Authorization', `Bearer ${token}`).expect(200),
    );
    expect(sent).to.deep.equal(['find users', 'find issues']);
  });

  it('the QR page: the enterprise, then its issues in one read', async () => {
    const enterprise = await models.Enterprise.findById(seed.enterprises[0]._id).lean();
    const sent = await counted(() => request(app).get(`/e/${enterprise!.qrToken}`).expect(200));
    expect(sent).to.deep.equal(['find enterprises', 'find issues']);
  });
});

// The whole create path, as it runs in production: the request, the inbox outcome, the outbox rows the
// creation calls for (the enterprise's SMS, the unit's in-app notices) and their delivery. A burst of
// creations shares each of those commands, so the commands per issue fall as the burst grows; a step that
// goes back to one command per issue (or per outbox row) fails here.
describe('database round trips of the whole create pipeline (inbox, outbox, delivery)', () => {
  let conn: Connection;
  let models: Models;
  let seed: SeedSummary;
  let app: ReturnType<typeof createApp>;
  let notify: NotifyService;
  let token = '';
  const sms: string[] = [];
  const commands: string[] = [];

  before(async function () {
    this.timeout(60_000);
    const db = await monitoredDatabase('eil_pipeline_rt');
    ({ conn, models, seed } = db);
    const clock = db.clock;
    const logger = pino({ level: 'silent' });
    const config = testConfig();
    notify = createNotifyService({
      config,
      models,
      clock,
      logger,
      sms: { send: async (to: string) => void sms.push(to) },
    });
    app = createApp({ config, conn, clock, logger, models, notify });
    recordCommands(conn, commands);
    token = await dispatcherToken(app);
  });

  after(async () => {
    await conn?.dropDatabase().catch(() => undefined);
    await conn?.close();
  });

  const intake = (i: number) =>
    request(app)
      .post('/api/issues')
      .set('Authorization', `Bearer ${token}`)
      .send({
        enterprise: { creditCode: seed.enterprises[i % seed.enterprises.length].creditCode },
        channel: 'window',
        content: `企业反映厂房验收迟迟未办结，影响投产。第${i}件`,
        category: 'land',
        urgency: 'normal',
      })
      .expect(201);

  /** Everything a burst of `n` creations sends, up to its last delivery. */
  async function pipeline(n: number, from: number): Promise<string[]> {
    commands.length = 0;
    await Promise.all(Array.from({ length: n }, (_, i) => intake(from + i)));
    await inboxRecorderFor(models).flush();
    // The outbox rows are written and delivered in the background of each creation (no worker pass).
    await notify.notifier.idle();
    return [...commands];
  }

  it('one creation: the request, its inbox outcome, its outbox rows in one insert, delivered as they were claimed', async () => {
    await pipeline(1, 0); // loads the configuration, staff directory and template snapshots
    const outboxBefore = await models.Outbox.countDocuments({});
    const sent = await pipeline(1, 1);
    const rows = (await models.Outbox.countDocuments({})) - outboxBefore;
    expect(rows, 'outbox rows of one creation').to.be.at.least(2);
    // (sorted: the inbox outcome and the outbox reads run side by side)
    expect([...sent].sort()).to.deep.equal(
      [
        'find users',
        'find enterprises',
        'insert inbox',
        'findAndModify counters',
        'insert issues',
        'update inbox',
        // the outbox: the issue and the enterprise's addresses and chosen channel come with the change
        // (intake holds both), so nothing is read; the rows are inserted already claimed by this process
        'insert outbox',
        // delivery: the in-app notices, the outcomes
        'insert notifications',
        'update outbox',
      ].sort(),
    );
    expect(await models.Outbox.countDocuments({ status: 'sent' })).to.equal(
      await models.Outbox.countDocuments({}),
    );
  });

  it('a burst of 16 creations: at most 2 commands per issue from request to delivery', async () => {
    const issuesBefore = await models.Issue.countDocuments({});
    const notices = await models.Notification.countDocuments({});
    const smsBefore = sms.length;
    const smsRows = await models.Outbox.countDocuments({ channel: 'sms' });
    const sent = await pipeline(16, 100);
    expect(await models.Issue.countDocuments({})).to.equal(issuesBefore + 16);
    const newSmsRows = (await models.Outbox.countDocuments({ channel: 'sms' })) - smsRows;
    expect(newSmsRows, 'an SMS (received, and dispatched) per creation').to.be.at.least(16);
    expect(sms.length - smsBefore, 'every SMS row sent once').to.equal(newSmsRows);
    expect(await models.Notification.countDocuments({})).to.be.above(notices);
    expect(await models.Outbox.countDocuments({ status: { $ne: 'sent' } })).to.equal(0);
    expect(sent.length, sent.join('\n')).to.be.at.most(16 * 2);
    // Delivery needs no claim: the rows were inserted claimed, so no worker pass reads the outbox.
    expect(sent.filter((c) => c === 'find outbox')).to.have.length(0);
    expect(sent.filter((c) => c === 'insert outbox').length).to.be.below(6);
    expect(sent.filter((c) => c === 'update outbox').length).to.be.below(6);
    expect(sent.filter((c) => c === 'insert notifications').length).to.be.below(6);
  });
});
