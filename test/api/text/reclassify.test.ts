// POST /api/issues/:id/actions/reclassify: a person corrects the category and urgency, on the timeline; an
// issue not yet signed for follows the new category's route; the correction is marked as training data.
import { expect } from 'chai';
import { CATEGORIES } from '../../../config/categories.ts';
import { expectError } from '../helpers.ts';
import {
  act,
  getIssue,
  handlerOf,
  inProgressIssue,
  must,
  postIssue,
  receivedIssue,
  unitByCode,
  useIssueApp,
} from '../issues/fixtures.ts';

const defaultUnitOf = (category: string) => CATEGORIES.find((c) => c.id === category)!.defaultUnits.deqing;

describe('api: reclassify', function () {
  this.timeout(30_000);
  const t = useIssueApp();
  const reason = '经电话核实，实际为厂房验收问题';

  it('a waiting issue takes the corrected category and goes to its unit; the timeline says who and why', async () => {
    const id = await receivedIssue(t);
    const issue = await must(t, 'clerk', id, 'reclassify', { category: 'land', urgency: 'urgent', reason });
    expect(issue).to.include({ category: 'land', urgency: 'urgent', state: 'dispatched' });
    expect(issue.unitId).to.equal(String(unitByCode(t, defaultUnitOf('land'))._id));
    expect(issue.deadlines.signBy).to.be.a('string');
    const event = issue.timeline.at(-1);
    expect(event).to.include({
      action: 'reclassify',
      note: reason,
      fromState: 'received',
      toState: 'dispatched',
    });
    expect(event.public).to.equal(false);
    expect(event.data.from).to.deep.equal({ category: 'policy', urgency: 'normal' });
    expect(event.data.to).to.deep.equal({ category: 'land', urgency: 'urgent' });
    expect(issue.classification.human).to.equal(true);
  });

  it('a dispatched issue not yet signed for moves to the unit of its new category', async () => {
    const created = await postIssue(t, 'dispatcher', { category: 'land', urgency: 'normal' });
    expect(created.body.state).to.equal('dispatched');
    const issue = await must(t, 'dispatcher', created.body.id, 'reclassify', { category: 'tax', reason });
    expect(issue.state).to.equal('dispatched');
    expect(issue.unitId).to.equal(String(unitByCode(t, defaultUnitOf('tax'))._id));
    expect(issue.unitId).not.to.equal(created.body.unitId);
    expect(issue.timeline.at(-1).data.unitId).to.equal(issue.unitId);
  });

  it('once signed for, only the labels change: same unit, same promised date', async () => {
    const id = await inProgressIssue(t);
    const before = (await getIssue(t, 'director', id)).body;
    const issue = await must(t, 'director', id, 'reclassify', { urgency: 'critical', reason: '已停产' });
    expect(issue).to.include({ state: 'in_progress', urgency: 'critical', unitId: before.unitId });
    expect(issue.deadlines.resolveBy).to.equal(before.deadlines.resolveBy);
  });

  it('the coordination tier follows the corrected urgency, unless a consultation or an escalation raised it', async () => {
    const created = await postIssue(t, 'dispatcher', { category: 'land', urgency: 'complex' });
    const id = created.body.id as string;
    expect((await getIssue(t, 'dispatcher', id)).body.tier).to.equal('director'); // 疑难复杂: 中心主任协调
    await must(t, handlerOf(defaultUnitOf('land')), id, 'sign');
    const eased = await must(t, 'clerk', id, 'reclassify', { urgency: 'normal', reason: '经核实为一般问题' });
    expect(eased.tier).to.equal('section');
    expect(eased.timeline.at(-1).data.tier).to.equal('section');
    const back = await must(t, 'clerk', id, 'reclassify', { urgency: 'complex', reason: '涉及多个部门' });
    expect(back.tier).to.equal('director');
    await must(t, 'director', id, 'escalate', { reason: '需市领导协调' });
    const raised = await must(t, 'clerk', id, 'reclassify', { urgency: 'normal', reason: '复核' });
    expect(raised.tier).to.equal('leader');
  });

  it('400 without a change, without a reason or with an unknown category', async () => {
    const id = await receivedIssue(t);
    const bad = [
      { reason },
      { category: 'policy', urgency: 'normal', reason },
      { category: 'land' },
      { category: 'space', reason },
    ];
    for (const body of bad) {
      const res = await act(t, 'dispatcher', id, 'reclassify', body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
    }
  });

  it('the body cannot name the unit: routing decides', async () => {
    const id = await receivedIssue(t);
    const other = String(unitByCode(t, 'city-sci')._id);
    const issue = await must(t, 'clerk', id, 'reclassify', { category: 'land', unitId: other, reason });
    expect(issue.unitId).not.to.equal(other);
  });

  it('403 for handlers, supervisors and leaders; 409 on a closed issue', async () => {
    const id = await inProgressIssue(t);
    expectError(
      await act(t, handlerOf('city-drc'), id, 'reclassify', { category: 'tax', reason }),
      403,
      'forbidden',
    );
    expectError(await act(t, 'supervisor', id, 'reclassify', { category: 'tax', reason }), 403, 'forbidden');
    const rejected = await receivedIssue(t);
    await must(t, 'dispatcher', rejected, 'reject', { reason: '不属于受理范围' });
    const res = await act(t, 'dispatcher', rejected, 'reclassify', { category: 'tax', reason });
    expectError(res, 409, 'illegal_transition');
  });
});
