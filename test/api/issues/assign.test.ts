// The unit head hands an issue to one of the unit's handlers (issue 9): `assign {userId, reason?}` on the
// timeline, the signer as the default assignee, the assignee's "mine" queue and load, the in-app notice to the
// new assignee, and who may not assign (a handler, another unit's head) or be assigned (another unit's user).
import { expect } from 'chai';
import request from 'supertest';
import { expectError } from '../helpers.ts';
import { outbox, recipientsByEvent, useNotifyApp } from '../notify/notify-harness.ts';
import { act, getIssue, handlerOf, must, postIssue, unitByCode, unitHeadOf } from './fixtures.ts';

const UNIT = 'deqing-centre';

describe('assign: a unit head reassigns an issue within the unit', function () {
  this.timeout(60_000);
  const t = useNotifyApp();
  let issueId: string;
  let second: { id: string; username: string };
  let handlerId: string;

  async function userId(username: string): Promise<string> {
    return String((await t.models.User.findOne({ username }, { _id: 1 }).lean())!._id);
  }

  async function newUser(username: string, unitCode: string, extra: object = {}) {
    const res = await request(t.app)
      .post('/api/users')
      .set(await t.auth('admin'))
      .send({
        username,
        name: `经办人${username}`,
        password: 'secret-pass-1',
        role: 'handler',
        unitId: String(unitByCode(t, unitCode)._id),
        ...extra,
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { id: String(res.body.id), username };
  }

  before(async () => {
    const res = await postIssue(t, 'dispatcher', {
      category: 'land',
      urgency: 'normal',
      content: '厂房验收迟迟未办理，影响投产（指派）',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.unitId).to.equal(String(unitByCode(t, UNIT)._id));
    issueId = res.body.id;
    second = await newUser('handler2-deqing', UNIT);
    handlerId = await userId(handlerOf(UNIT));
  });

  const queue = async (as: string, id: string) => {
    const res = await request(t.app)
      .get(`/api/issues?queue=${id}`)
      .set(await t.auth(as));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.items.map((i: { id: string }) => i.id);
  };

  it('the handler who signs becomes the assignee, and the issue is in their "mine" queue', async () => {
    const signed = await must(t, handlerOf(UNIT), issueId, 'sign');
    expect(signed.assigneeId).to.equal(handlerId);
    expect(signed.assigneeName).to.be.a('string').and.not.equal('');
    expect(await queue(handlerOf(UNIT), 'mine')).to.deep.equal([issueId]);
  });

  it('a handler cannot assign (403); nor can the head of another unit (404: not theirs to see)', async () => {
    expectError(await act(t, handlerOf(UNIT), issueId, 'assign', { userId: second.id }), 403, 'forbidden');
    expectError(
      await act(t, unitHeadOf('city-drc'), issueId, 'assign', { userId: second.id }),
      404,
      'not_found',
    );
  });

  it('the assignee must be an active handler of the issue unit', async () => {
    const other = await newUser('handler2-drc', 'city-drc');
    const head = unitHeadOf(UNIT);
    expectError(await act(t, head, issueId, 'assign', { userId: other.id }), 400, 'invalid_assignee');
    const clerk = await userId('clerk');
    expectError(await act(t, head, issueId, 'assign', { userId: clerk }), 400, 'invalid_assignee');
    const gone = await newUser('handler3-deqing', UNIT, { role: 'handler' });
    await request(t.app)
      .patch(`/api/users/${gone.id}`)
      .set(await t.auth('admin'))
      .send({ disabled: true })
      .expect(200);
    expectError(await act(t, head, issueId, 'assign', { userId: gone.id }), 400, 'invalid_assignee');
    expectError(await act(t, head, issueId, 'assign', { userId: 'nope' }), 400, 'invalid_assignee');
    const unchanged = (await getIssue(t, head, issueId)).body;
    expect(unchanged.assigneeId).to.equal(handlerId);
  });

  it('the unit head assigns: timeline entry with the reason, new "mine" queues and load, the assignee notified', async () => {
    const res = await act(t, unitHeadOf(UNIT), issueId, 'assign', {
      userId: second.id,
      reason: '熟悉该企业',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.assigneeId).to.equal(second.id);
    expect(res.body.assigneeName).to.equal('经办人handler2-deqing');
    const last = res.body.timeline.at(-1);
    expect(last).to.include({ action: 'assign', note: '熟悉该企业', fromState: 'in_progress' });
    expect(last.data).to.deep.equal({ assigneeId: second.id, fromAssigneeId: handlerId });

    expect(await queue(handlerOf(UNIT), 'mine')).to.deep.equal([]);
    const token = await t.login(second.username, 'secret-pass-1');
    const mine = await request(t.app)
      .get('/api/issues?queue=mine')
      .set({ Authorization: `Bearer ${token}` })
      .expect(200);
    expect(mine.body.items.map((i: { id: string }) => i.id)).to.deep.equal([issueId]);

    const wb = await request(t.app)
      .get('/api/workbench')
      .set(await t.auth(unitHeadOf(UNIT)))
      .expect(200);
    const load = Object.fromEntries(
      wb.body.load.map((l: { userId: string; open: number }) => [l.userId, l.open]),
    );
    expect(load[second.id]).to.equal(1);
    expect(load[handlerId]).to.equal(0);

    const got = await recipientsByEvent(t, issueId);
    expect(got.issue_reassigned).to.deep.equal([second.id]);
    const [row] = await outbox(t, { issueId, event: 'issue_reassigned' });
    expect(row.channel).to.equal('inapp');
    expect(row.text).to.contain('指派给您办理');
  });

  it('assigning the same person again is refused; a transfer out of the unit clears the assignee', async () => {
    const again = await act(t, unitHeadOf(UNIT), issueId, 'assign', { userId: second.id });
    expectError(again, 400, 'invalid_input');
    const moved = await must(t, 'dispatcher', issueId, 'transfer', {
      unitId: String(unitByCode(t, 'city-drc')._id),
      reason: '职责调整',
    });
    expect(moved.assigneeId).to.equal(null);
    expect(moved.assigneeName).to.equal(null);
  });
});
