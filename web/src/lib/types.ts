// The shapes the staff API answers with (server/presenters), as the workbench reads them. Dates arrive as ISO
// strings.
import type { CardFacts, IssueCardKey } from '../../../shared/issue-card.ts';
import type { ActionId } from '../../../shared/lifecycle/actions.ts';
import type { ActorRole, PendingKind } from '../../../shared/lifecycle/issue-core.ts';
import type { DeadlineKind } from '../../../shared/running-deadline.ts';
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
} from '../../../shared/states.ts';

export interface IssueSummary {
  id: string;
  number: string;
  title: string;
  state: IssueState;
  category: CategoryId;
  urgency: Urgency;
  channel: ChannelId;
  enterprise: { id: string; name: string; creditCode?: string };
  region: string;
  unitId: string | null;
  unitName: string | null;
  /** The person of the lead unit working the issue (the signer, or whom the unit head assigned). */
  assigneeId?: string | null;
  assigneeName?: string | null;
  tier: Tier;
  warning: WarningLevel;
  dueAt: string | null;
  /** The deadline running in the issue's state, null when none runs for the staff. */
  running: RunningDeadline | null;
  urged: boolean;
  supervised: boolean;
  bulletined: boolean;
  redoCount: number;
  /** 可能重复: the open issue intake found this one may repeat (the dispatcher merges or keeps it). */
  possibleRepeat?: PossibleRepeat | null;
  createdAt: string;
  updatedAt: string;
}

/** shared/running-deadline.ts as sent: the chip counts down to `dueAt` and takes its light from the rest. */
export interface RunningDeadline {
  kind: DeadlineKind;
  dueAt: string;
  yellowAt: string;
  redAt: string;
  overdueAt: string;
  pausedAt: string | null;
}

export interface PossibleRepeat {
  id: string;
  number: string;
  title: string;
  score: number;
}

/** GET /api/issues/:id/similar */
export interface SimilarIssue {
  id: string;
  number: string;
  title: string;
  state: IssueState;
  category: CategoryId;
  enterprise: { id: string; name: string };
  sameEnterprise: boolean;
  score: number;
  createdAt: string;
}

export interface Deadlines {
  startAt: string;
  signBy: string;
  contactBy: string;
  resolveBy: string;
  yellowAt: string;
  redAt: string;
  overdueAt: string;
  pausedAt: string | null;
}

/** Yellow at `yellowAt`, red (督办) at `dueAt`, overdue at `overdueAt`, counted from `startAt`. */
export interface TriageClock {
  startAt: string;
  yellowAt: string;
  dueAt: string;
  overdueAt: string;
}

export interface TimelineEntry {
  at: string;
  action: ActionId | 'create';
  actorId: string;
  actorName?: string | null;
  actorRole: ActorRole;
  fromState: IssueState | null;
  toState: IssueState;
  note: string | null;
  public: boolean;
  data: Record<string, unknown> | null;
}

export interface RatingInfo {
  rating: Rating;
  level?: RatingLevel;
  comment?: string;
  at: string;
  verification?: 'pending' | 'reasonable' | 'removed';
  /** When the centre must have judged a bad rating (1 working day). */
  verifyBy?: string;
}

/** Who raised the issue and how to reach them (personal data; any field may be missing). */
export interface IssueContact {
  name?: string;
  phone?: string;
  /** A channel's number that is not one to call (12345, 请回电): shown as text, never dialled. */
  phoneText?: string;
  email?: string;
  /** A WeChat user's id for the official account: never shown whole. */
  openid?: string;
  /** The reader's role gets the contact partly hidden (139****1234): nothing in it is to be dialled. */
  masked?: boolean;
}

/** One message behind the issue: the first is the issue itself, the others repeats merged in. */
export interface IssueSource {
  inboxId: string | null;
  channel: ChannelId;
  externalId: string | null;
  receivedAt: string;
  title: string;
  content: string;
  contact: IssueContact | null;
}

/** 拆分为新工单's answer: the new issue, and the master without the source. */
export interface SourceSplit {
  issue: { id: string; number: string };
  master: IssueDetail;
}

export interface IssueDetail extends IssueSummary {
  content: string;
  /** The enterprise's township (乡镇/街道 unit code) intake routed by, or null: the routing suggestion reads it. */
  township: string | null;
  /** How the category was decided, with the classifier's top guesses at intake (empty when staff gave it). */
  classification?: {
    source: 'input' | 'classifier' | 'default';
    confidence: number;
    alternatives: { category: CategoryId; probability: number }[];
  };
  /** The issue's own number on the channel it came from (a 12345 work order, …). */
  externalId: string | null;
  /**
   * 来件时间: when the enterprise raised it (a platform's receivedAt, WeChat's CreateTime, a mail's Date) or, for
   * a message filed after the fact (retry, 人工登记), when it came in; absent when not said.
   */
  raisedAt?: string | null;
  contact: IssueContact | null;
  sources: IssueSource[];
  coUnitIds: string[];
  /** Units whose 退单 was accepted (a consultation convenes them too, to settle whose it is). */
  returnedFrom?: string[];
  level: UnitLevel | null;
  deadlines: Deadlines | null;
  /** The triage clock while the issue waits in 待受理 (kept afterwards as history); absent on older servers. */
  triage?: TriageClock | null;
  escalated: boolean;
  returnCount: number;
  extensionCount: number;
  /** What a 申请延期 may ask for under the policy in force (the form's default and hint). */
  extension?: { maxWorkingDays: number; left: number };
  reopenCount: number;
  callbackAttempts: number;
  pendingApproval: { kind: PendingKind; reason?: string; workingDays?: number } | null;
  rating: RatingInfo | null;
  rateBy: string | null;
  reply: { text: string; at: string } | null;
  consultation: {
    tier: 'director' | 'leader';
    unitIds: string[];
    inputs: Record<string, { text: string; at: string }>;
    dueAt: string;
    openedAt?: string;
    decidedAt?: string;
  } | null;
  rejectReason: string | null;
  mergedInto: string | null;
  /** The class problem (类问题) the issue belongs to. */
  classProblemId: string | null;
  version: number;
  timeline: TimelineEntry[];
}

/**
 * A desk card (GET /api/issues?queue=…&view=cards): the list row, the detail's fields the card carries
 * (shared/issue-card.ts, as the server reads them) and what it says from the timeline; no timeline itself.
 */
export type DeskCard = IssueSummary & Pick<IssueDetail, IssueCardKey> & CardFacts;

export interface Unit {
  id: string;
  code: string;
  name: string;
  level: UnitLevel;
  levelLabel: string;
  region: string;
  /** The categories it declares (routing sends them to it: lib/routing.ts). */
  categories: CategoryId[];
}

export interface EnterpriseSummary {
  id: string;
  creditCode: string;
  name: string;
  region: string;
  industry: string;
  address: string;
}

export interface ListAnswer<T> {
  items: T[];
  next?: string;
  /** A text search stopped at its work bound: how far it got (an ISO instant, or an issue number). */
  searchedTo?: string;
  /** A KPI drill-down's first page: how many issues it holds (at most 10,000 are counted). */
  total?: number;
}

/** POST /api/classify's answer. */
export interface Suggestion {
  category: CategoryId;
  categoryLabel: string;
  urgency: Urgency;
  urgencyLabel: string;
  confidence: number;
}
