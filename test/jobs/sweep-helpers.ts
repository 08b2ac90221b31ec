// Helpers for the escalation-sweep tests: an issue app seeded without demo issues (each test makes its own),
// China-time instants, one sweep pass on the suite's simulated clock, and timeline counts per action.
import { pino } from 'pino';
import { createWorkCalendar } from '../../shared/calendar.ts';
import { DEFAULT_TIME_LIMIT_POLICY } from '../../config/time-limits.ts';
import { runEscalationSweep, type EscalationSweepOptions } from '../../server/jobs/escalation-sweep.job.ts';
import type { IssueDoc, Models } from '../../server/models/index.ts';
import { handlerOf, must, postIssue, unitByCode, type IssueTestApp } from '../api/issues/fixtures.ts';

export const silent = pino({ level: 'silent' });
export const calendar = createWorkCalendar();
export const policy = DEFAULT_TIME_LIMIT_POLICY;

/** An instant given in China time, e.g. china('2026-02-13 09:00'). */
export function china(local: string): Date {
  return new Date(`${local.replace(' ', 'T')}:00+08:00`);
}

export function minuteAfter(d: Date | string): Date {
  return new Date(new Date(d).getTime() + 60_000);
}

/**
 * One pass at the suite clock's now. The suite clock also stands for the database's clock here (leases), so
 * tests can let a lease run out; test/jobs/sweep-clock-skew.test.ts runs on the real database time.
 */
export function sweep(t: IssueTestApp, extra: Partial<EscalationSweepOptions> = {}) {
  const leaseClock = async () => t.clock.now();
  return runEscalationSweep({
    models: t.models,
    clock: t.clock,
    calendar,
    policy,
    logger: silent,
    leaseClock,
    ...extra,
  });
}

export async function stored(t: IssueTestApp, id: string): Promise<IssueDoc> {
  const doc = await t.models.Issue.findById(id).lean<IssueDoc>();
  if (!doc) throw new Error(`issue ${id} vanished`);
  return doc;
}

/** How many timeline events of each action the issue has. */
export async function actionCounts(t: IssueTestApp, id: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of (await stored(t, id)).timeline) counts[e.action] = (counts[e.action] ?? 0) + 1;
  return counts;
}

const SWEEP_ACTIONS = new Set(['urge', 'supervise', 'escalate', 'bulletin', 'request_callback']);

/** The follow-ups the system appended to the timeline, in order (intake's auto-dispatch aside). */
export async function systemActions(t: IssueTestApp, id: string): Promise<string[]> {
  return (await stored(t, id)).timeline
    .filter((e) => e.actorRole === 'system' && SWEEP_ACTIONS.has(e.action))
    .map((e) => e.action);
}

export const firedFor = (report: { fired: { issueId: string; step: string }[] }, id: string) =>
  report.fired.filter((f) => f.issueId === id).map((f) => f.step);

/**
 * An issue in progress at the clock's now: created (auto-dispatched or dispatched to city-drc), then signed
 * by a handler of its lead unit. Returns the id and the lead unit's code.
 */
export async function inProgress(t: IssueTestApp, content = '企业反映补贴迟迟未兑现，影响扩产。') {
  const res = await postIssue(t, 'dispatcher', { category: 'policy', urgency: 'normal', content });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.id as string;
  let unitId = res.body.unitId as string | null;
  if (res.body.state === 'received') {
    unitId = String(unitByCode(t, 'city-drc')._id);
    await must(t, 'dispatcher', id, 'dispatch', { unitId });
  }
  const code = t.data.units.find((u) => String(u._id) === unitId)?.code;
  if (!code) throw new Error(`issue ${id} has no known lead unit`);
  await must(t, handlerOf(code), id, 'sign');
  return { id, code };
}

/**
 * The models as a process that dies at one call sees them: that call runs to completion first (`after`) or
 * never reaches the database, then throws, and every later call throws too, as nothing runs in a dead
 * process. What the database holds afterwards is what a real crash at that point would leave.
 */
export function crashAt(
  models: Models,
  model: keyof Models,
  method: string,
  when: 'before' | 'after',
): Models {
  let dead = false;
  const die = () => {
    dead = true;
    throw new Error(`simulated crash at ${model}.${method}`);
  };
  // A model's driver collection counts as the model: the sweep writes issues through it.
  const wrap = (name: string, target: object): object =>
    new Proxy(target, {
      get(obj, prop) {
        const value: unknown = Reflect.get(obj, prop);
        if (prop === 'collection' && typeof value === 'object' && value) return wrap(name, value);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (dead) throw new Error('the process is gone');
          if (name !== model || prop !== method) return value.apply(obj, args);
          if (when === 'before') return die();
          return Promise.resolve(value.apply(obj, args)).then(die, die);
        };
      },
    });
  return Object.fromEntries(Object.entries(models).map(([k, m]) => [k, wrap(k, m)])) as Models;
}

/**
 * Runs each issue's action once, just before the sweep's bulk of version-checked writes that includes that
 * issue (a person acting between the sweep's read and its write). Returns the restore function.
 */
export function beforeSweepWrites(
  t: IssueTestApp,
  actions: Record<string, () => Promise<unknown>>,
): () => void {
  type BulkWriter = { bulkWrite: (ops: any[], ...rest: unknown[]) => Promise<unknown> };
  // The sweep writes through the driver collection, or through the model when mongoose must cast the batch.
  const writers = [t.models.Issue, t.models.Issue.collection] as unknown as BulkWriter[];
  const originals = writers.map((w) => w.bulkWrite);
  const pending = new Map(Object.entries(actions));
  writers.forEach((writer, i) => {
    writer.bulkWrite = async function (ops: any[], ...rest: unknown[]) {
      const due = ops
        .map((op) => op.updateOne?.filter)
        .filter((f) => f && 'version' in f && pending.has(String(f._id)))
        .map((f) => String(f._id));
      for (const id of due) {
        const act = pending.get(id)!;
        pending.delete(id);
        await act();
      }
      return originals[i].call(writer, ops, ...rest);
    };
  });
  return () => {
    writers.forEach((writer, i) => (writer.bulkWrite = originals[i]));
  };
}
