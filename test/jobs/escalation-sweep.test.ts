// The escalation sweep over simulated weeks spanning the 2026 Spring Festival (15–23 Feb off, Sat 14 and Sat
// 28 Feb worked): each follow-up fires at its working-day deadline, exactly once per issue and deadline, even
// with two passes at once, a rerun, or a day of downtime caught up in one pass.
import { expect } from 'chai';
import { must, handlerOf, useIssueApp } from '../api/issues/fixtures.ts';
import {
  actionCounts,
  china,
  firedFor,
  inProgress,
  minuteAfter,
  stored,
  sweep,
  systemActions,
} from './sweep-helpers.ts';

const FOLLOW_UPS = ['urge', 'supervise', 'escalate', 'bulletin'];

describe('escalation sweep: follow-ups across the Spring Festival', () => {
  const t = useIssueApp();
  let id: string;

  before(async () => {
    // Friday 13 Feb 2026, 09:00: five working days run to the end of Friday 27 Feb.
    t.clock.set(china('2026-02-13 09:00'));
    ({ id } = await inProgress(t));
  });

  it('stores the deadlines the follow-ups hang off, in working days over the holiday', async () => {
    const d = (await stored(t, id)).deadlines!;
    expect(d.yellowAt.toISOString()).to.equal(china('2026-02-26 17:30').toISOString());
    expect(d.redAt.toISOString()).to.equal(china('2026-02-27 17:30').toISOString());
    // Red + 3 working days: Sat 28 Feb (worked), Mon 2 and Tue 3 Mar; red + 5: Thu 5 Mar.
    expect(d.escalateAt.toISOString()).to.equal(china('2026-03-03 17:30').toISOString());
    expect(d.bulletinAt.toISOString()).to.equal(china('2026-03-05 17:30').toISOString());
  });

  it('fires nothing during the holiday', async () => {
    t.clock.set(china('2026-02-20 12:00'));
    const report = await sweep(t);
    expect(firedFor(report, id)).to.deep.equal([]);
    expect((await stored(t, id)).warning).to.equal('none');
  });

  it('yellow → urged once, even with two passes at once and a rerun', async () => {
    t.clock.set(minuteAfter(china('2026-02-26 17:30')));
    const [a, b] = await Promise.all([sweep(t), sweep(t)]);
    expect([...firedFor(a, id), ...firedFor(b, id)]).to.deep.equal(['urge']);
    expect(firedFor(await sweep(t), id)).to.deep.equal([]);
    const doc = await stored(t, id);
    expect(doc).to.include({ warning: 'yellow', urged: true, supervised: false });
    expect(doc.nextCheckAt?.toISOString()).to.equal(china('2026-02-27 17:30').toISOString());
    expect(await systemActions(t, id)).to.deep.equal(['urge']);
  });

  it('red → supervised once', async () => {
    t.clock.set(minuteAfter(china('2026-02-27 17:30')));
    const [a, b] = await Promise.all([sweep(t), sweep(t)]);
    expect([...firedFor(a, id), ...firedFor(b, id)]).to.deep.equal(['supervise']);
    await sweep(t);
    expect(await stored(t, id)).to.include({ warning: 'red', supervised: true, state: 'in_progress' });
    expect(await systemActions(t, id)).to.deep.equal(['urge', 'supervise']);
  });

  it('red + 3 working days → consultation at the director tier, once', async () => {
    // Monday 2 Mar is only red + 2 (Sat 28 Feb was worked): not yet.
    t.clock.set(china('2026-03-02 18:00'));
    expect(firedFor(await sweep(t), id)).to.deep.equal([]);
    t.clock.set(minuteAfter(china('2026-03-03 17:30')));
    const [a, b] = await Promise.all([sweep(t), sweep(t)]);
    expect([...firedFor(a, id), ...firedFor(b, id)]).to.deep.equal(['escalate']);
    await sweep(t);
    const doc = await stored(t, id);
    expect(doc).to.include({ state: 'consulting', tier: 'director', escalated: true, warning: 'overdue' });
    expect(doc.consultation).to.include({ tier: 'director', trigger: 'time' });
    const event = doc.timeline.find((e) => e.action === 'escalate')!;
    expect(event).to.include({ actorId: 'system', fromState: 'in_progress', toState: 'consulting' });
  });

  it('red + 5 working days → bulletined once, and the consulted units reminded of their inputs once', async () => {
    // The director-tier consultation opened at red + 3 owes its inputs 2 working days later: the same instant.
    t.clock.set(minuteAfter(china('2026-03-05 17:30')));
    const [a, b] = await Promise.all([sweep(t), sweep(t)]);
    expect([...firedFor(a, id), ...firedFor(b, id)]).to.deep.equal(['remind_input', 'bulletin']);
    expect(firedFor(await sweep(t), id)).to.deep.equal([]);
    const doc = await stored(t, id);
    expect(doc).to.include({ bulletined: true });
    expect(doc.consultation?.remindedAt?.toISOString()).to.equal(
      minuteAfter(china('2026-03-05 17:30')).toISOString(),
    );
  });

  it('an undecided consultation goes up to the leader tier once, 2 working days after its input deadline', async () => {
    t.clock.set(china('2026-03-09 17:00'));
    expect(firedFor(await sweep(t), id)).to.deep.equal([]);
    t.clock.set(china('2026-04-01 10:00'));
    const [a, b] = await Promise.all([sweep(t), sweep(t)]);
    expect([...firedFor(a, id), ...firedFor(b, id)]).to.deep.equal(['escalate']);
    expect(firedFor(await sweep(t), id)).to.deep.equal([]);
    const doc = await stored(t, id);
    expect(doc).to.include({ state: 'consulting', tier: 'leader' });
    // The leader tier owes its inputs 2 working days from its opening; there is no tier above it.
    expect(doc.consultation?.dueAt.toISOString()).to.equal(china('2026-04-03 17:30').toISOString());
    expect(doc.nextCheckAt?.toISOString()).to.equal(china('2026-04-03 17:30').toISOString());
    expect(await systemActions(t, id)).to.deep.equal([
      ...FOLLOW_UPS.slice(0, 3),
      'urge',
      'bulletin',
      'escalate',
    ]);
  });

  it('records one applied claim per (issue, step, deadline)', async () => {
    const claims = await t.models.FollowUpClaim.find({ issueId: id }).lean();
    const doc = await stored(t, id);
    const d = doc.deadlines!;
    expect(claims.every((c) => c.status === 'applied')).to.equal(true);
    expect(claims.map((c) => `${c.step}@${c.dueAt.toISOString()}`)).to.have.members([
      `urge@${d.yellowAt.toISOString()}`,
      `supervise@${d.redAt.toISOString()}`,
      `escalate@${d.escalateAt.toISOString()}`,
      `remind_input@${china('2026-03-05 17:30').toISOString()}`,
      `bulletin@${d.bulletinAt.toISOString()}`,
      `escalate@${china('2026-03-09 17:30').toISOString()}`,
    ]);
  });
});

