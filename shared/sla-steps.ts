// The sweep's steps (DESIGN §5): given an issue's stored deadlines and flags, which follow-ups are pending, when the
// sweep should next look at it, and which steps are due now. Kept apart from shared/sla.ts, which computes and
// moves the deadlines: this module only reads them, so firing stays a pure function of the issue and the instant.

import { CLOCK_RUNNING_STATES, type WarningLevel } from './states.ts';
import { triageWarning, warningLevel, type Deadlines, type TriageDeadlines } from './sla.ts';

/** What the sweep needs to know about an issue; a subset of IssueCore so the sweep can project it cheaply. */
export interface SweepView {
  state: string;
  deadlines: Deadlines | null;
  warning: WarningLevel;
  urged: boolean;
  supervised: boolean;
  bulletined: boolean;
  escalated: boolean;
  /** At the leader tier there is nowhere left to escalate to. */
  tier?: string;
  rateBy?: Date | null;
  callbackRequested?: boolean;
  rating?: { verification?: string; verifyBy?: Date; checkUrgedAt?: Date } | null;
  triage?: TriageDeadlines | null;
  consultation?: {
    tier: string;
    unitIds: string[];
    inputs: Record<string, unknown>;
    dueAt: Date;
    escalateAt?: Date;
    remindedAt?: Date | null;
    decidedAt?: Date;
  } | null;
}

/** Follow-up steps the sweep fires, in the order it fires them at one instant; `warning` means "store the new light". */
export const FOLLOW_UP_STEPS = [
  'warning',
  'remind_sign',
  'remind_rating_check',
  'urge',
  'supervise',
  'remind_input',
  'escalate',
  'bulletin',
  'request_callback',
] as const;
export type FollowUpStep = (typeof FOLLOW_UP_STEPS)[number];

const NEXT_LIGHT: Record<WarningLevel, keyof Deadlines | null> = {
  none: 'yellowAt',
  yellow: 'redAt',
  red: 'overdueAt',
  overdue: null,
};

const TRIAGE_NEXT_LIGHT: Record<WarningLevel, keyof TriageDeadlines | null> = {
  none: 'yellowAt',
  yellow: 'dueAt',
  red: 'overdueAt',
  overdue: null,
};

/** Triage: the light, 催办 at yellow and 督办 at the deadline, to the centre. */
function triageSteps(issue: SweepView, steps: Array<[FollowUpStep, Date]>): void {
  const t = issue.triage;
  if (issue.state !== 'received' || !t) return;
  const light = TRIAGE_NEXT_LIGHT[issue.warning];
  if (light) steps.push(['warning', t[light] as Date]);
  if (!t.urged) steps.push(['urge', t.yellowAt]);
  if (!t.supervised) steps.push(['supervise', t.dueAt]);
}

/** An undecided consultation: a reminder at the input deadline, up a tier N working days later. */
function consultationSteps(issue: SweepView, steps: Array<[FollowUpStep, Date]>): void {
  const c = issue.consultation;
  if (issue.state !== 'consulting' || !c || c.decidedAt) return;
  const missing = c.unitIds.some((id) => !c.inputs?.[id]);
  if (missing && !c.remindedAt) steps.push(['remind_input', c.dueAt]);
  if (c.escalateAt && c.tier !== 'leader') steps.push(['escalate', c.escalateAt]);
}

/** The light an issue shows at `now`: the triage clock in `received`, the handling clock otherwise. */
export function lightOf(
  issue: Pick<SweepView, 'state' | 'deadlines' | 'triage'>,
  now: Date,
): WarningLevel | null {
  if (issue.state === 'received' && issue.triage) return triageWarning(issue.triage, now);
  return issue.deadlines ? warningLevel(issue.deadlines, now) : null;
}

/** Each pending step with the instant it falls due (past instants included: the sweep catches up). */
function pendingSteps(issue: SweepView): Array<[FollowUpStep, Date]> {
  const steps: Array<[FollowUpStep, Date]> = [];
  triageSteps(issue, steps);
  consultationSteps(issue, steps);
  const d = issue.deadlines;
  // Not signed for within the sign-for limit: the unit is reminded once (催签), the card already shows red.
  if (issue.state === 'dispatched' && d && !d.signUrgedAt) steps.push(['remind_sign', d.signBy]);
  if (d && !d.pausedAt && (CLOCK_RUNNING_STATES as readonly string[]).includes(issue.state)) {
    const light = NEXT_LIGHT[issue.warning];
    if (light) steps.push(['warning', d[light] as Date]);
    if (!issue.urged) steps.push(['urge', d.yellowAt]);
    if (!issue.supervised || d.redAlertDue) steps.push(['supervise', d.redAt]);
    if (!issue.escalated && issue.state !== 'consulting' && issue.tier !== 'leader')
      steps.push(['escalate', d.escalateAt]);
    if (!issue.bulletined) steps.push(['bulletin', d.bulletinAt]);
  }
  // A bad rating the centre has not checked within its 核实时限: the centre is reminded once.
  const r = issue.rating;
  if (issue.state === 'awaiting_rating' && r?.verification === 'pending' && r.verifyBy && !r.checkUrgedAt)
    steps.push(['remind_rating_check', r.verifyBy]);
  if (issue.state === 'awaiting_rating' && issue.rateBy && !issue.callbackRequested && !issue.rating) {
    steps.push(['request_callback', issue.rateBy]);
  }
  return steps;
}

/**
 * When the sweep should next look at this issue (store it, indexed): the earliest pending step, which may
 * already be in the past after downtime. Null when nothing can fire (terminal, suspended, awaiting people).
 */
export function nextCheckAt(issue: SweepView, _now?: Date): Date | null {
  // `_now` is accepted for call-site symmetry only: a past instant is returned as it is, so the sweep's
  // `nextCheckAt <= now` range query picks the issue up at once.
  let min: number | null = null;
  for (const [, at] of pendingSteps(issue)) if (min === null || at.getTime() < min) min = at.getTime();
  return min === null ? null : new Date(min);
}

/** The steps due at `now`, in the order they should fire. */
export function dueFollowUps(issue: SweepView, now: Date): FollowUpStep[] {
  const due = new Set(
    pendingSteps(issue)
      .filter(([, at]) => at.getTime() <= now.getTime())
      .map(([s]) => s),
  );
  if (due.has('warning') && lightOf(issue, now) === issue.warning) due.delete('warning');
  return FOLLOW_UP_STEPS.filter((s) => due.has(s));
}
