// Delivery of the outbox (issue 8): an SMS gateway failing twice then succeeding delivers once; a gateway down
// for a simulated day loses nothing; an entry that keeps failing goes dead and an admin can retry it; admins
// filter the outbox; templates are edited with their variables checked; in demo mode /api/dev/outbox shows
// verification codes; outside demo mode the log provider is refused unless chosen and masks codes.
import { expect } from 'chai';
import request from 'supertest';
import { loadConfig } from '../../../server/config.ts';
import { backoffMs } from '../../../server/notify/outbox-worker.ts';
import { smsSenderFor } from '../../../server/notify/notify-service.ts';
import { createLogSmsSender, signGatewayRequest, createHttpSmsSender } from '../../../server/notify/sms.ts';
import { expectError } from '../helpers.ts';
import { postIssue, VAGUE_TEXT } from '../issues/fixtures.ts';
import { china, outbox, silent, useNotifyApp } from './notify-harness.ts';

const HOUR = 3_600_000;

describe('notifications: delivery, retries and the admin view', () => {
  const t = useNotifyApp();

  async function newIssueSms(content: string) {
    // A vague text without a category waits in `received`: one SMS (its number) to the enterprise.
    const res = await postIssue(t, 'dispatcher', { urgency: 'normal', content: `${VAGUE_TEXT}${content}` });
    expect(res.status).to.equal(201);
    expect(res.body.state).to.equal('received');
    const rows = await outbox(t, { issueId: res.body.id, channel: 'sms' });
    expect(rows.length).to.be.greaterThan(0);
    return rows[0];
  }

  it('an SMS gateway failing twice then succeeding delivers once, after two backoffs', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    await t.notify.worker.runOnce(); // whatever earlier steps queued
    t.sms.sent = [];
    t.sms.failNext = 2;
    const row = await newIssueSms('厂房验收迟迟未办理，影响投产。');
    await t.notify.worker.runOnce();
    let now = (await t.models.Outbox.findById(row._id).lean())!;
    expect(now).to.include({ status: 'pending', attempts: 1 });
    expect(now.lastError).to.equal('gateway unavailable');
    expect(now.nextAttemptAt.getTime() - t.clock.now().getTime()).to.equal(backoffMs(1));
    t.clock.advance(backoffMs(1));
    await t.notify.worker.runOnce();
    now = (await t.models.Outbox.findById(row._id).lean())!;
    expect(now).to.include({ status: 'pending', attempts: 2 });
    t.clock.advance(backoffMs(2));
    await t.notify.worker.runOnce();
    await t.notify.worker.runOnce();
    now = (await t.models.Outbox.findById(row._id).lean())!;
    expect(now).to.include({ status: 'sent', attempts: 3 });
    expect(t.sms.sent.filter((s) => s.text === row.text)).to.have.length(1);
  });

  it('a gateway down for a simulated day loses nothing: everything is delivered once it is back', async () => {
    t.sms.down = true;
    t.sms.sent = [];
    const rows = [await newIssueSms('请尽快回电。'), await newIssueSms('联系人另有安排。')];
    for (let h = 0; h < 24; h++) {
      await t.notify.worker.runOnce();
      t.clock.advance(HOUR);
    }
    const during = await t.models.Outbox.find({ _id: { $in: rows.map((r) => r._id) } }).lean();
    expect(during.map((r) => r.status)).to.deep.equal(['pending', 'pending']);
    t.sms.down = false;
    t.clock.advance(HOUR);
    await t.notify.worker.runOnce();
    const after = await t.models.Outbox.find({ _id: { $in: rows.map((r) => r._id) } }).lean();
    expect(after.map((r) => r.status)).to.deep.equal(['sent', 'sent']);
    expect(t.sms.sent.map((s) => s.text).sort()).to.deep.equal(rows.map((r) => r.text).sort());
  });

  it('an entry that keeps failing goes dead; admins find it by filter and retry it', async () => {
    t.sms.down = true;
    const row = await newIssueSms('融资担保手续繁琐。');
    await t.models.Outbox.updateOne({ _id: row._id }, { $set: { attempts: 39 } });
    await t.notify.worker.runOnce();
    expect((await t.models.Outbox.findById(row._id).lean())!.status).to.equal('dead');
    const admin = await t.auth('admin');
    const dead = await request(t.app).get('/api/outbox?status=dead&channel=sms').set(admin).expect(200);
    expect(dead.body.items.map((i: { id: string }) => i.id)).to.include(String(row._id));
    expect(dead.body.items[0].recipient.address).to.match(/^1\d{2}\*{4}\d{4}$/);
    // The 通知发送 screen names the way and the event in Chinese, beside the codes.
    const listed = dead.body.items.find((i: { id: string }) => i.id === String(row._id));
    expect(listed).to.include({
      channel: 'sms',
      channelLabel: '短信',
      event: 'enterprise_received',
      eventLabel: '受理回执',
    });
    expect(listed.recipient.name).to.be.a('string').and.not.equal('');
    expectError(await request(t.app).get('/api/outbox?status=lost').set(admin), 400, 'validation_failed');
    expectError(
      await request(t.app)
        .get('/api/outbox')
        .set(await t.auth('dispatcher')),
      403,
      'forbidden',
    );
    t.sms.down = false;
    const retried = await request(t.app)
      .post(`/api/outbox/${String(row._id)}/retry`)
      .set(admin)
      .expect(200);
    expect(retried.body).to.include({ status: 'pending', attempts: 0 });
    await t.notify.worker.runOnce();
    expect((await t.models.Outbox.findById(row._id).lean())!.status).to.equal('sent');
    expectError(
      await request(t.app)
        .post(`/api/outbox/${String(row._id)}/retry`)
        .set(admin),
      409,
      'not_retryable',
    );
  });

  it('templates: listed with their variables, edited by admins, an unknown variable refused', async () => {
    const admin = await t.auth('admin');
    const list = await request(t.app).get('/api/notifications/templates').set(admin).expect(200);
    const received = list.body.items.find((i: { event: string }) => i.event === 'enterprise_received');
    expect(received.variables).to.include.members(['number', 'link']);
    const bad = await request(t.app)
      .put('/api/settings/notifyTemplates')
      .set(admin)
      .send({ value: { enterprise_received: '编号{{numbr}}' } });
    expectError(bad, 400, 'validation_failed');
    expect(bad.body.error.message).to.include('{{numbr}}');
    await request(t.app)
      .put('/api/settings/notifyTemplates')
      .set(admin)
      .send({ value: { enterprise_received: '【受理】{{enterprise}}：编号{{number}}' } })
      .expect(200);
    const row = await newIssueSms('招工难，希望对接人才市场。');
    expect(row.text).to.match(/^【受理】.+：编号HZ-2026-\d{6}$/);
  });

  it('templates: {{link}} is the QR page for the enterprise only; staff get the issue in the workbench', async () => {
    await request(t.app)
      .put('/api/settings/notifyTemplates')
      .set(await t.auth('admin'))
      .send({
        value: {
          issue_assigned: '新问题{{number}}，进度：{{link}}',
          enterprise_dispatched: '已分办：{{link}}',
        },
      })
      .expect(200);
    const res = await postIssue(t, 'dispatcher', { category: 'land', urgency: 'normal' });
    expect(res.body.state).to.equal('dispatched');
    const staff = await outbox(t, { issueId: res.body.id, event: 'issue_assigned' });
    expect(staff.length).to.be.greaterThan(0);
    for (const n of staff) {
      expect(n.text).to.equal(
        `新问题${res.body.number}，进度：https://qy.example.test/issues/${res.body.id}`,
      );
      expect(n.text).to.not.contain('/e/');
    }
    // The enterprise's own mobile still gets its QR page in the same change.
    const sms = await outbox(t, { issueId: res.body.id, channel: 'sms', event: 'enterprise_dispatched' });
    expect(sms.map((r) => r.text).join()).to.contain('/e/');
  });
});

