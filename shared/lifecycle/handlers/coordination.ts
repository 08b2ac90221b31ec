// Coordination and oversight: joint consultation (会商) with inputs and a decision, escalation up the tiers,
// and the urge/supervise/bulletin flags the sweep or a supervisor raises.

import { computeDeadlines } from '../../sla.ts';
import type { UnitLevel } from '../../states.ts';
import type { ConsultInput, DecideInput } from '../../schemas.ts';
import type { IssueCore } from '../issue-core.ts';
import {
  consultationClock,
  fail,
  involvedUnits,
  moveResolveDeadline,
  nextTier,
  openConsultation,
  type Handler,
} from '../helpers.ts';

export const consult: Handler<ConsultInput> = (issue, input, ctx) => {
  openConsultation(issue, ctx, input.tier, input.unitIds, 'manual');
  return { data: { tier: input.tier, unitIds: issue.consultation?.unitIds } };
};

export const consultInput: Handler<{ text: string }> = (issue, input, ctx) => {
  const consultation = issue.consultation;
  const unitId = ctx.actor.unitId;
  if (!consultation || !unitId || !consultation.unitIds.includes(unitId)) {
    fail('not_in_consultation', '您所在单位不在本次会商名单中');
  }
  consultation.inputs = {
    ...consultation.inputs,
    [unitId]: { text: input.text, at: ctx.now, by: ctx.actor.id },
  };
  const allIn = consultation.unitIds.every((id) => consultation.inputs[id]);
  return { note: input.text, data: { unitId, allIn } };
};

/** 会商决定: names the lead unit and a new deadline, and the clock restarts from the decision. */
export const decide: Handler<DecideInput & { level?: UnitLevel }> = (issue, input, ctx) => {
  const consultation = issue.consultation;
  if (consultation?.tier === 'leader' && ctx.actor.role === 'director') {
    fail('forbidden', '市领导层级的会商须由市领导作出决定');
  }
  const fromUnitId = issue.unitId;
  issue.state = 'in_progress';
  issue.unitId = input.unitId;
  issue.coUnitIds = (input.coUnitIds ?? []).filter((id) => id !== input.unitId);
  if (input.level) issue.level = input.level;
  // The lead unit was at the table: the decision counts as signing for it. A new lead unit starts clean; the
  // same unit keeps a late sign-for it had already missed (a 催签 marks it), or ignoring an issue until the
  // consultation handed it back would count as signing on time.
  issue.signedAt = ctx.now;
  issue.signedLate = fromUnitId === input.unitId && issue.signedLate === true;
  const fromNow = () =>
    computeDeadlines({ ...ctx, urgency: issue.urgency, category: issue.category, startAt: ctx.now });
  if (!issue.deadlines) issue.deadlines = fromNow();
  else if (fromUnitId !== input.unitId) {
    // A new lead unit: signed for by the decision, and its own first-contact limit from now, never the
    // limits the unit before it had (already past, they would count its first contact late).
    const { contactBy } = fromNow();
    issue.deadlines = { ...issue.deadlines, signBy: ctx.now, contactBy, signUrgedAt: null };
  }
  moveResolveDeadline(issue, ctx, ctx.calendar.addWorkingDays(ctx.now, input.workingDays), true);
  if (consultation) issue.consultation = { ...consultation, decidedAt: ctx.now, decidedBy: ctx.actor.id };
  return {
    note: input.note,
    data: {
      unitId: input.unitId,
      coUnitIds: issue.coUnitIds,
      workingDays: input.workingDays,
      resolveBy: issue.deadlines?.resolveBy,
      // Another lead unit than the one that had it (or none, after a second return): both are told.
      ...(fromUnitId !== input.unitId ? { fromUnitId } : {}),
    },
  };
};

/** 提级: up one coordination tier; outside consultation it opens one with the units involved. */
export const escalate: Handler<{ reason?: string }> = (issue, input, ctx) => {
  const current = issue.state === 'consulting' && issue.consultation ? issue.consultation.tier : issue.tier;
  const tier = nextTier(current);
  if (!tier) fail('max_tier', '已是最高协调层级（市领导）');
  issue.escalated = true;
  if (issue.state === 'consulting' && issue.consultation) {
    // The new tier gets its own input deadline (and its own escalation) from now.
    issue.consultation = { ...issue.consultation, tier, ...consultationClock(ctx) };
    issue.tier = tier;
  } else {
    openConsultation(issue, ctx, tier, involvedUnits(issue), ctx.actor.role === 'system' ? 'time' : 'manual');
  }
  return { note: input.reason, data: { tier } };
};

