// The outbox record of a QR verification code (recording-sms.ts): the mobile is the recipient's address, which
// the admin's outbox list masks, and nowhere else (the key was `code:<mobile>:…`, shown in full to admins).
import { expect } from 'chai';
import { recordingSmsSender } from '../../../server/notify/recording-sms.ts';
import { createSimulatedClock } from '../../../shared/clock.ts';

describe('notify: the recorded verification code', () => {
  it('keeps the mobile out of the outbox key, and the code out of the text outside demo mode', async () => {
    const rows: Record<string, unknown>[] = [];
    const sender = recordingSmsSender(
      { send: async () => 'msg-1' },
      {
        enqueue: async (drafts) => {
          rows.push(...(drafts as unknown as Record<string, unknown>[]));
          return drafts.length;
        },
      },
      { clock: createSimulatedClock(new Date('2026-12-04T02:00:00Z')), demo: false },
    );
    await sender.send('13700009999', '您的验证码为855801，10分钟内有效');
    expect(rows).to.have.length(1);
    const { recipient, ...rest } = rows[0]!;
    expect((recipient as { address: string }).address).to.equal('13700009999');
    expect(JSON.stringify(rest)).not.to.contain('13700009999');
    expect(JSON.stringify(rest)).not.to.contain('855801');
    expect(rest.key).to.match(/^code:[0-9a-f-]{36}$/);
  });
});
