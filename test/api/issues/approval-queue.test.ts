// 待审批 on the centre desk: a unit's request to suspend, resume or extend waits for an approver, who finds it
// counted on the desk (GET /api/workbench) and listed (GET /api/issues?queue=approval) with what is asked, and
// approves or denies it from there. Only roles that may approve it (ACTION_ROLES) have the queue.
import { expect } from 'chai';
import request from 'supertest';
import { expectError } from '../helpers.ts';
import { act, getIssue, handlerOf, inProgressIssue, must, useIssueApp } from './fixtures.ts';

describe('待审批: the approval queue of the centre desk', () => {
  const t = useIssueApp();
  const h = handlerOf('city-drc');

  async function queue(as: string) {
    return request(t.app)
      .get('/api/issues?queue=approval')
      .set(await t.auth(as));
  }
  async function count(as: string): Promise<number | undefined> {
    const res = await request(t.app)
      .get('/api/workbench')
      .set(await t.auth(as));
    if (res.status === 403) return undefined; // no desk at all
    expect(res.status).to.equal(200);
    return (res.body.queues as { id: string; count: number }[]).find((q) => q.id === 'approval')?.count;
  }

  it('lists each pending request for the dispatcher and the director, with what is asked, and counts them', async () => {
    const extension = await inProgressIssue(t);
    const suspension = await inProgressIssue(t);
    await inProgressIssue(t); // nothing asked
    await must(t, h, extension, 'request_extension', {
      workingDays: 3,
      reason: '需协调县发改局核实招标文件',
    });
    await must(t, h, suspension, 'suspend', { reason: '等待企业补充材料' });
    for (const who of ['dispatcher', 'director']) {
      expect(await count(who), who).to.equal(2);
      const res = await queue(who);
      expect(res.status, who).to.equal(200);
      const ids = (res.body.items as { id: string }[]).map((i) => i.id);
      expect(ids, who).to.have.members([extension, suspension]);
    }
    const detail = (await getIssue(t, 'dispatcher', extension)).body;
    expect(detail.pendingApproval).to.include({ kind: 'extension', workingDays: 3 });
    expect(detail.pendingApproval.reason).to.equal('需协调县发改局核实招标文件');
    expect(detail.pendingApproval.requestedAt).to.be.a('string');
  });

  it('roles that may not approve have no such queue: the clerk, a handler, the leader, the supervisor', async () => {
    for (const who of ['clerk', h, 'leader', 'supervisor']) {
      expect(await count(who), who).to.equal(undefined);
      expectError(await queue(who), 400, 'invalid_queue');
    }
  });

  it('approving or denying takes the request off the queue', async () => {
    const before = await count('dispatcher');
    const id = await inProgressIssue(t);
    await must(t, h, id, 'request_extension', { workingDays: 2, reason: '等待检测报告' });
    expect(await count('dispatcher')).to.equal(before! + 1);
    await must(t, 'dispatcher', id, 'approve_extension');
    expect(await count('dispatcher')).to.equal(before);
    const denied = await inProgressIssue(t);
    await must(t, h, denied, 'suspend', { reason: '企业要求暂缓' });
    expect(await count('director')).to.equal(before! + 1);
    await must(t, 'director', denied, 'deny_request', { reason: '无需挂起' });
    expect(await count('dispatcher')).to.equal(before);
    expect((await act(t, 'dispatcher', denied, 'approve_suspend')).status).to.equal(409);
  });
});
