// Who hears of a change, decided without I/O from what the notifier read: the staff an audience names (the
// directory's active members), and where the enterprise and each writer are answered (their own channel, the
// owner's choice, never the same address twice; the QR link only to the enterprise's own addresses). Kept
// apart from the notifier (notifier.ts), which reads and writes, so the rules are read and tested alone.
import type { Document } from 'mongodb';
import type { Types } from 'mongoose';
import { APPROVE_ACTIONS, roleMayPerform } from '../../shared/lifecycle/actions.ts';
import type { Consultation, PendingKind } from '../../shared/lifecycle/issue-core.ts';
import { CITY_REGION, type Role } from '../../shared/roles.ts';
import type { ChannelId, IssueState, Tier } from '../../shared/states.ts';
import type { IssueChange } from '../commands/issue-deps.ts';
import { normaliseMobile } from '../intake/match-enterprise.ts';
import type { NotifyPreference } from '../models/enterprise.model.ts';
import type { OutboxChannel } from '../models/outbox.model.ts';
import type { Audience } from './intents.ts';
import type { NotifyEvent } from './templates.ts';

/** An active member of staff as the notifier's directory holds them. */
export interface StaffEntry {
  id: string;
  name: string;
  role: Role;
  unitId: string | null;
  region: string;
}

/** What a notification needs of the issue (no text, no timeline). */
export interface IssueFacts {
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

export const CENTRE_ROLES: Role[] = ['clerk', 'dispatcher', 'director'];
export const UNIT_ROLES: Role[] = ['handler', 'unit_head'];

export interface EnterpriseTarget {
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
export interface OwnAddresses {
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
export function ownerOf(enterprise: Document | null): Document | null {
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
export function originsOf(facts: IssueFacts): Origin[] {
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
export function originOfMessage(facts: IssueFacts, inboxId: unknown): Origin | undefined {
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

/** Which of the enterprise's channels have a sender configured (the notifier's deps). */
export interface ReplyChannels {
  /** Email entries are written only when an email provider exists. */
  emailEnabled?: boolean;
  /** WeChat entries are written only when the official account's customer-service API is configured. */
  wechatEnabled?: boolean;
}

/** The sender answered on their own channel, when it is one that can be answered and is configured. */
export function originReply(origin: Origin, own: OwnAddresses, deps: ReplyChannels): EnterpriseTarget | null {
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

/** The active unit staff (handlers and heads) of the units `ids` names. */
const unitStaff = (list: StaffEntry[], ids: string[]) =>
  list.filter((u) => u.unitId && ids.includes(u.unitId) && UNIT_ROLES.includes(u.role));

/** A leader whose domain holds the issue's place: the city's, or the issue's county's. */
const inRegion = (u: StaffEntry, facts: IssueFacts) => u.region === CITY_REGION || u.region === facts.region;

/** The staff an intent's audience names, from the directory's active members. */
export function staffOf(
  list: StaffEntry[],
  facts: IssueFacts,
  audience: Audience,
  change: IssueChange,
): StaffEntry[] {
  const c = facts.consultation;
  switch (audience) {
    case 'unit':
      return unitStaff(list, [facts.unitId, ...facts.coUnitIds].filter(Boolean).map(String));
    case 'former_unit':
      return change.data?.fromUnitId ? unitStaff(list, [String(change.data.fromUnitId)]) : [];
    case 'centre':
      return list.filter((u) => CENTRE_ROLES.includes(u.role));
    case 'oversight':
      return list.filter((u) => u.role === 'supervisor' || (u.role === 'leader' && inRegion(u, facts)));
    case 'supervisor':
      return list.filter((u) => u.role === 'supervisor');
    case 'supervised_by':
      return list.filter((u) => change.supervisedBy?.includes(u.id));
    case 'consultation':
      return unitStaff(list, c?.unitIds ?? []);
    case 'unit_not_consulted':
      return unitStaff(
        list,
        [facts.unitId, ...facts.coUnitIds]
          .filter(Boolean)
          .map(String)
          .filter((id) => !c?.unitIds.includes(id)),
      );
    case 'convener':
      // A leader-tier consultation is the city leader's, and the county leader's of the issue's county (a
      // leader with no region has the leader tier everywhere: issue.policy.ts).
      return c?.tier === 'leader'
        ? list.filter((u) => u.role === 'leader' && (!u.region || inRegion(u, facts)))
        : list.filter((u) => u.role === 'director');
    case 'consultation_missing':
      return unitStaff(
        list,
        (c?.unitIds ?? []).filter((id) => !c?.inputs?.[id]),
      );
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
export function unstaffed(list: StaffEntry[], unitId: IssueFacts['unitId']): boolean {
  if (!unitId) return false;
  const id = String(unitId);
  return !list.some((u) => u.unitId === id && UNIT_ROLES.includes(u.role));
}

/**
 * The owner's chosen address (the QR page's choice, by default an SMS to the registered mobile), or null when
 * the owner wrote in from a registered address and chose nothing.
 */
function chosenTarget(
  facts: IssueFacts,
  enterprise: Document | null,
  origins: readonly EnterpriseTarget[],
  deps: ReplyChannels,
): EnterpriseTarget | null {
  const pref = enterprise?.notify as NotifyPreference | undefined;
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
}

/**
 * Where the enterprise hears about its issue. The person who wrote in by SMS, email or WeChat is answered
 * there (an SMS to the sending number, a mail in the thread of theirs, a customer-service message); the
 * channel the owner chose on the QR page is told too (by default an SMS to the registered mobile), unless the
 * owner is the one who wrote, from a registered address, and chose nothing. WeChat needs an openid and the account's API; without them
 * the choice falls back to SMS. The same address is never told twice.
 */
export function enterpriseTargets(
  facts: IssueFacts,
  read: Document | null,
  deps: ReplyChannels,
): EnterpriseTarget[] {
  const enterprise = ownerOf(read);
  const pref = enterprise?.notify as NotifyPreference | undefined;
  const own: OwnAddresses = { ...enterprise, prefEmail: pref?.email };
  const origins = originsOf(facts)
    .map((o) => originReply(o, own, deps))
    .filter((t): t is EnterpriseTarget => !!t);
  const pick = chosenTarget(facts, enterprise, origins, deps);
  const targets = pick ? [...origins, pick] : origins;
  return targets.filter(
    (t, n) => targets.findIndex((o) => o.channel === t.channel && o.address === t.address) === n,
  );
}

/** The passive reply to a WeChat message already gave its sender the number. */
export function alreadyAnswered(facts: IssueFacts, event: NotifyEvent, t: EnterpriseTarget): boolean {
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
