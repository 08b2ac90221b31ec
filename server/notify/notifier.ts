// Writes the outbox (issue 8): after an issue write committed, the intents of the change (intents.ts) become
// one outbox row per recipient and channel, rendered from the admin's templates. Every row's key names the
// fact — `${issueId}:${event}:${step}:${recipient}:${channel}`, the step being the sweep deadline that fired
// or the issue version the action wrote — and the outbox's unique index on it makes a second writer (a retried
// command, a second sweeper, a replayed change) insert nothing. Rows are inserted unordered, duplicates
// ignored. The staff directory and the templates are read through short-lived snapshots, so a change costs
// one read of the issue (and of the enterprise and its preference when it is told) and one insert; intake's
// change carries the issue and the enterprise's addresses, leaving only the preference to read. The changes of
// one moment (an intake burst, an import) share each of those as one command (db/batched-ops.ts). With
// delivery at once (deliverNow), rows are inserted already claimed and handed to the worker.
import type { Collection, Document } from 'mongodb';
import { Types } from 'mongoose';
import { batchedFindByUnique, batchedInsertMany } from '../db/batched-ops.ts';
import { chinaDateKey, CHINA_OFFSET_MS } from '../../shared/calendar.ts';
import type { Clock } from '../../shared/clock.ts';
import { ACTION_ROLES, APPROVE_ACTIONS, roleMayPerform } from '../../shared/lifecycle/actions.ts';
import type { Consultation, PendingKind } from '../../shared/lifecycle/issue-core.ts';
import { CITY_REGION, ROLE_LABELS, type Role } from '../../shared/roles.ts';
import { DEADLINE_LABELS } from '../../shared/running-deadline.ts';
import {
  CHANNEL_LABELS,
  STATE_LABELS,
  TIER_LABELS,
  type ChannelId,
  type IssueState,
  type Tier,
} from '../../shared/states.ts';
import type { IssueChange, IssueChangeListener } from '../commands/issue-deps.ts';
import type { DeadLetterNotice } from '../intake/inbox-store.ts';
import { ATTACHMENTS_REFUSED } from '../intake/attachment-refusals.ts';
import { cachedSnapshot, type SnapshotSource } from '../intake/intake-config.ts';
import type { Logger } from '../logger.ts';
import type { NotifyPreference } from '../models/enterprise.model.ts';
import type { Models } from '../models/index.ts';
import type { OutboxChannel, OutboxDoc, OutboxRecipient } from '../models/outbox.model.ts';
import { normaliseMobile } from '../intake/match-enterprise.ts';
import { ratingChoice } from '../channels/courtesy.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';
import {
  byPerson,
  decisionText,
  intentsOf,
  pushbackText,
  requestText,
  type Audience,
  type Intent,
} from './intents.ts';
import { EVENT_SPECS, render, templatesOf, type NotifyEvent, type Templates } from './templates.ts';

export const TEMPLATES_SETTING = 'notifyTemplates';

interface StaffEntry {
  id: string;
  name: string;
  role: Role;
  unitId: string | null;
  region: string;
}

/** What a notification needs of the issue (no text, no timeline). */
interface IssueFacts {
  _id: Types.ObjectId;
  number: string;
  title: string;
  state: IssueState;
  tier: Tier;
  region: string;
  channel: ChannelId;
  externalId?: string;
  enterpriseId: Types.ObjectId;
  enterpriseName: string;
  unitId: Types.ObjectId | null;
  unitName: string | null;
  coUnitIds: Types.ObjectId[];
  consultation: Consultation | null;
  deadlines: { resolveBy: Date; signBy?: Date } | null;
  triage?: { dueAt: Date } | null;
  contact?: { phone?: string; email?: string; openid?: string } | null;
  /** The inbox entry of the issue's own message (null for an issue staff typed). */
  inboxId?: Types.ObjectId | null;
  /** Later messages merged into this issue (intake's duplicate check): each is answered where it came from. */
  sources?: SourceFacts[];
  /** Rounds redone after a bad rating judged reasonable: the answer after one is the rectified one. */
  redoCount?: number;
}

type SourceFacts = Pick<IssueFacts, 'channel' | 'contact'> & {
  inboxId: Types.ObjectId;
  externalId?: string | null;
};

/** The issue's fields a notification needs (read once per notification). */
export const NOTIFIER_ISSUE_FIELDS = {
  number: 1,
  title: 1,
  state: 1,
  tier: 1,
  region: 1,
  channel: 1,
  externalId: 1,
  inboxId: 1,
  enterpriseId: 1,
  enterpriseName: 1,
  unitId: 1,
  unitName: 1,
  coUnitIds: 1,
  consultation: 1,
  // Top-level fields only: the database copies them from the stored bytes, where one path inside a field
  // (`deadlines.resolveBy`) makes it decode the whole issue, timeline and all, for every notification.
  deadlines: 1,
  triage: 1,
  contact: 1,
  sources: 1,
  redoCount: 1,
} as const;

