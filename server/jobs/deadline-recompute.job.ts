// Recomputes the future deadlines of open issues after an admin changed the time-limit policy or a calendar
// day (issue 8), in the background and in batches: one read of a batch of open issues by _id, the pure
// recompute (shared/sla-recompute.ts), one bulk of version-guarded updates, each with a timeline note saying
// what moved. An issue a person changed meanwhile is read again and recomputed once more. Steps already fired
// keep their flags, so nothing fires twice; a step whose new deadline has already passed fires at the next
// sweep. The process that made the change runs it; requests arriving while one runs coalesce into one more run.
import { Types } from 'mongoose';
import { chinaDateKey } from '../../shared/calendar.ts';
import type { Clock } from '../../shared/clock.ts';
import { refreshIssue } from '../../shared/lifecycle/apply.ts';
import { recomputeClocks } from '../../shared/sla-recompute.ts';
import { CLOCKED_STATES } from '../../shared/states.ts';
import {
  databaseSettings,
  type DomainSettings,
  type IssueChange,
  type IssueChangeListener,
} from '../commands/issue-deps.ts';
import { changedSet, toCore } from '../commands/issue-store.ts';
import type { Logger } from '../logger.ts';
import type { IssueDoc, Models, StoredTimelineEvent } from '../models/index.ts';
import { SWEEP_PROJECTION } from './sweep-plan.ts';
import { runOnce } from '../models/issue-upgrades.ts';

export type RecomputeReason = 'policy' | 'calendar';
const REASON_LABELS: Record<RecomputeReason, string> = {
  policy: '办理时限设置调整',
  calendar: '工作日历调整',
};
export const RECOMPUTE_BATCH = 200;

export interface RecomputeOptions {
  models: Models;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  settings?: () => Promise<DomainSettings>;
  onChange?: IssueChangeListener;
  batchSize?: number;
}

export interface RecomputeReport {
  examined: number;
  changed: number;
}

const dateOf = (d: Date | undefined | null) => (d ? chinaDateKey(d) : '');

function noteOf(
  reason: RecomputeReason,
  before: IssueDoc,
  after: ReturnType<typeof recomputeClocks>,
): string {
  const from = before.state === 'received' ? before.triage?.dueAt : before.deadlines?.resolveBy;
  const to = before.state === 'received' ? after?.triage?.dueAt : after?.deadlines?.resolveBy;
  const what = before.state === 'received' ? '受理时限' : '承诺办结时间';
  return from && to && from.getTime() !== to.getTime()
    ? `因${REASON_LABELS[reason]}，${what}由${dateOf(from)}调整为${dateOf(to)}`
    : `因${REASON_LABELS[reason]}，预警和催办时点已重新计算`;
}

interface Planned {
  doc: IssueDoc;
  set: Record<string, unknown>;
  event: StoredTimelineEvent;
}

function plan(doc: IssueDoc, settings: DomainSettings, now: Date, reason: RecomputeReason): Planned | null {
  const before = toCore(doc);
  const clocks = recomputeClocks(before, { ...settings, now, channel: doc.channel });
  if (!clocks) return null;
  const after = refreshIssue({ ...before, ...clocks }, now);
  const resolveMoved =
    !!before.deadlines &&
    !!after.deadlines &&
    before.deadlines.resolveBy.getTime() !== after.deadlines.resolveBy.getTime();
  const event: StoredTimelineEvent = {
    at: now,
    actorId: 'system',
    actorRole: 'system',
    actorName: '系统',
    action: 'note',
    fromState: doc.state,
    toState: doc.state,
    note: noteOf(reason, doc, clocks),
    // The enterprise sees the date it was promised move; a change to internal lights is internal.
    public: resolveMoved,
    data: {
      kind: 'retime',
      reason,
      before: { resolveBy: before.deadlines?.resolveBy ?? null, triageDueAt: before.triage?.dueAt ?? null },
      after: { resolveBy: after.deadlines?.resolveBy ?? null, triageDueAt: after.triage?.dueAt ?? null },
    },
  };
  return { doc, set: changedSet(before, after, now), event };
}

async function writeBatch(opts: RecomputeOptions, planned: Planned[], now: Date): Promise<Planned[]> {
  if (!planned.length) return [];
  const ops = planned.map((p) => ({
    updateOne: {
      filter: { _id: p.doc._id, version: p.doc.version },
      update: { $set: p.set, $push: { timeline: p.event }, $inc: { version: 1 } },
    },
  }));
  await opts.models.Issue.bulkWrite(ops, { ordered: false });
  // Which landed: those whose version moved past the one planned from and whose timeline ends in this note.
  const fresh = await opts.models.Issue.find(
    { _id: { $in: planned.map((p) => p.doc._id) } },
    { version: 1, timeline: { $slice: -1 } },
  ).lean<Array<Pick<IssueDoc, '_id' | 'version' | 'timeline'>>>();
  const byId = new Map(fresh.map((f) => [String(f._id), f]));
  const written = planned.filter((p) => {
    const f = byId.get(String(p.doc._id));
    const last = f?.timeline[f.timeline.length - 1];
    return (
      f?.version === p.doc.version + 1 &&
      last?.at.getTime() === now.getTime() &&
      (last.data as { kind?: string } | undefined)?.kind === 'retime'
    );
  });
  for (const p of written) {
    const version = byId.get(String(p.doc._id))!.version;
    notifyChange(opts, {
      issueId: String(p.doc._id),
      number: p.doc.number,
      action: 'retime',
      fromState: p.doc.state,
      state: p.doc.state,
      unitId: p.doc.unitId ? String(p.doc.unitId) : null,
      coUnitIds: p.doc.coUnitIds.map(String),
      enterpriseId: String(p.doc.enterpriseId),
      actorId: 'system',
      at: now,
      version,
      public: p.event.public,
      data: p.event.data,
    });
  }
  return planned.filter((p) => !written.includes(p));
}

