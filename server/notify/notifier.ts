// Writes the outbox (issue 8): after an issue write committed, the intents of the change (intents.ts) become
// one outbox row per recipient and channel, rendered from the admin's templates. Every row's key names the
// fact — `${issueId}:${event}:${step}:${recipient}:${channel}`, the step being the sweep deadline that fired
// or the issue version the action wrote — and the outbox's unique index on it makes a second writer (a retried
// command, a second sweeper, a replayed change) insert nothing. Rows are inserted unordered, duplicates
// ignored. The staff directory and the templates are read through short-lived snapshots, so a change costs
// one read of the issue (and of the enterprise when it is told) and one insert.
import { Types } from 'mongoose';
import { chinaDateKey, CHINA_OFFSET_MS } from '../../shared/calendar.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Consultation } from '../../shared/lifecycle/issue-core.ts';
import type { Role } from '../../shared/roles.ts';
import {
  STATE_LABELS,
  TIER_LABELS,
  type ChannelId,
  type IssueState,
  type Tier,
} from '../../shared/states.ts';
import type { IssueChange, IssueChangeListener } from '../commands/issue-deps.ts';
import { cachedSnapshot, type SnapshotSource } from '../intake/intake-config.ts';
import type { Logger } from '../logger.ts';
import type { Models } from '../models/index.ts';
import type { OutboxChannel, OutboxDoc, OutboxRecipient } from '../models/outbox.model.ts';
import { CITY_REGION } from '../policies/issue.policy.ts';
import { intentsOf, type Audience, type Intent } from './intents.ts';
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
  deadlines: { resolveBy: Date } | null;
  triage?: { dueAt: Date } | null;
}

const FACTS = {
  number: 1,
  title: 1,
  state: 1,
  tier: 1,
  region: 1,
  channel: 1,
  externalId: 1,
  enterpriseId: 1,
  enterpriseName: 1,
  unitId: 1,
  unitName: 1,
  coUnitIds: 1,
  consultation: 1,
  'deadlines.resolveBy': 1,
  'triage.dueAt': 1,
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
  /** Called after rows were inserted (the worker delivers at once). */
  onEnqueued?: () => void;
  /** How stale the staff directory and templates may be (tests make it 0). */
  ttlMs?: number;
}

export interface Notifier {
  /** After-commit listener: writes the change's outbox rows in the background (see idle()). */
  onChange: IssueChangeListener;
  /** Writes the change's rows and resolves to how many were new. */
  enqueueChange(change: IssueChange): Promise<number>;
  /** Writes rows built by the caller (dead letters, verification codes); duplicates ignored. */
  enqueue(drafts: readonly OutboxDraft[]): Promise<number>;
  /** Resolves once every background write started so far has finished. */
  idle(): Promise<void>;
  /** Templates or staff changed in this process. */
  invalidate(): void;
  templates(): Promise<Templates>;
}

const CENTRE_ROLES: Role[] = ['clerk', 'dispatcher', 'director'];
const UNIT_ROLES: Role[] = ['handler', 'unit_head'];

function formatChinaTime(d: Date | undefined | null): string {
  if (!d) return '';
  const t = new Date(new Date(d).getTime() + CHINA_OFFSET_MS).toISOString();
  return `${chinaDateKey(new Date(d))} ${t.slice(11, 16)}`;
}

function isDuplicateOnly(err: unknown): boolean {
  const list = (err as { writeErrors?: unknown })?.writeErrors;
  const errors = (Array.isArray(list) ? list : list ? [list] : []) as Array<{ code?: unknown }>;
  if ((err as { code?: unknown })?.code === 11000 && !errors.length) return true;
  return errors.length > 0 && errors.every((e) => e.code === 11000);
}