/** The enterprise's fields a notification needs: its addresses, the owner's choice, the QR link's token. */
export const NOTIFIER_ENTERPRISE_FIELDS = {
  // A provisional enterprise has no owner yet (enterpriseTargets).
  provisional: 1,
  mobile: 1,
  email: 1,
  emails: 1,
  wechatOpenids: 1,
  qrToken: 1,
  notify: 1,
} as const;

/** A row to insert, before the worker's fields. */
export interface OutboxDraft {
  key: string;
  event: NotifyEvent | string;
  channel: OutboxChannel;
  recipient: OutboxRecipient;
  issueId?: Types.ObjectId | null;
  issueNumber?: string | null;
  title?: string;
  text: string;
  /** Email replies: the Message-ID the reply threads under. */
  replyTo?: string | null;
  /** Already delivered by the caller (verification codes): recorded, not queued. */
  sentAt?: Date;
  status?: OutboxDoc['status'];
  lastError?: string | null;
}

export interface NotifierDeps {
  models: Models;
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'error'>;
  publicBaseUrl: string;
  /** Channels with a push-back sender configured (e.g. hotline12345). */
  pushbackChannels?: readonly ChannelId[];
  /** Email entries are written only when an email provider exists. */
  emailEnabled?: boolean;
  /** WeChat entries are written only when the official account's customer-service API is configured. */
  wechatEnabled?: boolean;
  /**
   * Delivery at once (the outbox worker's deliverClaimed): new rows are inserted already claimed by this
   * process (`sending`, leased for `leaseMs`) and handed over, so delivering them costs no claim commands. Rows
   * of a process that dies first are taken over by any worker once the lease runs out. Without it rows wait
   * `pending` for the worker's next pass.
   */
  deliverNow?: { leaseMs: number; deliver(rows: OutboxDoc[]): Promise<unknown> };
  /** How stale the staff directory and templates may be (tests make it 0). */
  ttlMs?: number;
}

export interface Notifier {
  /** After-commit listener: writes the change's outbox rows in the background (see idle()). */
  onChange: IssueChangeListener;
  /** Writes the change's rows and resolves to how many were new. */
  enqueueChange(change: IssueChange): Promise<number>;
  /** Writes rows built by the caller (verification codes); duplicates ignored. */
  enqueue(drafts: readonly OutboxDraft[]): Promise<number>;
  /** Tells the centre (in the app) that an inbox entry failed, once per entry; in the background like onChange. */
  onDeadLetter(notice: DeadLetterNotice): void;
  /** Tells the centre (in the app) a fact that is no issue's, once per `fact`; in the background like onChange. */
  onCentreNotice(notice: CentreNotice): void;
  /** Tells units' handlers and heads (in the app) a fact that is no issue's, once per `fact` and unit. */
  onUnitNotice(notice: UnitNotice): void;
  /** Resolves once every background write started so far has finished. */
  idle(): Promise<void>;
  /** Templates or staff changed in this process. */
  invalidate(): void;
  templates(): Promise<Templates>;
}

/** A fact for the centre that belongs to no issue (e.g. the QR page paused an enterprise's codes). */
export interface CentreNotice {
  /** Names the fact in the outbox key: told once per fact, whoever reports it again. */
  fact: string;
  event: NotifyEvent;
  /** Shown after the event's label in the title. */
  subject: string;
  vars: Readonly<Record<string, string>>;
}

/** A fact for some units (e.g. a class problem they lead or co-handle), each unit with its own wording. */
export interface UnitNotice {
  fact: string;
  event: NotifyEvent;
  subject: string;
  units: ReadonlyArray<{ unitId: string; vars: Readonly<Record<string, string>> }>;
}

const CENTRE_ROLES: Role[] = ['clerk', 'dispatcher', 'director'];
const UNIT_ROLES: Role[] = ['handler', 'unit_head'];
/**
 * The {{ask}} of a notice several roles hear: those who may take the step are asked to; the others it reaches
 * are told who will, so that none is asked for what their role cannot do. 待受理超时: the desks that work the
 * 待受理 queue are asked to dispatch; the director, the supervisor and the leaders, who oversee the queue rather
 * than work it, are told the centre has not, for them to press. 待回访 and 企业回复不满意: only the desks that
 * record a callback (受理员, 分办员) are asked to call; the director presses them. 差评 and its overdue
 * reminder: only the approvers who may check a bad rating (分办员, 中心主任) are asked to; the 受理员 is told
 * it is theirs.
 */