describe('escalation sweep: downtime, suspension, rating window', () => {
  const t = useIssueApp();

  it('catches up a long outage in one pass: every step, in order, once', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t);
    // The server was down from before yellow until after the bulletin instant.
    t.clock.set(china('2026-03-06 10:00'));
    const [a, b] = await Promise.all([sweep(t), sweep(t)]);
    expect([...firedFor(a, id), ...firedFor(b, id)]).to.have.members(FOLLOW_UPS);
    expect(await systemActions(t, id)).to.deep.equal(FOLLOW_UPS);
    expect(firedFor(await sweep(t), id)).to.deep.equal([]);
    const doc = await stored(t, id);
    expect(doc).to.include({ state: 'consulting', tier: 'director', warning: 'overdue', bulletined: true });
    // Each event carries the deadline it fired for, and the catch-up instant as its time.
    const events = doc.timeline.filter((e) => e.actorRole === 'system' && FOLLOW_UPS.includes(e.action));
    expect(events.every((e) => e.at.getTime() === china('2026-03-06 10:00').getTime())).to.equal(true);
    expect(events.map((e) => (e.data?.dueAt as Date).getTime())).to.deep.equal(
      [
        doc.deadlines!.yellowAt,
        doc.deadlines!.redAt,
        doc.deadlines!.escalateAt,
        doc.deadlines!.bulletinAt,
      ].map((d) => d.getTime()),
    );
  });

  it('a day of downtime after red fires what became due during it, in one pass', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id } = await inProgress(t, '另一家企业的补贴问题');
    t.clock.set(minuteAfter(china('2026-02-26 17:30')));
    await sweep(t);
    // Down from Thursday evening to Saturday morning: red fell due on Friday.
    t.clock.set(china('2026-02-28 09:00'));
    const report = await sweep(t);
    expect(firedFor(report, id)).to.deep.equal(['supervise']);
    expect(await stored(t, id)).to.include({ warning: 'red', supervised: true });
  });

  it('a suspended issue does not escalate (its clock is paused)', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id, code } = await inProgress(t, '等待企业补充材料的问题');
    await must(t, handlerOf(code), id, 'suspend', { reason: '等待企业补充环评材料' });
    await must(t, 'dispatcher', id, 'approve_suspend');
    t.clock.set(china('2026-03-20 10:00'));
    const report = await sweep(t);
    expect(firedFor(report, id)).to.deep.equal([]);
    const doc = await stored(t, id);
    expect(doc).to.include({ state: 'suspended', escalated: false, urged: false, nextCheckAt: null });
    expect(await systemActions(t, id)).to.deep.equal([]);
  });

  it('awaiting_rating: a callback task after 3 working days, once', async () => {
    // Verified Thursday 12 Feb: the window is Fri 13, Sat 14 (worked) and Tue 24 Feb, after the holiday.
    t.clock.set(china('2026-02-12 10:00'));
    const { id, code } = await inProgress(t, '已答复待评价的问题');
    await must(t, handlerOf(code), id, 'reply', { text: '已协调财政局兑现补贴。' });
    await must(t, 'dispatcher', id, 'verify');
    expect((await stored(t, id)).rateBy?.toISOString()).to.equal(china('2026-02-24 17:30').toISOString());
    t.clock.set(china('2026-02-23 18:00'));
    expect(firedFor(await sweep(t), id)).to.deep.equal([]);
    t.clock.set(minuteAfter(china('2026-02-24 17:30')));
    const [a, b] = await Promise.all([sweep(t), sweep(t)]);
    expect([...firedFor(a, id), ...firedFor(b, id)]).to.deep.equal(['request_callback']);
    await sweep(t);
    expect(await stored(t, id)).to.include({ state: 'awaiting_rating', callbackRequested: true });
    expect(await actionCounts(t, id)).to.include({ request_callback: 1 });
  });

  it('an approved extension is a new deadline: its follow-ups fire again, once each', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const { id, code } = await inProgress(t, '申请延期的问题');
    t.clock.set(minuteAfter(china('2026-02-26 17:30')));
    expect(firedFor(await sweep(t), id)).to.deep.equal(['urge']);
    await must(t, handlerOf(code), id, 'request_extension', { workingDays: 3, reason: '需第三方评估' });
    await must(t, 'dispatcher', id, 'approve_extension');
    const moved = (await stored(t, id)).deadlines!;
    // 27 Feb + 3 working days: Sat 28 Feb (worked), Mon 2 and Tue 3 Mar.
    expect(moved.resolveBy.toISOString()).to.equal(china('2026-03-03 17:30').toISOString());
    expect(firedFor(await sweep(t), id)).to.deep.equal([]);
    t.clock.set(minuteAfter(moved.yellowAt));
    const [a, b] = await Promise.all([sweep(t), sweep(t)]);
    expect([...firedFor(a, id), ...firedFor(b, id)]).to.deep.equal(['urge']);
    expect(await systemActions(t, id)).to.deep.equal(['urge', 'urge']);
    const dueAts = (await stored(t, id)).timeline
      .filter((e) => e.action === 'urge')
      .map((e) => (e.data?.dueAt as Date).toISOString());
    expect(dueAts).to.deep.equal([china('2026-02-26 17:30').toISOString(), moved.yellowAt.toISOString()]);
  });
});

