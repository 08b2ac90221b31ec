// How the people around an issue behave, decided by the issue's current state (so the automatic follow-ups
// can interrupt any story: an escalation to consultation is answered by a decision, then the work goes on).
// A plan, drawn up front per issue, says how this issue's story goes: the outcome (closed with a good rating,
// after a callback, redone after a bad one, appealed, rejected, merged), the detours (returns, suspension,
// extension, consultation, a reply sent back, a late unit) and where, if anywhere, everybody stops acting
// (`stallAt`: the backlog of open issues a real city carries).
import type { IssueState } from '../../../shared/states.ts';
import { enterpriseActor } from '../../../shared/lifecycle/issue-core.ts';
import type { Rng } from '../../../server/seed/prng.ts';
import { IssueSim, StateChanged, StoryStop, stopStory, type NamedActor } from './issue-sim.ts';
import { internalNote, progressNote, replyNote } from './texts.ts';
import type { World, WorldUnit } from './world.ts';

export type Outcome = 'good' | 'callback' | 'bad_redo' | 'appeal' | 'reject' | 'reject_reopen' | 'merge';

export interface StoryPlan {
  outcome: Outcome;
  /** People stop acting once the issue is in this state (the follow-ups still fire). */
  stallAt: IssueState | null;
  returns: number;
  suspend: boolean;
  extension: boolean;
  consult: boolean;
  sendBack: boolean;
  late: boolean;
  notes: number;
  internalNotes: number;
  /** Multiplies every delay (1 = the demo seed's pace). */
  pace: number;
  mergeInto: string | null;
}

export interface StoryCast {
  rng: Rng;
  world: World;
  enterprise: { id: string; name: string };
  /** A unit for the issue's category and region other than `except`. */
  pickUnit(except?: string | null): WorldUnit;
}

const GOOD_LEVELS = ['very_satisfied', 'satisfied', 'basically_satisfied'] as const;
const BAD_LEVELS = ['dissatisfied', 'very_dissatisfied'] as const;
const RETURN_REASONS = ['该事项不属于本单位职责范围', '经研究，该诉求应由属地政府牵头办理'];
const BAD_COMMENTS = ['问题没有真正解决', '答复与实际情况不符', '办理时间太长，企业损失较大'];

function person(cast: StoryCast, username: string): NamedActor {
  const actor = cast.world.actors.get(username);
  if (!actor) return stopStory();
  return actor;
}

function handlerOf(sim: IssueSim, cast: StoryCast, unitId = sim.core.unitId): NamedActor {
  const unit = unitId ? cast.world.unitById.get(unitId) : undefined;
  if (!unit) return stopStory();
  return person(cast, `handler-${unit.code}`);
}

const leadInput = (unit: WorldUnit) => ({ unitId: unit.id, level: unit.level });

function received(sim: IssueSim, plan: StoryPlan, cast: StoryCast): void {
  const { rng } = cast;
  sim.after(rng.int(1, 8));
  if (plan.outcome === 'reject' || plan.outcome === 'reject_reopen') {
    sim.act(person(cast, 'clerk'), 'reject', {
      reason: '该诉求属于个人事项，不属于涉企问题受理范围，已告知企业咨询渠道',
    });
    if (plan.outcome === 'reject') return;
    plan.outcome = 'good';
    sim.after(rng.int(8, 24));
    sim.act(person(cast, 'supervisor'), 'reopen', { reason: '企业补充说明后确属涉企问题' });
    return;
  }
  if (plan.outcome === 'merge' && plan.mergeInto) {
    sim.act(person(cast, 'dispatcher'), 'merge', { intoId: plan.mergeInto });
    return;
  }
  const dispatcher = person(cast, rng.next() < 0.7 ? 'dispatcher' : 'clerk');
  sim.act(dispatcher, 'dispatch', leadInput(cast.pickUnit(sim.core.returnedFrom.at(-1))));
}