const callers = ACTION_ROLES.callback.map((r) => ROLE_LABELS[r]).join('或');
const checkers = ACTION_ROLES.verify_rating.map((r) => ROLE_LABELS[r]).join('或');
const ASKS: Partial<Record<NotifyEvent, { asked: readonly Role[]; ask: string; otherwise: string }>> = {
  triage_overdue: {
    asked: ['clerk', 'dispatcher'],
    ask: '请立即分办',
    otherwise: '服务中心尚未分办，请督促尽快分办',
  },
  callback_due: { asked: ACTION_ROLES.callback, ask: '请电话回访', otherwise: `请督促${callers}电话回访` },
  reply_dissatisfied: {
    asked: ACTION_ROLES.callback,
    ask: '请回访了解原因',
    otherwise: `请督促${callers}回访了解原因`,
  },
  bad_rating: {
    asked: ACTION_ROLES.verify_rating,
    ask: '请于1个工作日内核实',
    otherwise: `由${checkers}于1个工作日内核实`,
  },
  rating_check_due: {
    asked: ACTION_ROLES.verify_rating,
    ask: '请尽快核实：差评合理的安排整改，不合理的说明理由',
    otherwise: `尚待${checkers}核实`,
  },
};
const askOf = (event: NotifyEvent, role: Role): string => {
  const a = ASKS[event];
  if (!a) return '';
  return a.asked.includes(role) ? a.ask : a.otherwise;
};
/** Steps whose person's reason (the step's note) a notice quotes as {{reason}}. */
const REASONED: ReadonlySet<string> = new Set(['transfer', 'return', 'send_back', 'reclassify']);

/** The {{reason}}: the person's reason, or for a 会商决定 (whose 会商意见 is optional) the decision itself. */
function reasonOf(change: IssueChange): string {
  if (REASONED.has(change.action)) return change.note ?? '';
  if (change.action === 'decide') return change.note ? `会商决定：${change.note}` : '会商决定';
  return '';
}

export function formatChinaTime(d: Date | undefined | null): string {
  if (!d) return '';
  const t = new Date(new Date(d).getTime() + CHINA_OFFSET_MS).toISOString();
  return `${chinaDateKey(new Date(d))} ${t.slice(11, 16)}`;
}

interface EnterpriseTarget {
  channel: OutboxChannel;
  address: string;
  /** The recipient part of the outbox key. */
  key: string;
  replyTo?: string;
  /**
   * The enterprise's own address (the registered mobile or email, the owner's choice, a follower the centre
   * accepted): only these get the QR page's link. Anyone can write in with a credit code; the answer to them
   * names the number, not the page that lists the enterprise's issues.
   */
  own: boolean;
}

/** Addresses the enterprise owns, against which a writer's address is checked (see EnterpriseTarget.own). */
interface OwnAddresses {
  mobile?: unknown;
  email?: unknown;
  /** Every address mail from the enterprise is matched on (the registered one and merged senders'). */
  emails?: unknown;
  wechatOpenids?: unknown;
  prefEmail?: unknown;
}

/**
 * The enterprise as its owner's addresses: none for a provisional one, whose addresses are its writers',
 * unchecked (anyone may name an unregistered credit code first). Until the centre confirms it, each writer
 * hears of their own messages without the QR link, and no address hears of another writer's.
 */
function ownerOf(enterprise: Document | null): Document | null {
  return enterprise?.provisional ? null : enterprise;
}

function isOwnAddress(channel: OutboxChannel, address: string, own: OwnAddresses): boolean {
  switch (channel) {
    case 'sms': {
      // As intake matched the sender: +86, spaces and dashes do not make another number.
      const sender = normaliseMobile(address);
      return !!sender && typeof own.mobile === 'string' && sender === normaliseMobile(own.mobile);
    }
    case 'email':
      return [own.email, own.prefEmail, ...(Array.isArray(own.emails) ? own.emails : [])].some(
        (e) => typeof e === 'string' && e.toLowerCase() === address.toLowerCase(),
      );
    case 'wechat':
      return Array.isArray(own.wechatOpenids) && own.wechatOpenids.includes(address);
    default:
      return false;
  }
}

/**
 * A template for a writer who is not the enterprise (any sender may name a credit code), who is never given the
 * QR page: the link goes, and the clause that offered it says who holds the code (请由企业负责人扫描企业码查看答复
 * 并评价), instead of asking someone without it to scan it. A clause worded otherwise (an admin's) is dropped.
 */
const LINK = /[：:]?\s*\{\{\s*link\s*\}\}/g;
const LINK_CLAUSE = /[，,。；;]?[^，,。；;]*\{\{\s*link\s*\}\}[。.]?/g;
const ended = (text: string) => (/[。！？]$/.test(text) ? text : `${text}。`);
export function withoutLink(template: string): string {
  if (!/\{\{\s*link\s*\}\}/.test(template)) return template;
  const bare = template.replace(LINK, '');
  if (bare.includes('扫描企业码')) return ended(bare.replace(/扫描企业码/g, '由企业负责人扫描企业码'));
  return `${ended(template.replace(LINK_CLAUSE, '').replace(/[，,；;：:\s]+$/, ''))}详情可由企业负责人扫描企业码查看。`;
}

