// The plain, serialisable shape of an issue as the state machine sees it, and of the timeline events it
// appends. Models persist these fields as they are; presenters pick what leaves the server.

import type { Actor, Role } from '../roles.ts';
import type {
  CategoryId,
  ChannelId,
  IssueState,
  Rating,
  RatingLevel,
  Tier,
  UnitLevel,
  Urgency,
  WarningLevel,
} from '../states.ts';
import type { Deadlines, TimeLimitPolicy, TriageDeadlines } from '../sla.ts';
import type { WorkCalendar } from '../calendar.ts';
import type { ActionId } from './actions.ts';

export type PendingKind = 'suspend' | 'resume' | 'extension';

export interface PendingApproval {
  kind: PendingKind;
  requestedBy: string;
  requestedAt: Date;
  reason?: string;
  workingDays?: number;
  /** An extension's resolve deadline if approved (from the deadline when asked), shown to the approver. */
  resolveBy?: Date;
}

/** Where a rating came from: the enterprise on the QR page, a callback, or staff entering it. */
export type RatingSource = 'enterprise' | 'callback' | 'staff';

/** pending: a bad rating awaiting verification; reasonable: it led to a redo; removed: appeal upheld. */
export type RatingVerification = 'pending' | 'reasonable' | 'removed';

export interface RatingRecord {
  rating: Rating;
  level?: RatingLevel;
  comment?: string;
  at: Date;
  source: RatingSource;
  /** Who wrote down a rating given by phone (staff's 评价 or 回访): not the one to find it unfounded. */
  recordedBy?: string;
  verification?: RatingVerification;
  verifyBy?: Date;
  /** When the sweep reminded the centre that the 核实时限 had passed (once per bad rating). */
  checkUrgedAt?: Date;
  verifiedAt?: Date;
  verifyReason?: string;
}

export interface ConsultationInput {
  text: string;
  at: Date;
  by: string;
}

export type ConsultationTrigger = 'manual' | 'second_return' | 'time' | 'bad_rating_after_redo';

export interface Consultation {
  tier: Exclude<Tier, 'section'>;
  unitIds: string[];
  /** Keyed by unit id: each consulted unit owes one input by `dueAt`. */
  inputs: Record<string, ConsultationInput>;
  dueAt: Date;
  /** Still undecided then: up one tier (dueAt + policy working days). Absent on consultations before issue 8. */
  escalateAt?: Date;
  /** When the sweep reminded the units that still owed input. */
  remindedAt?: Date | null;
  openedAt: Date;
  trigger: ConsultationTrigger;
  /** Set by `decide`; the record stays on the issue as history. */
  decidedAt?: Date;
  decidedBy?: string;
}

export interface IssueCore {
  state: IssueState;
  urgency: Urgency;
  category: CategoryId;
  unitId: string | null;
  /**
   * The person of the lead unit working the issue: whoever signed for it, or whom the unit head assigned it
   * to. Cleared when the issue leaves the unit. Absent on issues stored before it existed.
   */
  assigneeId?: string | null;
  coUnitIds: string[];
  level: UnitLevel | null;
  tier: Tier;
  deadlines: Deadlines | null;
  /** The triage clock while the issue waits in `received` (kept afterwards as history). */
  triage: TriageDeadlines | null;
  warning: WarningLevel;
  urged: boolean;
  supervised: boolean;
  bulletined: boolean;
  escalated: boolean;
  returnCount: number;
  /**
   * Times the centre sent the unit's reply back for more work (审核退回) since the unit last replied: 0 once it
   * answers again, so the "returned" queue does not keep an issue redone later for another reason.
   */
  sendBackCount: number;
  redoCount: number;
  extensionCount: number;
  reopenCount: number;
  callbackAttempts: number;
  callbackRequested: boolean;
  /** Units that returned the issue, in order, so a consultation can convene them. */
  returnedFrom: string[];
  pendingApproval: PendingApproval | null;
  rating: RatingRecord | null;
  /** Earlier ratings (a verified bad rating moves here when the issue is redone or reopened). */
  ratingHistory: RatingRecord[];
  rateBy: Date | null;
  mergedInto: string | null;
  reply: { text: string; at: Date; by: string } | null;
  consultation: Consultation | null;
  signedAt: Date | null;
  /** Signed after the sign-for deadline (KPI: sign-for timeliness). */
  signedLate: boolean | null;
  repliedAt: Date | null;
  /** The last accepted reply came after the resolve deadline (KPI: on-time completion). */
  repliedLate: boolean | null;
  closedAt: Date | null;
  /** Reason shown to the enterprise when rejected. */
  rejectReason: string | null;
  /** Stored and indexed so the sweep is a cheap range query. */
  nextCheckAt: Date | null;
}

export interface TimelineEvent {
  at: Date;
  actorId: string;
  actorRole: ActorRole;
  action: ActionId | 'create';
  fromState: IssueState | null;
  toState: IssueState;
  note?: string;
  /** Shown to the enterprise on the QR page when true. */
  public: boolean;
  data?: Record<string, unknown>;
}

export type ActorRole = Role | 'system' | 'enterprise';

/** Staff, the automatic sweep/intake, or a verified enterprise owner on the QR page. */
export type DomainActor =
  Actor | { id: string; username: string; role: 'system' | 'enterprise'; unitId?: undefined };

export const SYSTEM_ACTOR: DomainActor = Object.freeze({
  id: 'system',
  username: 'system',
  role: 'system' as const,
});

export function enterpriseActor(enterpriseId: string): DomainActor {
  return { id: `enterprise:${enterpriseId}`, username: enterpriseId, role: 'enterprise' };
}

export interface ActionContext {
  now: Date;
  /** The issue's own id, when known, to refuse merging an issue into itself. */
  issueId?: string;
  actor: DomainActor;
  calendar: WorkCalendar;
  policy: TimeLimitPolicy;
  /** The issue's channel, for channel-specific limits (the meeting channel's triage promise). */
  channel?: ChannelId;
}

export interface ActionResult {
  issue: IssueCore;
  event: TimelineEvent;
}

export interface NewIssueInput {
  urgency: Urgency;
  category: CategoryId;
  tier?: Tier;
}

/** A freshly received issue, before triage. */
export function createIssueCore({ urgency, category, tier = 'section' }: NewIssueInput): IssueCore {
  return {
    state: 'received',
    urgency,
    category,
    unitId: null,
    coUnitIds: [],
    level: null,
    tier,
    deadlines: null,
    triage: null,
    warning: 'none',
    urged: false,
    supervised: false,
    bulletined: false,
    escalated: false,
    returnCount: 0,
    sendBackCount: 0,
    redoCount: 0,
    extensionCount: 0,
    reopenCount: 0,
    callbackAttempts: 0,
    callbackRequested: false,
    returnedFrom: [],
    pendingApproval: null,
    rating: null,
    ratingHistory: [],
    rateBy: null,
    mergedInto: null,
    reply: null,
    consultation: null,
    signedAt: null,
    signedLate: null,
    repliedAt: null,
    repliedLate: null,
    closedAt: null,
    rejectReason: null,
    nextCheckAt: null,
  };
}

/** The 'create' event that opens every timeline. */
export function creationEvent(now: Date, actor: DomainActor, data?: Record<string, unknown>): TimelineEvent {
  return {
    at: now,
    actorId: actor.id,
    actorRole: actor.role,
    action: 'create',
    fromState: null,
    toState: 'received',
    public: true,
    data,
  };
}