const PROJECTION = { ...SWEEP_PROJECTION, channel: 1 };

function notifyChange(opts: RecomputeOptions, change: IssueChange): void {
  try {
    opts.onChange?.(change);
  } catch {
    // Listeners own their errors; the write already happened.
  }
}

/** One full pass over the open issues at the clock's now. */
export async function recomputeOpenDeadlines(
  opts: RecomputeOptions,
  reason: RecomputeReason,
): Promise<RecomputeReport> {
  const settings = await (opts.settings ?? databaseSettings(opts.models))();
  const now = opts.clock.now();
  const size = opts.batchSize ?? RECOMPUTE_BATCH;
  const report: RecomputeReport = { examined: 0, changed: 0 };
  let after: Types.ObjectId | null = null;
  for (;;) {
    const filter: Record<string, unknown> = {
      state: { $in: CLOCKED_STATES },
      ...(after ? { _id: { $gt: after } } : {}),
    };
    const docs = await opts.models.Issue.find(filter, PROJECTION)
      .sort({ _id: 1 })
      .limit(size)
      .lean<IssueDoc[]>();
    if (!docs.length) break;
    after = docs[docs.length - 1]._id;
    report.examined += docs.length;
    let planned = docs.flatMap((d) => plan(d, settings, now, reason) ?? []);
    const total = planned.length;
    let lost = await writeBatch(opts, planned, now);
    if (lost.length) {
      // A person acted meanwhile: recompute from what they left, once.
      const again = await opts.models.Issue.find(
        { _id: { $in: lost.map((p) => p.doc._id) } },
        PROJECTION,
      ).lean<IssueDoc[]>();
      planned = again.flatMap((d) => plan(d, settings, now, reason) ?? []);
      lost = [
        ...lost.filter((l) => !again.some((a) => String(a._id) === String(l.doc._id))),
        ...(await writeBatch(opts, planned, now)),
      ];
    }
    report.changed += total - lost.length;
    if (docs.length < size) break;
  }
  return report;
}

export interface DeadlineRecomputer {
  /** Asks for a recompute soon (coalesced); returns at once. */
  request(reason: RecomputeReason): void;
  /** Resolves when no recompute is running or queued (tests, shutdown). */
  idle(): Promise<void>;
}

export function createDeadlineRecomputer(opts: RecomputeOptions): DeadlineRecomputer {
  let running: Promise<void> | null = null;
  let queued: RecomputeReason | null = null;

  function run(reason: RecomputeReason): void {
    running = recomputeOpenDeadlines(opts, reason)
      .then((r) => {
        if (r.changed) opts.logger.info({ reason, ...r }, 'deadlines recomputed');
      })
      .catch((err: unknown) => opts.logger.error({ err, reason }, 'deadline recompute failed'))
      .finally(() => {
        running = null;
        const next = queued;
        queued = null;
        if (next) run(next);
      });
  }

  return {
    request(reason) {
      if (running) queued = queued ?? reason;
      else run(reason);
    },
    async idle() {
      while (running) await running;
    },
  };
}

/**
 * Changes to the deadline rules in the code itself (not in the settings): the open issues' deadlines counted by
 * an earlier rule are recomputed once per database, recorded in `upgrades` like the stored-issue upgrades
 * (models/issue-upgrades.ts runOnce). A start interrupted before the record runs it again: the recompute writes
 * only what moves.
 */
const RULE_CHANGES: readonly { id: string; reason: RecomputeReason }[] = [
  // A year the holiday data lacks keeps the days the holiday law fixes off (shared/calendar.ts statutoryDays).
  { id: 'deadlines.statutoryDays', reason: 'calendar' },
];

/** Recomputes for each rule change this database has not had; returns the ids it ran. */
export async function recomputeAfterRuleChanges(opts: RecomputeOptions): Promise<string[]> {
  const steps = RULE_CHANGES.map((change) => ({
    id: change.id,
    run: async () => {
      const report = await recomputeOpenDeadlines(opts, change.reason);
      if (report.changed) opts.logger.info({ change: change.id, ...report }, 'deadlines recomputed');
      return report.changed;
    },
  }));
  return Object.keys(await runOnce(opts.models, steps, opts.clock.now()));
}