/**
 * Where a message came from: the issue's own first message, or one merged into it later (its source). The key
 * names the recipient in the outbox key, so each message is answered once.
 */
interface Origin {
  channel: ChannelId;
  externalId?: string | null;
  contact?: IssueFacts['contact'];
  key: string;
  /** The source's inbox entry; absent for the issue's own message. */
  inboxId?: string;
}

/** The issue's own message first, then every message merged into it. */
function originsOf(facts: IssueFacts): Origin[] {
  return [
    {
      channel: facts.channel,
      externalId: facts.externalId,
      contact: facts.contact,
      key: `o${facts.channel}`,
    },
    ...(facts.sources ?? []).map((s) => ({
      channel: s.channel,
      externalId: s.externalId,
      contact: s.contact,
      key: `o${s.channel}s${String(s.inboxId)}`,
      inboxId: String(s.inboxId),
    })),
  ];
}

/** The origin of one message of the issue, by its inbox entry: the issue's own message or a merged one. */
function originOfMessage(facts: IssueFacts, inboxId: unknown): Origin | undefined {
  if (typeof inboxId !== 'string' || !inboxId) return undefined;
  const origins = originsOf(facts);
  return facts.inboxId && String(facts.inboxId) === inboxId
    ? origins[0]
    : origins.find((o) => o.inboxId === inboxId);
}

