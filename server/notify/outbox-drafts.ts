// The outbox rows a change or a notice becomes, built without I/O from what the notifier read (the issue's
// facts, the staff directory, the templates, the enterprise) and the time it passes in. Every row's key names
// the fact, so a second writer inserts nothing (notifier.ts). Kept apart from the notifier, which reads and
// writes, so the rows a change makes are one pure function of its inputs.
import type { Document } from 'mongodb';
import type { Types } from 'mongoose';
import type { Role } from '../../shared/roles.ts';
import { DEADLINE_LABELS } from '../../shared/running-deadline.ts';
import { STATE_LABELS, TIER_LABELS, type ChannelId, type Tier } from '../../shared/states.ts';
import { ratingChoice } from '../channels/courtesy.ts';
import type { IssueChange } from '../commands/issue-deps.ts';
import { ATTACHMENTS_REFUSED } from '../intake/attachment-refusals.ts';
import type { OutboxChannel, OutboxDoc, OutboxRecipient } from '../models/outbox.model.ts';
import { byPerson, decisionText, pushbackText, requestText, type Intent } from './intents.ts';
import {
  alreadyAnswered,
  CENTRE_ROLES,
  enterpriseTargets,
  originOfMessage,
  originReply,
  originsOf,
  ownerOf,
  staffOf,
  unstaffed,
  type EnterpriseTarget,
  type IssueFacts,
  type ReplyChannels,
  type StaffEntry,
} from './notice-recipients.ts';
import { askOf, formatChinaTime, instructionOf, reasonOf, withoutLink } from './notice-text.ts';
import { EVENT_SPECS, render, type NotifyEvent, type Templates } from './templates.ts';

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

/** The enterprise's QR page (a bearer credential: only its own addresses are given it). */
function qrLink(e: Document | null, publicBaseUrl: string): string {
  return e?.qrToken ? `${publicBaseUrl}/e/${String(e.qrToken)}` : '';
}

/** The template's variables for a change, as the issue stands at `now`. */
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
    due: running ? `${DEADLINE_LABELS[kind]}${passed ? '已于' : '将于'}${formatChinaTime(running)}到期` : '',
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

/** Whether the intents tell the enterprise or a writer, and so need the enterprise (its addresses, its link). */
export const needsEnterprise = (intents: readonly Intent[]): boolean =>
  intents.some((x) => x.audience === 'enterprise' || x.audience === 'sender');

/** What the rows of one change are built from: the notifier's reads, and the time. */
export interface ChangeInputs {
  change: IssueChange;
  intents: readonly Intent[];
  facts: IssueFacts;
  staff: StaffEntry[];
  templates: Templates;
  /** The issue's enterprise, read only when needsEnterprise (else null). */
  enterprise: Document | null;
  now: Date;
}

/** The notifier's settings the rows depend on. */
export interface DraftSettings extends ReplyChannels {
  publicBaseUrl: string;
  /** Channels with a push-back sender configured (e.g. hotline12345). */
  pushbackChannels?: readonly ChannelId[];
}

/** A staff member's text of an event: the workbench link, and what it asks of their role. */
function staffText(
  templates: Templates,
  event: NotifyEvent,
  vars: Record<string, string>,
  role: Role,
): string {
  return render(templates[event], { ...vars, ask: askOf(event, role) });
}

/** A row of one change but its key's recipient part (`to`) and its channel's fields. */
type Row = Omit<OutboxDraft, 'key' | 'event' | 'title' | 'issueId' | 'issueNumber'>;

/**
 * The outbox rows of one change: one per intent, recipient and channel, each keyed by the fact. Its helpers are
 * made once a call, not once an intent: run as `npm start` runs it (tsx keeps function names), every function
 * made inside another costs a property definition, about 0.3 µs and 0.4 KB (bench/LOG.md, "Staff intake's main
 * thread: where an issue's CPU goes…").
 */
