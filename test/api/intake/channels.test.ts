// The JSON channels end to end, as a platform calls them: signed hotline, review and SMS pushes; zheliban and
// discovery with API keys issued and revoked by an admin; replays, stale and wrong signatures; malformed and
// hostile bodies (4xx, and a dead letter when the caller was authenticated); the same complaint by two
// channels becoming one issue with two sources.
import { expect } from 'chai';
import request from 'supertest';
import { makeCreditCode } from '../../../shared/credit-code.ts';
import { channelSecretKeyOf } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import { signBody } from '../../../server/channels/signature.ts';
import { asRawBytes, embeddedDb, expectError } from '../helpers.ts';
import { enterpriseIn, useIssueApp } from '../issues/fixtures.ts';

const nowS = () => Math.floor(Date.now() / 1000);

describe('JSON channels at /api/intake/<channel>', () => {
  const t = useIssueApp();
  let seq = 0;

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
  });

  function signed(channel: string, payload: unknown, opts: { secret?: string; ts?: number } = {}) {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const ts = opts.ts ?? nowS();
    const sig = signBody(opts.secret ?? `demo-${channel}-secret`, ts, raw);
    return {
      raw,
      ts,
      sig,
      send: () =>
        request(t.app)
          .post(`/api/intake/${channel}`)
          .set('Content-Type', 'application/json')
          .set('X-Timestamp', String(ts))
          .set('X-Signature', sig)
          .send(raw),
    };
  }
  const keyed = (channel: string, key: string, payload: unknown) =>
    request(t.app)
      .post(`/api/intake/${channel}`)
      .set('X-Api-Key', key)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(payload));

  const order = (over: object = {}) => {
    seq += 1;
    return {
      orderId: `WO-C-${seq}`,
      creditCode: enterpriseIn(t, 'deqing', seq).creditCode,
      contactName: '周九',
      contactPhone: '13600001111',
      content: `第${seq}号工单：企业反映出口退税申报三个月仍未到账，资金周转困难，请求协调税务部门加快办理。`,
      ...over,
    };
  };
  const issueByNumber = (number: string) => t.models.Issue.findOne({ number }).lean();

  it('hotline12345: a signed work order becomes a routed issue with deadlines and the caller as contact', async () => {
    const res = await signed('hotline12345', order()).send().expect(200);
    expect(res.body).to.include({ status: 'created' });
    expect(res.body.number).to.match(/^HZ-2026-\d{6}$/);
    const issue = await issueByNumber(res.body.number);
    expect(issue).to.include({
      channel: 'hotline12345',
      category: 'tax',
      state: 'dispatched',
      region: 'deqing',
    });
    expect(issue?.deadlines?.resolveBy).to.be.instanceOf(Date);
    expect(issue?.contact).to.deep.equal({ name: '周九', phone: '13600001111' });
    expect(issue?.timeline[0]).to.include({ actorRole: 'system', actorName: '12345热线' });
    // A landline as callers give it is a number too.
    const landline = await signed('hotline12345', order({ contactPhone: '0572-2345678' })).send();
    expect(landline.status, JSON.stringify(landline.body)).to.equal(200);
  });

  it('a work order that only greets, thanks or says a problem is to come is refused 422 no_complaint', async () => {
    // 12345 and 浙里办 filed 「你好」 as an issue nobody could act on: routed by default and timed.
    const issues = await t.models.Issue.countDocuments();
    const entries = await t.models.InboxEntry.countDocuments();
    for (const over of [
      { content: '你好' },
      { content: '您好，谢谢！' },
      { content: '你好，我们有问题要反映', title: '你好' },
    ]) {
      const hotline = await signed('hotline12345', order(over)).send();
      expectError(hotline, 422, 'no_complaint');
      expect(hotline.body.error.message).to.contain('没有写明要反映的问题');
      expectError(
        await keyed('zheliban', 'demo-zheliban-key', {
          ...order(over),
          orderId: undefined,
          externalId: `ZLB-HI-${seq}`,
        }),
        422,
        'no_complaint',
      );
    }
    expect(await t.models.Issue.countDocuments()).to.equal(issues);
    // Unlike an SMS, a platform's order has a number to answer: each waits in 接入失败 for staff to see.
    expect(await t.models.InboxEntry.countDocuments()).to.equal(entries + 6);
    const letter = await t.models.InboxEntry.findOne({ externalId: `ZLB-HI-${seq}` }).lean();
    expect(letter).to.include({ status: 'failed' });
    expect(letter?.reason).to.contain('没有写明要反映的问题');
    // A title that says what is wrong carries a greeting-only content: filed.
    const titled = await signed('hotline12345', order({ title: '厂区门口路灯损坏', content: '你好' })).send();
    expect(titled.status, JSON.stringify(titled.body)).to.equal(200);
    expect(titled.body).to.include({ status: 'created' });
  });

  it('an order whose phone is no contact number is filed all the same, the number kept as text only', async () => {
    // 12345 (the hotline's own number typed in the field) and a word: the complaint must not wait in 接入失败.
    for (const contactPhone of ['12345', '请回电']) {
      const res = await signed('hotline12345', order({ contactPhone })).send();
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ status: 'created' });
      const issue = await issueByNumber(res.body.number);
      expect(issue?.contact).to.deep.equal({ name: '周九', phoneText: contactPhone });
    }
    // Read by the handling unit: the number as text, nothing to dial.
    const res = await keyed('zheliban', 'demo-zheliban-key', {
      ...order({ contactPhone: '5551234' }),
      orderId: undefined,
      externalId: `ZLB-PHONE-${seq}`,
    }).expect(200);
    const { unitId, _id } = (await issueByNumber(res.body.number))!;
    const code = (await t.models.Unit.findById(unitId).lean())!.code;
    const read = await request(t.app)
      .get(`/api/issues/${String(_id)}`)
      .set(await t.auth(`handler-${code}`))
      .expect(200);
    expect(read.body.contact).to.deep.equal({ name: '周九', phoneText: '5551234' });
    // A supervisor reads contacts masked: that a number was left, not the number.
    const masked = await request(t.app)
      .get(`/api/issues/${String(_id)}`)
      .set(await t.auth('supervisor'))
      .expect(200);
    expect(masked.body.contact).to.deep.include({ phoneText: '***', masked: true });
  });

  it('a long work order is taken in whole: a title past 200 shortened, its full text and a long content kept', async () => {
    // A 12345 order whose platform sends the whole complaint as its title, and whose content carries every
    // call about it: refused before (title over 200, content over 10,000 characters), the order lost.
    const title = `关于${'企业厂区门口道路积水及排水管网改造'.repeat(20)}的诉求`;
    const calls = Array.from(
      { length: 300 },
      (_, i) => `第${i + 1}次来电：企业再次反映厂区门口积水严重，货车无法进出，请求尽快处理。`,
    );
    const content = calls.join('\n');
    expect([...title].length).to.be.above(200);
    expect([...content].length).to.be.above(10_000);
    const res = await signed('hotline12345', order({ title, content })).send();
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ status: 'created' });
    const issue = await issueByNumber(res.body.number);
    expect([...(issue?.title ?? '')].length).to.be.at.most(200);
    expect(issue?.title).to.match(/^关于企业厂区门口道路积水.*…$/);
    expect(issue?.content).to.equal(`${title}\n\n${content}`);
    // 浙里办 shares the work order's rules.
    const zl = await keyed('zheliban', 'demo-zheliban-key', {
      ...order({ title, content: `${content}。浙里办` }),
      orderId: undefined,
      externalId: `ZLB-LONG-${seq}`,
    });
    expect([zl.status, zl.body.status], JSON.stringify(zl.body)).to.deep.equal([200, 'created']);
    expect((await issueByNumber(zl.body.number))?.content).to.have.string(title);
  });

  it('a platform’s receivedAt is the issue’s 来件时间 for staff; time limits still start at intake; a future or ancient one is refused', async () => {
    // The platform's clock is the real one (the signature's); the business clock may be simulated.
    const raised = new Date(Math.floor(Date.now() / 1000) * 1000 - 3 * 3600_000);
    const res = await signed('hotline12345', order({ receivedAt: raised.toISOString() }))
      .send()
      .expect(200);
    const issue = (await issueByNumber(res.body.number))!;
    expect(issue.raisedAt).to.deep.equal(raised);
    const shown = await request(t.app)
      .get(`/api/issues/${String(issue._id)}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(shown.body.raisedAt).to.equal(raised.toISOString());
    expect(shown.body.sources[0].receivedAt).to.equal(raised.toISOString());
    // DESIGN §5 counts from when the centre takes it in: no backdated deadline.
    expect(issue.createdAt).to.deep.equal(t.clock.now());
    expect(issue.deadlines!.startAt).to.deep.equal(t.clock.now());
    // 浙里办 (unix seconds) the same.
    const zl = await keyed('zheliban', 'demo-zheliban-key', {
      ...order({ receivedAt: raised.getTime() / 1000 }),
      orderId: undefined,
      externalId: `ZLB-RAISED-${seq}`,
    }).expect(200);
    expect((await issueByNumber(zl.body.number))?.raisedAt).to.deep.equal(raised);
    // A platform clock an hour ahead, or a date two years back, is the platform's mistake: refused with a
    // stable code and kept in the dead-letter list.
    const ahead = order({ receivedAt: new Date(Date.now() + 3600_000).toISOString() });
    expectError(await signed('hotline12345', ahead).send(), 400, 'invalid_received_at');
    const ancient = order({ receivedAt: new Date(Date.now() - 2 * 366 * 86_400_000).toISOString() });
    expectError(await signed('hotline12345', ancient).send(), 400, 'invalid_received_at');
    const letter = await t.models.InboxEntry.findOne({ externalId: ancient.orderId }).lean();
    expect(letter).to.include({ status: 'failed' });
    // Without one, nothing is said about it.
    const plain = await signed('hotline12345', order()).send().expect(200);
    expect((await issueByNumber(plain.body.number))?.raisedAt).to.equal(null);
  });

  it('an SMS gateway’s and a 好差评 review’s receivedAt are the issue’s 来件时间 too, by the same rule', async () => {
    const raised = new Date(Math.floor(Date.now() / 1000) * 1000 - 40 * 60_000);
    const texts: Record<string, string> = {
      a: '开发区供水管网改造后水压一直不足，生产线时常停机。',
      b: '厂区外的路灯坏了两个月，夜班工人下班回家很不安全。',
      c: '申请的技改补贴半年没有到账，请帮忙问问进度。',
    };
    const sms = (k: string, receivedAt?: string) => ({
      msgId: `SMS-RAISED-${seq}-${k}`,
      from: enterpriseIn(t, 'anji', 7).mobile,
      text: texts[k],
      ...(receivedAt ? { receivedAt } : {}),
    });
    const a = await signed('sms', sms('a', raised.toISOString())).send();
    expect(a.status, JSON.stringify(a.body)).to.equal(200);
    const issue = (await issueByNumber(a.body.number))!;
    expect(issue.raisedAt).to.deep.equal(raised);
    expect(issue.createdAt).to.deep.equal(t.clock.now());
    const shown = await request(t.app)
      .get(`/api/issues/${String(issue._id)}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(shown.body.raisedAt).to.equal(raised.toISOString());
    // The gateway's time is optional: without it, no 来件时间.
    const b = await signed('sms', sms('b')).send().expect(200);
    expect((await issueByNumber(b.body.number))?.raisedAt).to.equal(null);
    // A gateway clock an hour ahead is refused as a work order's is, and kept in the dead-letter list.
    const ahead = sms('c', new Date(Date.now() + 3600_000).toISOString());
    expectError(await signed('sms', ahead).send(), 400, 'invalid_received_at');
    expect(await t.models.InboxEntry.findOne({ externalId: ahead.msgId }).lean()).to.include({
      status: 'failed',
    });
    const review = (k: string, receivedAt: string) => ({
      reviewId: `HCP-RAISED-${seq}-${k}`,
      creditCode: enterpriseIn(t, 'nanxun', 7).creditCode,
      serviceName: '施工许可办理',
      level: '非常不满意',
      content: `窗口要求补正材料三次，每次说法不同（${k}）。`,
      receivedAt,
    });
    const r = await signed('review', review('a', raised.toISOString())).send().expect(200);
    expect((await issueByNumber(r.body.number))?.raisedAt).to.deep.equal(raised);
    const ancient = review('b', new Date(Date.now() - 2 * 366 * 86_400_000).toISOString());
    expectError(await signed('review', ancient).send(), 400, 'invalid_received_at');
  });

  it('a redelivery (newly signed) answers the same number; a replayed request is refused', async () => {
    const o = order();
    const first = signed('hotline12345', o);
    const a = await first.send().expect(200);
    expectError(await first.send(), 409, 'replayed');
    await (await embeddedDb()).runMaintenance(); // the TTL monitor keeps the seen signature
    expectError(await first.send(), 409, 'replayed');
    const b = await signed('hotline12345', o, { ts: nowS() + 1 })
      .send()
      .expect(200);
    expect(b.body).to.include({ status: 'duplicate', number: a.body.number });
    expect(await t.models.Issue.countDocuments({ externalId: o.orderId })).to.equal(1);
  });

  it('another message under a used order id is refused 409, never answered with the first one’s issue', async () => {
    const o = order();
    const a = await signed('hotline12345', o).send().expect(200);
    const other = {
      ...o,
      creditCode: enterpriseIn(t, 'anji', seq).creditCode,
      content: '另一家企业的另一件事',
    };
    const b = await signed('hotline12345', other, { ts: nowS() + 1 }).send();
    expectError(b, 409, 'external_id_conflict');
    expect(JSON.stringify(b.body)).to.not.include(a.body.number);
    const reworded = await signed(
      'hotline12345',
      { ...o, content: `${o.content}（补充）` },
      { ts: nowS() + 2 },
    ).send();
    expectError(reworded, 409, 'external_id_conflict');
    // The first message is untouched, and its own redelivery is still answered.
    expect(await t.models.InboxEntry.countDocuments({ externalId: o.orderId })).to.equal(1);
    const again = await signed('hotline12345', o, { ts: nowS() + 3 })
      .send()
      .expect(200);
    expect(again.body).to.include({ status: 'duplicate', number: a.body.number });
  });

  it('the same signed request four times at once: one is accepted, three are refused as replays', async () => {
    const once = signed('hotline12345', order());
    const results = await Promise.all([0, 1, 2, 3].map(() => once.send()));
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 409, 409, 409]);
  });

  it('concurrent redeliveries of one order: one issue, the same number for all', async () => {
    const o = order();
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => signed('hotline12345', o, { ts: nowS() - i }).send()),
    );
    expect(results.map((r) => r.status)).to.deep.equal([200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.number)).size).to.equal(1);
    expect(await t.models.Issue.countDocuments({ externalId: o.orderId })).to.equal(1);
  });

  it('refuses wrong, stale, missing and other-channel signatures', async () => {
    expectError(
      await signed('hotline12345', order(), { secret: 'guessed-secret' }).send(),
      401,
      'signature_invalid',
    );
    expectError(await signed('hotline12345', order(), { ts: nowS() - 400 }).send(), 401, 'timestamp_stale');
    // A well-formed timestamp from long ago (1970) is stale too, not malformed.
    expectError(await signed('hotline12345', order(), { ts: 1 }).send(), 401, 'timestamp_stale');
    expectError(
      await signed('hotline12345', order(), { secret: 'demo-sms-secret' }).send(),
      401,
      'signature_invalid',
    );
    const res = await request(t.app).post('/api/intake/hotline12345').send(order());
    expectError(res, 401, 'signature_missing');
  });

  it('a malformed body replayed (after it, and beside it) is refused as a replay and kept once', async () => {
    // The replay claim runs beside parsing: a replay must still be refused before it stores a dead letter.
    const text = (id: string) => `{"orderId": "${id}", "content": `;
    const later = signed('hotline12345', text('WO-BROKEN-AGAIN'));
    expectError(await later.send(), 400, 'invalid_json');
    expectError(await later.send(), 409, 'replayed');
    const together = signed('hotline12345', text('WO-BROKEN-TOGETHER'));
    const results = await Promise.all([0, 1, 2, 3].map(() => together.send()));
    expect(results.map((r) => r.status).sort()).to.deep.equal([400, 409, 409, 409]);
    const dead = await request(t.app)
      .get('/api/inbox?status=failed&channel=hotline12345')
      .set(await t.auth('clerk'));
    const kept = (raw: string) =>
      dead.body.items.filter((i: { raw?: { text: string } }) => i.raw?.text === raw).length;
    expect(kept(later.raw)).to.equal(1);
    expect(kept(together.raw)).to.equal(1);
  });

  it('bad bodies: 4xx with stable codes; an authenticated malformed one waits in the dead-letter list', async () => {
    const broken = signed('hotline12345', '{"orderId": "WO-BROKEN", "content": ');
    expectError(await broken.send(), 400, 'invalid_json');
    const dead = await request(t.app)
      .get('/api/inbox?status=failed&channel=hotline12345')
      .set(await t.auth('clerk'));
    const letter = dead.body.items.find((i: { raw?: { text: string } }) => i.raw?.text === broken.raw);
    expect(letter).to.include({ status: 'failed', channel: 'hotline12345' });
    expect(letter.reason).to.include('invalid_json');
    expect(letter.attempts, 'parsed once and failed').to.equal(1);
    // Its raw body still does not parse, so a retry could only fail the same way: none is offered.
    expect(letter.retryable, 'the body is still broken JSON').to.equal(false);
    const retry = await request(t.app)
      .post(`/api/inbox/${letter.id}/retry`)
      .set(await t.auth('clerk'));
    expectError(retry, 409, 'not_reparsable');
    expect(retry.body.error.message).to.contain('重试不会成功');
    expect(await t.models.InboxEntry.findById(letter.id).lean()).to.include({
      status: 'failed',
      attempts: 1,
    });
    // Cut short after its id: the dead letter keeps the id, and the platform's corrected redelivery is filed on
    // that entry, which leaves the list.
    expect(letter.externalId).to.equal('WO-BROKEN');
    const corrected = await signed('hotline12345', order({ orderId: 'WO-BROKEN' })).send();
    expect([corrected.status, corrected.body.status]).to.deep.equal([200, 'created']);
    expect(corrected.body.inboxId).to.equal(letter.id);
    const after = await request(t.app)
      .get('/api/inbox?status=failed&channel=hotline12345')
      .set(await t.auth('clerk'));
    expect(after.body.items.map((i: { id: string }) => i.id)).to.not.include(letter.id);

    expectError(
      await signed('hotline12345', order({ creditCode: '91330521MA2B3C4D5X' })).send(),
      400,
      'invalid_credit_code',
    );
    expectError(await signed('hotline12345', { orderId: 'WO-X' }).send(), 400, 'missing_field');
    expectError(await signed('hotline12345', order({ content: null })).send(), 400, 'missing_field');
    // Given, but not what the field takes: invalid, not missing.
    expectError(await signed('hotline12345', order({ content: 12345 })).send(), 400, 'invalid_field');
    expectError(await signed('hotline12345', order({ orderId: 12345 })).send(), 400, 'invalid_field');
    expectError(await signed('hotline12345', order({ contactPhone: { n: 1 } })).send(), 400, 'invalid_field');
    // A contact is kept to be written to: no mail headers hidden in an address, no line breaks in a number.
    for (const contact of [
      { contactEmail: 'a@b.cn\r\nBcc: x@y.cn' },
      { contactEmail: '无' },
      { contactPhone: '139\n0' },
    ])
      expectError(await signed('hotline12345', order(contact)).send(), 400, 'invalid_field');
    expectError(
      await signed('hotline12345', order({ title: 'T'.repeat(100_000) })).send(),
      400,
      'invalid_field',
    );
    expectError(await signed('hotline12345', order({ extra: { $gt: 1 } })).send(), 400, 'hostile_input');
    expectError(await signed('hotline12345', order({ content: 'a\u0000b' })).send(), 400, 'hostile_input');
    // GBK bytes in a JSON body (a platform that forgot to encode UTF-8): refused, never stored as U+FFFD.
    const [head, tail] = JSON.stringify(order({ content: '@' })).split('@');
    const gbk = Buffer.concat([Buffer.from(head), Buffer.from([0xb3, 0xa7, 0xb7, 0xbf]), Buffer.from(tail)]);
    const ts = nowS();
    expectError(
      await request(t.app)
        .post('/api/intake/hotline12345')
        .set('Content-Type', 'application/json')
        .set('X-Timestamp', String(ts))
        .set('X-Signature', signBody('demo-hotline12345-secret', ts, gbk))
        .serialize(asRawBytes)
        .send(gbk),
      400,
      'invalid_encoding',
    );
    // Kept for staff as it reads: GBK (a Chinese platform's usual mistake) read as GB18030, not as ��.
    const gbkLetter = await t.models.InboxEntry.findOne({
      'raw.size': gbk.length,
      reason: /^invalid_encoding/,
    })
      .sort({ _id: -1 })
      .lean();
    expect(gbkLetter?.raw).to.include({ decodedAs: 'gb18030' });
    expect(gbkLetter?.raw?.text).to.contain('"content":"厂房"');
    expect(gbkLetter?.summary).to.not.contain('\uFFFD');
    expectError(
      await signed('hotline12345', order({ content: 'x'.repeat(300_000) })).send(),
      413,
      'payload_too_large',
    );
  });

  it('a refused work order keeps its number in the dead-letter list; the corrected one is filed on that entry', async () => {
    const bad = order({ contactEmail: 'notanemail' });
    const first = signed('hotline12345', bad);
    expectError(await first.send(), 400, 'invalid_field');
    const dead = await request(t.app)
      .get('/api/inbox?status=failed&channel=hotline12345')
      .set(await t.auth('clerk'));
    const letter = dead.body.items.find(
      (i: { raw?: { text: string } }) => i.raw?.text === JSON.stringify(bad),
    );
    expect(letter, 'staff find the failed order by its number').to.include({ externalId: bad.orderId });
    // Sent bad again (signed anew, a second before the first: from the clock read again, a send crossing a
    // second's boundary signed the same instant and was refused as a replay): the same dead letter.
    expectError(await signed('hotline12345', bad, { ts: first.ts - 1 }).send(), 400, 'invalid_field');
    expect(await t.models.InboxEntry.countDocuments({ externalId: bad.orderId })).to.equal(1);
    expect(await t.models.InboxEntry.findById(letter.id).lean()).to.include({ attempts: 2 });
    // A number that cannot be one is not kept.
    expectError(
      await signed('hotline12345', { orderId: { n: 1 }, content: 'x' }).send(),
      400,
      'invalid_field',
    );

    const fixed = await signed('hotline12345', { ...bad, contactEmail: 'zhou@example.cn' })
      .send()
      .expect(200);
    expect(fixed.body).to.include({ status: 'created', inboxId: letter.id });
    const entry = await t.models.InboxEntry.findById(letter.id).lean();
    expect(entry?.summary, 'the list shows the corrected order, not the refused body').to.equal(
      bad.content.slice(0, entry!.summary.length),
    );
    expect(entry?.summary).to.have.length.above(10);
    const issue = await request(t.app)
      .get(`/api/issues/${String((await issueByNumber(fixed.body.number))!._id)}`)
      .set(await t.auth('clerk'))
      .expect(200);
    expect(issue.body.sources[0]).to.include({ inboxId: letter.id, externalId: bad.orderId });
  });

  it('the same complaint by hotline and zheliban becomes one issue with two sources', async () => {
    const e = enterpriseIn(t, 'wuxing', 7);
    const text = '我公司新建厂房已申请竣工验收两个月，至今没有安排现场验收，设备无法进场，影响投产计划。';
    const hot = await signed('hotline12345', {
      orderId: `WO-DUP-${seq}`,
      creditCode: e.creditCode,
      content: text,
    })
      .send()
      .expect(200);
    const zlb = await keyed('zheliban', 'demo-zheliban-key', {
      externalId: `ZLB-DUP-${seq}`,
      enterpriseName: e.name,
      contactName: '吴十',
      content: `${text}请尽快处理。`,
    }).expect(200);
    expect(zlb.body).to.include({ status: 'merged', number: hot.body.number });
    const issue = await issueByNumber(hot.body.number);
    expect(issue?.sources?.map((s) => s.channel)).to.deep.equal(['zheliban']);
    expect(issue?.sources?.[0].contact).to.deep.equal({ name: '吴十' });
    expect(issue?.timeline.at(-1)?.note).to.include('浙里办');
    const detail = await request(t.app)
      .get(`/api/issues/${String(issue?._id)}`)
      .set(await t.auth('clerk'));
    expect(detail.body.sources.map((s: { channel: string }) => s.channel)).to.deep.equal([
      'hotline12345',
      'zheliban',
    ]);
    expect(detail.body.sources[1]).to.include({ externalId: `ZLB-DUP-${seq}` });
    // Every source, the first included, links the inbox entry it came in as.
    expect(detail.body.sources.map((s: { inboxId: string | null }) => s.inboxId)).to.deep.equal([
      hot.body.inboxId,
      zlb.body.inboxId,
    ]);
    expect(await t.models.Issue.countDocuments({ enterpriseId: e._id })).to.equal(1);
  });

  it('an unknown enterprise on the hotline becomes provisional; the issue is taken in', async () => {
    const unknown = makeCreditCode('91330503MA5T6Y7U8');
    const res = await signed(
      'hotline12345',
      order({ creditCode: unknown, enterpriseName: '南浔新来电机有限公司' }),
    )
      .send()
      .expect(200);
    const issue = await issueByNumber(res.body.number);
    const enterprise = await t.models.Enterprise.findById(issue?.enterpriseId).lean();
    expect(enterprise).to.include({ provisional: true, creditCode: unknown, region: 'nanxun' });
  });

  it('sms and review: signed pushes, matched by the sender’s mobile and by credit code', async () => {
    const e = enterpriseIn(t, 'anji', 9);
    const sms = await signed('sms', {
      msgId: `SMS-${seq}`,
      from: e.mobile,
      text: '园区道路货车限行，原料进不了厂，请帮忙协调交通部门。',
    })
      .send()
      .expect(200);
    expect(String((await issueByNumber(sms.body.number))?.enterpriseId)).to.equal(String(e._id));
    const review = await signed('review', {
      reviewId: `HCP-${seq}`,
      creditCode: enterpriseIn(t, 'nanxun', 9).creditCode,
      serviceName: '排污许可证办理',
      level: '不满意',
      content: '同一材料被要求反复提交，窗口说法不一致。',
    })
      .send()
      .expect(200);
    expect((await issueByNumber(review.body.number))?.title).to.equal('好差评不满意：排污许可证办理');
  });

  it('sms: a second person of a firm, from a mobile the register does not know, naming it, joins its issue', async () => {
    const e = enterpriseIn(t, 'anji', 9);
    const text = `我们${e.name}反映：厂区门口道路对货车限行，原材料运不进来，生产受到影响。`;
    const first = await signed('sms', { msgId: 'SMS-NAMED-1', from: e.mobile, text }).send();
    expect(first.body).to.include({ status: 'created' });
    // It became a second issue, of a provisional enterprise, at another unit.
    const second = await signed('sms', { msgId: 'SMS-NAMED-2', from: '13812345670', text }).send();
    expect(second.body).to.include({ status: 'merged', number: first.body.number });
  });

  it('sms: a greeting or a thanks alone is refused 422 no_complaint, and nothing is filed or dead-lettered', async () => {
    const issues = await t.models.Issue.countDocuments();
    const entries = await t.models.InboxEntry.countDocuments();
    // A rating sent back to 办理结果 (the rating is given on the QR page), a bad one too: filed, 不满意 became a
    // new issue on the owner's page.
    const replies = ['满意', '非常满意！', '不满意', '非常不满意。', '差评', 'T', 'td', '退订', 'x', '1'];
    const texts = [
      '你好',
      '您好！',
      '谢谢，收到',
      '谢谢，已收到。',
      '已收到',
      '已阅，知悉',
      `${enterpriseIn(t, 'anji', 8).creditCode} 你好`,
      ...replies,
    ];
    for (const [k, text] of texts.entries())
      expectError(
        await signed('sms', { msgId: `SMS-HI-${seq}-${k}`, from: '13812345678', text }).send(),
        422,
        'no_complaint',
      );
    expect(await t.models.Issue.countDocuments()).to.equal(issues);
    expect(await t.models.InboxEntry.countDocuments()).to.equal(entries);
  });

  it('sms: the credit code alone, with or without its label, is refused 422 no_complaint: who, not what', async () => {
    const issues = await t.models.Issue.countDocuments();
    const code = enterpriseIn(t, 'deqing', 8).creditCode;
    for (const [k, text] of [code, `统一社会信用代码：${code}`, ` ${code.toLowerCase()}。`].entries()) {
      const res = await signed('sms', { msgId: `SMS-CODE-${seq}-${k}`, from: '13812345679', text }).send();
      expectError(res, 422, 'no_complaint');
      expect(res.body.error.message).to.contain('统一社会信用代码');
    }
    expect(await t.models.Issue.countDocuments()).to.equal(issues);
  });

  it('API keys: issued once by an admin, stored hashed, refused once revoked; unknown keys are refused', async () => {
    expectError(await keyed('discovery', 'no-such-key', order()), 401, 'api_key_invalid');
    expectError(
      await keyed('discovery', 'demo-zheliban-key', { ...order(), externalId: 'D-1' }),
      401,
      'api_key_invalid',
    );
    expectError(
      await request(t.app)
        .get('/api/channels')
        .set(await t.auth('clerk')),
      403,
      'forbidden',
    );

    const admin = await t.auth('admin');
    const issued = await request(t.app)
      .post('/api/channels/discovery/credentials')
      .set(admin)
      .send({ label: '数据预警平台' })
      .expect(201);
    const key = issued.body.apiKey as string;
    expect(key).to.match(/^discovery_/);
    const stored = await t.models.ChannelCredential.findById(issued.body.credential.id).lean();
    expect(JSON.stringify(stored)).to.not.include(key);

    const ok = await keyed('discovery', key, {
      externalId: `D-${seq}`,
      creditCode: enterpriseIn(t, 'changxing', 9).creditCode,
      content: '数据预警：该企业用电量连续三周下降40%，疑似停产，建议走访了解困难。',
    });
    expect(ok.status).to.equal(200);
    // A second key of the same channel: the list tells the two apart by their last 4 characters (all keys of a
    // channel share its name as their prefix).
    const second = await request(t.app)
      .post('/api/channels/discovery/credentials')
      .set(admin)
      .send({ label: '数据预警平台（备用）' })
      .expect(201);
    const list = await request(t.app).get('/api/channels').set(admin).expect(200);
    const discovery = list.body.items.find((c: { id: string }) => c.id === 'discovery');
    expect(discovery).to.include({ name: '主动发现', auth: 'api_key', endpoint: '/api/intake/discovery' });
    // Who issued each: the admin by username; the demo's seeded one in words, not the seed's internal marker.
    const issuers = discovery.credentials.map((c: { label: string; createdBy: string }) => [
      c.label,
      c.createdBy,
    ]);
    expect(issuers).to.deep.include.members([
      ['演示凭据', '演示数据'],
      ['数据预警平台', 'admin'],
    ]);
    expect(discovery.credentials.map((c: { id: string }) => c.id)).to.include(issued.body.credential.id);
    const hintOf = (id: string) => discovery.credentials.find((c: { id: string }) => c.id === id).hint;
    expect(issued.body.credential.hint).to.equal(key.slice(-4));
    expect(hintOf(issued.body.credential.id)).to.equal(key.slice(-4));
    expect(hintOf(second.body.credential.id)).to.equal((second.body.apiKey as string).slice(-4));
    expect(hintOf(second.body.credential.id)).to.not.equal(hintOf(issued.body.credential.id));
    expect(JSON.stringify(list.body)).to.not.include(key);
    expect(JSON.stringify(list.body)).to.not.include('demo-hotline12345-secret');

    await request(t.app)
      .post(`/api/channels/discovery/credentials/${issued.body.credential.id}/revoke`)
      .set(admin)
      .expect(200);
    expectError(
      await keyed('discovery', key, { externalId: `D-R-${seq}`, content: '吊销后再来' }),
      401,
      'api_key_revoked',
    );
    expectError(
      await request(t.app)
        .post(`/api/channels/discovery/credentials/${issued.body.credential.id}/revoke`)
        .set(admin),
      409,
      'already_revoked',
    );
  });

  it('an admin-issued HMAC secret signs; it is shown once and never listed', async () => {
    const admin = await t.auth('admin');
    const issued = await request(t.app)
      .post('/api/channels/review/credentials')
      .set(admin)
      .send({})
      .expect(201);
    const secret = issued.body.secret as string;
    expect(secret.length).to.be.greaterThan(30);
    const res = await signed(
      'review',
      { reviewId: `HCP-N-${seq}`, content: '办事指南与实际要求不一致。', enterpriseName: '不存在的企业' },
      { secret },
    ).send();
    expect(res.status).to.equal(200);
    expect(issued.body.credential).to.include({ kind: 'hmac', hint: secret.slice(-4), active: true });
    const list = await request(t.app).get('/api/channels').set(admin);
    expect(JSON.stringify(list.body)).to.not.include(secret);
    expectError(
      await request(t.app).post('/api/channels/qr/credentials').set(admin).send({}),
      404,
      'channel_not_found',
    );
  });
});
