// The lifecycle of DESIGN §3 through the API, each step visible in the timeline: the happy path to a good
// rating, returns into consultation, a bad rating redone, suspension, merge, rejection and reopening.
import { expect } from 'chai';
import request from 'supertest';
import { HOUR_MS } from '../../../shared/clock.ts';
import { demoNameOf, expectError } from '../helpers.ts';
import {
  act,
  getIssue,
  handlerOf,
  inProgressIssue,
  must,
  receivedIssue,
  unitByCode,
  useIssueApp,
} from './fixtures.ts';

type Event = {
  action: string;
  fromState: string | null;
  toState: string;
  actorName: string;
  public: boolean;
  data?: Record<string, unknown>;
};
const actions = (timeline: Event[]) => timeline.map((e) => e.action);

describe('issue lifecycle through the API', () => {
  const t = useIssueApp();
  const drc = () => String(unitByCode(t, 'city-drc')._id);
  const h = handlerOf('city-drc');

  it('happy path: create → dispatch → sign → note → reply → verify → good rating → closed', async () => {
    const id = await receivedIssue(t, { content: '企业负责人来电，反映技改补贴的事情，希望当面沟通。' });
    const dispatched = await must(t, 'dispatcher', id, 'dispatch', { unitId: drc() });
    expect(dispatched).to.include({
      state: 'dispatched',
      unitId: drc(),
      unitName: '市发展和改革委员会',
      level: 'city',
    });
    t.clock.advance(HOUR_MS);
    expect((await must(t, h, id, 'sign')).state).to.equal('in_progress');
    await must(t, h, id, 'note', { text: '已电话联系企业，约定下周走访', public: true });
    t.clock.advance(2 * HOUR_MS);
    expect((await must(t, h, id, 'reply', { text: '补贴已于本周拨付到账' })).state).to.equal('replied');
    const verified = await must(t, 'dispatcher', id, 'verify');
    expect(verified.state).to.equal('awaiting_rating');
    expect(verified.rateBy).to.be.a('string');
    // A level the API does not know is refused with the ones it does (a user typed 满意).
    const unknown = await act(t, 'clerk', id, 'rate', { rating: 'good', level: '满意' });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.message)
      .to.contain('satisfied（满意）')
      .and.contain('very_dissatisfied（非常不满意）');
    const closed = await must(t, 'clerk', id, 'rate', { rating: 'good', level: 'satisfied' });
    expect(closed.state).to.equal('closed');
    expect(closed.rating).to.include({ rating: 'good', level: 'satisfied' });

    const res = await getIssue(t, h, id);
    const timeline = res.body.timeline as Event[];
    expect(actions(timeline)).to.deep.equal([
      'create',
      'dispatch',
      'sign',
      'note',
      'reply',
      'verify',
      'rate',
    ]);
    expect(timeline.map((e) => e.toState)).to.deep.equal([
      'received',
      'dispatched',
      'in_progress',
      'in_progress',
      'replied',
      'awaiting_rating',
      'closed',
    ]);
    // Timelines name people by their display name, not their login.
    expect(timeline[1]).to.include({ action: 'dispatch', actorName: '陈志强', actorRole: 'dispatcher' });
    expect(timeline[2]).to.include({ fromState: 'dispatched', actorName: demoNameOf(h) });
    expect(res.body.version).to.equal(7);
  });

  it('the second return convenes a director-tier consultation; decide hands it to a lead unit', async () => {
    const id = await receivedIssue(t);
    await must(t, 'dispatcher', id, 'dispatch', { unitId: drc() });
    const first = await must(t, h, id, 'return', { reason: '不属于本单位职责', legalBasis: '三定方案' });
    expect(first).to.include({ state: 'received', returnCount: 1, unitId: null });
    const econ = String(unitByCode(t, 'city-econ')._id);
    await must(t, 'dispatcher', id, 'dispatch', { unitId: econ });
    const second = await must(t, handlerOf('city-econ'), id, 'return', { reason: '同样不属于本单位' });
    expect(second).to.include({ state: 'consulting', returnCount: 2, tier: 'director' });
    expect(second.consultation.unitIds).to.include.members([drc(), econ]);
    // The page says which of them handed it back (曾退单), so a unit knows why it is convened again.
    expect(second.returnedFrom).to.have.members([drc(), econ]);
    // Both returning units are at the table and can see and give input.
    await must(t, h, id, 'consult_input', { text: '建议由经信局牵头' });
    const decided = await must(t, 'director', id, 'decide', { unitId: econ, workingDays: 10 });
    expect(decided).to.include({ state: 'in_progress', unitId: econ });
  });

  it('a bad rating judged reasonable sends the issue back to work with redoCount 1', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'reply', { text: '已答复' });
    await must(t, 'dispatcher', id, 'verify');
    const bad = await must(t, 'clerk', id, 'rate', {
      rating: 'bad',
      level: 'dissatisfied',
      comment: '问题没解决',
    });
    expect(bad.state).to.equal('awaiting_rating');
    expect(bad.rating).to.include({ rating: 'bad', verification: 'pending' });
    const redo = await must(t, 'dispatcher', id, 'verify_rating', { reasonable: true });
    expect(redo).to.include({ state: 'in_progress', redoCount: 1 });
    expect(Date.parse(redo.deadlines.resolveBy)).to.be.greaterThan(t.clock.now().getTime());
  });

  it('an appeal against a bad rating (unreasonable) closes the issue and removes the rating', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'reply', { text: '已答复' });
    await must(t, 'dispatcher', id, 'verify');
    await must(t, 'clerk', id, 'rate', { rating: 'bad' });
    expectError(
      await act(t, 'dispatcher', id, 'verify_rating', { reasonable: false }),
      400,
      'reason_required',
    );
    const upheld = await must(t, 'director', id, 'verify_rating', {
      reasonable: false,
      reason: '企业诉求超出政策范围',
    });
    expect(upheld.state).to.equal('closed');
    expect(upheld.rating.verification).to.equal('removed');
  });

  it('who wrote down a bad rating given by phone may not find it unfounded: another person must', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'reply', { text: '已答复' });
    await must(t, 'dispatcher', id, 'verify');
    const recorded = await must(t, 'dispatcher', id, 'rate', {
      rating: 'bad',
      comment: '企业电话表示未解决',
    });
    expect(recorded.rating.recordedBy).to.be.a('string');
    const alone = await act(t, 'dispatcher', id, 'verify_rating', {
      reasonable: false,
      reason: '超出政策范围',
    });
    expectError(alone, 403, 'forbidden');
    expect(alone.body.error.message).to.contain('另一位人员');
    const upheld = await must(t, 'director', id, 'verify_rating', {
      reasonable: false,
      reason: '超出政策范围',
    });
    expect(upheld.state).to.equal('closed');
    // Finding it founded is no conflict: the recorder may send the issue back to work.
    const other = await inProgressIssue(t);
    await must(t, h, other, 'reply', { text: '已答复' });
    await must(t, 'dispatcher', other, 'verify');
    await must(t, 'dispatcher', other, 'rate', { rating: 'bad' });
    expect((await must(t, 'dispatcher', other, 'verify_rating', { reasonable: true })).state).to.equal(
      'in_progress',
    );
  });

  it('suspension and resumption each need approval; the clock pauses meanwhile', async () => {
    const id = await inProgressIssue(t);
    const asked = await must(t, h, id, 'suspend', { reason: '等待企业补充环评材料' });
    expect(asked.state).to.equal('in_progress');
    expect(asked.pendingApproval.kind).to.equal('suspend');
    const dueBefore = Date.parse(asked.deadlines.resolveBy);
    const suspended = await must(t, 'dispatcher', id, 'approve_suspend');
    expect(suspended.state).to.equal('suspended');
    expect(suspended.deadlines.pausedAt).to.be.a('string');
    t.clock.advance(24 * HOUR_MS);
    expect((await must(t, h, id, 'resume')).pendingApproval.kind).to.equal('resume');
    const resumed = await must(t, 'director', id, 'approve_resume');
    expect(resumed.state).to.equal('in_progress');
    expect(Date.parse(resumed.deadlines.resolveBy)).to.be.greaterThan(dueBefore);
  });

  it('merge links a duplicate to its master', async () => {
    const master = await receivedIssue(t, { content: '企业反映园区门口的事情，希望协调。' });
    const dup = await receivedIssue(t, { content: '企业再次反映园区门口的事情。' });
    expectError(await act(t, 'dispatcher', dup, 'merge', { intoId: dup }), 400, 'invalid_input');
    expectError(
      await act(t, 'dispatcher', dup, 'merge', { intoId: '0123456789abcdef01234567' }),
      400,
      'unknown_issue',
    );
    // The master's number is the server's to record, whatever the body claims.
    const merged = await must(t, 'dispatcher', dup, 'merge', {
      intoId: master,
      intoNumber: 'HZ-0000-000000',
    });
    expect(merged).to.include({ state: 'merged', mergedInto: master });
    const masterNumber = (await getIssue(t, 'dispatcher', master)).body.number as string;
    expect((merged.timeline as Event[]).at(-1)!.data).to.deep.equal({
      intoId: master,
      intoNumber: masterNumber,
    });
    expect((await getIssue(t, 'dispatcher', master)).body.mergedFrom).to.deep.equal([dup]);
    expectError(await act(t, 'dispatcher', dup, 'dispatch', { unitId: drc() }), 409, 'illegal_transition');
  });

  it('dispatching a waiting-to-sign issue again to the same unit is refused: nothing would change but a second notice', async () => {
    const id = await receivedIssue(t);
    await must(t, 'dispatcher', id, 'dispatch', { unitId: drc() });
    const again = await act(t, 'dispatcher', id, 'dispatch', { unitId: drc() });
    expectError(again, 400, 'invalid_input');
    expect(again.body.error.message).to.contain('已分办至此单位');
    const other = String(unitByCode(t, 'city-nrp')._id);
    expect((await must(t, 'dispatcher', id, 'dispatch', { unitId: other })).unitId).to.equal(other);
  });

  it('merge refuses a finished master: the duplicate would be closed with it, never handled', async () => {
    const done = await inProgressIssue(t);
    await must(t, h, done, 'reply', { text: '已协调办理完毕。' });
    await must(t, 'dispatcher', done, 'verify');
    expect((await must(t, 'clerk', done, 'rate', { rating: 'good' })).state).to.equal('closed');
    const dup = await receivedIssue(t, { content: '企业反映招工难，希望协助对接用工。' });
    const refused = await act(t, 'dispatcher', dup, 'merge', { intoId: done });
    expectError(refused, 409, 'illegal_transition');
    expect(refused.body.error.message).to.contain('已办结');
    expect((await getIssue(t, 'dispatcher', dup)).body.state).to.equal('received');
  });

  it('reject explains why; reopen brings a rejected issue back to triage', async () => {
    const id = await receivedIssue(t, { content: '咨询个人住房公积金提取' });
    const rejected = await must(t, 'clerk', id, 'reject', { reason: '属于个人事项，请联系公积金中心' });
    expect(rejected).to.include({ state: 'rejected', rejectReason: '属于个人事项，请联系公积金中心' });
    expectError(await act(t, 'clerk', id, 'reopen', { reason: '企业补充说明' }), 403, 'forbidden');
    const reopened = await must(t, 'supervisor', id, 'reopen', { reason: '企业补充说明涉及企业职工' });
    expect(reopened).to.include({ state: 'received', reopenCount: 1 });
    const timeline = (await getIssue(t, 'clerk', id)).body.timeline as Event[];
    expect(actions(timeline)).to.deep.equal(['create', 'reject', 'reopen']);
  });

  it('a callback that reaches the enterprise records its rating', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'reply', { text: '已答复' });
    await must(t, 'dispatcher', id, 'verify');
    const noAnswer = await must(t, 'clerk', id, 'callback', { reached: false, note: '电话无人接听' });
    expect(noAnswer).to.include({ state: 'awaiting_rating', callbackAttempts: 1 });
    const rated = await must(t, 'clerk', id, 'callback', {
      reached: true,
      rating: 'good',
      level: 'very_satisfied',
    });
    expect(rated.state).to.equal('closed');
    expect(rated.rating.source).to.equal('callback');
  });

  it('once rated (bad, here on a callback), the issue leaves 待回访 and waits in 差评待核实 only', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'reply', { text: '已答复' });
    await must(t, 'dispatcher', id, 'verify');
    // The rating window ran out: the sweep asked the centre to call back (as request_callback stores it).
    await t.models.Issue.updateOne({ _id: id }, { $set: { callbackRequested: true } });
    const queue = async (name: string) =>
      (
        await request(t.app)
          .get(`/api/issues?queue=${name}`)
          .set(await t.auth('dispatcher'))
          .expect(200)
      ).body.items.map((i: { id: string }) => i.id);
    expect(await queue('callback')).to.include(id);
    const rated = await must(t, 'clerk', id, 'callback', {
      reached: true,
      rating: 'bad',
      note: '企业说问题没有解决',
    });
    expect(rated).to.include({ state: 'awaiting_rating', callbackRequested: false });
    expect(await queue('callback')).to.not.include(id);
    expect(await queue('ratingCheck')).to.include(id);
  });
});