function insertedCount(err: unknown): number {
  const r = err as { insertedDocs?: unknown[]; result?: { insertedCount?: number } };
  return r.insertedDocs?.length ?? r.result?.insertedCount ?? 0;
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
    const rows = drafts.map((d) => ({
      _id: new Types.ObjectId(),
      key: d.key,
      event: d.event,
      channel: d.channel,
      recipient: d.recipient,
      issueId: d.issueId ?? null,
      issueNumber: d.issueNumber ?? null,
      title: d.title ?? '',
      text: d.text,
      status: d.status ?? (d.sentAt ? 'sent' : 'pending'),
      attempts: d.sentAt ? 1 : 0,
      nextAttemptAt: now,
      lockedUntil: null,
      lastError: d.lastError ?? null,
      providerId: null,
      createdAt: now,
      sentAt: d.sentAt ?? null,
    }));
    let inserted = rows.length;
    try {
      await models.Outbox.collection.insertMany(rows, { ordered: false });
    } catch (err) {
      if (!isDuplicateOnly(err)) throw err;
      inserted = insertedCount(err);
    }
    if (inserted) deps.onEnqueued?.();
    return inserted;
  }

  function staffOf(
    list: StaffEntry[],
    facts: IssueFacts,
    audience: Audience,
    change: IssueChange,
  ): StaffEntry[] {
    const unitsOf = (ids: string[]) =>
      list.filter((u) => u.unitId && ids.includes(u.unitId) && UNIT_ROLES.includes(u.role));
    const c = facts.consultation;
    switch (audience) {
      case 'unit':
        return unitsOf([facts.unitId, ...facts.coUnitIds].filter(Boolean).map(String));
      case 'centre':
        return list.filter((u) => CENTRE_ROLES.includes(u.role));
      case 'oversight':
        return list.filter(
          (u) =>
            u.role === 'supervisor' ||
            (u.role === 'leader' && (u.region === CITY_REGION || u.region === facts.region)),
        );
      case 'consultation': {
        const chair: Role = c?.tier === 'leader' ? 'leader' : 'director';
        return [...unitsOf(c?.unitIds ?? []), ...list.filter((u) => u.role === chair)];
      }
      case 'consultation_missing':
        return unitsOf((c?.unitIds ?? []).filter((id) => !c?.inputs?.[id]));
      case 'assignee':
        // The person the event names (not the issue's current assignee, which a later assign may have changed).
        return list.filter((u) => u.id === change.data?.assigneeId);
      default:
        return [];
    }
  }

  async function enterpriseTargets(
    facts: IssueFacts,
  ): Promise<Array<{ channel: OutboxChannel; address: string; via: string }>> {
    const [enterprise, pref] = await Promise.all([
      models.Enterprise.collection.findOne({ _id: facts.enterpriseId }, { projection: { mobile: 1 } }),
      models.NotifyPreference.collection.findOne({ enterpriseId: facts.enterpriseId }),
    ]);
    const mobile = typeof enterprise?.mobile === 'string' ? enterprise.mobile : null;
    if (pref?.channel === 'email' && pref.email && deps.emailEnabled)
      return [{ channel: 'email', address: String(pref.email), via: 'email' }];
    if (
      pref?.channel === 'wechat' &&
      deps.pushbackChannels?.includes('wechat') &&
      facts.channel === 'wechat' &&
      facts.externalId
    )
      return [{ channel: 'pushback', address: facts.externalId, via: 'wechat' }];
    return mobile ? [{ channel: 'sms', address: mobile, via: 'sms' }] : [];
  }

  async function qrLink(facts: IssueFacts): Promise<string> {
    const e = await models.Enterprise.collection.findOne(
      { _id: facts.enterpriseId },
      { projection: { qrToken: 1 } },
    );
    return e?.qrToken ? `${deps.publicBaseUrl}/e/${String(e.qrToken)}` : '';
  }

  function varsOf(facts: IssueFacts, change: IssueChange, link: string): Record<string, string> {
    const deadline = facts.state === 'received' ? facts.triage?.dueAt : facts.deadlines?.resolveBy;
    const tier = (change.data?.tier as Tier | undefined) ?? facts.consultation?.tier ?? facts.tier;
    return {
      number: facts.number,
      title: facts.title,
      enterprise: facts.enterpriseName,
      unit: facts.unitName ?? '',
      state: STATE_LABELS[facts.state],
      deadline: formatChinaTime(deadline),
      link,
      tier: TIER_LABELS[tier] ?? '',
      inputDue: formatChinaTime(facts.consultation?.dueAt),
      text: typeof change.data?.note === 'string' ? change.data.note : STATE_LABELS[facts.state],
    };
  }

  async function draftsOf(change: IssueChange, intents: Intent[]): Promise<OutboxDraft[]> {
    if (!Types.ObjectId.isValid(change.issueId)) return [];
    const facts = await models.Issue.collection.findOne<IssueFacts>(
      { _id: new Types.ObjectId(change.issueId) },
      { projection: FACTS },
    );
    if (!facts) return [];
    const [staff, templates] = await Promise.all([directory.get(), templateSource.get()]);
    const needsLink = intents.some((x) => x.audience === 'enterprise');
    const vars = varsOf(facts, change, needsLink ? await qrLink(facts) : '');
    const step = change.dueAt ? `d${new Date(change.dueAt).getTime()}` : `v${change.version ?? 0}`;
    const base = { issueId: facts._id, issueNumber: facts.number };
    const drafts: OutboxDraft[] = [];
    for (const intent of intents) {
      const text = render(templates[intent.event], vars);
      const title = `${EVENT_SPECS[intent.event].label} ${facts.number}`;
      const keyOf = (recipient: string, channel: OutboxChannel) =>
        `${change.issueId}:${intent.event}:${step}:${recipient}:${channel}`;
      if (intent.audience === 'enterprise') {
        for (const t of await enterpriseTargets(facts)) {
          const recipient = {
            kind: 'enterprise' as const,
            id: String(facts.enterpriseId),
            name: facts.enterpriseName,
            address: t.address,
          };
          drafts.push({
            ...base,
            key: keyOf(`e${String(facts.enterpriseId)}`, t.channel),
            event: intent.event,
            channel: t.channel,
            recipient,
            title,
            text,
          });
        }
      } else if (intent.audience === 'origin') {
        if (!facts.externalId || !deps.pushbackChannels?.includes(facts.channel)) continue;
        const recipient = {
          kind: 'channel' as const,
          id: facts.channel,
          name: facts.channel,
          address: facts.externalId,
        };
        drafts.push({
          ...base,
          key: keyOf(`c${facts.channel}`, 'pushback'),
          event: intent.event,
          channel: 'pushback',
          recipient,
          title,
          text,
        });
      } else {
        const seen = new Set<string>();
        for (const u of staffOf(staff, facts, intent.audience, change)) {
          if (seen.has(u.id)) continue;
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

  return {
    onChange(change) {
      const p = enqueueChange(change)
        .catch((err: unknown) =>
          logger.error({ err, issueId: change.issueId, action: change.action }, 'outbox write failed'),
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
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
