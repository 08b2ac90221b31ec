// An import job interrupted mid-way (the process died while rows were in flight) continues from its checkpoint
// when the next process starts: every row is filed once, the rows the dead run filed past its checkpoint are
// counted as what they became (not as duplicates), and the job ends `done` with exact totals.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { pino } from 'pino';
import request from 'supertest';
import type { InboundMessage } from '../../../server/channels/types.ts';
import { createImportResumer } from '../../../server/imports/import.job.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import {
  createIntakeSink,
  type BatchIntakeSink,
  type IntakeBatch,
} from '../../../server/intake/intake-sink.ts';
import { inboxRecorderFor } from '../../../server/intake/inbox-store.ts';
import { createModels, type Models } from '../../../server/models/index.ts';
import { embeddedDb, useTestApp, type TestApp } from '../helpers.ts';

const ROWS = 450; // checkpoints every 200 rows: the crash falls inside the second batch
const FILED_BEFORE_CRASH = 250;
const silent = pino({ level: 'silent' });

function sinkOf(models: Models, clock: { now(): Date }) {
  return createIntakeSink({
    models,
    clock,
    intakeConfig: createIntakeConfigCache(models),
    onIssueChange: () => undefined,
    logger: silent,
  });
}

async function until(what: string, check: () => Promise<boolean>) {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Uploads ROWS rows to the app `t`, whose sink stops answering after FILED_BEFORE_CRASH rows (as if the
 * process had died), then resumes the job in a new process and checks that every row was filed once.
 */
async function crashAndResume(t: TestApp) {
  const enterprises = t.seed!.enterprises;
  const lines = ['统一社会信用代码,内容,外部编号'];
  for (let i = 0; i < ROWS; i++)
    lines.push(
      `${enterprises[i % enterprises.length].creditCode},"第${i}号恳谈会记录：事项${i * 7919}需要协调",RES-${i}`,
    );
  const res = await request(t.app)
    .post('/api/imports')
    .set(await t.auth('clerk'))
    .field('channel', 'meeting')
    .attach('file', Buffer.from(lines.join('\r\n'), 'utf8'), '恳谈会.csv');
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  const jobId = new mongoose.Types.ObjectId(res.body.id as string);
  const credential = `import:${res.body.id as string}`;

  // The first run reaches its first checkpoint and files 50 rows past it before it "dies".
  await until('the first checkpoint', async () => {
    const job = await t.models.ImportJob.findById(jobId).lean();
    return job?.resumeRow === 201;
  });
  await until('the rows past the checkpoint', async () => {
    const n = await t.models.InboxEntry.countDocuments({ credentialId: credential, status: 'processed' });
    return n === FILED_BEFORE_CRASH;
  });
  const crashed = await t.models.ImportJob.findById(jobId).lean();
  expect(crashed).to.include({ status: 'running', done: 200 });

  // The next process: its own connection to the same database, started a few minutes later.
  const conn = await mongoose.createConnection((await embeddedDb()).uri, { dbName: t.conn.name }).asPromise();
  try {
    const models = createModels(conn, t.clock);
    const later = { now: () => new Date(t.clock.now().getTime() + 5 * 60_000) };
    const resumer = createImportResumer({
      conn,
      models,
      sink: sinkOf(models, later),
      logger: silent,
      ...later,
    });
    await resumer.runNow();
    await resumer.stop();
    await inboxRecorderFor(models).flush();
  } finally {
    await conn.close();
  }

  const job = await t.models.ImportJob.findById(jobId).lean();
  expect(job).to.include({ status: 'done', total: ROWS, done: ROWS, duplicates: 0, failed: 0 });
  expect(job!.created + job!.merged).to.equal(ROWS);
  // Which row became which issue: every row once, in file order, as what it became (never a duplicate of itself).
  expect(job!.rows!.map((r) => r.row)).to.deep.equal(Array.from({ length: ROWS }, (_, i) => i + 2));
  expect(job!.rows!.filter((r) => r.status === 'duplicate')).to.deep.equal([]);
  expect(job!.rows!.filter((r) => r.status === 'created')).to.have.length(job!.created);
  // Every row's inbox entry is processed: none was taken for a redelivery of itself and left accepted.
  expect(await t.models.InboxEntry.countDocuments({ credentialId: credential })).to.equal(ROWS);
  expect(
    await t.models.InboxEntry.countDocuments({ credentialId: credential, status: 'processed' }),
  ).to.equal(ROWS);
  const issues = await t.models.Issue.find({ channel: 'meeting' }, { externalId: 1 }).lean();
  expect(issues).to.have.length(job!.created);
  expect(new Set(issues.map((i) => i.externalId)).size).to.equal(job!.created);
}

describe('import jobs resume after a crash', () => {
  let calls = 0;
  // The first process: files FILED_BEFORE_CRASH rows, then never answers again (as if it had died).
  const t = useTestApp({
    deps: ({ models, clock }) => {
      const real = sinkOf(models, clock);
      return {
        intakeSink: (msg, credentialId) =>
          ++calls <= FILED_BEFORE_CRASH ? real(msg, credentialId) : new Promise<never>(() => undefined),
      };
    },
  });

  it('a new process continues the job from its checkpoint: each row filed once, exact totals', async function () {
    this.timeout(120_000);
    await crashAndResume(t);
  });

  it('a job whose runner is still beating is not taken over', async () => {
    const job = await t.models.ImportJob.findOne({}).lean();
    await t.models.ImportJob.updateOne(
      { _id: job!._id },
      { $set: { status: 'running', heartbeatAt: t.clock.now(), done: 1 } },
    );
    let ran = 0;
    const resumer = createImportResumer({
      conn: t.conn,
      models: t.models,
      sink: async () => ((ran += 1), { inboxId: '', status: 'created' }),
      logger: silent,
      now: () => t.clock.now(),
    });
    await resumer.runNow();
    await resumer.stop();
    expect(ran).to.equal(0);
    expect(await t.models.ImportJob.findById(job!._id).lean()).to.include({ status: 'running', done: 1 });
  });
});

describe('import jobs resume after a crash inside a batch (the batch intake)', () => {
  let calls = 0;
  // The first process takes rows a batch at a time: the first batch whole, then half of the second, and then
  // it never answers again (it died with the rest of that batch accepted or not yet).
  const t = useTestApp({
    deps: ({ models, clock }) => {
      const real = sinkOf(models, clock);
      const batch: IntakeBatch = async (msgs, credentialId, memory) => {
        calls += 1;
        if (calls === 1) return real.batch(msgs, credentialId, memory);
        if (calls === 2) await real.batch(msgs.slice(0, FILED_BEFORE_CRASH - 200), credentialId, memory);
        return new Promise<never>(() => undefined);
      };
      const intakeSink: BatchIntakeSink = Object.assign(
        (msg: InboundMessage, credentialId?: string) => real(msg, credentialId),
        { batch },
      );
      return { intakeSink };
    },
  });

  it('a new process continues the job from its checkpoint: each row filed once, exact totals', async function () {
    this.timeout(120_000);
    await crashAndResume(t);
    expect(calls).to.equal(2);
  });
});
