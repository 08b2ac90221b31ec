// Writes the outbox (issue 8): after an issue write committed, the intents of the change (intents.ts) become
// one outbox row per recipient and channel, rendered from the admin's templates. Every row's key names the
// fact — `${issueId}:${event}:${step}:${recipient}:${channel}`, the step being the sweep deadline that fired
// or the issue version the action wrote — and the outbox's unique index on it makes a second writer (a retried
// command, a second sweeper, a replayed change) insert nothing. Rows are inserted unordered, duplicates
// ignored. The staff directory and the templates are read through short-lived snapshots, so a change costs
// one read of the issue (and of the enterprise and its preference when it is told) and one insert; intake's
// change carries the issue and the enterprise's addresses, leaving only the preference to read. The changes of
// one moment (an intake burst, an import) share each of those as one command (db/batched-ops.ts). With
// delivery at once (deliverNow), rows are inserted already claimed and handed to the worker. This module holds
// the reads and the writes; the rows themselves are built without I/O (outbox-drafts.ts, from who hears:
// notice-recipients.ts, and the notice's words: notice-text.ts).
import type { Collection, Document } from 'mongodb';
import { Types } from 'mongoose';
import { batchedFindByUnique, batchedInsertMany } from '../db/batched-ops.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Role } from '../../shared/roles.ts';
import { CHANNEL_LABELS, type ChannelId } from '../../shared/states.ts';
import type { IssueChange, IssueChangeListener } from '../commands/issue-deps.ts';
import type { DeadLetterNotice } from '../intake/inbox-store.ts';
import { cachedSnapshot, type SnapshotSource } from '../intake/intake-config.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import type { OutboxDoc } from '../models/outbox.model.ts';
import { isDuplicateKey } from '../db/duplicate-key.ts';
import { intentsOf } from './intents.ts';
import { CENTRE_ROLES, UNIT_ROLES, type IssueFacts, type StaffEntry } from './notice-recipients.ts';
import {
  draftsOf,
  inappDrafts,
  needsEnterprise,
  type DraftSettings,
  type OutboxDraft,
} from './outbox-drafts.ts';
import { render, templatesOf, type NotifyEvent, type Templates } from './templates.ts';

export const TEMPLATES_SETTING = 'notifyTemplates';

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

/** The I/O and the clock, and the settings the rows depend on (DraftSettings: the link's base, the channels). */
export interface NotifierDeps extends DraftSettings {
  models: Models;
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'error'>;
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

export function createNotifier(deps: NotifierDeps): Notifier {
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

  /** The enterprise's addresses, choice and QR token, shared with the reads of the same moment. */
  function enterpriseOf(facts: IssueFacts): Promise<Document | null> {
    const enterprises = models.Enterprise.collection as unknown as Collection;
    return batchedFindByUnique(enterprises, '_id', facts.enterpriseId, NOTIFIER_ENTERPRISE_FIELDS);
  }

  /** The issue's facts: as the write left them when the change carries the issue (intake), else read. */
  async function factsOf(change: IssueChange): Promise<IssueFacts | null> {
    if (change.issue) return change.issue;
    const issues = models.Issue.collection as unknown as Collection;
    const id = new Types.ObjectId(change.issueId);
    return (await batchedFindByUnique(issues, '_id', id, NOTIFIER_ISSUE_FIELDS)) as IssueFacts | null;
  }

  async function enqueueChange(change: IssueChange): Promise<number> {
    const intents = intentsOf(change);
    if (!intents.length) return 0;
    if (!Types.ObjectId.isValid(change.issueId)) return 0;
    const facts = await factsOf(change);
    if (!facts) return 0;
    const [staff, templates] = await Promise.all([directory.get(), templateSource.get()]);
    // One read of the enterprise (none when intake passed it on) serves the link and every enterprise intent.
    const enterprise = needsEnterprise(intents) ? (change.enterprise ?? (await enterpriseOf(facts))) : null;
    const input = { change, intents, facts, staff, templates, enterprise, now: clock.now() };
    return enqueue(draftsOf(input, deps));
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
