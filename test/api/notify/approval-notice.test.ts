// A unit's request for approval (延期, 挂起, 解挂) tells the approvers in the app at once: the dispatchers and the
// director (ACTION_ROLES of the approving action), not the clerk, with what is asked and the issue's deadline;
// the decision tells the unit (approved, with the deadline, or denied with the reason).
import { expect } from 'chai';
import request from 'supertest';
import { handlerOf, inProgressIssue, must } from '../issues/fixtures.ts';
import { outbox, recipientsByEvent, useNotifyApp } from './notify-harness.ts';

describe('notifications: a request waiting for approval', () => {
  const t = useNotifyApp();
  const h = handlerOf('city-drc');

  it('an extension request reaches the dispatcher and the director in the app, with the days asked', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'request_extension', { workingDays: 3, reason: '需协调县发改局核实招标文件' });
    expect((await recipientsByEvent(t, id)).approval_requested).to.deep.equal(['director', 'dispatcher']);
    const [row] = await outbox(t, { issueId: id, event: 'approval_requested' });
    expect(row.channel).to.equal('inapp');
    expect(row.text).to.include('申请延期3个工作日');
    expect(row.text).to.include('待审批');
    await t.notify.worker.runOnce();
    const list = await request(t.app)
      .get('/api/notifications')
      .set(await t.auth('dispatcher'))
      .expect(200);
    const mine = (list.body.items as { event: string; text: string }[]).filter(
      (n) => n.event === 'approval_requested',
    );
    expect(mine).to.have.length(1);
    const clerk = await request(t.app)
      .get('/api/notifications')
      .set(await t.auth('clerk'))
      .expect(200);
    expect((clerk.body.items as { event: string }[]).map((n) => n.event)).to.not.include(
      'approval_requested',
    );
  });

  it('a suspension request and a resumption request each tell the approvers once; approving tells no approver', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'suspend', { reason: '等待企业补充材料' });
    await must(t, 'dispatcher', id, 'approve_suspend');
    await must(t, h, id, 'resume');
    const rows = await outbox(t, { issueId: id, event: 'approval_requested', channel: 'inapp' });
    expect(rows.map((r) => r.text.includes('申请挂起') || r.text.includes('申请解挂'))).to.deep.equal([
      true,
      true,
      true,
      true,
    ]);
    expect(rows.filter((r) => r.text.includes('申请解挂'))).to.have.length(2);
  });

  it('the decision reaches the unit: approved with the new deadline, or denied with the reason', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'request_extension', { workingDays: 2, reason: '需等待第三方检测报告' });
    await must(t, 'director', id, 'deny_request', { reason: '延期理由不充分，请按原期限办结' });
    await must(t, h, id, 'request_extension', { workingDays: 2, reason: '检测机构排期已确定' });
    await must(t, 'dispatcher', id, 'approve_extension', {});
    const rows = await outbox(t, { issueId: id, event: 'approval_decided', channel: 'inapp' });
    const texts = [...new Set(rows.map((r) => r.text))];
    expect(texts).to.have.length(2);
    expect(texts[0]).to.include('延期申请已驳回，理由：延期理由不充分，请按原期限办结');
    expect(texts[1]).to.match(/延期申请已批准。当前办结时限\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect((await recipientsByEvent(t, id)).approval_decided).to.include(h);
  });
});