describe('escalation sweep: bounded passes', () => {
  const t = useIssueApp();

  it('a pass examines at most `limit` issues; the next pass continues', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const ids = [];
    for (const n of [1, 2, 3]) ids.push((await inProgress(t, `批量问题 ${n}`)).id);
    t.clock.set(minuteAfter(china('2026-02-26 17:30')));
    const first = await sweep(t, { limit: 2 });
    expect(first.examined).to.equal(2);
    const second = await sweep(t, { limit: 2 });
    expect(second.examined).to.equal(1);
    expect(await sweep(t, { limit: 2 })).to.include({ examined: 0 });
    const fired = [...first.fired, ...second.fired].map((f) => f.issueId);
    expect(fired).to.have.members(ids);
  });

  it('a pass scoped to one issue (the demo seed) fires that issue only', async () => {
    t.clock.set(china('2026-02-13 09:00'));
    const [a, b] = [(await inProgress(t, '单独问题 A')).id, (await inProgress(t, '单独问题 B')).id];
    t.clock.set(minuteAfter(china('2026-02-26 17:30')));
    const doc = await stored(t, a);
    const only = await sweep(t, { issueId: doc._id });
    expect(only.examined).to.equal(1);
    expect(firedFor(only, a)).to.deep.equal(['urge']);
    expect(await systemActions(t, b)).to.deep.equal([]);
    expect(firedFor(await sweep(t), b)).to.deep.equal(['urge']);
  });
});
