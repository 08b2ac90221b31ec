// Time-limit maths (DESIGN §5): turns a policy, an urgency and a start instant into stored deadlines and moves
// them when the clock pauses; shared/sla-steps.ts reads them to tell the sweep what is due. Computing deadlines
// is kept apart from firing them (the sweep), so a restart or a day of downtime only means the sweep catches up.
//
// Hours vs working hours: `critical` issues (production stopped, safety) run on the wall clock, because an
// enterprise whose line stopped at 19:00 cannot wait for the next morning: sign within 30 min, contact within
// 1 h, resolve by the end of the same China calendar day (the next one when raised after 17:30). Every other
// urgency runs on the working calendar: `urgent` sign/contact limits are working hours, day limits are
// "the end of the Nth working day after the start day" everywhere.

import { type CategoryId, type ChannelId, type Urgency, type WarningLevel } from './states.ts';
import type { WorkCalendar } from './calendar.ts';
import { chinaDateKey, chinaTime } from './calendar.ts';
import { DAY_MS, MINUTE_MS } from './clock.ts';

export type Limit =
  | { kind: 'wall_minutes'; minutes: number }
  | { kind: 'working_hours'; hours: number }
  | { kind: 'working_days'; days: number }
  | { kind: 'same_day' };

export type YellowRule =
  { kind: 'fraction'; fraction: number } | { kind: 'working_days_before'; days: number };

export interface UrgencyPolicy {
  sign: Limit;
  contact: Limit;
  resolve: Limit;
  yellow: YellowRule;
  /** Longest single extension, in working days (complex: 15 more, 30 in all). */
  maxExtensionWorkingDays: number;
}

export interface TimeLimitPolicy {
  urgencies: Readonly<Record<Urgency, UrgencyPolicy>>;
  /** Per-category adjustments, e.g. land issues get longer to resolve. */
  categoryOverrides?: Readonly<Partial<Record<CategoryId, Partial<Record<Urgency, Partial<UrgencyPolicy>>>>>>;
  maxExtensions: number;
  /** Red turns into "overdue" after this many more working days. */
  overdueAfterWorkingDays: number;
  escalateAfterRedWorkingDays: number;
  bulletinAfterRedWorkingDays: number;
  ratingWindowWorkingDays: number;
  ratingVerifyWorkingDays: number;
  rectifyWorkingDays: number;
  maxRectifyWorkingDays: number;
  consultInputWorkingDays: number;
  /** A consultation still undecided this many working days after its input deadline goes up a tier. */
  consultEscalateAfterWorkingDays?: number;
  /** How long an issue may wait in `received` for triage (dispatch, reject, merge). */
  triage?: TriagePolicy;
  /** After 17:30 China time a "same day" limit runs to the end of the next calendar day. */
  sameDayCutoff: string;
}

/**
 * The triage limit: a channel's own promise (the meeting channel: dispatched within 2 working days) or the
 * default, shortened by a stricter limit for the urgency (a critical issue from a meeting waits an hour, not two
 * days).
 */
export interface TriagePolicy {
  default: Limit;
  byUrgency?: Partial<Record<Urgency, Limit>>;
  byChannel?: Partial<Record<ChannelId, Limit>>;
}

/** The deadlines of an issue waiting in `received`, with the follow-ups that fired for them. */
export interface TriageDeadlines {
  startAt: Date;
  yellowAt: Date;
  /** Red light and 督办 to the centre. */
  dueAt: Date;
  overdueAt: Date;
  urged: boolean;
  supervised: boolean;
}

export const DEFAULT_TRIAGE_POLICY: TriagePolicy = Object.freeze({
  default: { kind: 'working_days', days: 1 },
  byUrgency: { critical: { kind: 'wall_minutes', minutes: 60 }, urgent: { kind: 'working_hours', hours: 4 } },
  byChannel: { meeting: { kind: 'working_days', days: 2 } },
} satisfies TriagePolicy);

export const DEFAULT_CONSULT_ESCALATE_AFTER_WORKING_DAYS = 2;

export interface ComputeTriageInput {
  policy: TimeLimitPolicy;
  urgency: Urgency;
  channel?: ChannelId;
  startAt: Date;
  calendar: WorkCalendar;
}

