// POST /api/issues/:id/actions/:action: the error contract (401, 400, 403, 404, 409) and the role × action
// matrix as users meet it through the API.
import { expect } from 'chai';
import request from 'supertest';
import { expectError } from '../helpers.ts';
import {
  act,
  handlerOf,
  inProgressIssue,
  must,
  receivedIssue,
  unitByCode,
  unitHeadOf,
  useIssueApp,
} from './fixtures.ts';

describe('POST /api/issues/:id/actions/:action', () => {
  const t = useIssueApp();
  const drc = () => String(unitByCode(t, 'city-drc')._id);

  it('401 without a token', async () => {
    const id = await receivedIssue(t);
    expectError(await request(t.app).post(`/api/issues/${id}/actions/sign`).send({}), 401, 'unauthorized');
  });

  it('400 unknown_action, invalid_id and validation_failed (exact codes)', async () => {
    const id = await receivedIssue(t);
    expectError(await act(t, 'dispatcher', id, 'teleport'), 400, 'unknown_action');
    expectError(await act(t, 'dispatcher', 'not-an-id', 'dispatch', { unitId: drc() }), 400, 'invalid_id');
    expectError(await act(t, 'dispatcher', id, 'dispatch', {}), 400, 'validation_failed');
    expectError(await act(t, 'dispatcher', id, 'reject', { reason: '   ' }), 400, 'validation_failed');
    expectError(await act(t, 'dispatcher', id, 'note', { text: '缺少公开标志' }), 400, 'validation_failed');
    expectError(
      await act(t, 'dispatcher', id, 'dispatch', { unitId: '0123456789abcdef01234567' }),
      400,
      'unknown_unit',
    );
    // The message names the unit that is not there, not the first one named.
    const coUnit = await act(t, 'dispatcher', id, 'dispatch', { unitId: drc(), coUnitIds: ['x', 'zz'] });
    expectError(coUnit, 400, 'unknown_unit');
    expect(coUnit.body.error.message).to.equal('单位不存在：x');
  });

  it('404 for an unknown issue, and for an issue the handler cannot see', async () => {
    const unknown = '0123456789abcdef01234567';
    expectError(
      await act(t, 'dispatcher', unknown, 'note', { text: '跟进', public: true }),
      404,
      'not_found',
    );
    expectError(await act(t, handlerOf('city-drc'), unknown, 'sign'), 404, 'not_found');
    const id = await receivedIssue(t);
    await must(t, 'dispatcher', id, 'dispatch', { unitId: drc() });
    expectError(await act(t, handlerOf('city-tax'), id, 'sign'), 404, 'not_found');
  });

  it('409 illegal_transition for an action the state does not allow', async () => {
    const id = await receivedIssue(t);
    const res = await act(t, 'dispatcher', id, 'verify');
    expectError(res, 409, 'illegal_transition');
    expect(res.body.error.message).to.match(/待受理/);
  });

  describe('role × action matrix', () => {
    it('admin configures but never handles: 403 on every action', async () => {
      const id = await receivedIssue(t);
      for (const action of ['dispatch', 'sign', 'note', 'reject', 'verify']) {
        expectError(
          await act(t, 'admin', id, action, { unitId: drc(), reason: 'x', text: 'x', public: true }),
          403,
          'forbidden',
        );
      }
    });

    it('only the centre dispatches; a handler or the leader cannot', async () => {
      const id = await receivedIssue(t);
      expectError(await act(t, handlerOf('city-drc'), id, 'dispatch', { unitId: drc() }), 403, 'forbidden');
      expectError(await act(t, 'supervisor', id, 'dispatch', { unitId: drc() }), 403, 'forbidden');
      await must(t, 'clerk', id, 'dispatch', { unitId: drc() });
    });

    it('only the lead unit signs: the centre cannot, a co-unit handler gets 403, the unit head may', async () => {
      const id = await receivedIssue(t);
      const sci = String(unitByCode(t, 'city-sci')._id);
      await must(t, 'dispatcher', id, 'dispatch', { unitId: drc(), coUnitIds: [sci] });
      expectError(await act(t, 'dispatcher', id, 'sign'), 403, 'forbidden');
      expectError(await act(t, handlerOf('city-sci'), id, 'sign'), 403, 'forbidden');
      const signed = await must(t, unitHeadOf('city-drc'), id, 'sign');
      expect(signed.state).to.equal('in_progress');
      // A co-unit may still add its notes.
      await must(t, handlerOf('city-sci'), id, 'note', { text: '协办意见：已核实研发投入', public: false });
    });

    it('a handler cannot verify their own reply; the clerk cannot approve a suspension', async () => {
      const id = await inProgressIssue(t);
      await must(t, handlerOf('city-drc'), id, 'reply', { text: '已兑现补贴' });
      expectError(await act(t, handlerOf('city-drc'), id, 'verify'), 403, 'forbidden');
      await must(t, 'dispatcher', id, 'send_back', { reason: '答复不完整' });
      await must(t, handlerOf('city-drc'), id, 'suspend', { reason: '等待企业补充材料' });
      expectError(await act(t, 'clerk', id, 'approve_suspend'), 403, 'forbidden');
    });

    it('the supervisor may urge; a handler may not', async () => {
      const id = await inProgressIssue(t);
      expectError(await act(t, handlerOf('city-drc'), id, 'urge', {}), 403, 'forbidden');
      const urged = await must(t, 'supervisor', id, 'urge', { note: '请加快办理' });
      expect(urged.urged).to.equal(true);
    });
  });

  it('a request for extension is granted once only', async () => {
    const id = await inProgressIssue(t);
    const h = handlerOf('city-drc');
    const pending = await must(t, h, id, 'request_extension', { workingDays: 3, reason: '需要第三方评估' });
    expect(pending.pendingApproval).to.include({ kind: 'extension', workingDays: 3 });
    const before = Date.parse(pending.deadlines.resolveBy);
    const approved = await must(t, 'dispatcher', id, 'approve_extension');
    expect(approved.extensionCount).to.equal(1);
    expect(Date.parse(approved.deadlines.resolveBy)).to.be.greaterThan(before);
    expectError(
      await act(t, h, id, 'request_extension', { workingDays: 1, reason: '再延一次' }),
      409,
      'extension_limit',
    );
  });
});
