// The hot request paths make only the database round trips their answer needs: staff authentication is one
// read per request, intake reads the enterprise, stores the raw inbox entry, takes a number and inserts
// (configuration comes from memory) and records the inbox outcome after answering, batched with others,
// the detail reads the issue, and the QR page reads the enterprise and then its issues once. Counted with the
// driver's command monitoring on a connection of its own.
import { expect } from 'chai';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import request from 'supertest';
import { createSimulatedClock } from '../../shared/clock.ts';
import { createApp } from '../../server/app.ts';
import { inboxRecorderFor } from '../../server/intake/inbox-store.ts';
import { createModels, ensureIndexes, type Models } from '../../server/models/index.ts';
import { seedDemo, type SeedSummary } from '../../server/seed/index.ts';
import { DEMO_PASSWORD, embeddedDb, TEST_HASH, TEST_START, testConfig } from './helpers.ts';

describe('database round trips per request', () => {
  let conn: Connection;
  let models: Models;
  let seed: SeedSummary;
  let app: ReturnType<typeof createApp>;
  let token = '';
  const commands: string[] = [];

  before(async function () {
    this.timeout(60_000);
    const server = await embeddedDb();
    const dbName = `eil_roundtrips_${process.pid}_${Date.now().toString(36)}`;
    conn = await mongoose.createConnection(server.uri, { dbName, monitorCommands: true }).asPromise();
    const clock = createSimulatedClock(TEST_START);
    models = createModels(conn, clock);
    await ensureIndexes(models);
    seed = await seedDemo(models, clock, { hashParams: TEST_HASH, issues: false });
    app = createApp({ config: testConfig(), conn, clock, logger: pino({ level: 'silent' }), models });
    conn.getClient().on('commandStarted', (e) => {
      commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
    });
    const login = await request(app)
      .post('/api/auth/login')
      .send({ username: 'dispatcher', password: DEMO_PASSWORD });
    token = login.body.token as string;
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
