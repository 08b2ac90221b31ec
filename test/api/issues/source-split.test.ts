// 拆分为新工单 (issues 6 and 7): a work order intake merged into an open issue of the same enterprise as a
// source, split out by the centre into its own issue: classified, routed and timed as intake would have, both
// timelines say so, the master no longer holds it, and the work order's redelivery answers the new number.
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Types } from 'mongoose';
import { channelSecretKeyOf } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import { signBody } from '../../../server/channels/signature.ts';
import { pino } from 'pino';
import { createAttachmentStore } from '../../../server/attachments/attachment.store.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import { createIntakeSink } from '../../../server/intake/intake-sink.ts';
import { PDF, PNG } from '../channels/files.fixtures.ts';
import { appWithCorpusModel } from '../corpus-app.ts';
import { expectError } from '../helpers.ts';
import { enterpriseIn, getIssue, handlerOf, must, unitHeadOf, useIssueApp } from './fixtures.ts';

const WATER =
  '关于请求尽快恢复我司厂区供水的函：我司位于八里店镇的厂区自本周一起自来水水压严重不足，印染车间无法正常用水，已多次联系水务公司未果，恳请协调尽快处理。';
const BILL = '厂区的电费单这个月比上个月贵了一倍，想问问是怎么算的。';

describe('issues: 拆分为新工单 (a merged source split into its own issue)', function () {
  this.timeout(120_000);
  const t = useIssueApp();
  let app: Express;
  /** The intake channel edges hand their messages to (an email's files go with it). */
  let sink: ReturnType<typeof createIntakeSink>;
  let seq = 0;
  let nth = 0;

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
    const trained = await appWithCorpusModel(t);
    app = trained.app;
    const ctx = { models: t.models, clock: t.clock, logger: pino({ level: 'silent' }) };
    sink = createIntakeSink(
      { ...ctx, intakeConfig: createIntakeConfigCache(t.models), classifier: trained.service },
      createAttachmentStore(t.conn, t.models, t.clock),
    );
  });

  /** A work order; `resent` signs it that many minutes earlier, as a redelivery is signed anew (not a replay). */
  const hotline = async (creditCode: string, orderId: string, resent = 0, content = WATER) => {
    const raw = JSON.stringify({ orderId, creditCode, content });
    const ts = Math.floor(Date.now() / 1000) - resent * 60;
    const res = await request(app)
      .post('/api/intake/hotline12345')
      .set('Content-Type', 'application/json')
      .set('X-Timestamp', String(ts))
      .set('X-Signature', signBody('demo-hotline12345-secret', ts, raw))
      .send(raw);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { number: string; status: string };
  };

  /** A fresh enterprise's work order and a second one intake merged into it. */
  const mergedPair = async () => {
    const enterprise = enterpriseIn(t, 'wuxing', nth++);
    seq += 2;
    const first = await hotline(enterprise.creditCode, `WO-SPLIT-${seq - 1}`);
    const orderId = `WO-SPLIT-${seq}`;
    expect(await hotline(enterprise.creditCode, orderId)).to.deep.include({
      status: 'merged',
      number: first.number,
    });
    const master = (await t.models.Issue.findOne({ number: first.number }).lean())!;
    const inboxId = String(master.sources![0].inboxId);
    return { enterprise, master, orderId, inboxId, creditCode: enterprise.creditCode };
  };
  const split = async (
    as: string,
    masterId: unknown,
    inboxId: string,
    body: object = { reason: '不同的问题' },
  ) =>
    request(app)
      .post(`/api/issues/${String(masterId)}/sources/${inboxId}/split`)
      .set(await t.auth(as))
      .send(body);

  it('creates the routed issue with its deadlines, notes both timelines and answers a redelivery with it', async () => {
    const { enterprise, master, orderId, inboxId, creditCode } = await mergedPair();
    const res = await split('dispatcher', master._id, inboxId, { reason: '同一企业的另一处故障' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const number = res.body.issue.number as string;
    expect(number).to.match(/^HZ-/).and.not.equal(master.number);
    // The master no longer counts it: only its own message is left.
    expect(res.body.master.sources).to.have.length(1);
    const masterNote = res.body.master.timeline.at(-1);
    expect(masterNote.note).to.include('拆分').and.include(number);

    const created = (await getIssue(t, 'dispatcher', res.body.issue.id)).body;
    expect(created).to.deep.include({ channel: 'hotline12345', externalId: orderId, content: WATER });
    expect(created.enterprise.id).to.equal(String(enterprise._id));
    // Classified and routed as intake routed the same words.
    expect(created.category).to.equal(master.category);
    expect(created.state).to.equal('dispatched').and.equal(master.state);
    expect(created.unitId ?? null).to.equal(master.unitId ? String(master.unitId) : null);
    expect(created.deadlines.resolveBy).to.be.a('string');
    expect(created.timeline.map((e: { note?: string }) => e.note ?? '').join('\n')).to.include(
      `由 ${master.number} 拆分为新工单：同一企业的另一处故障`,
    );

    // The work order sent again is the new issue's, and makes no third one.
    expect(await hotline(creditCode, orderId, 1)).to.deep.include({ status: 'duplicate', number });
    const issues = await t.models.Issue.find({ enterpriseId: enterprise._id }, { number: 1 }).lean();
    expect(issues.map((i) => i.number).sort()).to.deep.equal([master.number, number].sort());
  });

  it('is refused the second time, for the original message, an unknown source and without a reason', async () => {
    const { master, inboxId } = await mergedPair();
    expectError(await split('dispatcher', master._id, String(master.inboxId)), 409, 'source_is_original');
    expectError(await split('dispatcher', master._id, 'not-an-id'), 404, 'source_not_found');
    expectError(await split('dispatcher', master._id, '0123456789abcdef01234567'), 404, 'source_not_found');
    expectError(await split('dispatcher', '0123456789abcdef01234567', inboxId), 404, 'not_found');
    expectError(await split('dispatcher', master._id, inboxId, {}), 400, 'validation_failed');
    expectError(await split('dispatcher', master._id, inboxId, { reason: '  ' }), 400, 'validation_failed');
    expect((await split('dispatcher', master._id, inboxId)).status).to.equal(201);
    expectError(await split('dispatcher', master._id, inboxId), 409, 'source_already_split');

    // A master merged by hand into another issue took its sources along: they are split there.
    const merged = await mergedPair();
    const into = (await mergedPair()).master;
    await must(t, 'dispatcher', String(merged.master._id), 'merge', { intoId: String(into._id) });
    expectError(await split('dispatcher', merged.master._id, merged.inboxId), 409, 'issue_merged');
  });

  it('leaves the source with the master when the new issue is refused, and may be asked again', async () => {
    const { master, orderId, inboxId, creditCode } = await mergedPair();
    // Another issue already holds the work order's number (one registered by hand before the inbox kept it).
    const holder = (await mergedPair()).master;
    await t.models.Issue.collection.updateOne({ _id: holder._id }, { $set: { externalId: orderId } });
    expectError(await split('dispatcher', master._id, inboxId), 409, 'external_id_conflict');
    expect((await t.models.Issue.findById(master._id).lean())!.sources).to.have.length(1);
    expect(await hotline(creditCode, orderId, 1)).to.deep.include({
      status: 'duplicate',
      number: master.number,
    });
    await t.models.Issue.collection.updateOne(
      { _id: holder._id },
      { $set: { externalId: 'WO-SPLIT-elsewhere' } },
    );
    expect((await split('dispatcher', master._id, inboxId)).status).to.equal(201);
  });

  it('finishes a split cut short by asking again, creating nothing twice', async () => {
    // The process died after the new issue was inserted, before the master lost the source.
    const { enterprise, master, inboxId } = await mergedPair();
    const done = await split('dispatcher', master._id, inboxId);
    const number = done.body.issue.number as string;
    await t.models.Issue.collection.updateOne({ _id: master._id }, { $set: { sources: master.sources } });
    await t.models.Issue.collection.updateOne({ _id: master._id }, { $pop: { timeline: 1 } });
    const again = await split('clerk', master._id, inboxId);
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body.issue.number).to.equal(number);
    expect(again.body.master.sources).to.have.length(1);
    expect(await t.models.Issue.countDocuments({ enterpriseId: enterprise._id })).to.equal(2);

    // The process died after claiming the inbox entry, before the new issue was inserted.
    const second = await mergedPair();
    await t.models.InboxEntry.collection.updateOne(
      { _id: second.master.sources![0].inboxId },
      { $set: { issueId: new Types.ObjectId(), outcome: 'created' } },
    );
    const res = await split('dispatcher', second.master._id, second.inboxId);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(await t.models.Issue.countDocuments({ enterpriseId: second.enterprise._id })).to.equal(2);
  });

  it('splits the messages a merge by hand took over: the merged issue’s own and the repeat it held', async () => {
    const { master, creditCode } = await mergedPair();
    // Another problem of the enterprise, sent twice (the copy merged into it), then merged by hand.
    const other = await hotline(creditCode, 'WO-SPLIT-BILL-1', 0, BILL);
    expect(other.status).to.equal('created');
    expect(await hotline(creditCode, 'WO-SPLIT-BILL-2', 0, BILL)).to.deep.include({ status: 'merged' });
    const merged = (await t.models.Issue.findOne({ number: other.number }).lean())!;
    await must(t, 'dispatcher', String(merged._id), 'merge', { intoId: String(master._id) });
    const held = (await t.models.Issue.findById(master._id).lean())!.sources!;
    expect(held.map((s) => s.externalId)).to.deep.equal([
      master.sources![0].externalId,
      'WO-SPLIT-BILL-1',
      'WO-SPLIT-BILL-2',
    ]);
    // Recorded as intake records a repeat: a redelivery answers the master's number.
    expect(await hotline(creditCode, 'WO-SPLIT-BILL-1', 1, BILL)).to.deep.include({
      status: 'duplicate',
      number: master.number,
    });

    const own = await split('dispatcher', master._id, String(held[1].inboxId), { reason: '另一件事' });
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
    const created = (await getIssue(t, 'dispatcher', own.body.issue.id)).body;
    expect(created).to.deep.include({ externalId: 'WO-SPLIT-BILL-1', content: BILL });
    expect(await hotline(creditCode, 'WO-SPLIT-BILL-1', 2, BILL)).to.deep.include({
      status: 'duplicate',
      number: own.body.issue.number,
    });
    // The merged issue keeps its number and history; the work order is the new issue's.
    const after = (await t.models.Issue.findById(merged._id).lean())!;
    expect(after).to.deep.include({ state: 'merged', number: other.number });
    expect(after.externalId).to.equal(undefined);

    const repeat = await split('dispatcher', master._id, String(held[2].inboxId));
    expect(repeat.status, JSON.stringify(repeat.body)).to.equal(201);
    expect(repeat.body.master.sources.map((s: { externalId: string }) => s.externalId)).to.deep.equal([
      master.externalId,
      master.sources![0].externalId,
    ]);
  });

  it('splits a message merged by hand before merges recorded it (its entry still names the merged issue)', async () => {
    const { master } = await mergedPair();
    const other = (await mergedPair()).master;
    await must(t, 'dispatcher', String(other._id), 'merge', { intoId: String(master._id) });
    await t.models.InboxEntry.collection.updateOne(
      { _id: other.inboxId! },
      { $set: { issueId: other._id, number: other.number, outcome: 'created' } },
    );
    const res = await split('dispatcher', master._id, String(other.inboxId));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.issue.number).to.not.equal(other.number);
  });

  it('takes the files that came with the message to the new issue, and says so on both timelines', async () => {
    const { master, creditCode } = await mergedPair();
    // The same complaint by email with two files: merged into the master, its files with it.
    const ack = await sink({
      channel: 'email',
      externalId: `<split-files-${seq}@example-factory.cn>`,
      content: WATER,
      enterprise: { creditCode },
      contact: { email: 'zhang@example-factory.cn' },
      attachments: [
        { filename: '水压表.png', contentType: 'image/png', data: PNG },
        { filename: '报修单.pdf', contentType: 'application/pdf', data: PDF },
      ],
    });
    expect(ack).to.deep.include({ status: 'merged', number: master.number });
    // A file of the unit's own stays with the master.
    const upload = await request(app)
      .post(`/api/issues/${String(master._id)}/attachments`)
      .set(await t.auth('dispatcher'))
      .attach('file', PNG, '现场照片.png');
    expect(upload.status, JSON.stringify(upload.body)).to.equal(201);
    const files = async (id: unknown) =>
      (
        await request(app)
          .get(`/api/issues/${String(id)}/attachments`)
          .set(await t.auth('dispatcher'))
      ).body.items.map((a: { filename: string }) => a.filename) as string[];
    expect(await files(master._id)).to.have.members(['水压表.png', '报修单.pdf', '现场照片.png']);
    const held = (await t.models.Issue.findById(master._id).lean())!.sources;

    const res = await split('dispatcher', master._id, ack.inboxId, { reason: '另一处故障' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(await files(res.body.issue.id)).to.deep.equal(['水压表.png', '报修单.pdf']);
    expect(await files(master._id)).to.deep.equal(['现场照片.png']);
    expect(res.body.master.timeline.at(-1).note).to.include('附件 2 个一并移至新工单');
    const created = (await getIssue(t, 'dispatcher', res.body.issue.id)).body;
    expect(created.timeline.at(-1).note).to.equal(
      `随来源自 ${master.number} 移来附件：水压表.png、报修单.pdf`,
    );
    // The slots went with them: the master has room for five of the enterprise's again, the new issue for three.
    const counts = async (id: unknown) =>
      (await t.models.Issue.collection.findOne(
        { _id: new Types.ObjectId(String(id)) },
        { projection: { attachmentCount: 1, staffAttachmentCount: 1 } },
      ))!;
    expect(await counts(master._id)).to.deep.include({ attachmentCount: 0, staffAttachmentCount: 1 });
    expect(await counts(res.body.issue.id)).to.deep.include({ attachmentCount: 2 });

    // The process died after the files moved, before the master lost the source: asked again, the master
    // gives the slots back once, and the new issue neither counts nor names them twice.
    await t.models.Issue.collection.updateOne(
      { _id: master._id },
      { $set: { sources: held }, $pop: { timeline: 1 }, $inc: { attachmentCount: 2 } },
    );
    const again = await split('clerk', master._id, ack.inboxId, { reason: '另一处故障' });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body.issue.number).to.equal(res.body.issue.number);
    expect(await files(res.body.issue.id)).to.deep.equal(['水压表.png', '报修单.pdf']);
    expect(await counts(master._id)).to.deep.include({ attachmentCount: 0, staffAttachmentCount: 1 });
    expect(await counts(res.body.issue.id)).to.deep.include({ attachmentCount: 2 });
    const notes = (await getIssue(t, 'dispatcher', res.body.issue.id)).body.timeline.filter(
      (e: { note?: string }) => e.note?.includes('移来附件'),
    );
    expect(notes).to.have.length(1);
  });

  it('is for the centre: clerk and director may, other roles are refused', async () => {
    for (const as of ['clerk', 'director']) {
      const { master, inboxId } = await mergedPair();
      expect((await split(as, master._id, inboxId)).status, as).to.equal(201);
    }
    const { master, inboxId } = await mergedPair();
    for (const as of ['leader', 'supervisor', handlerOf('city-drc'), unitHeadOf('city-drc')]) {
      const res = await split(as, master._id, inboxId);
      expect(res.status, as).to.be.oneOf([403, 404]);
      expect(res.status, as).to.not.equal(500);
    }
    expect((await split('leader', master._id, inboxId)).status).to.equal(403);
    const after = (await t.models.Issue.findById(master._id).lean())!;
    expect(after.sources).to.have.length(1);
  });
});
