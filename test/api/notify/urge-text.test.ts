// The urge (催办) says when the issue is due as things stand when it is written: 将于…到期 at the yellow light,
// but 已于…到期 when a sweep catches up after downtime and writes the urge after the deadline has passed. A
// person's urge carries what they wrote (督查意见：…), so the unit learns what is asked; the sweep's has none.
// A person's names the deadline that runs (签收时限 while the issue waits to be signed for); the sweep's, the
// clock whose light fired it (催签 the 签收时限, the yellow 催办 and red 督办 the 办结时限). A supervisor's 督办 and
// 通报 carry their words too, and a 督办 by hand tells no one that a light came on; when the light does turn red
// later, the oversight is told then, once.
import { expect } from 'chai';
import request from 'supertest';
import { formatChinaTime } from '../../../server/notify/notice-text.ts';
import { act, handlerOf, must, postIssue, unitByCode, VAGUE_TEXT } from '../issues/fixtures.ts';
import {
  china,
  outbox,
  recipientsByEvent,
  sweepAndNotify,
  textsByUser,
  useNotifyApp,
  type NotifyTestApp,
} from './notify-harness.ts';

/** An urgent issue dispatched to and signed by city-drc on Monday 2 March 2026 (due Thursday 17:30). */
async function signedIssue(t: NotifyTestApp): Promise<string> {
  t.clock.set(china('2026-03-02 09:00'));
  const res = await postIssue(t, 'dispatcher', { category: 'policy', urgency: 'urgent' });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  const id = res.body.id as string;
  await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
  await must(t, handlerOf('city-drc'), id, 'sign');
  return id;
}

/** {@link signedIssue}, answered by the unit and verified by the centre on Tuesday 3 March: it waits 待评价. */
async function answeredIssue(t: NotifyTestApp): Promise<string> {
  const id = await signedIssue(t);
  t.clock.set(china('2026-03-03 10:00'));
  await must(t, handlerOf('city-drc'), id, 'reply', { text: '已协调办理，补贴已拨付。' });
  await must(t, 'dispatcher', id, 'verify');
  return id;
}

async function texts(t: NotifyTestApp, issueId: string, event: string): Promise<string[]> {
  return [...new Set((await outbox(t, { issueId, event })).map((r) => r.text))];
}
const urgeTexts = (t: NotifyTestApp, issueId: string) => texts(t, issueId, 'urge');

