// Hand-offs tell the people who now hold the issue, with the person's reason: a first return tells the centre
// (退单待重新分办), a send-back tells the unit with its new deadline (答复被退回), and a transfer tells the new
// unit as a transfer with its reason (问题转办), not as a new issue, and the unit it left to stop (问题已转出).
// A dispatch and a transfer name the sign-for deadline beside the resolve one (an urgent issue's is hours
// away). A unit with nobody active leaves the centre told instead.
import { expect } from 'chai';
import {
  handlerOf,
  inProgressIssue,
  must,
  postIssue,
  receivedIssue,
  unitByCode,
  unitHeadOf,
} from '../issues/fixtures.ts';
import { outbox, recipientsByEvent, useNotifyApp } from './notify-harness.ts';

describe('notifications: hand-offs with a reason', () => {
  const t = useNotifyApp();
  const h = handlerOf('city-drc');

  it('a first return tells the centre in the app, with the reason', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'return', { reason: '该事项属于用地审批', legalBasis: '三定方案' });
    expect((await recipientsByEvent(t, id)).issue_returned).to.deep.equal([
      'clerk',
      'director',
      'dispatcher',
    ]);
    const [row] = await outbox(t, { issueId: id, event: 'issue_returned' });
    expect(row.channel).to.equal('inapp');
    expect(row.text).to.include('被承办单位退回（该事项属于用地审批）');
    expect(row.text).to.include('「待受理分办」中重新分办'); // the tab as the desk names it
  });

  it('dispatched again after a return: the unit hears it anew, the enterprise only when the unit changes', async () => {
    const drc = String(unitByCode(t, 'city-drc')._id);
    const back = await inProgressIssue(t);
    await must(t, h, back, 'return', { reason: '请补充材料后再分办' });
    const assignedBefore = (await outbox(t, { issueId: back, event: 'issue_assigned' })).length;
    await must(t, 'dispatcher', back, 'dispatch', { unitId: drc });
    expect(await outbox(t, { issueId: back, event: 'issue_assigned' })).to.have.length.above(assignedBefore);
    // The enterprise heard 已分办至市发展改革委 once, at the first dispatch; the unit is the same.
    expect(await outbox(t, { issueId: back, event: 'enterprise_dispatched' })).to.have.length(1);

    const elsewhere = await inProgressIssue(t);
    await must(t, h, elsewhere, 'return', { reason: '不属于本单位职责' });
    await must(t, 'dispatcher', elsewhere, 'dispatch', { unitId: String(unitByCode(t, 'city-nrp')._id) });
    const told = await outbox(t, { issueId: elsewhere, event: 'enterprise_dispatched' });
    expect(told).to.have.length(2);
    expect(told.map((r) => r.text).join()).to.contain('市自然资源和规划局');
  });

  it('a send-back tells the unit, with the reason and the deadline to answer again by', async () => {
    const id = await inProgressIssue(t);
    await must(t, h, id, 'reply', { text: '已协调发放补贴' });
    await must(t, 'dispatcher', id, 'send_back', { reason: '答复未说明到账时间' });
    expect((await recipientsByEvent(t, id)).reply_sent_back).to.deep.equal(
      [h, unitHeadOf('city-drc')].sort(),
    );
    const [row] = await outbox(t, { issueId: id, event: 'reply_sent_back' });
    expect(row.text).to.match(
      /答复被服务中心退回（答复未说明到账时间），请于\d{4}-\d{2}-\d{2} \d{2}:\d{2}前重新答复/,
    );
  });

  it('a transfer tells the new unit as a transfer, with the reason, and not as a new issue', async () => {
    const id = await inProgressIssue(t);
    await must(t, 'dispatcher', id, 'transfer', {
      unitId: String(unitByCode(t, 'city-nrp')._id),
      reason: '涉及用地指标',
    });
    const by = await recipientsByEvent(t, id);
    expect(by.issue_transferred).to.deep.equal([handlerOf('city-nrp'), unitHeadOf('city-nrp')].sort());
    const assigned = await outbox(t, { issueId: id, event: 'issue_assigned' });
    expect(assigned.map((r) => t.usernames.get(r.recipient.id))).to.not.include(handlerOf('city-nrp'));
    // The unit it left (its handler had signed for it) is told to stop, with the reason.
    expect(by.issue_moved_away).to.deep.equal([h, unitHeadOf('city-drc')].sort());
    const [away] = await outbox(t, { issueId: id, event: 'issue_moved_away' });
    expect(away.text).to.include('已转交市自然资源和规划局办理（涉及用地指标），贵单位无需继续办理');
    const [row] = await outbox(t, { issueId: id, event: 'issue_transferred' });
    expect(row.text).to.match(
      /转交市自然资源和规划局办理（涉及用地指标），请于\d{4}-\d{2}-\d{2} \d{2}:\d{2}前签收、\d{4}-\d{2}-\d{2} \d{2}:\d{2}前办结/,
    );
  });

  it('a reclassification that routes a dispatched issue elsewhere is heard by the new unit as a transfer', async () => {
    const created = await postIssue(t, 'dispatcher', { category: 'finance', urgency: 'normal' });
    expect(created.body.state).to.equal('dispatched');
    const id = created.body.id as string;
    const moved = await must(t, 'dispatcher', id, 'reclassify', {
      category: 'land',
      reason: '属于用地规划类',
    });
    expect(moved.unitId).to.not.equal(created.body.unitId);
    const unit = (await t.models.Unit.findById(moved.unitId, { code: 1 }).lean())!.code;
    expect((await recipientsByEvent(t, id)).issue_transferred).to.deep.equal(
      [handlerOf(unit), unitHeadOf(unit)].sort(),
    );
    const [row] = await outbox(t, { issueId: id, event: 'issue_transferred' });
    expect(row.text).to.include('办理（属于用地规划类），请于');
    const left = (await t.models.Unit.findById(created.body.unitId, { code: 1 }).lean())!.code;
    expect((await recipientsByEvent(t, id)).issue_moved_away).to.deep.equal(
      [handlerOf(left), unitHeadOf(left)].sort(),
    );
  });

  it('a 会商决定 naming another lead unit tells the unit it left and the enterprise; one keeping it, neither', async () => {
    const nrp = String(unitByCode(t, 'city-nrp')._id);
    const drc = String(unitByCode(t, 'city-drc')._id);
    const moved = await inProgressIssue(t);
    await must(t, 'dispatcher', moved, 'consult', { tier: 'director', unitIds: [drc, nrp] });
    // The first dispatch told the enterprise already; the decision tells it once more, naming the new unit.
    const toldBefore = (await outbox(t, { issueId: moved, event: 'enterprise_dispatched' })).length;
    await must(t, 'director', moved, 'decide', { unitId: nrp, workingDays: 5 });
    const by = await recipientsByEvent(t, moved);
    expect(by.issue_moved_away).to.deep.equal([h, unitHeadOf('city-drc')].sort());
    expect(by.decision).to.deep.equal([handlerOf('city-nrp'), unitHeadOf('city-nrp')].sort());
    const [away] = await outbox(t, { issueId: moved, event: 'issue_moved_away' });
    expect(away.text).to.include('已转交市自然资源和规划局办理（会商决定），贵单位无需继续办理');
    const told = await outbox(t, { issueId: moved, event: 'enterprise_dispatched' });
    expect(told).to.have.length(toldBefore + 1);
    expect(told.map((r) => r.text).join()).to.contain('市自然资源和规划局');

    const kept = await inProgressIssue(t);
    await must(t, 'dispatcher', kept, 'consult', { tier: 'director', unitIds: [drc, nrp] });
    const dispatchedBefore = (await outbox(t, { issueId: kept, event: 'enterprise_dispatched' })).length;
    await must(t, 'director', kept, 'decide', { unitId: drc, workingDays: 5, note: '仍由发改委牵头' });
    expect((await recipientsByEvent(t, kept)).issue_moved_away).to.equal(undefined);
    expect(await outbox(t, { issueId: kept, event: 'enterprise_dispatched' })).to.have.length(
      dispatchedBefore,
    );
  });

  it('a consultation without the lead unit tells it why the issue left its queue; one with it, only the invitation', async () => {
    const nrp = String(unitByCode(t, 'city-nrp')._id);
    const tax = String(unitByCode(t, 'city-tax')._id);
    const drc = String(unitByCode(t, 'city-drc')._id);
    const outside = await inProgressIssue(t);
    await must(t, 'dispatcher', outside, 'consult', { tier: 'director', unitIds: [nrp, tax] });
    const by = await recipientsByEvent(t, outside);
    expect(by.consult_opened).to.deep.equal([h, unitHeadOf('city-drc')].sort());
    expect(by.consult_invite).to.include.members([handlerOf('city-nrp'), handlerOf('city-tax')]);
    const [opened] = await outbox(t, { issueId: outside, event: 'consult_opened' });
    expect(opened.text).to.include('已提请中心主任协调会商，承办单位和时限由会商决定');

    const inside = await inProgressIssue(t);
    await must(t, 'dispatcher', inside, 'consult', { tier: 'director', unitIds: [drc, nrp] });
    const within = await recipientsByEvent(t, inside);
    expect(within.consult_opened).to.equal(undefined);
    expect(within.consult_invite).to.include(h);
  });

  it('a new urgency on a dispatched issue tells its unit the new deadlines, with the reason', async () => {
    const id = await receivedIssue(t, { urgency: 'normal' });
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    await must(t, 'dispatcher', id, 'reclassify', { urgency: 'urgent', reason: '企业下周停产' });
    const issue = await t.models.Issue.findById(id).lean();
    expect((await recipientsByEvent(t, id)).issue_reclassified).to.deep.equal(
      [h, unitHeadOf('city-drc')].sort(),
    );
    const [row] = await outbox(t, { issueId: id, event: 'issue_reclassified' });
    const cst = (d: Date) =>
      new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(row.text).to.include('（企业下周停产）');
    expect(row.text).to.include(
      `请于${cst(issue!.deadlines!.signBy)}前签收、${cst(issue!.deadlines!.resolveBy)}前办结`,
    );
  });

  it('a dispatch names both deadlines: 签收 (for an urgent issue, hours away) and 办结', async () => {
    const id = await receivedIssue(t, { urgency: 'urgent' });
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    const issue = await t.models.Issue.findById(id).lean();
    const [row] = await outbox(t, { issueId: id, event: 'issue_assigned' });
    const cst = (d: Date) =>
      new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(row.text).to.include(
      `请于${cst(issue!.deadlines!.signBy)}前签收、${cst(issue!.deadlines!.resolveBy)}前办结`,
    );
    expect(issue!.deadlines!.signBy.getTime()).to.be.below(issue!.deadlines!.resolveBy.getTime());
  });

  it('a dispatch to a unit with nobody active tells the centre, to re-dispatch or call the unit', async () => {
    const unit = unitByCode(t, 'city-justice');
    await t.models.User.updateMany({ unitId: unit._id }, { $set: { disabled: true } });
    const id = await receivedIssue(t);
    await must(t, 'dispatcher', id, 'dispatch', { unitId: String(unit._id) });
    const by = await recipientsByEvent(t, id);
    expect(by.issue_assigned).to.deep.equal(['clerk', 'director', 'dispatcher']);
    const [row] = await outbox(t, { issueId: id, event: 'issue_assigned' });
    expect(row.text).to.match(new RegExp(`^【${unit.name}暂无在岗人员，请改派或联系该单位】新问题`));
    // A unit with its staff is told itself, and the centre is not.
    const staffed = await receivedIssue(t);
    await must(t, 'dispatcher', staffed, 'dispatch', { unitId: String(unitByCode(t, 'city-drc')._id) });
    expect((await recipientsByEvent(t, staffed)).issue_assigned).to.deep.equal(
      [h, unitHeadOf('city-drc')].sort(),
    );
  });
});
