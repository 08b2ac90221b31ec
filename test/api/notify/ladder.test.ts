// The whole ladder with a fake clock (issue 8): an urgent issue waits in `received` (urged, then supervised
// to the centre), is dispatched, signed, urged, supervised, goes overdue, escalates into a director-tier
// consultation whose units are reminded of their inputs, goes up to the leader tier, is decided, replied and
// verified. Every step writes its notifications once, to the people the issue names, even with two sweepers
// racing at every step and the whole thing swept again at the end.
import { expect } from 'chai';
import request from 'supertest';
import { handlerOf, must, postIssue, unitByCode, unitHeadOf, VAGUE_TEXT } from '../issues/fixtures.ts';
import { china, outbox, recipientsByEvent, sweepAndNotify, useNotifyApp } from './notify-harness.ts';

const CENTRE = ['clerk', 'director', 'dispatcher'];
const OVERSIGHT = ['leader', 'supervisor'];
const DRC = [handlerOf('city-drc'), unitHeadOf('city-drc')].sort();

describe('notifications: the ladder from received to a leader-tier consultation', () => {
  const t = useNotifyApp();
  let id: string;

  /** Two sweepers at once, as two server processes would. */
  async function sweepTwiceAt(local: string) {
    t.clock.set(china(local));
    await Promise.all([sweepAndNotify(t), sweepAndNotify(t)]);
  }

  it('intake: the enterprise gets its number by SMS; the issue waits for triage with a deadline', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    const res = await postIssue(t, 'dispatcher', { urgency: 'urgent', content: VAGUE_TEXT });
    expect(res.status).to.equal(201);
    expect(res.body.state).to.equal('received');
    id = res.body.id as string;
    const doc = await t.models.Issue.findById(id).lean();
    // Urgent: 4 working hours to triage (09:00 → 12:00, 13:30 → 14:30), yellow at two thirds.
    expect(doc!.triage!.dueAt.toISOString()).to.equal(china('2026-03-02 14:30').toISOString());
    expect(doc!.triage!.yellowAt.toISOString()).to.equal(china('2026-03-02 11:40').toISOString());
    expect(await recipientsByEvent(t, id)).to.deep.equal({ enterprise_received: ['enterprise:sms'] });
  });

  it('triage: urged to the centre at yellow, supervised to the centre and the oversight at the deadline', async () => {
    await sweepTwiceAt('2026-03-02 11:41');
    expect((await t.models.Issue.findById(id).lean())!.warning).to.equal('yellow');
    await sweepTwiceAt('2026-03-02 14:31');
    const got = await recipientsByEvent(t, id);
    expect(got.triage_due).to.deep.equal(CENTRE);
    expect(got.triage_overdue).to.deep.equal([...CENTRE, ...OVERSIGHT].sort());
  });

  it('dispatch and sign: the unit is told it has a new issue, the enterprise who handles it', async () => {
    t.clock.set(china('2026-03-02 14:35'));
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    t.clock.set(china('2026-03-02 14:40'));
    await must(t, handlerOf('city-drc'), id, 'sign');
    const got = await recipientsByEvent(t, id);
    expect(got.issue_assigned).to.deep.equal(DRC);
    expect(got.enterprise_dispatched).to.deep.equal(['enterprise:sms']);
  });

  it('handling: urge, supervise with the red light, overdue, each once', async () => {
    await sweepTwiceAt('2026-03-04 17:00'); // yellow at two thirds of 3 working days
    await sweepTwiceAt('2026-03-05 18:00'); // red at the end of Thursday
    await sweepTwiceAt('2026-03-06 18:00'); // overdue a working day later
    const got = await recipientsByEvent(t, id);
    expect(got.urge).to.deep.equal(DRC);
    expect(got.supervise).to.deep.equal(DRC);
    expect(got.red).to.deep.equal(OVERSIGHT);
    expect(got.overdue).to.deep.equal(OVERSIGHT);
  });

  it('red + 3 working days: escalation into a director-tier consultation; its inputs are reminded when due', async () => {
    await sweepTwiceAt('2026-03-10 18:00');
    let doc = (await t.models.Issue.findById(id).lean())!;
    expect(doc).to.include({ state: 'consulting', tier: 'director' });
    await sweepTwiceAt('2026-03-12 18:00'); // the inputs were due Thursday 17:30; the bulletin falls then too
    doc = (await t.models.Issue.findById(id).lean())!;
    expect(doc.consultation?.remindedAt).to.be.an.instanceOf(Date);
    const got = await recipientsByEvent(t, id);
    // The supervisor follows the escalation; the leader does not chair the director's tier (this asserted the
    // leader was told too, which filled a leader's bell with the director's business).
    expect(got.escalation).to.deep.equal(['supervisor']);
    // The units are asked for their input; the director, who chairs the tier, to convene and decide.
    expect(got.consult_invite).to.deep.equal(DRC);
    expect(got.consult_convene).to.deep.equal(['director']);
    const [chair] = await outbox(t, { issueId: id, event: 'consult_convene' });
    expect(chair.text).to.include('提请中心主任协调');
    expect(chair.text).to.include('请主持会商并作出办理决定');
    expect(chair.text).to.not.include('提交会商意见');
    expect(got.input_due).to.deep.equal(DRC);
    expect(got.bulletin).to.deep.equal([...DRC, ...OVERSIGHT].sort());
  });

  it('still undecided 2 working days later: up to the leader tier, the leader invited', async () => {
    // A county leader elsewhere is not invited: the issue is outside their domain.
    const region = (await t.models.Issue.findById(id).lean())!.region;
    const leader = (await t.models.User.findOne({ username: 'leader' }).lean())!;
    const { _id: _drop, ...rest } = leader;
    const elsewhere = region === 'anji' ? 'deqing' : 'anji';
    await t.models.User.collection.insertOne({ ...rest, username: `leader-${elsewhere}`, region: elsewhere });
    await sweepTwiceAt('2026-03-16 18:00');
    const doc = (await t.models.Issue.findById(id).lean())!;
    expect(doc).to.include({ state: 'consulting', tier: 'leader' });
    const got = await recipientsByEvent(t, id);
    // The leader hears of the leader tier as its chair (consult_convene).
    expect(got.escalation).to.deep.equal(['supervisor', 'supervisor']);
    expect(got.consult_invite).to.deep.equal([...DRC, ...DRC].sort());
    expect(got.consult_convene).to.deep.equal(['director', 'leader']);
  });

  it('decision, reply and verification: the unit hears the decision, the enterprise the result', async () => {
    t.clock.set(china('2026-03-17 10:00'));
    await must(t, 'leader', id, 'decide', {
      unitId: String(unitByCode(t, 'city-drc')._id),
      workingDays: 5,
      note: '由发改委牵头，经信局提供园区用地数据',
    });
    await must(t, handlerOf('city-drc'), id, 'reply', { text: '已协调解决。' });
    await must(t, 'dispatcher', id, 'verify');
    const got = await recipientsByEvent(t, id);
    expect(got.decision).to.deep.equal(DRC);
    // What the consultation settled goes with the decision, in the leader's name.
    const [decision] = await outbox(t, { issueId: id, event: 'decision' });
    expect(decision.text).to.match(
      /会商决定由市发展和改革委员会牵头办理，时限.*意见：由发改委牵头，经信局提供园区用地数据/,
    );
    expect(got.enterprise_reply).to.deep.equal(['enterprise:sms']);
  });

  it('sweeping again writes nothing new: each notification exists exactly once', async () => {
    const before = (await outbox(t, { issueId: id })).length;
    await sweepTwiceAt('2026-03-18 10:00');
    await sweepTwiceAt('2026-03-19 10:00');
    const rows = await outbox(t, { issueId: id });
    expect(rows.length).to.equal(before);
    expect(new Set(rows.map((r) => r.key)).size).to.equal(rows.length);
  });

  it('no rating within 3 working days: the centre is asked to call back, once', async () => {
    await sweepTwiceAt('2026-03-23 10:00');
    await sweepTwiceAt('2026-03-24 10:00');
    expect((await recipientsByEvent(t, id)).callback_due).to.deep.equal(CENTRE);
  });

  it('delivery: in-app notifications reach the handler (list, unread count, mark read), SMS reach the enterprise', async () => {
    await t.notify.worker.runOnce();
    const enterpriseSms = (await outbox(t, { issueId: id, channel: 'sms' })).map((r) => r.status);
    expect(enterpriseSms).to.deep.equal(['sent', 'sent', 'sent']);
    expect(t.sms.sent.map((s) => s.text).join('\n')).to.match(/已受理，编号HZ-2026-\d{6}/);
    const as = await t.auth(handlerOf('city-drc'));
    const list = await request(t.app).get('/api/notifications').set(as).expect(200);
    const events = (list.body.items as Array<{ event: string }>).map((n) => n.event).sort();
    expect(events).to.deep.equal(
      [
        'bulletin',
        'consult_invite',
        'consult_invite',
        'decision',
        'input_due',
        'issue_assigned',
        'supervise',
        'urge',
      ].sort(),
    );
    expect(list.body.unread).to.equal(8);
    const first = list.body.items[0].id as string;
    const read = await request(t.app)
      .post('/api/notifications/read')
      .set(as)
      .send({ ids: [first] })
      .expect(200);
    expect(read.body.unread).to.equal(7);
    const all = await request(t.app).post('/api/notifications/read').set(as).send({ all: true }).expect(200);
    expect(all.body.unread).to.equal(0);
    // Someone else's notifications are not theirs to see.
    const other = await request(t.app)
      .get('/api/notifications')
      .set(await t.auth(handlerOf('city-tax')))
      .expect(200);
    expect(other.body.items).to.deep.equal([]);
  });
});
