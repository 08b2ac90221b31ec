// Delivery as the server runs it (deliverOnEnqueue, the default): a change's outbox rows are inserted already
// claimed by this process and delivered at once, without a worker pass; the facts come from the change intake
// made (the issue and the enterprise's addresses), so the texts name the right number, mobile and QR link. A
// failed send backs off as a worker's would, and rows whose process stopped before delivering are taken over
// by any worker once their lease runs out, and delivered once.
import { expect } from 'chai';
import { backoffMs } from '../../../server/notify/outbox-worker.ts';
import { createNotifier } from '../../../server/notify/notifier.ts';
import type { OutboxDoc } from '../../../server/models/index.ts';
import { enterpriseIn, postIssue, VAGUE_TEXT } from '../issues/fixtures.ts';
import { china, outbox, silent, useNotifyApp } from './notify-harness.ts';

describe('notifications delivered as they are written', () => {
  const t = useNotifyApp(() => ({ deliverOnEnqueue: true }));

  it('a new issue: the enterprise gets an SMS with its number and QR link, staff their notices, nothing left pending', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    t.sms.sent = [];
    const enterprise = enterpriseIn(t, 'deqing', 1);
    const res = await postIssue(t, 'dispatcher', {
      enterprise: { creditCode: enterprise.creditCode },
      category: 'land',
      urgency: 'normal',
    });
    expect(res.status).to.equal(201);
    const rows = await outbox(t, { issueId: res.body.id });
    expect(rows.length).to.be.greaterThan(1);
    expect(rows.map((r) => r.status)).to.satisfy((s: string[]) => s.every((x) => x === 'sent'));
    const sms = t.sms.sent.filter((s) => s.to === enterprise.mobile);
    expect(sms).to.have.length(rows.filter((r) => r.channel === 'sms').length);
    expect(sms[0].text).to.include(res.body.number);
    expect(sms[0].text).to.include(`/e/${enterprise.qrToken}`);
    const inApp = rows.filter((r) => r.channel === 'inapp');
    expect(inApp.length).to.be.greaterThan(0);
    const notices = await t.models.Notification.countDocuments({
      outboxId: { $in: inApp.map((r) => r._id) },
    });
    expect(notices).to.equal(inApp.length);
  });

  it('a send that fails backs off like a claimed row and is delivered by a later pass, once', async () => {
    t.sms.sent = [];
    t.sms.failNext = 1;
    const res = await postIssue(t, 'dispatcher', { urgency: 'normal', content: `${VAGUE_TEXT}请尽快回电。` });
    expect(res.status).to.equal(201);
    const [row] = await outbox(t, { issueId: res.body.id, channel: 'sms' });
    expect(row).to.include({ status: 'pending', attempts: 1, lastError: 'gateway unavailable' });
    expect(row.nextAttemptAt.getTime() - t.clock.now().getTime()).to.equal(backoffMs(1));
    t.clock.advance(backoffMs(1));
    await t.notify.worker.runOnce();
    await t.notify.worker.runOnce();
    const after = (await t.models.Outbox.findById(row._id).lean<OutboxDoc>())!;
    expect(after).to.include({ status: 'sent', attempts: 2 });
    expect(t.sms.sent.filter((s) => s.text === row.text)).to.have.length(1);
  });

  it('rows whose process stopped before delivering wait out their lease, then any worker delivers them once', async () => {
    t.sms.sent = [];
    // A notifier whose process dies between the insert and the delivery.
    const dying = createNotifier({
      models: t.models,
      clock: t.clock,
      logger: silent,
      publicBaseUrl: 'http://localhost',
      deliverNow: { leaseMs: t.notify.worker.leaseMs, deliver: async () => undefined },
    });
    const key = `lease-test:${Date.now()}`;
    const recipient = { kind: 'enterprise' as const, id: 'e1', name: '测试企业', address: '13900000001' };
    expect(
      await dying.enqueue([
        { key, event: 'enterprise_received', channel: 'sms', recipient, text: '租约测试' },
      ]),
    ).to.equal(1);
    const leased = (await t.models.Outbox.findOne({ key }).lean<OutboxDoc>())!;
    expect(leased.status).to.equal('sending');
    expect(leased.lockedUntil!.getTime() - t.clock.now().getTime()).to.equal(t.notify.worker.leaseMs);
    await t.notify.worker.runOnce();
    expect(t.sms.sent, 'still leased by the process that wrote it').to.have.length(0);
    t.clock.advance(t.notify.worker.leaseMs);
    await t.notify.worker.runOnce();
    await t.notify.worker.runOnce();
    expect(t.sms.sent).to.deep.equal([{ to: '13900000001', text: '租约测试' }]);
    expect((await t.models.Outbox.findOne({ key }).lean<OutboxDoc>())!.status).to.equal('sent');
  });
});