describe('notifications: providers and production safety', () => {
  it('outside demo mode the log provider is refused unless explicitly chosen, and masks codes', () => {
    const prod = { DEMO: '0', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' };
    expect(() => smsSenderFor(loadConfig(prod), silent)).to.throw(/SMS_PROVIDER/);
    expect(() => smsSenderFor(loadConfig({ ...prod, SMS_PROVIDER: 'http' }), silent)).to.throw(
      /SMS_GATEWAY_URL/,
    );
    const lines: unknown[] = [];
    const logger = { info: (obj: unknown) => lines.push(obj) };
    void createLogSmsSender(logger, { demo: false }).send('13800001234', '您的验证码为482913，5分钟内有效。');
    expect(JSON.stringify(lines)).to.not.include('482913');
    expect(JSON.stringify(lines)).to.include('******');
    // A notice's QR link is the enterprise's bearer credential: its token is masked too.
    const token = 'c3gwHQkRB2oMyNdyG5zsEzAa8DUaIMlniLaj0QvfQBU';
    void createLogSmsSender(logger, { demo: false }).send(
      '13800001234',
      `【办结】问题已办结，请评价。可扫描企业码查看进度：https://qr.example.gov.cn/e/${token}`,
    );
    expect(JSON.stringify(lines)).to.not.include(token);
    expect(JSON.stringify(lines)).to.include('https://qr.example.gov.cn/e/[redacted]');
  });

  it('the HTTP gateway signs each request and rejects a refusal (so the outbox retries)', async () => {
    const calls: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
    let status = 200;
    const fakeFetch = (async (url: string, init: { headers: Record<string, string>; body: string }) => {
      calls.push({ url, headers: init.headers, body: init.body });
      return new Response(
        JSON.stringify(status === 200 ? { ok: true, messageId: 'm-1' } : { error: 'busy' }),
        { status },
      );
    }) as unknown as typeof fetch;
    const sms = createHttpSmsSender({
      url: 'https://sms.example.test/send',
      key: 'k',
      secret: 's'.repeat(16),
      signName: '企业码',
      fetch: fakeFetch,
      nowSeconds: () => 1_700_000_000,
    });
    expect(await sms.send('13800001234', '测试')).to.equal('m-1');
    const h = calls[0].headers;
    expect(h['x-signature']).to.equal(
      signGatewayRequest('s'.repeat(16), '1700000000', h['x-nonce'], calls[0].body),
    );
    expect(JSON.parse(calls[0].body)).to.include({ to: '13800001234', sign: '企业码', text: '测试' });
    status = 503;
    let failed = false;
    await sms.send('13800001234', '测试').catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});