function dispatched(sim: IssueSim, plan: StoryPlan, cast: StoryCast): void {
  const { rng } = cast;
  if (plan.returns > 0) {
    plan.returns -= 1;
    sim.after(rng.int(1, 6));
    sim.act(handlerOf(sim, cast), 'return', {
      reason: rng.pick(RETURN_REASONS),
      legalBasis: '本单位“三定”方案',
    });
    return;
  }
  sim.after(plan.late && rng.next() < 0.5 ? rng.int(8, 16) : rng.next() * 3 + 0.2);
  sim.act(handlerOf(sim, cast), 'sign');
}

function inProgress(sim: IssueSim, plan: StoryPlan, cast: StoryCast): void {
  const { rng } = cast;
  const handler = handlerOf(sim, cast);
  const pending = sim.core.pendingApproval?.kind;
  if (pending) {
    sim.after(rng.int(1, 6));
    const approve = pending === 'suspend' ? 'approve_suspend' : 'approve_extension';
    sim.act(person(cast, rng.next() < 0.8 ? 'dispatcher' : 'director'), approve);
  } else if (plan.notes > 0 || plan.internalNotes > 0) {
    sim.after(rng.int(2, 10));
    const isPublic = plan.notes > 0;
    if (isPublic) plan.notes -= 1;
    else plan.internalNotes -= 1;
    sim.act(handler, 'note', { text: isPublic ? progressNote(rng) : internalNote(rng), public: isPublic });
  } else if (plan.suspend) {
    plan.suspend = false;
    sim.after(rng.int(2, 10));
    sim.act(handler, 'suspend', { reason: '等待企业补充提交相关材料' });
  } else if (plan.extension) {
    plan.extension = false;
    sim.after(rng.int(8, 20));
    sim.act(handler, 'request_extension', {
      workingDays: rng.int(1, 3),
      reason: '需协调第三方机构出具评估意见',
    });
  } else if (plan.consult) {
    plan.consult = false;
    sim.after(rng.int(4, 12));
    const lead = sim.core.unitId;
    const other = cast.pickUnit(lead).id;
    const tier = rng.next() < 0.7 ? 'director' : 'leader';
    sim.act(person(cast, 'director'), 'consult', { tier, unitIds: [lead, other].filter(Boolean) });
  } else if (plan.stallAt === 'in_progress') {
    stopStory();
  } else {
    sim.after(plan.late ? rng.int(40, 60) : rng.int(4, 20));
    sim.act(handler, 'reply', { text: replyNote(rng) });
  }
}

function suspended(sim: IssueSim, _plan: StoryPlan, cast: StoryCast): void {
  const { rng } = cast;
  if (sim.core.pendingApproval?.kind === 'resume') {
    sim.after(rng.int(1, 4));
    sim.act(person(cast, 'dispatcher'), 'approve_resume');
    return;
  }
  if (sim.core.pendingApproval?.kind === 'suspend') {
    sim.after(rng.int(1, 6));
    sim.act(person(cast, 'dispatcher'), 'approve_suspend');
    return;
  }
  sim.after(rng.int(20, 60));
  sim.act(handlerOf(sim, cast), 'resume');
}

function consulting(sim: IssueSim, _plan: StoryPlan, cast: StoryCast): void {
  const { rng } = cast;
  const c = sim.core.consultation;
  const owing = c ? c.unitIds.filter((id) => !c.inputs[id]).slice(0, 2) : [];
  if (owing.length && rng.next() < 0.8) {
    sim.after(rng.int(2, 8));
    sim.act(handlerOf(sim, cast, owing[0]), 'consult_input', { text: '建议由本单位牵头，相关部门配合办理' });
    return;
  }
  sim.after(rng.int(4, 12));
  const lead = sim.core.unitId ? cast.world.unitById.get(sim.core.unitId) : undefined;
  const decider = c?.tier === 'leader' || sim.core.tier === 'leader' ? 'leader' : 'director';
  sim.act(person(cast, decider), 'decide', { ...leadInput(lead ?? cast.pickUnit()), workingDays: 10 });
}

