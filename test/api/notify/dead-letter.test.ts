// The centre hears about dead letters (issue 8): when the intake pipeline marks an inbox entry failed, or an
// authenticated channel delivers something that cannot be parsed, every centre member (clerk, dispatcher,
// director) gets one in-app notice naming the channel and the reason — once per entry, however often it fails.
import { expect } from 'chai';
import { channelSecretKeyOf } from '../../../server/channels/credentials.ts';
import { seedDemoChannelCredentials } from '../../../server/channels/demo-credentials.ts';
import { createIntakeConfigCache } from '../../../server/intake/intake-config.ts';
import { createPipelineDeps } from '../../../server/intake/intake-sink.ts';
import { acceptInbound, type PipelineDeps } from '../../../server/intake/pipeline.ts';
import { enterpriseIn } from '../issues/fixtures.ts';
import { outbox, postSigned, silent, useNotifyApp } from './notify-harness.ts';

describe('dead-letter notices to the centre', () => {
  const t = useNotifyApp();
  let broken: PipelineDeps;

  before(async () => {
    await seedDemoChannelCredentials(t.models, channelSecretKeyOf(t.config), t.clock);
    broken = {
      ...createPipelineDeps({
        models: t.models,
        clock: t.clock,
        intakeConfig: createIntakeConfigCache(t.models),
        logger: silent,
      }),
      classify: () => {
        throw new Error('classifier unavailable');
      },
    };
  });

  const noticesOf = async (inboxId: string) =>
    (await outbox(t, { event: 'dead_letter', key: { $regex: `^inbox:${inboxId}:` } }))
      .map((r) => `${t.usernames.get(r.recipient.id)} ${r.channel} ${r.text}`)
      .sort();

  it('a message the pipeline cannot process: each centre member is told once, also when it fails again', async () => {
    const msg = {
      channel: 'hotline12345' as const,
      externalId: 'WO-DL-1',
      content: '厂区供电不稳定，用电扩容申请一直没有批复。',
      enterprise: { creditCode: enterpriseIn(t, 'anji', 7).creditCode },
      contact: { name: '王经理', phone: '13905721234' },
    };
    const first = await acceptInbound(broken, msg);
    expect(first.status).to.equal('failed');
    const text = '12345热线渠道有一条消息未能受理：处理失败：classifier unavailable。';
    expect(await noticesOf(first.inboxId)).to.deep.equal(
      ['clerk', 'director', 'dispatcher'].map((u) => `${u} inapp ${text}`),
    );
    // Redelivered while still broken: it fails again, and nobody is told twice.
    const again = await acceptInbound(broken, msg);
    expect(again).to.include({ status: 'failed', inboxId: first.inboxId });
    expect(await noticesOf(first.inboxId)).to.have.length(3);
    await t.notify.worker.runOnce();
    const dispatcher = [...t.usernames].find(([, name]) => name === 'dispatcher')![0];
    const inApp = await t.models.Notification.find({ userId: dispatcher, event: 'dead_letter' }).lean();
    expect(inApp.map((n) => n.text)).to.deep.equal([text]);
  });

  it('a signed delivery that cannot be parsed is a dead letter the centre hears about', async () => {
    const raw = '{"orderId": "WO-DL-2", "content": ';
    const res = await postSigned(t, 'hotline12345', raw);
    expect(res.status).to.equal(400);
    const entry = (await t.models.InboxEntry.findOne({ status: 'failed', 'raw.text': raw }).lean())!;
    expect(entry, 'the raw body is in the dead-letter list').to.not.equal(null);
    const notices = await noticesOf(String(entry._id));
    expect(notices).to.have.length(3);
    expect(notices[0]).to.match(/^clerk inapp 12345热线渠道有一条消息未能受理：/);
  });
});