/** The Message-ID of the mail an email issue came in by (its external id, unless the mail had none). */
function messageIdOf(externalId: string | undefined): string | undefined {
  return externalId && !externalId.startsWith('sha256:') ? externalId : undefined;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  /** The sender answered on their own channel, when it is one that can be answered and is configured. */
  function originReply(origin: Origin, own: OwnAddresses): EnterpriseTarget | null {
    const c = origin.contact ?? {};
    const key = origin.key;
    const to = (channel: OutboxChannel, address: string) => ({
      channel,
      address,
      key,
      own: isOwnAddress(channel, address, own),
    });
    switch (origin.channel) {
      // An SMS is answered at the sending number, and 浙里办 (which submits for a signed-in person) at the
      // submitter's: a mobile either way, for a landline (a fixed-line SMS gateway's 0572-…) takes no SMS.
      case 'sms':
      case 'zheliban': {
        const mobile = normaliseMobile(c.phone);
        return mobile ? to('sms', mobile) : null;
      }
      case 'email':
        return c.email && deps.emailEnabled
          ? { ...to('email', c.email), replyTo: messageIdOf(origin.externalId ?? undefined) }
          : null;
      case 'wechat':
        return c.openid && deps.wechatEnabled ? to('wechat', c.openid) : null;
      default:
        return null;
    }
  }

  const { models, clock, logger } = deps;
  const ttl = { ttlMs: deps.ttlMs ?? 5_000 };
  const directory: SnapshotSource<StaffEntry[]> = cachedSnapshot(async () => {
    const rows = await models.User.collection
      .find({ disabled: { $ne: true } }, { projection: { name: 1, role: 1, unitId: 1, region: 1 } })
      .toArray();
    return rows.map((u) => ({
      id: String(u._id),
      name: String(u.name ?? ''),
      role: u.role as Role,
      unitId: u.unitId ? String(u.unitId) : null,
      region: String(u.region ?? ''),
    }));
  }, ttl);
  const templateSource: SnapshotSource<Templates> = cachedSnapshot(async () => {
    const row = await models.Setting.findOne({ key: TEMPLATES_SETTING }, { value: 1 }).lean();
    return templatesOf(row?.value);
  }, ttl);
  const inFlight = new Set<Promise<unknown>>();

  async function enqueue(drafts: readonly OutboxDraft[]): Promise<number> {
    if (!drafts.length) return 0;
    const now = clock.now();
    const direct = deps.deliverNow;
    const leased = direct ? new Date(now.getTime() + direct.leaseMs) : null;
    const rows = drafts.map((d): OutboxDoc => {
      const status = d.status ?? (d.sentAt ? 'sent' : leased ? 'sending' : 'pending');
      return {
        _id: new Types.ObjectId(),
        key: d.key,
        event: d.event,
        channel: d.channel,
        recipient: d.recipient,
        issueId: d.issueId ?? null,
        issueNumber: d.issueNumber ?? null,
        title: d.title ?? '',
        text: d.text,
        replyTo: d.replyTo ?? null,
        status,
        attempts: d.sentAt ? 1 : 0,
        nextAttemptAt: now,
        lockedUntil: status === 'sending' ? leased : null,
        lastError: d.lastError ?? null,
        providerId: null,
        createdAt: now,
        sentAt: d.sentAt ?? null,
      };
    });
    // Shared with the enqueues of the same moment: one unordered insertMany; a duplicate key is a fact
    // already written (a retried command, a second sweeper), anything else fails this call.
    const outcomes = await batchedInsertMany(models.Outbox.collection as unknown as Collection, rows);
    const mine: OutboxDoc[] = [];
    outcomes.forEach((o, i) => {
      if (o.ok) mine.push(rows[i]);
      else if (!isDuplicateKey(o.error)) throw o.error;
    });
    const claimed = mine.filter((r) => r.status === 'sending');
    if (direct && claimed.length) await direct.deliver(claimed);
    return mine.length;
  }

  function staffOf(
    list: StaffEntry[],
    facts: IssueFacts,
    audience: Audience,
    change: IssueChange,
  ): StaffEntry[] {
    const unitsOf = (ids: string[]) =>
      list.filter((u) => u.unitId && ids.includes(u.unitId) && UNIT_ROLES.includes(u.role));
    /** A leader whose domain holds the issue's place: the city's, or the issue's county's. */
    const inRegion = (u: StaffEntry) => u.region === CITY_REGION || u.region === facts.region;
    const c = facts.consultation;
    switch (audience) {
      case 'unit':
        return unitsOf([facts.unitId, ...facts.coUnitIds].filter(Boolean).map(String));
      case 'former_unit':
        return change.data?.fromUnitId ? unitsOf([String(change.data.fromUnitId)]) : [];
      case 'centre':
        return list.filter((u) => CENTRE_ROLES.includes(u.role));
      case 'oversight':
        return list.filter((u) => u.role === 'supervisor' || (u.role === 'leader' && inRegion(u)));
      case 'supervisor':
        return list.filter((u) => u.role === 'supervisor');
      case 'supervised_by':
        return list.filter((u) => change.supervisedBy?.includes(u.id));
      case 'consultation':
        return unitsOf(c?.unitIds ?? []);
      case 'unit_not_consulted':
        return unitsOf(
          [facts.unitId, ...facts.coUnitIds]
            .filter(Boolean)
            .map(String)
            .filter((id) => !c?.unitIds.includes(id)),
        );
      case 'convener':
        // A leader-tier consultation is the city leader's, and the county leader's of the issue's county (a
        // leader with no region has the leader tier everywhere: issue.policy.ts).
        return c?.tier === 'leader'
          ? list.filter((u) => u.role === 'leader' && (!u.region || inRegion(u)))
          : list.filter((u) => u.role === 'director');
      case 'consultation_missing':
        return unitsOf((c?.unitIds ?? []).filter((id) => !c?.inputs?.[id]));
      case 'assignee':
        // The person the event names (not the issue's current assignee, which a later assign may have changed).
        return list.filter((u) => u.id === change.data?.assigneeId);
      case 'approvers': {
        const approve = APPROVE_ACTIONS[change.data?.pending as PendingKind];
        return approve ? list.filter((u) => roleMayPerform(u.role, approve)) : [];
      }
      default:
        return [];
    }
  }

  /** Whether the unit holds no active unit staff (handler or head) to receive its notices. */
  function unstaffed(list: StaffEntry[], unitId: IssueFacts['unitId']): boolean {
    if (!unitId) return false;
    const id = String(unitId);
    return !list.some((u) => u.unitId === id && UNIT_ROLES.includes(u.role));
  }

  /** The enterprise's addresses, choice and QR token, shared with the reads of the same moment. */
  function enterpriseOf(facts: IssueFacts): Promise<Document | null> {
    const enterprises = models.Enterprise.collection as unknown as Collection;
    return batchedFindByUnique(enterprises, '_id', facts.enterpriseId, NOTIFIER_ENTERPRISE_FIELDS);
  }

  /**
   * Where the enterprise hears about its issue. The person who wrote in by SMS, email or WeChat is answered
   * there (an SMS to the sending number, a mail in the thread of theirs, a customer-service message); the
   * channel the owner chose on the QR page is told too (by default an SMS to the registered mobile), unless the
   * owner is the one who wrote, from a registered address, and chose nothing. WeChat needs an openid and the account's API; without them
   * the choice falls back to SMS. The same address is never told twice.
   */
  async function enterpriseTargets(
    facts: IssueFacts,
    enterpriseRead: Promise<Document | null>,
  ): Promise<EnterpriseTarget[]> {
    const enterprise = ownerOf(await enterpriseRead);
    const pref = enterprise?.notify as NotifyPreference | undefined;
    const own: OwnAddresses = { ...enterprise, prefEmail: pref?.email };
    const origins = originsOf(facts)
      .map((o) => originReply(o, own))
      .filter((t): t is EnterpriseTarget => !!t);
    const chosen = (): EnterpriseTarget | null => {
      const key = `e${String(facts.enterpriseId)}`;
      if (pref?.channel === 'email' && pref.email && deps.emailEnabled)
        return { channel: 'email', address: String(pref.email), key, own: true };
      if (pref?.channel === 'wechat' && deps.wechatEnabled) {
        const openid = openidOf(facts, (enterprise?.wechatOpenids ?? []) as string[]);
        if (openid) return { channel: 'wechat', address: openid, key, own: true };
      }
      // The owner who wrote in from a registered address is answered there; anyone else's message leaves the
      // owner's default (an SMS to the registered mobile) told as well: it is the enterprise's issue, and
      // only the owner can rate it.
      if (!pref && origins.some((o) => o.own)) return null;
      return typeof enterprise?.mobile === 'string'
        ? { channel: 'sms', address: enterprise.mobile, key, own: true }
        : null;
    };
    const pick = chosen();
    const targets = pick ? [...origins, pick] : origins;
    return targets.filter(
      (t, n) => targets.findIndex((o) => o.channel === t.channel && o.address === t.address) === n,
    );
  }

  /** The passive reply to a WeChat message already gave its sender the number. */
  function alreadyAnswered(facts: IssueFacts, event: NotifyEvent, t: EnterpriseTarget): boolean {
    return event === 'enterprise_received' && t.channel === 'wechat' && t.address === facts.contact?.openid;
  }

  /**
   * The follower the owner's WeChat choice reaches: one the centre accepted for the enterprise (its
   * `wechatOpenids`), the one who wrote in if it is among them, else the latest. A follower who merely sent the
   * credit code to the official account (anyone can) is answered about their own messages, never told the
   * enterprise's other issues.
   */
  function openidOf(facts: IssueFacts, accepted: string[]): string | undefined {
    const writer = facts.channel === 'wechat' ? facts.contact?.openid : undefined;
    return writer && accepted.includes(writer) ? writer : accepted[accepted.length - 1];
  }

  async function qrLink(enterpriseRead: Promise<Document | null>): Promise<string> {
    const e = await enterpriseRead;
    return e?.qrToken ? `${deps.publicBaseUrl}/e/${String(e.qrToken)}` : '';
  }

  /** A person's urging words (催办意见 from a leader, say), never the sweep's: they go with the notice. */
  function instructionOf(change: IssueChange): string {
    const role = change.actorRole;
    if (!change.note || !role || role === 'system' || role === 'enterprise') return '';
    return `${ROLE_LABELS[role]}意见：${change.note}`;
  }

  function varsOf(facts: IssueFacts, change: IssueChange, link: string, now: Date): Record<string, string> {
    const deadline = facts.state === 'received' ? facts.triage?.dueAt : facts.deadlines?.resolveBy;
    // What an urge, a supervision or a bulletin is about: a person's, the deadline running in this state; the
    // sweep's, the clock whose light fired it (its 催签 the sign-for limit; its yellow 催办, red 督办 and 通报
    // the handling clock, which runs from dispatch, so an issue not yet signed for is not told 签收时限 then).
    // A bad rating's check names its own limit, which the sweep's reminder carries (the due instant it fired for).
    const checkDue =
      change.data?.target === 'rating_check' ? (change.data.dueAt as Date | undefined) : undefined;
    // The sweep's 催签 is about the sign-for limit whatever the state is by the time it is written: one pass
    // catching up days may have escalated the issue into consultation after it.
    const signRunning =
      (change.data?.target === 'sign' && !byPerson(change)) ||
      (facts.state === 'dispatched' && byPerson(change));
    const [kind, running] = checkDue
      ? (['ratingVerify', checkDue] as const)
      : signRunning && facts.deadlines?.signBy
        ? (['sign', facts.deadlines.signBy] as const)
        : ([facts.state === 'received' ? 'triage' : 'resolve', deadline] as const);
    const passed = !!running && new Date(running).getTime() <= now.getTime();
    const tier = (change.data?.tier as Tier | undefined) ?? facts.consultation?.tier ?? facts.tier;
    return {
      number: facts.number,
      title: facts.title,
      // 经整改: the answer after a bad rating's rectification, which read word for word as the first one.
      redone: (facts.redoCount ?? 0) > 0 ? '经整改' : '',
      enterprise: facts.enterpriseName,
      // An issue still waiting for triage has no unit: its red light and overdue notices say so.
      unit: facts.unitName ?? (facts.state === 'received' ? '待分办' : ''),
      state: STATE_LABELS[facts.state],
      deadline: formatChinaTime(deadline),
      // The sign-for limit of a dispatched issue: for a 特急 or 紧急 one much sooner than the resolve deadline.
      signBy: formatChinaTime(facts.deadlines?.signBy),
      due: running
        ? `${DEADLINE_LABELS[kind]}${passed ? '已于' : '将于'}${formatChinaTime(running)}到期`
        : '',
      link,
      tier: TIER_LABELS[tier] ?? '',
      inputDue: formatChinaTime(facts.consultation?.dueAt),
      text: pushbackText(change),
      instruction: instructionOf(change),
      request: requestText(change),
      decision: decisionText(change),
      reason: reasonOf(change),
      files: change.data?.kind === ATTACHMENTS_REFUSED ? (change.note ?? '') : '',
      choice: ratingChoice(!!change.data?.satisfied),
    };
  }

  /** The issue's facts: as the write left them when the change carries the issue (intake), else read. */
  async function factsOf(change: IssueChange): Promise<IssueFacts | null> {
    if (change.issue) return change.issue;
    const issues = models.Issue.collection as unknown as Collection;
    const id = new Types.ObjectId(change.issueId);
    return (await batchedFindByUnique(issues, '_id', id, NOTIFIER_ISSUE_FIELDS)) as IssueFacts | null;
  }

  async function draftsOf(change: IssueChange, intents: Intent[]): Promise<OutboxDraft[]> {
    if (!Types.ObjectId.isValid(change.issueId)) return [];
    const facts = await factsOf(change);
    if (!facts) return [];
    const [staff, templates] = await Promise.all([directory.get(), templateSource.get()]);
    const needsLink = intents.some((x) => x.audience === 'enterprise' || x.audience === 'sender');
    // One read of the enterprise (none when intake passed it on) serves the link and every enterprise intent.
    const enterpriseRead: Promise<Document | null> = !needsLink
      ? Promise.resolve(null)
      : change.enterprise
        ? Promise.resolve(change.enterprise)
        : enterpriseOf(facts);
    // Both awaited together: a failed read must fail this change once, not leave a rejection nobody awaits.
    const [targets, link] = needsLink
      ? await Promise.all([enterpriseTargets(facts, enterpriseRead), qrLink(enterpriseRead)])
      : [[], ''];
    const vars = varsOf(facts, change, link, clock.now());
    const step = change.dueAt ? `d${new Date(change.dueAt).getTime()}` : `v${change.version ?? 0}`;
    const base = { issueId: facts._id, issueNumber: facts.number };
    const drafts: OutboxDraft[] = [];
    // {{link}} is the QR page (a bearer credential of the enterprise) only for the enterprise's own addresses;
    // staff get the issue's page in the workbench, and anyone else (a writer, a platform) no link at all.
    const staffVars = { ...vars, link: `${deps.publicBaseUrl}/issues/${String(facts._id)}` };
    for (const intent of intents) {
      // Each text is rendered for the recipients who get it: the enterprise's own addresses with the QR link,
      // a writer who is not the enterprise and a platform without it (staff: staffVars, below).
      const unlinked = () => render(withoutLink(templates[intent.event]), vars);
      const textFor = (t: EnterpriseTarget) => (t.own ? render(templates[intent.event], vars) : unlinked());
      const title = `${EVENT_SPECS[intent.event].label} ${facts.number}`;
      const keyOf = (recipient: string, channel: OutboxChannel) =>
        `${change.issueId}:${intent.event}:${step}:${recipient}:${channel}`;
      const toEnterprise = (t: EnterpriseTarget) =>
        drafts.push({
          ...base,
          key: keyOf(t.key, t.channel),
          event: intent.event,
          channel: t.channel,
          recipient: {
            kind: 'enterprise' as const,
            id: String(facts.enterpriseId),
            name: facts.enterpriseName,
            address: t.address,
          },
          title,
          text: textFor(t),
          replyTo: t.replyTo ?? null,
        });
      if (intent.audience === 'enterprise') {
        // 整改告知 answers a rating, which only the owner gives: a writer who is not the owner is not told it.
        const to = intent.event === 'enterprise_rectification' ? targets.filter((t) => t.own) : targets;
        for (const t of to) if (!alreadyAnswered(facts, intent.event, t)) toEnterprise(t);
      } else if (intent.audience === 'sender') {
        // The message the change names, answered where it came from (a merge by WeChat, and a bare rating sent
        // there, had their passive reply: wechat.dialogue.ts ackText).
        const origin = originOfMessage(facts, change.data?.inboxId);
        const passive = intent.event === 'source_merged' || intent.event === 'rating_howto';
        const replied = passive && origin?.channel === 'wechat';
        const t = origin && !replied ? originReply(origin, ownerOf(await enterpriseRead) ?? {}) : null;
        if (t) toEnterprise(t);
      } else if (intent.audience === 'origin') {
        // Every message of the issue whose channel takes push-back: the first and each one merged into it.
        for (const o of originsOf(facts)) {
          if (!o.externalId || !deps.pushbackChannels?.includes(o.channel)) continue;
          const recipient = {
            kind: 'channel' as const,
            id: o.channel,
            name: o.channel,
            address: o.externalId,
          };
          drafts.push({
            ...base,
            key: keyOf(`c${o.channel}${o.inboxId ? `s${o.inboxId}` : ''}`, 'pushback'),
            event: intent.event,
            channel: 'pushback',
            recipient,
            title,
            text: unlinked(),
          });
        }
      } else {
        const seen = new Set<string>();
        const tell = (u: StaffEntry, text: string) => {
          if (seen.has(u.id)) return;
          seen.add(u.id);
          const recipient = { kind: 'user' as const, id: u.id, name: u.name, address: null };
          drafts.push({
            ...base,
            key: keyOf(`u${u.id}`, 'inapp'),
            event: intent.event,
            channel: 'inapp',
            recipient,
            title,
            text,
          });
        };
        const textOf = (role: Role) =>
          render(templates[intent.event], { ...staffVars, ask: askOf(intent.event, role) });
        for (const u of staffOf(staff, facts, intent.audience, change)) tell(u, textOf(u.role));
        // A lead unit with nobody active (a new unit, its only handler disabled) would leave the issue unseen
        // until the sweep escalates it: the centre hears it instead, to re-dispatch or call the unit.
        if (intent.audience === 'unit' && unstaffed(staff, facts.unitId)) {
          const unit = facts.unitName ?? '承办单位';
          const centre = staff.filter((u) => CENTRE_ROLES.includes(u.role));
          for (const u of centre) tell(u, `【${unit}暂无在岗人员，请改派或联系该单位】${textOf(u.role)}`);
        }
      }
    }
    return drafts;
  }

  async function enqueueChange(change: IssueChange): Promise<number> {
    const intents = intentsOf(change);
    if (!intents.length) return 0;
    return enqueue(await draftsOf(change, intents));
  }

  /**
   * In-app notices of a fact that belongs to no issue, one per person; the key (`prefix` names the fact and the
   * event) makes the fact told once, whoever reports it again.
   */
  function inappDrafts(
    prefix: string,
    event: NotifyEvent,
    subject: string,
    text: string,
    people: readonly StaffEntry[],
  ): OutboxDraft[] {
    return people.map((u) => ({
      key: `${prefix}:u${u.id}:inapp`,
      event,
      channel: 'inapp',
      recipient: { kind: 'user', id: u.id, name: u.name, address: null },
      title: `${EVENT_SPECS[event].label}（${subject}）`,
      text,
    }));
  }

  function enqueueDeadLetter(notice: DeadLetterNotice): Promise<number> {
    const label = CHANNEL_LABELS[notice.channel as ChannelId] ?? notice.channel;
    return enqueueCentreNotice({
      fact: `inbox:${notice.id}`,
      event: 'dead_letter',
      subject: label,
      vars: { channel: label, reason: notice.reason },
    });
  }

  async function enqueueCentreNotice(notice: CentreNotice): Promise<number> {
    const [staff, templates] = await Promise.all([directory.get(), templateSource.get()]);
    const centre = staff.filter((u) => CENTRE_ROLES.includes(u.role));
    const text = render(templates[notice.event], notice.vars);
    return enqueue(inappDrafts(`${notice.fact}:${notice.event}`, notice.event, notice.subject, text, centre));
  }

  async function enqueueUnitNotice(notice: UnitNotice): Promise<number> {
    const [staff, templates] = await Promise.all([directory.get(), templateSource.get()]);
    const drafts = notice.units.flatMap(({ unitId, vars }) => {
      const unit = staff.filter((u) => u.unitId === unitId && UNIT_ROLES.includes(u.role));
      const text = render(templates[notice.event], vars);
      const prefix = `${notice.fact}:${notice.event}:n${unitId}`;
      return inappDrafts(prefix, notice.event, notice.subject, text, unit);
    });
    return enqueue(drafts);
  }

  /** Runs a write off the caller's path; idle() waits for it. */
  function inBackground(write: Promise<unknown>, context: Record<string, unknown>): void {
    const p = write
      .catch((err: unknown) => logger.error({ err, ...context }, 'outbox write failed'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  return {
    onChange(change) {
      inBackground(enqueueChange(change), { issueId: change.issueId, action: change.action });
    },
    onDeadLetter(notice) {
      inBackground(enqueueDeadLetter(notice), { inboxId: notice.id });
    },
    onCentreNotice(notice) {
      inBackground(enqueueCentreNotice(notice), { fact: notice.fact, event: notice.event });
    },
    onUnitNotice(notice) {
      inBackground(enqueueUnitNotice(notice), { fact: notice.fact, event: notice.event });
    },
    enqueueChange,
    enqueue,
    async idle() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    invalidate() {
      directory.invalidate();
      templateSource.invalidate();
    },
    templates: () => templateSource.get(),
  };
}