function replied(sim: IssueSim, plan: StoryPlan, cast: StoryCast): void {
  const { rng } = cast;
  sim.after(rng.int(1, 8));
  if (plan.sendBack) {
    plan.sendBack = false;
    sim.act(person(cast, 'dispatcher'), 'send_back', { reason: '答复未说明具体办理结果，请补充' });
    return;
  }
  sim.act(person(cast, 'dispatcher'), 'verify');
}

function rater(cast: StoryCast): NamedActor {
  const r = cast.rng.next();
  if (r < 0.55) return { ...enterpriseActor(cast.enterprise.id), name: cast.enterprise.name };
  return person(cast, 'clerk');
}

function awaitingRating(sim: IssueSim, plan: StoryPlan, cast: StoryCast): void {
  const { rng } = cast;
  const rating = sim.core.rating;
  if (rating?.verification === 'pending') {
    sim.after(rng.int(1, 6));
    if (plan.outcome === 'appeal') {
      sim.act(handlerOf(sim, cast), 'note', {
        text: '申诉：企业诉求超出法定职责范围，已依法答复',
        public: false,
      });
      sim.after(rng.int(1, 6));
      sim.act(person(cast, 'director'), 'verify_rating', {
        reasonable: false,
        reason: '经核实，差评理由不成立，申诉成立',
      });
      return;
    }
    plan.outcome = 'good';
    plan.notes = 1;
    sim.act(person(cast, 'dispatcher'), 'verify_rating', {
      reasonable: true,
      reason: '经核实，企业诉求未完全解决',
    });
    return;
  }
  if (plan.outcome === 'callback' || plan.stallAt === 'awaiting_rating') {
    sim.after(rng.int(24, 30));
    sim.act(person(cast, 'clerk'), 'callback', { reached: false, note: '电话无人接听' });
    if (plan.stallAt === 'awaiting_rating') stopStory();
    sim.after(rng.int(2, 8));
    sim.act(person(cast, 'clerk'), 'callback', {
      reached: true,
      rating: 'good',
      level: rng.pick(GOOD_LEVELS),
    });
    return;
  }
  sim.after(rng.int(2, 16));
  if (plan.outcome === 'bad_redo' || plan.outcome === 'appeal') {
    const comment = rng.pick(BAD_COMMENTS);
    sim.act(rater(cast), 'rate', { rating: 'bad', level: rng.pick(BAD_LEVELS), comment });
    return;
  }
  sim.act(rater(cast), 'rate', { rating: 'good', level: rng.pick(GOOD_LEVELS) });
}

const STEP: Partial<Record<IssueState, (sim: IssueSim, plan: StoryPlan, cast: StoryCast) => void>> = {
  received,
  dispatched,
  in_progress: inProgress,
  suspended,
  consulting,
  replied,
  awaiting_rating: awaitingRating,
};

const HANDLES_OWN_STALL = new Set<IssueState>(['in_progress', 'awaiting_rating']);

/** Longest story: no real issue takes more human steps than this. */
const MAX_STEPS = 40;

/** Plays the plan until the issue is finished, stalls, or its next step would come after the data set's now. */
export function runStory(sim: IssueSim, plan: StoryPlan, cast: StoryCast, asOf: number): void {
  try {
    for (let i = 0; i < MAX_STEPS; i++) {
      const step = STEP[sim.state];
      // in_progress and awaiting_rating stall inside their step (after the notes, after a failed callback).
      const stallHere = plan.stallAt === sim.state && !HANDLES_OWN_STALL.has(sim.state);
      if (!step || stallHere) break;
      try {
        step(sim, plan, cast);
      } catch (err) {
        if (!(err instanceof StateChanged)) throw err;
      }
    }
  } catch (err) {
    if (!(err instanceof StoryStop)) throw err;
  }
  sim.catchUp(asOf);
}
