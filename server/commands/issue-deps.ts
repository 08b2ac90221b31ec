// What issue commands need from the outside world, injected so tests and the demo seed control it: the
// models, the business clock, the working calendar and time-limit policy in force, and an after-commit
// listener (realtime, notifications) that never sees a change that did not persist.
import type { WorkCalendar } from '../../shared/calendar.ts';
import type { Clock } from '../../shared/clock.ts';
import type { ActionId } from '../../shared/lifecycle/actions.ts';
import type { ActorRole } from '../../shared/lifecycle/issue-core.ts';
import type { TimeLimitPolicy } from '../../shared/sla.ts';
import type { IssueState, WarningLevel } from '../../shared/states.ts';
import { calendarOf, readPolicy, type IntakeConfigSource } from '../intake/intake-config.ts';
import type { EnterpriseDoc, IssueDoc, Models } from '../models/index.ts';

export interface DomainSettings {
  calendar: WorkCalendar;
  policy: TimeLimitPolicy;
}

/**
 * Emitted after the write committed; `action` is `create` for intake, `light` when the sweep only moved the
 * warning light (to `warning`), `retime` when a policy or calendar change moved the deadlines.
 */
export interface IssueChange {
  issueId: string;
  number: string;
  action: ActionId | 'create' | 'light' | 'retime';
  fromState: IssueState | null;
  state: IssueState;
  unitId: string | null;
  coUnitIds: string[];
  enterpriseId: string;
  actorId: string;
  at: Date;
  /** The issue version the write produced: one committed write, one version (notification keys). */
  version?: number;
  /** The stored deadline a sweep step fired for (its claim's due instant). */
  dueAt?: Date;
  /** The timeline event's author role, note, data and public flag. */
  actorRole?: ActorRole;
  note?: string;
  data?: Record<string, unknown>;
  public?: boolean;
  warning?: WarningLevel;
  /** On a reply: the people (not the sweep) who 督办'd the issue, who hear the answer came (督办反馈). */
  supervisedBy?: string[];
  /**
   * The whole issue as this write left it, when the writer holds it (intake's insert): listeners take what
   * they need from it instead of reading the issue back (realtime's rooms, the notifier's facts). Server-side
   * only: no listener sends it on as it is.
   */
  issue?: Readonly<IssueDoc>;
  /** How the issue's enterprise is reached, as intake read it with the enterprise (the notifier's targets). */
  enterprise?: EnterpriseContact;
}

/**
 * The enterprise's addresses the notifier tells it at (SMS, WeChat, mail), the owner's choice among them and
 * its QR page's token (the link).
 */
export type EnterpriseContact = Pick<EnterpriseDoc, '_id' | 'qrToken'> &
  Partial<Pick<EnterpriseDoc, 'mobile' | 'email' | 'emails' | 'wechatOpenids' | 'notify' | 'provisional'>>;

export type IssueChangeListener = (change: IssueChange) => void;

export interface IssueCommandDeps {
  models: Models;
  clock: Clock;
  settings: () => Promise<DomainSettings>;
  onChange?: IssueChangeListener;
}

/**
 * Settings read from the database on every call: admin calendar overrides on top of the packaged holidays, and
 * the time-limit policy in force (the admin's, validated, or the defaults). The calendar is rebuilt only when the overrides change. For rare callers (the
 * sweep, once a minute); request paths use cachedSettings.
 */
export function databaseSettings(models: Models): () => Promise<DomainSettings> {
  let cached: ReturnType<typeof calendarOf> | undefined;
  return async () => {
    const [rows, policy] = await Promise.all([
      models.CalendarOverride.find({}, { date: 1, kind: 1 }).sort({ date: 1 }).lean(),
      readPolicy(models),
    ]);
    cached = calendarOf(rows, cached);
    return { calendar: cached.calendar, policy };
  };
}

/** Settings from the app's configuration snapshot (no round trip while it is fresh). */
export function cachedSettings(source: IntakeConfigSource): () => Promise<DomainSettings> {
  return async () => {
    const { calendar, policy } = await source.get();
    return { calendar, policy };
  };
}

/** A listener must never turn a committed write into a failed request. */
export function notifyChange(deps: Pick<IssueCommandDeps, 'onChange'>, change: IssueChange): void {
  try {
    deps.onChange?.(change);
  } catch {
    // Listeners own their errors; the write already happened.
  }
}

/** Several after-commit listeners as one (realtime and notifications); each owns its errors. */
export function combineListeners(...listeners: Array<IssueChangeListener | undefined>): IssueChangeListener {
  const list = listeners.filter((l): l is IssueChangeListener => !!l);
  return (change) => {
    for (const listener of list) {
      try {
        listener(change);
      } catch {
        // Listeners own their errors.
      }
    }
  };
}

/** The change record of a committed write. */
export function changeOf(
  issue: IssueDoc,
  action: IssueChange['action'],
  fromState: IssueState | null,
  actorId: string,
  at: Date,
): IssueChange {
  const last = issue.timeline?.[issue.timeline.length - 1];
  return {
    version: issue.version,
    warning: issue.warning,
    ...(last ? { actorRole: last.actorRole, note: last.note, data: last.data, public: last.public } : {}),
    issueId: String(issue._id),
    number: issue.number,
    action,
    fromState,
    state: issue.state,
    unitId: issue.unitId ? String(issue.unitId) : null,
    coUnitIds: issue.coUnitIds.map(String),
    enterpriseId: String(issue.enterpriseId),
    actorId,
    at,
    ...(action === 'reply' ? supervisorsOf(issue) : {}),
  };
}

/** Who 督办'd the issue by hand (a leader, the supervisor, the centre), each once; none: nothing. */
function supervisorsOf(issue: IssueDoc): { supervisedBy?: string[] } {
  const ids = new Set<string>();
  for (const e of issue.timeline ?? [])
    if (e.action === 'supervise' && e.actorRole !== 'system' && e.actorId) ids.add(String(e.actorId));
  return ids.size ? { supervisedBy: [...ids] } : {};
}