/** Fresh triage deadlines for an issue entering `received` at `startAt`. */
export function computeTriage({
  policy,
  urgency,
  channel,
  startAt,
  calendar,
}: ComputeTriageInput): TriageDeadlines {
  const rules = policy.triage ?? DEFAULT_TRIAGE_POLICY;
  const base = (channel && rules.byChannel?.[channel]) || rules.default;
  const at = (limit: Limit) => applyLimit(limit, startAt, calendar, policy.sameDayCutoff);
  const strict = rules.byUrgency?.[urgency];
  const [limit, dueAt] =
    strict && at(strict).getTime() < at(base).getTime() ? [strict, at(strict)] : [base, at(base)];
  const yellowAt = yellowFor({ kind: 'fraction', fraction: 2 / 3 }, startAt, dueAt, basisOf(limit), calendar);
  const overdueAt = calendar.addWorkingDays(dueAt, policy.overdueAfterWorkingDays);
  return { startAt, yellowAt, dueAt, overdueAt, urged: false, supervised: false };
}

/** The light of an issue waiting for triage. */
export function triageWarning(
  t: Pick<TriageDeadlines, 'yellowAt' | 'dueAt' | 'overdueAt'>,
  now: Date,
): WarningLevel {
  const ms = now.getTime();
  if (ms >= t.overdueAt.getTime()) return 'overdue';
  if (ms >= t.dueAt.getTime()) return 'red';
  if (ms >= t.yellowAt.getTime()) return 'yellow';
  return 'none';
}

export type ClockBasis = 'working' | 'wall';

export interface Deadlines {
  startAt: Date;
  signBy: Date;
  contactBy: Date;
  resolveBy: Date;
  yellowAt: Date;
  redAt: Date;
  overdueAt: Date;
  /** Follow-ups of DESIGN §5, stored so the sweep needs no calendar. */
  escalateAt: Date;
  bulletinAt: Date;
  basis: ClockBasis;
  /**
   * The sign-for light's yellow: ⅔ of the sign-for limit, counted as the limit is (working time for 2 h or one
   * working day, so an issue dispatched on Friday evening is not yellow on Sunday). Absent on issues
   * dispatched before it was stored; their cards count ⅔ of the wall time.
   */
  signYellowAt?: Date;
  /**
   * When the sweep reminded the unit that the sign-for limit had passed (催签, once per sign-for limit: a
   * re-dispatch or transfer starts a new limit without it).
   */
  signUrgedAt?: Date | null;
  /**
   * A person's 督办 came before the light turned red: the sweep still fires its 督办 step at the red light, to
   * tell the oversight (亮红灯), and clears this. Absent otherwise.
   */
  redAlertDue?: boolean;
  pausedAt: Date | null;
  /** Total paused time so far (working ms on a working basis, wall ms otherwise). */
  pausedMs: number;
}

/** Every deadline instant of a Deadlines record (what a pause shifts and a recompute may move). */
export const KEYS_TO_SHIFT = [
  'signBy',
  'contactBy',
  'resolveBy',
  'yellowAt',
  'redAt',
  'overdueAt',
  'escalateAt',
  'bulletinAt',
] as const;

/** The effective policy for one urgency, with the category's overrides applied. */
export function urgencyPolicy(
  policy: TimeLimitPolicy,
  urgency: Urgency,
  category?: CategoryId,
): UrgencyPolicy {
  const base = policy.urgencies[urgency];
  const override = category ? policy.categoryOverrides?.[category]?.[urgency] : undefined;
  return override ? { ...base, ...override } : base;
}

/**
 * What a 申请延期 may still ask for under the policy: the longest single extension for the issue's urgency and
 * category, and how many extensions are left (the lifecycle refuses beyond either; the form shows both).
 */
export function extensionLimits(
  issue: { urgency: Urgency; category?: CategoryId; extensionCount: number },
  policy: TimeLimitPolicy,
): { maxWorkingDays: number; left: number } {
  return {
    maxWorkingDays: urgencyPolicy(policy, issue.urgency, issue.category).maxExtensionWorkingDays,
    left: Math.max(0, policy.maxExtensions - issue.extensionCount),
  };
}

