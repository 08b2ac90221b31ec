// The intake pipeline behind every channel: the raw inbox before processing, redelivery (sequential and
// concurrent) answered with the first issue and only to its own source, the dead-letter list with retry and
// discard, and recovery of entries a crash left accepted.
import { expect } from 'chai';
import request from 'supertest';
import type { InboundMessage } from '../../../server/channels/types.ts';
import { PHONE_MESSAGE } from '../../../shared/schemas.ts';
import { createPipelineDeps } from '../../../server/intake/intake-sink.ts';
import { newInboxEntry } from '../../../server/intake/inbox-store.ts';
import { acceptInbound, channelBy, type PipelineDeps } from '../../../server/intake/pipeline.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import { recoverInbox } from '../../../server/jobs/inbox-recovery.job.ts';
import { expectError } from '../helpers.ts';
import { enterpriseIn, handlerOf, postIssue, useIssueApp } from '../issues/fixtures.ts';

describe('intake pipeline', () => {
  const t = useIssueApp();
  let deps: PipelineDeps;
  let seq = 0;

  before(() => {
    deps = createPipelineDeps({
      models: t.models,
      clock: t.clock,
      intakeConfig: createIntakeConfigCache(t.models),
      logger: { warn: () => undefined } as never,
    });
  });

  function hotline(over: Partial<InboundMessage> = {}): InboundMessage {
    seq += 1;
    return {
      channel: 'hotline12345',
      externalId: `WO-P-${seq}`,
      content: '厂区供电不稳定，用电扩容申请一直没有批复，影响生产排期。',
      // One enterprise per message, so no message repeats another (repeats merge: see cross-channel tests).
      enterprise: { creditCode: enterpriseIn(t, 'anji', seq).creditCode },
      contact: { name: '王经理', phone: '13905721234' },
      ...over,
    };
  }

  const entryOf = (inboxId: string) => t.models.InboxEntry.findById(inboxId).lean();

  it('stores the message in the inbox, creates the issue with contact and source, and records the outcome', async () => {
    const ack = await acceptInbound(deps, hotline(), 'cred-1');
    expect(ack.status).to.equal('created');
    expect(ack.number).to.match(/^HZ-2026-\d{6}$/);
    await deps.inbox.flush();
    const entry = await entryOf(ack.inboxId);
    expect(entry).to.include({
      status: 'processed',
      channel: 'hotline12345',
      credentialId: 'cred-1',
      outcome: 'created',
    });
    expect(entry?.number).to.equal(ack.number);
    const issue = await t.models.Issue.findById(entry?.issueId).lean();
    expect(issue?.contact).to.deep.equal({ name: '王经理', phone: '13905721234' });
    expect(issue?.sources).to.deep.equal([]); // the first message is the issue itself
    expect(issue?.enterpriseId.toString()).to.equal(String(enterpriseIn(t, 'anji', seq)._id));
  });

  it('a redelivery answers the same number and creates nothing', async () => {
    const msg = hotline();
    const first = await acceptInbound(deps, msg);
    const again = await acceptInbound(deps, { ...msg, receivedAt: new Date() });
    expect(again).to.include({ status: 'duplicate', number: first.number, inboxId: first.inboxId });
    // Another text under the same order id is another message: refused, as an idempotency key reused for a
    // different request is (it was once answered as a duplicate, and the second complaint was lost unseen).
    const other = acceptInbound(deps, { ...msg, content: '同一工单号下的另一件事' });
    await other.then(
      () => expect.fail('accepted'),
      (err) => expect(err).to.include({ code: 'external_id_conflict', status: 409 }),
    );
    expect(await t.models.Issue.countDocuments({ externalId: msg.externalId })).to.equal(1);
    expect(await t.models.InboxEntry.countDocuments({ externalId: msg.externalId })).to.equal(1);
  });

  it('concurrent redeliveries: one issue, every delivery gets its number', async () => {
    const msg = hotline();
    const acks = await Promise.all([1, 2, 3, 4, 5].map(() => acceptInbound(deps, msg)));
    const numbers = new Set(acks.map((a) => a.number));
    expect(numbers.size).to.equal(1);
    expect([...numbers][0]).to.match(/^HZ-/);
    expect(acks.filter((a) => a.status === 'created')).to.have.length(1);
    expect(acks.filter((a) => a.status === 'duplicate')).to.have.length(4);
    expect(await t.models.Issue.countDocuments({ externalId: msg.externalId })).to.equal(1);
  });

  it('a redelivery inside a burst of new messages fails only itself: the new ones are created at once', async () => {
    const old = hotline();
    const first = await acceptInbound(deps, old);
    const fresh = Array.from({ length: 8 }, () => hotline());
    const started = Date.now();
    // The first insert of a burst goes alone; the redelivery lands among the rest, which share one insert.
    const burst = [...fresh.slice(0, 4), old, ...fresh.slice(4)];
    const acks = await Promise.all(burst.map((m) => acceptInbound(deps, m)));
    expect(acks[4]).to.include({ status: 'duplicate', number: first.number });
    expect(acks.filter((_, i) => i !== 4).map((a) => a.status)).to.deep.equal(fresh.map(() => 'created'));
    expect(Date.now() - started).to.be.below(4_000); // nobody waited out a redelivery
    await deps.inbox.flush();
    const entries = await t.models.InboxEntry.find(
      { externalId: { $in: fresh.map((m) => m.externalId) } },
      { status: 1 },
    ).lean();
    expect(entries.map((e) => e.status)).to.deep.equal(fresh.map(() => 'processed'));
  });

  it('staff naming another source’s external id learn nothing about that issue (409)', async () => {
    const msg = hotline();
    const ack = await acceptInbound(deps, msg);
    for (const who of ['clerk', handlerOf('anji-centre')]) {
      const res = await postIssue(t, who, {
        channel: who === 'clerk' ? 'hotline12345' : 'discovery',
        externalId: msg.externalId,
        enterprise: { creditCode: enterpriseIn(t, 'anji').creditCode },
      });
      if (who === 'clerk') {
        expectError(res, 409, 'external_id_conflict');
        expect(JSON.stringify(res.body)).to.not.include(ack.number);
      } else {
        expect(res.status).to.equal(201); // another channel: another message altogether
        expect(res.body.number).to.not.equal(ack.number);
      }
    }
    // …and the same clerk's own redelivery is still answered.
    const mine = { channel: 'zheliban', externalId: `ZLB-own-${seq}`, category: 'land', urgency: 'normal' };
    const a = await postIssue(t, 'clerk', mine);
    const b = await postIssue(t, 'dispatcher', mine);
    const c = await postIssue(t, 'clerk', mine);
    expect(a.status).to.equal(201);
    expectError(b, 409, 'external_id_conflict');
    expect(c.status).to.equal(200);
    expect(c.body).to.include({ id: a.body.id, redelivered: true });
  });

  it('a message that cannot be processed lands in the dead-letter list; retry processes it; discard needs a reason', async () => {
    const broken: PipelineDeps = {
      ...deps,
      classify: () => {
        throw new Error('classifier unavailable');
      },
    };
    const msg = hotline();
    const ack = await acceptInbound(broken, msg);
    expect(ack.status).to.equal('failed');
    expect(ack.reason).to.include('classifier unavailable');
    expect(await t.models.Issue.countDocuments({ externalId: msg.externalId })).to.equal(0);

    const list = await request(t.app)
      .get('/api/inbox?status=failed')
      .set(await t.auth('dispatcher'))
      .expect(200);
    const item = list.body.items.find((i: { id: string }) => i.id === ack.inboxId);
    // Tried once and failed: the desk's 已处理次数 says 1, not 0.
    expect(item).to.include({
      status: 'failed',
      channel: 'hotline12345',
      externalId: msg.externalId,
      attempts: 1,
    });
    expect(item.reason).to.include('classifier unavailable');

    expectError(
      await request(t.app)
        .get('/api/inbox')
        .set(await t.auth(handlerOf('anji-centre'))),
      403,
      'forbidden',
    );
    expectError(await request(t.app).get('/api/inbox'), 401, 'unauthorized');

    const retried = await request(t.app)
      .post(`/api/inbox/${ack.inboxId}/retry`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(retried.body.ack.status).to.equal('created');
    expect(retried.body.entry).to.include({ status: 'processed', attempts: 2 });
    expect(await t.models.Issue.countDocuments({ externalId: msg.externalId })).to.equal(1);
    expectError(
      await request(t.app)
        .post(`/api/inbox/${ack.inboxId}/retry`)
        .set(await t.auth('clerk')),
      409,
      'not_failed',
    );
    // Now an issue's message, with who wrote in: the centre reads it; the admin, who reads no issue, does not.
    const byClerk = await request(t.app)
      .get(`/api/inbox/${ack.inboxId}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(byClerk.body.message.contact).to.deep.equal(msg.contact);
    const admin = await t.auth('admin');
    expectError(await request(t.app).get(`/api/inbox/${ack.inboxId}`).set(admin), 404, 'not_found');
    expectError(await request(t.app).get(`/api/inbox/${ack.inboxId}/draft`).set(admin), 404, 'not_found');
    expectError(await request(t.app).get('/api/inbox?status=processed').set(admin), 403, 'forbidden');
    await request(t.app).get('/api/inbox?status=failed').set(admin).expect(200);

    const other = await acceptInbound(broken, hotline());
    expectError(
      await request(t.app)
        .post(`/api/inbox/${other.inboxId}/discard`)
        .set(await t.auth('admin'))
        .send({}),
      400,
      'validation_failed',
    );
    const discarded = await request(t.app)
      .post(`/api/inbox/${other.inboxId}/discard`)
      .set(await t.auth('admin'))
      .send({ reason: '测试数据，作废' })
      .expect(200);
    expect(discarded.body).to.include({ status: 'discarded', discardReason: '测试数据，作废' });
  });

  it('a message without words (an adapter let it through) is a coded dead letter, not an internal error', async () => {
    const ack = await acceptInbound(deps, hotline({ content: '  \n ' }), 'cred-1');
    expect(ack.status).to.equal('failed');
    expect(ack.reason).to.match(/^missing_field: 缺少必填字段 content/);
    await deps.inbox.flush();
    expect(await entryOf(ack.inboxId)).to.include({ status: 'failed' });
  });

  it('the dead-letter list refuses a bad page size in Chinese, as the issue list does', async () => {
    const auth = await t.auth('dispatcher');
    for (const [limit, message] of [
      ['abc', '条数必须是数字'],
      ['1.5', '条数必须是整数'],
      ['0', '条数至少为1'],
      ['-1', '条数至少为1'],
      ['101', '条数不能超过100'],
    ]) {
      const res = await request(t.app).get(`/api/inbox?status=failed&limit=${limit}`).set(auth);
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.message, limit).to.equal(message);
    }
    const cursor = await request(t.app).get('/api/inbox?before=a&before=b').set(auth);
    expectError(cursor, 400, 'validation_failed');
    expect(cursor.body.error.message).to.equal('分页游标无效');
    await request(t.app).get('/api/inbox?status=failed&limit=2').set(auth).expect(200);
  });

  it('recovery processes an entry a crash left accepted, once', async () => {
    const msg = hotline();
    const crashed = newInboxEntry({
      msg,
      channel: msg.channel,
      externalId: msg.externalId,
      source: 'channel:hotline12345',
      origin: channelBy('hotline12345').origin,
      credentialId: null,
      now: t.clock.now(),
    });
    await t.models.InboxEntry.collection.insertOne(crashed);
    expect((await recoverInbox(deps)).examined).to.equal(0); // too young: may still be in flight
    t.clock.advance(60_000);
    const report = await recoverInbox(deps);
    expect(report.processed).to.be.greaterThanOrEqual(1);
    const entry = await entryOf(String(crashed._id));
    expect(entry?.status).to.equal('processed');
    const issue = await t.models.Issue.findById(crashed.issueId).lean();
    expect(issue?.number).to.equal(entry?.number);
    expect(issue?.externalId).to.equal(msg.externalId);
  });

  it('two processes recovering the same entry at once create one issue', async () => {
    const msg = hotline();
    const crashed = newInboxEntry({
      msg,
      channel: msg.channel,
      externalId: msg.externalId,
      source: 'channel:hotline12345',
      origin: channelBy('hotline12345').origin,
      credentialId: null,
      now: t.clock.now(),
    });
    await t.models.InboxEntry.collection.insertOne(crashed);
    t.clock.advance(60_000);
    await Promise.all([recoverInbox(deps), recoverInbox(deps)]);
    expect(await t.models.Issue.countDocuments({ externalId: msg.externalId })).to.equal(1);
    expect((await entryOf(String(crashed._id)))?.status).to.equal('processed');
  });

  it('recovery after a crash between the issue insert and the inbox record creates no second issue', async () => {
    const lost: PipelineDeps = {
      ...deps,
      inbox: { processed: () => undefined, flush: async () => undefined },
    };
    const msg = hotline();
    const ack = await acceptInbound(lost, msg);
    expect((await entryOf(ack.inboxId))?.status).to.equal('accepted');
    t.clock.advance(60_000);
    await recoverInbox(deps);
    const entry = await entryOf(ack.inboxId);
    expect(entry).to.include({ status: 'processed', number: ack.number });
    expect(await t.models.Issue.countDocuments({ externalId: msg.externalId })).to.equal(1);
  });
});

describe('contact and sources on the issue', () => {
  const t = useIssueApp();

  it('staff entry keeps the contact; staff who read the issue see it, the QR page never shows it', async () => {
    const e = enterpriseIn(t, 'wuxing', 1);
    const contact = { name: '孙八', phone: '13588889999', email: 'sun@example.com' };
    const res = await postIssue(t, 'clerk', {
      enterprise: { creditCode: e.creditCode },
      category: 'tax',
      urgency: 'normal',
      contact,
    } as never);
    expect(res.status).to.equal(201);
    const detail = await request(t.app)
      .get(`/api/issues/${res.body.id}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(detail.body.contact).to.deep.equal(contact);
    expect(detail.body.sources).to.have.length(1);
    expect(detail.body.sources[0]).to.deep.include({ channel: 'window', contact });
    const page = await request(t.app)
      .get(`/e/${(await t.models.Enterprise.findById(e._id).lean())?.qrToken}`)
      .expect(200);
    expect(page.text).to.not.include('13588889999');
    expect(page.text).to.not.include('孙八');
    expect(page.text).to.not.include('sun@example.com');
  });

  it('a malformed contact is refused with the field named', async () => {
    const res = await postIssue(t, 'clerk', { contact: { email: 'not-an-address' } } as never);
    expectError(res, 400, 'validation_failed');
    // Named for the program by `field`, for the person by the schema's Chinese message alone.
    expect(res.body.error).to.deep.equal({
      code: 'validation_failed',
      message: '电子邮箱格式无效',
      field: 'contact.email',
    });
  });

  it('staff entry takes a mobile or a landline with its area code, and refuses any other number (invalid_phone)', async () => {
    for (const phone of ['12345', '1381234567', '2345678', '电话', '+1 415 555 0100']) {
      const res = await postIssue(t, 'clerk', { contact: { name: '孙八', phone } } as never);
      expect(res.body.error, phone).to.deep.equal({
        code: 'invalid_phone',
        message: PHONE_MESSAGE,
        field: 'contact.phone',
      });
      expect(res.status).to.equal(400);
    }
    for (const phone of [
      '13812345678',
      '138 1234 5678',
      '+86 138-1234-5678',
      '0572-1234567',
      '0572 1234567',
      '05721234567',
      '0572-1234567转801',
    ]) {
      const res = await postIssue(t, 'clerk', { contact: { name: '孙八', phone } } as never);
      expect(res.status, `${phone}: ${JSON.stringify(res.body)}`).to.equal(201);
    }
  });
});