export function draftsOf(input: ChangeInputs, deps: DraftSettings): OutboxDraft[] {
  const { change, intents, facts, staff, templates, enterprise } = input;
  const needsLink = needsEnterprise(intents);
  const targets = needsLink ? enterpriseTargets(facts, enterprise, deps) : [];
  const link = needsLink ? qrLink(enterprise, deps.publicBaseUrl) : '';
  const vars = varsOf(facts, change, link, input.now);
  const step = change.dueAt ? `d${new Date(change.dueAt).getTime()}` : `v${change.version ?? 0}`;
  const drafts: OutboxDraft[] = [];
  // {{link}} is the QR page (a bearer credential of the enterprise) only for the enterprise's own addresses;
  // staff get the issue's page in the workbench, and anyone else (a writer, a platform) no link at all.
  const staffVars = { ...vars, link: `${deps.publicBaseUrl}/issues/${String(facts._id)}` };
  const add = (event: NotifyEvent, to: string, row: Row) =>
    drafts.push({
      issueId: facts._id,
      issueNumber: facts.number,
      key: `${change.issueId}:${event}:${step}:${to}:${row.channel}`,
      event,
      title: `${EVENT_SPECS[event].label} ${facts.number}`,
      ...row,
    });
  // Each text is rendered for the recipients who get it: the enterprise's own addresses with the QR link,
  // a writer who is not the enterprise and a platform without it (staff: staffVars, below).
  const toEnterprise = (event: NotifyEvent, t: EnterpriseTarget) =>
    add(event, t.key, {
      channel: t.channel,
      recipient: {
        kind: 'enterprise',
        id: String(facts.enterpriseId),
        name: facts.enterpriseName,
        address: t.address,
      },
      text: render(t.own ? templates[event] : withoutLink(templates[event]), vars),
      replyTo: t.replyTo ?? null,
    });
  const told = new Set<string>();
  const tell = (event: NotifyEvent, u: StaffEntry, text: string) => {
    if (told.has(u.id)) return;
    told.add(u.id);
    add(event, `u${u.id}`, {
      channel: 'inapp',
      recipient: { kind: 'user', id: u.id, name: u.name, address: null },
      text,
    });
  };
  for (const { event, audience } of intents) {
    if (audience === 'enterprise') {
      // 整改告知 answers a rating, which only the owner gives: a writer who is not the owner is not told it.
      const to = event === 'enterprise_rectification' ? targets.filter((t) => t.own) : targets;
      for (const t of to) if (!alreadyAnswered(facts, event, t)) toEnterprise(event, t);
    } else if (audience === 'sender') {
      // The message the change names, answered where it came from (a merge by WeChat, and a bare rating sent
      // there, had their passive reply: wechat.dialogue.ts ackText).
      const origin = originOfMessage(facts, change.data?.inboxId);
      const passive = event === 'source_merged' || event === 'rating_howto';
      const replied = passive && origin?.channel === 'wechat';
      const t = origin && !replied ? originReply(origin, ownerOf(enterprise) ?? {}, deps) : null;
      if (t) toEnterprise(event, t);
    } else if (audience === 'origin') {
      // Every message of the issue whose channel takes push-back: the first and each one merged into it.
      for (const o of originsOf(facts)) {
        if (!o.externalId || !deps.pushbackChannels?.includes(o.channel)) continue;
        add(event, `c${o.channel}${o.inboxId ? `s${o.inboxId}` : ''}`, {
          channel: 'pushback',
          recipient: { kind: 'channel', id: o.channel, name: o.channel, address: o.externalId },
          text: render(withoutLink(templates[event]), vars),
        });
      }
    } else {
      // Each intent tells a person once (the set is the intent's: one person may hear two intents).
      told.clear();
      for (const u of staffOf(staff, facts, audience, change))
        tell(event, u, staffText(templates, event, staffVars, u.role));
      // A lead unit with nobody active (a new unit, its only handler disabled) would leave the issue unseen
      // until the sweep escalates it: the centre hears it instead, to re-dispatch or call the unit.
      if (audience === 'unit' && unstaffed(staff, facts.unitId)) {
        const unit = facts.unitName ?? '承办单位';
        for (const u of staff)
          if (CENTRE_ROLES.includes(u.role)) {
            const text = staffText(templates, event, staffVars, u.role);
            tell(event, u, `【${unit}暂无在岗人员，请改派或联系该单位】${text}`);
          }
      }
    }
  }
  return drafts;
}

/**
 * In-app notices of a fact that belongs to no issue, one per person; the key (`prefix` names the fact and the
 * event) makes the fact told once, whoever reports it again.
 */
export function inappDrafts(
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
