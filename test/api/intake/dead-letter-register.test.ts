// 人工登记 on 接入失败: a clerk whose dead letter is a real complaint (a 12345 order refused for one bad field, a
// WeChat text that could not be read) could only retry it, which failed the same way, or discard it. Now the
// draft prefills the staff form from what arrived, and POST /api/inbox/:id/register files the corrected issue
// through intake's own end (routing, deadlines, number) on the dead letter's channel, once: a second
// registration, a concurrent retry or a second clerk cannot make another issue, and the entry says which issue
// it became, who registered it and when, with its raw body kept.
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import type { InboundMessage } from '../../../server/channels/types.ts';
import { channelSecretKeyOf } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import { signBody } from '../../../server/channels/signature.ts';
import { inboxRegisterCommand } from '../../../server/commands/inbox-register.command.ts';
import { claimForRegistration, rawPayloadOf, storeDeadLetter } from '../../../server/intake/inbox-store.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import { createPipelineDeps } from '../../../server/intake/intake-sink.ts';
import { acceptInbound, channelBy, type PipelineDeps } from '../../../server/intake/pipeline.ts';
import { registerBody } from '../../../server/routes/inbox/inbox.schema.ts';
import { demoNameOf, expectError } from '../helpers.ts';
import { enterpriseIn, handlerOf, postIssue, useIssueApp } from '../issues/fixtures.ts';

const nowS = () => Math.floor(Date.now() / 1000);