type Flag = 'urged' | 'supervised' | 'bulletined';
const raiseFlag =
  (flag: Flag): Handler<{ note?: string }> =>
  (issue: IssueCore, input) => {
    // Waiting for triage: the flag belongs to the triage clock (the handling clock has not started).
    if (issue.state === 'received' && issue.triage && (flag === 'urged' || flag === 'supervised')) {
      issue.triage = { ...issue.triage, [flag]: true };
      return { note: input.note, data: { warning: issue.warning, triage: true } };
    }
    issue[flag] = true;
    return { note: input.note, data: { warning: issue.warning } };
  };

const urgeHandling = raiseFlag('urged');

/**
 * 催办; with target `consultation`, the reminder to the consulted units that still owe input; with target
 * `sign`, 催签: the lead unit has not signed for the issue (recorded on the sign-for limit, so it fires once
 * per limit and leaves the handling clock's 催办 to come); with target `rating_check`, the centre's check of a
 * bad rating is past its 核实时限 (recorded on the rating, once).
 */
export const urge: Handler<{ note?: string; target?: 'consultation' | 'sign' | 'rating_check' }> = (
  issue,
  input,
  ctx,
) => {
  if (input.target === 'rating_check') {
    // The sweep's, at the 核实时限 (its notice names that instant); people urge the centre in person.
    if (ctx.actor.role !== 'system') fail('forbidden', '差评核实催办由系统在核实时限到期时自动发出');
    const r = issue.rating;
    if (issue.state !== 'awaiting_rating' || r?.verification !== 'pending')
      fail('illegal_transition', '该问题没有待核实的差评');
    issue.rating = { ...r, checkUrgedAt: ctx.now };
    return { note: input.note, data: { target: 'rating_check', step: 'remind_rating_check' } };
  }
  // Waiting for the enterprise's rating, the unit's work is done: nothing to urge but a bad rating's check.
  if (issue.state === 'awaiting_rating') fail('illegal_transition', '该问题已答复，待企业评价');
  if (input.target === 'sign') {
    if (issue.state !== 'dispatched' || !issue.deadlines) fail('illegal_transition', '该问题不在待签收状态');
    issue.deadlines = { ...issue.deadlines, signUrgedAt: ctx.now };
    // Past the limit, it is late whenever it is signed: 及时签收率 and the 超期签收 list count it from here.
    if (ctx.now.getTime() >= issue.deadlines.signBy.getTime()) issue.signedLate = true;
    return { note: input.note, data: { target: 'sign', step: 'remind_sign' } };
  }
  if (input.target !== 'consultation') return urgeHandling(issue, input, ctx);
  const c = issue.consultation;
  if (issue.state !== 'consulting' || !c) fail('illegal_transition', '该问题不在会商中');
  const missing = c.unitIds.filter((id) => !c.inputs[id]);
  issue.consultation = { ...c, remindedAt: ctx.now };
  return { note: input.note, data: { target: 'consultation', step: 'remind_input', missing } };
};
const raiseSupervised = raiseFlag('supervised');

/**
 * 督办. The sweep's 督办 at the red light is also how the oversight hears of it (亮红灯): a person's 督办 before
 * the light turns red leaves that step to come (`redAlertDue`), and when it fires on an issue still supervised,
 * it only tells the oversight (`redAlert`), the unit having been supervised already.
 */
export const supervise: Handler<{ note?: string }> = (issue, input, ctx) => {
  const d = issue.deadlines;
  const handling = !(issue.state === 'received' && issue.triage) && d;
  const bySystem = ctx.actor.role === 'system';
  const redAlertOnly = handling && bySystem && d.redAlertDue === true && issue.supervised;
  if (handling && bySystem && d.redAlertDue) issue.deadlines = { ...d, redAlertDue: false };
  else if (handling && !bySystem && !issue.supervised && ctx.now.getTime() < d.redAt.getTime())
    issue.deadlines = { ...d, redAlertDue: true };
  const out = raiseSupervised(issue, input, ctx);
  return redAlertOnly && out ? { ...out, data: { ...out.data, redAlert: true } } : out;
};
export const bulletin = raiseFlag('bulletined');
