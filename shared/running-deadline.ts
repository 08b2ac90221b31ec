// The deadline running for an issue in its state, with the instants its light changes at: what a card, a list
// row and the issue page all show (the presenter computes it once, so every screen reads the same one).
//   待受理 → 分办时限 (the triage clock); 待签收 → 签收时限; 办理中/挂起/会商中 → 办结时限; a bad rating
//   waiting for the centre → 核实时限. Nothing runs for the staff in 待审核 or while the enterprise rates.
//
// The sign-for limit stores its yellow (⅔ of the limit in working time, shared/sla.ts); a rating check, and a
// sign-for limit stored before that, have no stored lights, and no calendar travels with a card: yellow once ⅔
// of the limit's wall time has gone. Red at the deadline, overdue once late by as long again as it allowed.
// A sign-for light is never greener than the handling clock's, which runs from dispatch too; and it turns
// 已超期 only with that clock (the issue's stored warning), so a card never reads 已超期 while the 已超期
// filter and the KPIs, which count the stored warning, leave the issue out. The issue's own 预警 light (list
// rows, the issue page: web/src/lib/countdown.ts issueLight) follows only the triage and handling clocks, the
// ones the stored warning, the 红灯/已超期 filters and the counts go by; the sign-for and rating-check lights
// colour their countdown chips, and a list row's dot beside one when it is further gone (named by its limit).
import type { IssueState } from './states.ts';

export type DeadlineKind = 'triage' | 'sign' | 'resolve' | 'ratingVerify';

export const DEADLINE_LABELS: Readonly<Record<DeadlineKind, string>> = Object.freeze({
  triage: '分办时限',
  sign: '签收时限',
  resolve: '办结时限',
  ratingVerify: '核实时限',
});

export interface RunningDeadline {
  kind: DeadlineKind;
  dueAt: Date;
  yellowAt: Date;
  redAt: Date;
  overdueAt: Date;
  /** Set while the clock is stopped (挂起): the light stays the one it had then. */
  pausedAt: Date | null;
}

type Instant = Date | string;

export interface RunningDeadlineInput {
  state: IssueState;
  triage?: { yellowAt: Instant; dueAt: Instant; overdueAt: Instant } | null;
  deadlines?: {
    startAt: Instant;
    signBy: Instant;
    signYellowAt?: Instant | null;
    yellowAt: Instant;
    redAt: Instant;
    overdueAt: Instant;
    pausedAt?: Instant | null;
  } | null;
  rating?: { at: Instant; verification?: string; verifyBy?: Instant } | null;
}

const ms = (d: Instant) => new Date(d).getTime();
const at = (t: number) => new Date(t);

/** Lights of a limit without stored ones, from its start and its deadline. */
function plainLights(startAt: Instant, dueAt: Instant) {
  const start = ms(startAt);
  const due = ms(dueAt);
  const span = Math.max(0, due - start);
  return { yellowAt: start + Math.floor((span * 2) / 3), redAt: due, overdueAt: due + span };
}

export function runningDeadline(issue: RunningDeadlineInput): RunningDeadline | null {
  const { state, triage: t, deadlines: d, rating: r } = issue;
  if (state === 'received' && t) {
    const dueAt = at(ms(t.dueAt));
    const lights = { yellowAt: at(ms(t.yellowAt)), redAt: dueAt, overdueAt: at(ms(t.overdueAt)) };
    return { kind: 'triage', dueAt, ...lights, pausedAt: null };
  }
  if (state === 'dispatched' && d) {
    const sign = plainLights(d.startAt, d.signBy);
    const signYellow = d.signYellowAt ? ms(d.signYellowAt) : sign.yellowAt;
    return {
      kind: 'sign',
      dueAt: at(ms(d.signBy)),
      yellowAt: at(Math.min(signYellow, ms(d.yellowAt))),
      redAt: at(Math.min(sign.redAt, ms(d.redAt))),
      overdueAt: at(ms(d.overdueAt)),
      pausedAt: null,
    };
  }
  if ((state === 'in_progress' || state === 'suspended' || state === 'consulting') && d) {
    return {
      kind: 'resolve',
      dueAt: at(ms(d.redAt)),
      yellowAt: at(ms(d.yellowAt)),
      redAt: at(ms(d.redAt)),
      overdueAt: at(ms(d.overdueAt)),
      pausedAt: d.pausedAt ? at(ms(d.pausedAt)) : null,
    };
  }
  if (state === 'awaiting_rating' && r?.verification === 'pending' && r.verifyBy) {
    const lights = plainLights(r.at, r.verifyBy);
    return {
      kind: 'ratingVerify',
      dueAt: at(lights.redAt),
      yellowAt: at(lights.yellowAt),
      redAt: at(lights.redAt),
      overdueAt: at(lights.overdueAt),
      pausedAt: null,
    };
  }
  return null;
}