function endOfSameDay(startAt: Date, cutoff: string): Date {
  const day = chinaDateKey(startAt);
  const nextDayStart = (d: string) => new Date(chinaTime(d).getTime() + DAY_MS);
  const late = startAt.getTime() >= chinaTime(day, cutoff).getTime();
  const end = late ? nextDayStart(chinaDateKey(nextDayStart(day))) : nextDayStart(day);
  return new Date(end.getTime() - 1);
}

/** When a limit started at `startAt` runs out. */
export function applyLimit(
  limit: Limit,
  startAt: Date,
  calendar: WorkCalendar,
  sameDayCutoff = '17:30',
): Date {
  switch (limit.kind) {
    case 'wall_minutes':
      return new Date(startAt.getTime() + limit.minutes * MINUTE_MS);
    case 'working_hours':
      return calendar.addWorkingHours(startAt, limit.hours);
    case 'working_days':
      return calendar.addWorkingDays(startAt, limit.days);
    case 'same_day':
      return endOfSameDay(startAt, sameDayCutoff);
  }
}

function basisOf(limit: Limit): ClockBasis {
  return limit.kind === 'wall_minutes' || limit.kind === 'same_day' ? 'wall' : 'working';
}

/** DESIGN §5 gives the sign-for limit no light of its own; its card turns yellow as the short limits do. */
const SIGN_YELLOW: YellowRule = { kind: 'fraction', fraction: 2 / 3 };

function yellowFor(
  rule: YellowRule,
  startAt: Date,
  due: Date,
  basis: ClockBasis,
  calendar: WorkCalendar,
): Date {
  let at: Date;
  if (rule.kind === 'working_days_before') at = calendar.addWorkingDays(due, -rule.days);
  else if (basis === 'wall')
    at = new Date(startAt.getTime() + Math.floor((due.getTime() - startAt.getTime()) * rule.fraction));
  else
    at = calendar.addWorkingMs(
      startAt,
      Math.floor(Math.max(0, calendar.workingMsBetween(startAt, due)) * rule.fraction),
    );
  return new Date(Math.min(Math.max(at.getTime(), startAt.getTime()), due.getTime()));
}

export interface FollowUps {
  /** 催办 at yellow. */
  urgeAt: Date;
  /** 督办 at red. */
  superviseAt: Date;
  /** Automatic escalation to consultation, red + 3 working days. */
  escalateAt: Date;
  /** 通报, red + 5 working days. */
  bulletinAt: Date;
}

const DEFAULT_FOLLOW_UP_DAYS = { escalateAfterRedWorkingDays: 3, bulletinAfterRedWorkingDays: 5 };

/** The follow-up instants of DESIGN §5 for a set of deadlines. */
export function followUps(
  deadlines: Pick<Deadlines, 'yellowAt' | 'redAt'>,
  calendar: WorkCalendar,
  policy: Pick<
    TimeLimitPolicy,
    'escalateAfterRedWorkingDays' | 'bulletinAfterRedWorkingDays'
  > = DEFAULT_FOLLOW_UP_DAYS,
): FollowUps {
  return {
    urgeAt: deadlines.yellowAt,
    superviseAt: deadlines.redAt,
    escalateAt: calendar.addWorkingDays(deadlines.redAt, policy.escalateAfterRedWorkingDays),
    bulletinAt: calendar.addWorkingDays(deadlines.redAt, policy.bulletinAfterRedWorkingDays),
  };
}

interface ResolveTiming {
  policy: TimeLimitPolicy;
  rule: UrgencyPolicy;
  startAt: Date;
  resolveBy: Date;
  basis: ClockBasis;
  calendar: WorkCalendar;
}

/** Yellow, red, overdue and follow-ups all hang off the resolve deadline. */
function lightsFor(t: ResolveTiming) {
  const yellowAt = yellowFor(t.rule.yellow, t.startAt, t.resolveBy, t.basis, t.calendar);
  const redAt = t.resolveBy;
  const overdueAt = t.calendar.addWorkingDays(redAt, t.policy.overdueAfterWorkingDays);
  const { escalateAt, bulletinAt } = followUps({ yellowAt, redAt }, t.calendar, t.policy);
  return { yellowAt, redAt, overdueAt, escalateAt, bulletinAt };
}