describe('人工登记: registering a dead letter by hand (POST /api/inbox/:id/register)', () => {
  const t = useIssueApp();
  let seq = 0;
  let deps: PipelineDeps;
  /** The pipeline with a classifier that is down: messages fail after they were parsed (retry can file them). */
  let broken: PipelineDeps;

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
    deps = createPipelineDeps({
      models: t.models,
      clock: t.clock,
      intakeConfig: createIntakeConfigCache(t.models),
      logger: { warn: () => undefined } as never,
    });
    broken = {
      ...deps,
      classify: () => {
        throw new Error('classifier unavailable');
      },
    };
  });

  const order = (over: object = {}) => {
    seq += 1;
    return {
      orderId: `WO-R-${seq}`,
      creditCode: enterpriseIn(t, 'changxing', seq).creditCode,
      contactName: '钱经理',
      contactPhone: '13700002222',
      title: '出口退税迟迟未到账',
      content: `第${seq}号工单：企业反映出口退税申报三个月仍未到账，资金周转困难，请求协调税务部门加快办理。`,
      ...over,
    };
  };

  /** A signed 12345 push the adapter refuses: its dead letter (raw body, reason, the order's number). */
  async function refusedOrder(body: Record<string, unknown>) {
    const raw = JSON.stringify(body);
    const ts = nowS();
    await request(t.app)
      .post('/api/intake/hotline12345')
      .set('Content-Type', 'application/json')
      .set('X-Timestamp', String(ts))
      .set('X-Signature', signBody('demo-hotline12345-secret', ts, raw))
      .send(raw)
      .expect(400);
    const entry = await t.models.InboxEntry.findOne({ 'raw.text': raw }).lean();
    expect(entry, 'the refused order waits in the dead-letter list').to.include({ status: 'failed' });
    return String(entry!._id);
  }

  /** A parsed hotline message the (broken) pipeline could not file: a retry through the app would. */
  async function failedMessage(over: Partial<InboundMessage> = {}) {
    seq += 1;
    const ack = await acceptInbound(broken, {
      channel: 'hotline12345',
      externalId: `WO-RF-${seq}`,
      content: `第${seq}号：园区道路限行，货车无法进出厂区，原材料运不进来，请求协调交警部门调整限行时段。`,
      enterprise: { creditCode: enterpriseIn(t, 'nanxun', seq).creditCode },
      contact: { name: '孙主任', phone: '13800003333' },
      ...over,
    });
    expect(ack.status).to.equal('failed');
    return ack.inboxId;
  }

  const register = async (id: string, body: object, as = 'clerk') =>
    request(t.app)
      .post(`/api/inbox/${id}/register`)
      .set(await t.auth(as))
      .send(body);

  /** The staff form as the clerk saves it: the draft, corrected. */
  async function formOf(id: string, over: object = {}) {
    const res = await request(t.app)
      .get(`/api/inbox/${id}/draft`)
      .set(await t.auth('clerk'))
      .expect(200);
    const { draft, enterprise } = res.body;
    return {
      enterprise: enterprise ? { id: enterprise.id } : { creditCode: draft.enterprise.creditCode },
      channel: draft.channel,
      ...(draft.title ? { title: draft.title } : {}),
      content: draft.content,
      contact: { name: draft.contact.name, phone: draft.contact.phone },
      ...over,
    };
  }

  /** Every issue the entry became: the one it opened, or the one it joined as a source. */
  const issuesOf = (id: string) => {
    const inboxId = new Types.ObjectId(id);
    return t.models.Issue.find({ $or: [{ inboxId }, { 'sources.inboxId': inboxId }] }).lean();
  };

  it('prefills the form from the refused order, files it routed with deadlines, and the entry names the issue', async () => {
    const bad = order({ contactEmail: 'qian(at)example.cn' });
    const id = await refusedOrder(bad);

    const draft = await request(t.app)
      .get(`/api/inbox/${id}/draft`)
      .set(await t.auth('clerk'))
      .expect(200);
    const e = enterpriseIn(t, 'changxing', seq);
    expect(draft.body.draft).to.deep.include({
      channel: 'hotline12345',
      externalId: bad.orderId,
      title: bad.title,
      content: bad.content,
      contact: { name: '钱经理', phone: '13700002222', email: 'qian(at)example.cn' },
      enterprise: { creditCode: e.creditCode },
    });
    expect(draft.body.enterprise).to.include({ id: String(e._id), name: e.name });

    const res = await register(id, await formOf(id, { contact: { name: '钱经理', phone: '13700002222' } }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.issue.number).to.match(/^HZ-2026-\d{6}$/);
    // Routed as a channel message is: the tax text goes to a unit with its deadlines.
    expect(res.body.issue).to.include({ state: 'dispatched', category: 'tax', redelivered: false });
    expect(res.body.issue.deadlines.resolveBy).to.be.a('string');
    expect(res.body.entry).to.include({
      id,
      status: 'processed',
      number: res.body.issue.number,
      issueId: res.body.issue.id,
      outcome: 'registered_by_hand',
      registeredAt: t.clock.now().toISOString(),
    });
    expect(res.body.entry.registeredBy).to.deep.equal({ name: demoNameOf('clerk'), role: 'clerk' });
    // Kept for audit: what arrived and why it was refused.
    expect(res.body.entry.raw.text).to.equal(JSON.stringify(bad));
    expect(res.body.entry.reason).to.match(/^invalid_field: /);

    const failed = await request(t.app)
      .get('/api/inbox?status=failed')
      .set(await t.auth('clerk'))
      .expect(200);
    expect(failed.body.items.map((i: { id: string }) => i.id)).not.to.include(id);

    const issue = await request(t.app)
      .get(`/api/issues/${res.body.issue.id}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(issue.body).to.include({ channel: 'hotline12345', externalId: bad.orderId, title: bad.title });
    expect(issue.body.sources[0]).to.include({ inboxId: id, externalId: bad.orderId });
    const stored = await t.models.Issue.findById(res.body.issue.id).lean();
    expect(stored?.contact).to.deep.equal({ name: '钱经理', phone: '13700002222' });
    expect(String(stored?.enterpriseId)).to.equal(String(e._id));
    const note = issue.body.timeline.find((ev: { note?: string }) =>
      ev.note?.startsWith('由接入失败消息人工登记'),
    );
    expect(note, JSON.stringify(issue.body.timeline)).to.include({ action: 'note', public: false });
    expect(note.note).to.contain('12345热线').and.contain(bad.orderId);
    expect(issue.body.timeline[0]).to.include({ action: 'create', actorName: demoNameOf('clerk') });

    // The platform's corrected redelivery is answered with the same number, not filed again.
    const fixed = JSON.stringify({ ...bad, contactEmail: 'qian@example.cn' });
    const ts = nowS();
    const again = await request(t.app)
      .post('/api/intake/hotline12345')
      .set('Content-Type', 'application/json')
      .set('X-Timestamp', String(ts))
      .set('X-Signature', signBody('demo-hotline12345-secret', ts, fixed))
      .send(fixed)
      .expect(200);
    expect(again.body).to.include({ status: 'duplicate', number: res.body.issue.number });
    expect(await issuesOf(id)).to.have.length(1);
  });

  it('registering the same dead letter twice, one after the other or at once, files one issue (409 already_processed)', async () => {
    const id = await refusedOrder(order({ contactPhone: '139\n0' }));
    const form = await formOf(id, { contact: { name: '钱经理' } });
    const first = await register(id, form);
    expect(first.status).to.equal(201);
    const second = await register(id, form, 'dispatcher');
    expectError(second, 409, 'already_processed');
    expect(second.body.error.message).to.contain(first.body.issue.number);

    const other = await refusedOrder(order({ contactPhone: '139\n1' }));
    const otherForm = await formOf(other, { contact: {} });
    const both = await Promise.all([register(other, otherForm), register(other, otherForm, 'dispatcher')]);
    expect(both.map((r) => r.status).sort()).to.deep.equal([201, 409]);
    const loser = both.find((r) => r.status === 409)!;
    expect(['already_processed', 'registration_in_progress']).to.include(loser.body.error.code);
    expect(await issuesOf(other)).to.have.length(1);
  });

  it('a retry and a registration at the same moment: only one of them turns the dead letter into an issue', async () => {
    // Each message, retried, would join an open issue that says the same (a repeat); registered, it opens its
    // own. Both at once must not do both.
    const letters: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const id = await failedMessage();
      const entry = await t.models.InboxEntry.findById(id).lean();
      const created = await postIssue(t, 'dispatcher', {
        enterprise: { creditCode: entry!.message!.enterprise.creditCode! },
        channel: 'window',
        content: entry!.message!.content,
      });
      expect(created.status).to.equal(201);
      letters.push(id);
    }
    const forms = await Promise.all(letters.map((id) => formOf(id)));
    const retryAuth = await t.auth('dispatcher');
    // The retry starts a little later each time, so it meets the registration at each of its steps.
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const answers = await Promise.all(
      letters.map((id, i) =>
        Promise.all([
          register(id, forms[i]),
          later(i * 4).then(() => request(t.app).post(`/api/inbox/${id}/retry`).set(retryAuth)),
        ]),
      ),
    );
    await deps.inbox.flush();
    for (const [i, id] of letters.entries()) {
      const [reg, retry] = answers[i];
      expect([200, 201, 409], JSON.stringify(reg.body)).to.include(reg.status);
      expect([200, 409], JSON.stringify(retry.body)).to.include(retry.status);
      const became = await issuesOf(id);
      expect(
        became,
        `entry ${i}: ${reg.status} ${retry.status} ${JSON.stringify(retry.body.ack)}`,
      ).to.have.length(1);
      const entry = await t.models.InboxEntry.findById(id).lean();
      expect(entry?.status).to.equal('processed');
      expect(String(entry?.issueId)).to.equal(String(became[0]._id));
    }
  });

  it('a clerk who is registering holds the entry: retry and discard wait (409), and a refusal gives it back', async () => {
    const id = await failedMessage();
    const oid = (await t.models.InboxEntry.findById(id).lean())!._id;
    const claim = await claimForRegistration(t.models, oid, t.clock.now());
    expect(claim).to.not.equal(null);
    const auth = await t.auth('clerk');
    expectError(
      await request(t.app).post(`/api/inbox/${id}/retry`).set(auth),
      409,
      'registration_in_progress',
    );
    expectError(
      await request(t.app).post(`/api/inbox/${id}/discard`).set(auth).send({ reason: '重复' }),
      409,
      'registration_in_progress',
    );
    expectError(await register(id, await formOf(id)), 409, 'registration_in_progress');
    // A claim a crashed process left runs out within the minute.
    t.clock.advance(61_000);
    const form = await formOf(id);

    // The intake end refuses (the classifier is down): the dead letter stays, free for the next try.
    const actor = { id: 'u-1', username: 'clerk', name: '测试受理员', role: 'clerk' as const };
    let refused: unknown;
    await inboxRegisterCommand(broken, actor, oid, registerBody.parse(form)).catch(
      (err: unknown) => (refused = err),
    );
    expect((refused as Error)?.message).to.contain('classifier unavailable');
    const after = await t.models.InboxEntry.findById(id).lean();
    expect(after).to.include({ status: 'failed' });
    expect((after as { registering?: unknown }).registering).to.equal(undefined);
    expect(await issuesOf(id)).to.have.length(0);
    expect((await register(id, form)).status).to.equal(201);
  });

  it('a WeChat push that could not be read: its text prefills the form and the follower stays the contact', async () => {
    const openid = 'oWx-register-test-0001';
    const code = enterpriseIn(t, 'anji', 3).creditCode;
    const xml = `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${code} 我司厂房屋顶漏雨，申请的维修补贴一直没有消息]]></Content><CreateTime>oops</CreateTime></xml>`;
    const by = channelBy('wechat');
    const letter = await storeDeadLetter(t.models, {
      channel: 'wechat',
      source: by.source,
      origin: by.origin,
      credentialId: null,
      now: t.clock.now(),
      raw: rawPayloadOf(Buffer.from(xml), 'text/xml'),
      reason: 'invalid_message: 消息缺少必要字段',
    });
    const id = String(letter._id);
    const draft = (
      await request(t.app)
        .get(`/api/inbox/${id}/draft`)
        .set(await t.auth('director'))
        .expect(200)
    ).body;
    expect(draft.draft).to.deep.include({
      channel: 'wechat',
      content: `${code} 我司厂房屋顶漏雨，申请的维修补贴一直没有消息`,
      contact: { openid },
      enterprise: { creditCode: code },
    });
    expect(draft.enterprise.creditCode).to.equal(code);
    const res = await register(id, {
      enterprise: { id: draft.enterprise.id },
      content: '厂房屋顶漏雨，申请的维修补贴一直没有消息',
      contact: { name: '微信用户' },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const issue = await t.models.Issue.findById(res.body.issue.id).lean();
    expect(issue).to.include({ channel: 'wechat' });
    expect(issue?.contact).to.deep.equal({ name: '微信用户', openid });
  });

  it('an enterprise the register does not know is registered as provisional, as the channel would have', async () => {
    const code = makeCreditCode('91330522MA2RG0001');
    const id = await refusedOrder(
      order({ creditCode: code, enterpriseName: '长兴新登记机械有限公司', urgency: '很急' }),
    );
    const draft = (
      await request(t.app)
        .get(`/api/inbox/${id}/draft`)
        .set(await t.auth('clerk'))
        .expect(200)
    ).body;
    expect(draft.enterprise).to.equal(null);
    expect(draft.draft.enterprise).to.deep.equal({ creditCode: code, name: '长兴新登记机械有限公司' });
    const res = await register(id, {
      enterprise: { creditCode: code },
      enterpriseName: draft.draft.enterprise.name,
      content: draft.draft.content,
      urgency: 'urgent',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const ent = await t.models.Enterprise.findOne({ creditCode: code }).lean();
    expect(ent).to.include({ name: '长兴新登记机械有限公司', provisional: true, region: 'changxing' });
    expect(ent?.provisionalNote).to.contain('人工登记');
    expect(res.body.issue.urgency).to.equal('urgent');
  });

  it('refuses: 401 without a login, 403 for a handler, 404 for an unknown entry or enterprise, 400 for a bad body', async () => {
    const id = await refusedOrder(order({ content: '' }));
    const form = {
      enterprise: { creditCode: enterpriseIn(t, 'deqing', 2).creditCode },
      content: '企业反映用电扩容迟迟未批。',
    };
    expectError(await request(t.app).post(`/api/inbox/${id}/register`).send(form), 401, 'unauthorized');
    expectError(await register(id, form, handlerOf('anji-centre')), 403, 'forbidden');
    expectError(
      await request(t.app)
        .get(`/api/inbox/${id}/draft`)
        .set(await t.auth(handlerOf('anji-centre'))),
      403,
      'forbidden',
    );
    expectError(await register('0123456789abcdef01234567', form), 404, 'not_found');
    expectError(await register('not-an-id', form), 404, 'not_found');
    expectError(
      await register(id, { ...form, enterprise: { id: '0123456789abcdef01234567' } }),
      404,
      'enterprise_not_found',
    );
    for (const [body, code, message] of [
      [{ ...form, content: '' }, 'validation_failed', '问题内容不能为空'],
      [{ enterprise: form.enterprise }, 'validation_failed', '请填写问题内容'],
      [
        { ...form, enterprise: { creditCode: '91330521MA2B3C4D5X' } },
        'validation_failed',
        '统一社会信用代码无效',
      ],
      [{ ...form, contact: { phone: '电话' } }, 'invalid_phone', '联系电话格式无效'],
      // Five digits are no contact number either (they passed before the rule).
      [{ ...form, contact: { phone: '12345' } }, 'invalid_phone', '带区号的固定电话'],
      [{ ...form, urgency: 'asap' }, 'validation_failed', '紧急程度无效'],
      [[form], 'validation_failed', '请求体应为 JSON 对象'],
      [{ ...form, channel: 'window' }, 'channel_mismatch', '不能改为「综合窗口」'],
      [{ ...form, externalId: 'WO-OTHER' }, 'external_id_mismatch', '不能改写'],
    ] as const) {
      const res = await register(id, body);
      expectError(res, 400, code);
      expect(res.body.error.message).to.contain(message);
    }
    // Nothing refused touched it: still a dead letter, and it registers.
    expect(await t.models.InboxEntry.findById(id).lean()).to.include({ status: 'failed' });
    expect((await register(id, form)).status).to.equal(201);

    const discarded = await refusedOrder(order({ content: 12 }));
    await request(t.app)
      .post(`/api/inbox/${discarded}/discard`)
      .set(await t.auth('clerk'))
      .send({ reason: '测试作废' })
      .expect(200);
    expectError(await register(discarded, form), 409, 'not_failed');
  });

  it('a dead letter retried or registered days later keeps when it came in as 来件时间; time limits count from then on', async () => {
    const id = await refusedOrder(order({ contactEmail: 'sun(at)example.cn' }));
    const arrived = (await t.models.InboxEntry.findById(id).lean())!.receivedAt;
    // Found on the dead-letter desk after a weekend.
    t.clock.advance(2 * 86_400_000 + 3 * 3_600_000);
    const res = await register(id, await formOf(id, { contact: { name: '钱经理', phone: '13700002222' } }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const shown = await request(t.app)
      .get(`/api/issues/${res.body.issue.id}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(shown.body.raisedAt).to.equal(arrived.toISOString());
    expect(shown.body.sources[0].receivedAt).to.equal(arrived.toISOString());
    expect(shown.body.createdAt).to.equal(t.clock.now().toISOString());
    const stored = (await t.models.Issue.findById(res.body.issue.id).lean())!;
    expect(stored.deadlines!.startAt).to.deep.equal(t.clock.now());
    // A message the pipeline could not file (its classifier down), retried on the desk a day later.
    const failed = await failedMessage();
    const cameIn = (await t.models.InboxEntry.findById(failed).lean())!.receivedAt;
    t.clock.advance(86_400_000);
    const retried = await request(t.app)
      .post(`/api/inbox/${failed}/retry`)
      .set(await t.auth('dispatcher'))
      .expect(200);
    const [filed] = await issuesOf(failed);
    expect(filed.number, JSON.stringify(retried.body)).to.be.a('string');
    expect(filed.raisedAt).to.deep.equal(cameIn);
    expect(filed.createdAt).to.deep.equal(t.clock.now());
  });

  it('a refused 12345 order registered by hand keeps the platform’s receivedAt as 来件时间, as the channel would; one out of range gives the arrival', async () => {
    const raised = new Date(t.clock.now().getTime() - 3 * 3_600_000);
    const id = await refusedOrder(
      order({ contactEmail: 'li(at)example.cn', receivedAt: raised.toISOString() }),
    );
    const arrived = (await t.models.InboxEntry.findById(id).lean())!.receivedAt;
    t.clock.advance(86_400_000);
    const res = await register(id, await formOf(id));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const shown = await request(t.app)
      .get(`/api/issues/${res.body.issue.id}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(shown.body.raisedAt).to.equal(raised.toISOString());
    // Refused for the receivedAt itself (a year and more back, or ahead of the platform's clock, the real one):
    // the order came in when it arrived.
    for (const at of [new Date(raised.getTime() - 400 * 86_400_000), new Date(Date.now() + 3_600_000)]) {
      const bad = await refusedOrder(order({ receivedAt: at.toISOString() }));
      const cameIn = (await t.models.InboxEntry.findById(bad).lean())!.receivedAt;
      const filed = await register(bad, await formOf(bad));
      expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
      expect((await t.models.Issue.findById(filed.body.issue.id).lean())!.raisedAt).to.deep.equal(cameIn);
    }
    expect(arrived.getTime()).to.not.equal(raised.getTime());
  });
});