describe('notifications: the urge says whether the deadline is still ahead', () => {
  const t = useNotifyApp();

  it('at the yellow light: 将于…到期，请抓紧办理', async () => {
    const id = await signedIssue(t);
    t.clock.set(china('2026-03-04 17:00'));
    await sweepAndNotify(t);
    const texts = await urgeTexts(t, id);
    expect(texts).to.have.length(1);
    // The sweep's urge: no one's 意见 after it.
    expect(texts[0]).to.match(/将于2026-03-05 17:30到期，请抓紧办理。$/);
  });

  it('caught up after the deadline (a server down for days): 已于…到期, never 将于', async () => {
    const id = await signedIssue(t);
    t.clock.set(china('2026-03-09 10:00'));
    await sweepAndNotify(t);
    const texts = await urgeTexts(t, id);
    expect(texts).to.have.length(1);
    expect(texts[0]).to.match(/已于2026-03-05 17:30到期/);
    expect(texts[0]).to.not.include('将于');
  });

  it('urged by hand: the unit reads who urged and what they asked', async () => {
    const id = await signedIssue(t);
    t.clock.set(china('2026-03-03 10:00'));
    await must(t, 'supervisor', id, 'urge', { note: '请本周内拿出供电整改方案并报告' });
    await sweepAndNotify(t);
    const texts = await urgeTexts(t, id);
    expect(texts).to.have.length(1);
    expect(texts[0]).to.match(/请抓紧办理。督查意见：请本周内拿出供电整改方案并报告$/);
  });

  it('an issue not yet signed for is urged against its 签收时限, not the 办结时限', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    const res = await postIssue(t, 'dispatcher', { category: 'policy', urgency: 'urgent' });
    const id = res.body.id as string;
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    const doc = (await t.models.Issue.findById(id).lean())!;
    t.clock.set(new Date(doc.deadlines!.signBy.getTime() + 3_600_000));
    await must(t, 'supervisor', id, 'urge', { note: '请立即签收' });
    await sweepAndNotify(t);
    const [text] = await urgeTexts(t, id);
    expect(text).to.include('签收时限已于').and.not.include('办结时限');
  });

  it('the sweep’s yellow 催办 and red 督办 name the 办结时限 whose light fired, even before anyone signed', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    const res = await postIssue(t, 'dispatcher', { category: 'policy', urgency: 'urgent' });
    const id = res.body.id as string;
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    const doc = (await t.models.Issue.findById(id).lean())!;
    const resolveBy = doc.deadlines!.resolveBy;
    t.clock.set(new Date(doc.deadlines!.yellowAt.getTime() + 60_000));
    await sweepAndNotify(t);
    t.clock.set(new Date(doc.deadlines!.redAt.getTime() + 60_000));
    await sweepAndNotify(t);
    expect((await t.models.Issue.findById(id).lean())!.state, 'still not signed for').to.equal('dispatched');
    const [urge] = await urgeTexts(t, id);
    const [supervise] = await texts(t, id, 'supervise');
    expect(urge)
      .to.include(`办结时限将于${formatChinaTime(resolveBy)}到期`)
      .and.not.include('签收时限');
    expect(supervise)
      .to.include(`办结时限已于${formatChinaTime(resolveBy)}到期`)
      .and.not.include('签收时限');
  });

  it('nobody signs in time: the sweep’s 催签 tells the unit once, what to do, and the timeline records it', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    const res = await postIssue(t, 'dispatcher', { category: 'policy', urgency: 'urgent' });
    const id = res.body.id as string;
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    // The sign-for limit: 2 working hours, 11:00.
    t.clock.set(china('2026-03-02 10:59'));
    await sweepAndNotify(t);
    expect(await texts(t, id, 'sign_due')).to.deep.equal([]);
    t.clock.set(china('2026-03-02 11:05'));
    await sweepAndNotify(t);
    t.clock.set(china('2026-03-02 11:40'));
    await sweepAndNotify(t);
    const by = await recipientsByEvent(t, id);
    expect(by.sign_due).to.deep.equal([handlerOf('city-drc'), 'unithead-city-drc']);
    // Its own notice, not a 催办: the handling clock's urge comes later, at its yellow light.
    expect(by.urge).to.equal(undefined);
    const signDue = await texts(t, id, 'sign_due');
    expect(signDue).to.deep.equal([
      '【催签】问题' +
        res.body.number +
        '「企业反映厂房验收迟迟未办结，影响投产」签收时限已于2026-03-02 11:00到期，请尽快签收；不属本单位职责的，请填写理由退单。',
    ]);
    const [row] = await outbox(t, { issueId: id, event: 'sign_due' });
    expect(row.title).to.match(/^催签/);
    const issue = (await t.models.Issue.findById(id).lean())!;
    expect(issue.urged).to.equal(false);
    // Late whenever it is signed now: 及时签收率 and the 超期签收 list count it from the 催签.
    expect(issue).to.include({ signedLate: true, signedAt: null });
    const events = issue.timeline.filter((e) => e.action === 'urge');
    expect(events.map((e) => [e.actorRole, e.data])).to.deep.equal([
      ['system', { target: 'sign', step: 'remind_sign', dueAt: issue.deadlines!.signBy }],
    ]);
  });

  it('a sweep catching up weeks names the 签收时限 in its 催签, though the same pass escalated the issue', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    const res = await postIssue(t, 'dispatcher', { category: 'policy', urgency: 'urgent' });
    const id = res.body.id as string;
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    // Down for three weeks: the 催签, the lights and the escalation into consultation come in one pass.
    t.clock.set(china('2026-03-23 10:00'));
    await sweepAndNotify(t);
    expect((await t.models.Issue.findById(id).lean())!.state).to.equal('consulting');
    const [signDue] = await texts(t, id, 'sign_due');
    expect(signDue).to.include('签收时限已于2026-03-02 11:00到期').and.not.include('办结时限');
  });

  it('an issue left in 待受理: the oversight hears 待受理超时 once, and no second 超期 a day later', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    const res = await postIssue(t, 'dispatcher', { urgency: 'urgent', content: VAGUE_TEXT });
    expect(res.body.state).to.equal('received');
    const id = res.body.id as string;
    const triage = (await t.models.Issue.findById(id).lean())!.triage!;
    for (const at of [triage.dueAt, triage.overdueAt]) {
      t.clock.set(new Date(at.getTime() + 60_000));
      await sweepAndNotify(t);
    }
    expect((await t.models.Issue.findById(id).lean())!.warning).to.equal('overdue');
    const by = await recipientsByEvent(t, id);
    expect(by.triage_overdue).to.include.members(['supervisor', 'leader']);
    expect(by.overdue).to.equal(undefined);
  });

  it('待受理超时 asks the desks to dispatch, and tells the director, supervisor and leaders the centre has not', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    const res = await postIssue(t, 'dispatcher', { urgency: 'urgent', content: VAGUE_TEXT });
    const id = res.body.id as string;
    t.clock.set(china('2026-03-05 10:00'));
    await sweepAndNotify(t);
    const textOf = await textsByUser(t, id, 'triage_overdue');
    for (const desk of ['clerk', 'dispatcher']) expect(textOf(desk)).to.match(/，请立即分办。$/);
    for (const overseer of ['director', 'supervisor', 'leader']) {
      // None of them works the 待受理 queue: they are not asked to dispatch, but to press the centre.
      expect(textOf(overseer), overseer).to.match(/待受理已超时（.+），服务中心尚未分办，请督促尽快分办。$/);
    }
  });

  it('差评 asks the 分办员 and the director to check it, and tells the 受理员, who cannot, that they will', async () => {
    const id = await answeredIssue(t);
    await must(t, 'clerk', id, 'rate', { rating: 'bad', comment: '补贴仍未到账' });
    await t.notify.notifier.idle();
    const textOf = await textsByUser(t, id, 'bad_rating');
    for (const checker of ['dispatcher', 'director']) {
      expect(textOf(checker), checker).to.match(/收到差评，请于1个工作日内核实。$/);
    }
    expect(textOf('clerk')).to.match(/收到差评，由分办员或中心主任于1个工作日内核实。$/);
  });

  it('待回访 asks the 受理员 and 分办员 to call back, and the director, who cannot record one, to press them', async () => {
    const id = await answeredIssue(t);
    t.clock.set(china('2026-03-10 10:00'));
    await sweepAndNotify(t);
    const textOf = await textsByUser(t, id, 'callback_due');
    for (const caller of ['clerk', 'dispatcher']) {
      expect(textOf(caller), caller).to.match(/企业未在期限内评价，请电话回访。$/);
    }
    expect(textOf('director')).to.match(/企业未在期限内评价，请督促受理员或分办员电话回访。$/);
  });

  it('a bad rating nobody checks in time: the centre is reminded once, naming the 核实时限', async () => {
    const id = await answeredIssue(t);
    await must(t, 'clerk', id, 'rate', { rating: 'bad', comment: '补贴仍未到账' });
    const verifyBy = (await t.models.Issue.findById(id).lean())!.rating!.verifyBy!;
    // The urge is for the centre's check only: a person cannot 催办 an issue that waits for its rating.
    expect((await act(t, 'supervisor', id, 'urge', { note: '请抓紧' })).status).to.equal(409);
    expect((await act(t, 'supervisor', id, 'urge', { target: 'rating_check' })).status).to.equal(403);
    t.clock.set(new Date(verifyBy.getTime() - 60_000));
    await sweepAndNotify(t);
    expect(await texts(t, id, 'rating_check_due')).to.deep.equal([]);
    t.clock.set(new Date(verifyBy.getTime() + 60_000));
    await sweepAndNotify(t);
    t.clock.set(new Date(verifyBy.getTime() + 86_400_000));
    await sweepAndNotify(t);
    const by = await recipientsByEvent(t, id);
    expect(by.rating_check_due).to.deep.equal(['clerk', 'director', 'dispatcher']);
    const textOf = await textsByUser(t, id, 'rating_check_due');
    for (const checker of ['dispatcher', 'director']) {
      expect(textOf(checker), checker).to.match(
        /^【差评核实】问题HZ-\d{4}-\d{6}「.+」企业差评的核实时限已于\d{4}-\d{2}-\d{2} \d{2}:\d{2}到期，请尽快核实：/,
      );
    }
    // The 受理员 cannot check a rating (verify_rating): told whose it is, not asked to.
    expect(textOf('clerk')).to.match(/到期，尚待分办员或中心主任核实。$/);
    const issue = (await t.models.Issue.findById(id).lean())!;
    expect(issue.timeline.filter((e) => e.action === 'urge').map((e) => e.data)).to.deep.equal([
      { target: 'rating_check', step: 'remind_rating_check', dueAt: verifyBy },
    ]);
    expect(issue.nextCheckAt, 'nothing left to fire').to.equal(null);
    // The check itself still works afterwards.
    await must(t, 'director', id, 'verify_rating', { reasonable: true, reason: '企业反映属实' });
  });

  it('an issue still waiting for triage is named 待分办 where a notice names the unit, not （）', async () => {
    t.clock.set(china('2026-03-02 09:00'));
    const res = await postIssue(t, 'dispatcher', { urgency: 'urgent', content: VAGUE_TEXT });
    expect(res.body.state).to.equal('received');
    // The default 待受理超时 names no unit (there is none): an admin's template that does reads 待分办.
    const templates = (value: object) =>
      t
        .auth('admin')
        .then((admin) =>
          request(t.app).put('/api/settings/notifyTemplates').set(admin).send({ value }).expect(200),
        );
    await templates({ triage_overdue: '问题{{number}}（{{unit}}）待受理已超时。' });
    try {
      t.clock.set(china('2026-03-05 10:00'));
      await sweepAndNotify(t);
      const [overdue] = await texts(t, res.body.id as string, 'triage_overdue');
      expect(overdue).to.include('（待分办）待受理已超时').and.not.include('（）');
    } finally {
      await templates({});
    }
  });

  it('a supervisor’s 督办 and 通报 carry their words; a 督办 by hand sends no red-light notice', async () => {
    const id = await signedIssue(t);
    t.clock.set(china('2026-03-03 10:00'));
    await must(t, 'supervisor', id, 'supervise', { note: '限明日前报送进展' });
    await must(t, 'supervisor', id, 'bulletin', { note: '超期未反馈，全市通报' });
    await sweepAndNotify(t);
    const [supervised] = await texts(t, id, 'supervise');
    expect(supervised).to.match(
      /^【督办】.*办结时限将于2026-03-05 17:30到期，请立即办理并反馈。督查意见：限明日前报送进展$/,
    );
    const [bulletin] = await texts(t, id, 'bulletin');
    expect(bulletin).to.match(/办结时限将于2026-03-05 17:30到期，予以通报。督查意见：超期未反馈，全市通报$/);
    expect(bulletin).to.not.include('超期未办结，予以通报');
    expect(await outbox(t, { issueId: id, event: 'red' })).to.deep.equal([]);

    // The light turns red later: the oversight is told once (it was no news to the unit, already supervised).
    const issue = await t.models.Issue.findById(id).lean();
    t.clock.set(new Date(issue!.deadlines!.redAt.getTime() + 60_000));
    await sweepAndNotify(t);
    await sweepAndNotify(t);
    const red = await outbox(t, { issueId: id, event: 'red' });
    expect(red.length, 'the red light told').to.be.above(0);
    expect(new Set(red.map((r) => `${r.channel} ${JSON.stringify(r.recipient)}`)).size, 'each once').to.equal(
      red.length,
    );
    expect(await texts(t, id, 'supervise'), 'no second 督办 to the unit').to.have.length(1);
    const after = await t.models.Issue.findById(id).lean();
    expect(after!.timeline.filter((e) => e.action === 'supervise').map((e) => e.actorRole)).to.deep.equal([
      'supervisor',
      'system',
    ]);
    expect(after!.nextCheckAt!.getTime(), 'the step is done').to.be.above(t.clock.now().getTime());
  });

  it('whoever 督办’d by hand hears the answer came (督办反馈), once; the sweep’s own 督办 tells nobody more', async () => {
    const id = await signedIssue(t);
    t.clock.set(china('2026-03-03 10:00'));
    await must(t, 'director', id, 'supervise', { note: '请本周内解决' });
    await must(t, 'supervisor', id, 'supervise', { note: '限明日前报送进展' });
    t.clock.set(china('2026-03-04 10:00'));
    await must(t, handlerOf('city-drc'), id, 'reply', { text: '已协调发放补贴。' });
    await t.notify.notifier.idle();
    expect((await recipientsByEvent(t, id)).supervise_feedback).to.deep.equal(['director', 'supervisor']);
    const [feedback] = await texts(t, id, 'supervise_feedback');
    expect(feedback).to.match(
      /^【督办反馈】您督办的问题HZ-\d{4}-\d{6}「.*」已由.+答复，待服务中心审核后告知企业。$/,
    );
    // An issue only the sweep supervised has nobody to tell.
    const other = await signedIssue(t);
    const issue = await t.models.Issue.findById(other).lean();
    t.clock.set(new Date(issue!.deadlines!.redAt.getTime() + 60_000));
    await sweepAndNotify(t);
    await must(t, handlerOf('city-drc'), other, 'reply', { text: '已办理。' });
    await t.notify.notifier.idle();
    expect(await outbox(t, { issueId: other, event: 'supervise_feedback' })).to.deep.equal([]);
  });
});