export interface ComputeDeadlinesInput {
  policy: TimeLimitPolicy;
  urgency: Urgency;
  category?: CategoryId;
  startAt: Date;
  calendar: WorkCalendar;
}

/** Fresh deadlines for an issue whose clock starts at `startAt` (dispatch). */
export function computeDeadlines({
  policy,
  urgency,
  category,
  startAt,
  calendar,
}: ComputeDeadlinesInput): Deadlines {
  const rule = urgencyPolicy(policy, urgency, category);
  const at = (limit: Limit) => applyLimit(limit, startAt, calendar, policy.sameDayCutoff);
  const resolveBy = at(rule.resolve);
  const basis = basisOf(rule.resolve);
  const signBy = at(rule.sign);
  return {
    startAt,
    signBy,
    contactBy: at(rule.contact),
    resolveBy,
    ...lightsFor({ policy, rule, startAt, resolveBy, basis, calendar }),
    basis,
    signYellowAt: yellowFor(SIGN_YELLOW, startAt, signBy, basisOf(rule.sign), calendar),
    pausedAt: null,
    pausedMs: 0,
  };
}

export interface RetimeInput extends Omit<ComputeDeadlinesInput, 'startAt'> {
  deadlines: Deadlines;
  resolveBy: Date;
  /** A new start for the yellow fraction (decide, redo); the original start otherwise (extension). */
  startAt?: Date;
}

/** Moves the resolve deadline (extension, consultation decision, rectification) and the lights with it. */
export function retimeDeadlines({
  deadlines,
  resolveBy,
  startAt,
  policy,
  urgency,
  category,
  calendar,
}: RetimeInput): Deadlines {
  const rule = urgencyPolicy(policy, urgency, category);
  const start = startAt ?? deadlines.startAt;
  const basis: ClockBasis = 'working';
  return {
    ...deadlines,
    startAt: start,
    resolveBy,
    ...lightsFor({ policy, rule, startAt: start, resolveBy, basis, calendar }),
    basis,
  };
}

/** Stops the clock (suspension approved). Pausing twice keeps the first instant. */
export function pauseDeadlines(deadlines: Deadlines, at: Date): Deadlines {
  if (deadlines.pausedAt) return deadlines;
  return { ...deadlines, pausedAt: at };
}

/** Restarts the clock: every deadline still ahead at the pause moves by the paused (working) time. */
export function resumeDeadlines(deadlines: Deadlines, at: Date, calendar: WorkCalendar): Deadlines {
  const pausedAt = deadlines.pausedAt;
  if (!pausedAt) return deadlines;
  const wall = deadlines.basis === 'wall';
  const paused = Math.max(
    0,
    wall ? at.getTime() - pausedAt.getTime() : calendar.workingMsBetween(pausedAt, at),
  );
  const next: Deadlines = { ...deadlines, pausedAt: null, pausedMs: deadlines.pausedMs + paused };
  for (const key of KEYS_TO_SHIFT) {
    const d = deadlines[key];
    // Only a signed issue's clock pauses (挂起, 待审核): its sign-for limit was met and stays as it was.
    if (key === 'signBy' || d.getTime() <= pausedAt.getTime()) continue;
    next[key] = wall ? new Date(d.getTime() + paused) : calendar.addWorkingMs(d, paused);
  }
  return next;
}

/** The light an issue shows at `now`; a paused clock shows the light it had when it stopped. */
export function warningLevel(
  deadlines: Pick<Deadlines, 'pausedAt' | 'yellowAt' | 'redAt' | 'overdueAt'>,
  now: Date,
): WarningLevel {
  const t = (deadlines.pausedAt ?? now).getTime();
  if (t >= deadlines.overdueAt.getTime()) return 'overdue';
  if (t >= deadlines.redAt.getTime()) return 'red';
  if (t >= deadlines.yellowAt.getTime()) return 'yellow';
  return 'none';
}
