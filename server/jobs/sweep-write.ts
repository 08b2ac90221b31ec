// The batch's issue write: one bulk of version-guarded updates, and which of them landed. A bulk result
// counts matches but does not say which statement matched, so the counts settle the common cases (all
// matched; none did) and the timeline settles the rest: an event carrying a claimed step's due instant is
// only ever written by that claim's holder, so finding it means the holder's write committed. The same rule
// decides what happened when the whole command failed (a lost connection): the write may or may not have
// landed, and only a read can tell.
//
// The bulk goes through the driver with stored types built as intake builds them (ids as ObjectIds, timeline
// events with the schema's defaults; test/jobs/sweep-stored-writes.test.ts holds the result equal to mongoose's
// cast), not through mongoose, whose cast of ten thousand updates cost the sweep about 2 s of its main thread
// at 1,000,000 issues. A batch with a draft that sets a field this cast does not cover (the deadlines or the rating, which
// have schemas of their own) goes through mongoose as before.
import { storedEvent, storedLifecycleFields } from '../commands/issue-intake.doc.ts';
import { eventFor, loadFiredIndex, writeErrorsOf } from './follow-up-claims.ts';
import type { Pass } from './sweep-batch.ts';
import { updateOf, type Draft } from './sweep-plan.ts';

/** Lifecycle fields with a schema of their own: only mongoose's cast stores them as the schema would. */
const CAST_BY_SCHEMA = new Set(['deadlines', 'rating']);

/** The draft's update in stored types, or null when it sets a field only mongoose's cast covers. */
export function storedUpdateOf(d: Draft) {
  const set = Object.entries(d.set).filter(([, v]) => v !== undefined);
  if (set.some(([k]) => CAST_BY_SCHEMA.has(k))) return null;
  const { filter, update } = updateOf(d);
  const stored: Record<string, unknown> = {
    ...update,
    $set: storedLifecycleFields(Object.fromEntries(set)),
  };
  if (d.events.length) stored.$push = { timeline: { $each: d.events.map(storedEvent) } };
  return { filter, update: stored };
}

export type WriteOutcome =
  /** Committed: its events are in the issue. */
  | { kind: 'written' }
  /** A concurrent write moved the version first: re-read and try again. */
  | { kind: 'lost' }
  /** Certainly not written (this statement failed): its claims can go back. */
  | { kind: 'failed'; err: unknown }
  /** The database failed and could not be asked afterwards: its claims stay for the repair pass. */
  | { kind: 'unknown'; err: unknown };

interface BulkCounts {
  matchedCount: number;
}

/** Statements mongoose refused to cast or the server refused to apply, by their index in the bulk. */
function statementErrors(x: unknown): Map<number, unknown> {
  const results = (x as { mongoose?: { results?: unknown[] } } | null)?.mongoose?.results;
  if (results) return new Map(results.flatMap((r, i) => (r ? [[i, r] as const] : [])));
  return new Map((writeErrorsOf(x) ?? []).map((e) => [e.index, e] as const));
}

/** The drafts whose events are in their issue now (a draft without events is never in it). */
async function landed(pass: Pass, drafts: readonly Draft[]): Promise<Set<Draft>> {
  const withEvents = drafts.filter((d) => d.applied.length > 0);
  const issues = await loadFiredIndex(
    pass.models,
    withEvents.map((d) => d.doc._id),
  );
  return new Set(
    withEvents.filter((d) => {
      const issue = issues.get(String(d.doc._id));
      return issue !== undefined && eventFor(issue.timeline, d.applied[0]);
    }),
  );
}

async function sortOut(
  pass: Pass,
  drafts: readonly Draft[],
  counts: BulkCounts,
  errors: Map<number, unknown>,
): Promise<WriteOutcome[]> {
  const tried = drafts.flatMap((d, i) => (errors.has(i) ? [] : [i]));
  const lost = tried.length - counts.matchedCount;
  pass.report.conflicts += lost;
  const outcomes: WriteOutcome[] = drafts.map((_, i) =>
    errors.has(i) ? { kind: 'failed', err: errors.get(i) } : { kind: lost ? 'lost' : 'written' },
  );
  if (lost === 0 || lost === tried.length) return outcomes;
  // Some matched, some did not. A write without events that did land is simply found settled on re-read.
  try {
    const found = await landed(
      pass,
      tried.map((i) => drafts[i]),
    );
    for (const i of tried) outcomes[i] = { kind: found.has(drafts[i]) ? 'written' : 'lost' };
  } catch (err) {
    for (const i of tried) outcomes[i] = { kind: 'unknown', err };
  }
  return outcomes;
}

/** The whole command failed: read which writes landed; if even that fails, nobody can say yet. */
async function afterFailure(pass: Pass, drafts: readonly Draft[], err: unknown): Promise<WriteOutcome[]> {
  try {
    const found = await landed(pass, drafts);
    return drafts.map((d) => (found.has(d) ? { kind: 'written' } : { kind: 'failed', err }));
  } catch {
    return drafts.map(() => ({ kind: 'unknown', err }));
  }
}

/** Writes every draft in one unordered bulk; one outcome per draft, in order. */
export async function writeDrafts(pass: Pass, drafts: readonly Draft[]): Promise<WriteOutcome[]> {
  if (!drafts.length) return [];
  const stored = drafts.map(storedUpdateOf);
  let counts: BulkCounts;
  let errors: Map<number, unknown>;
  try {
    const res = stored.every((u) => u !== null)
      ? await pass.models.Issue.collection.bulkWrite(
          stored.map((u) => ({ updateOne: u })),
          { ordered: false },
        )
      : await pass.models.Issue.bulkWrite(
          drafts.map((d) => ({ updateOne: updateOf(d) })),
          { ordered: false },
        );
    [counts, errors] = [res, statementErrors(res)];
  } catch (err) {
    const result = (err as { result?: BulkCounts } | null)?.result;
    if (!writeErrorsOf(err) || !result) return afterFailure(pass, drafts, err);
    [counts, errors] = [result, statementErrors(err)];
  }
  return sortOut(pass, drafts, counts, errors);
}
