// The answer after a bad rating's rectification says so (经整改已办理完毕): it read word for word as the first
// answer, so the owner could not tell the corrected one from the answer they had rated bad.
import { expect } from 'chai';
import { handlerOf, inProgressIssue, must } from '../issues/fixtures.ts';
import { outbox, useNotifyApp } from './notify-harness.ts';

describe('notifications: the rectified answer', () => {
  const t = useNotifyApp();

  it('the enterprise’s second 办理结果 says 经整改; the first does not', async () => {
    const id = await inProgressIssue(t);
    const handler = handlerOf('city-drc');
    await must(t, handler, id, 'reply', { text: '已协调供电部门恢复供电。' });
    await must(t, 'dispatcher', id, 'verify');
    await must(t, 'clerk', id, 'rate', { rating: 'bad', level: 'dissatisfied', comment: '仍然经常停电' });
    await must(t, 'dispatcher', id, 'verify_rating', { reasonable: true });
    await must(t, handler, id, 'reply', { text: '已更换园区变压器，供电恢复稳定。' });
    await must(t, 'dispatcher', id, 'verify');
    await t.notify.notifier.idle();
    const texts = (await outbox(t, { issueId: id, event: 'enterprise_reply' })).map((r) => r.text);
    expect(texts).to.have.length(2);
    expect(texts[0]).to.match(/^您的问题HZ-\d{4}-\d{6}已办理完毕/);
    expect(texts[1]).to.match(/^您的问题HZ-\d{4}-\d{6}经整改已办理完毕/);
  });
});
