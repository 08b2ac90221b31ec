/**
 * explain: describes the plan the trial chose (IXSCAN with its index and bounds, SORT_MERGE, OR or COLLSCAN)
 * and the plans it rejected and, at executionStats verbosity, runs the read part to report keys and documents
 * examined (allPlansExecution adds what every candidate did in the trial). Writes are never
 * performed by explain.
 */
import type { Document } from 'bson';
import type { CommandContext, CommandHandler } from '../../contract.ts';
import { ErrorCodes, MongoError } from '../../errors.ts';
import { countingGroup, nativePrefix, validatePipeline } from '../../engine/aggregate.ts';
import type { Engine } from '../../engine/index.ts';
import { formatValue } from '../../engine/index-keys.ts';
import type { Interval } from '../../engine/bounds.ts';
import type { Candidate, IndexPlan, Plan } from '../../engine/planner.ts';
import { FIRST_BATCH, type Contestant } from '../../engine/trial.ts';
import { runQuery, type QueryRun, type QuerySpec } from '../../engine/query.ts';
import { BracketBound, isPlainObject, TypeOrder } from '../../engine/values.ts';
import { parseFind } from './read-commands.ts';
import { optionalDoc, optionalInt } from './shared.ts';
import { validateCollectionName } from '../../engine/catalog.ts';

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TypeOrder).map(([name, order]) => [order, name.toLowerCase()]),
);

/** A bound as MongoDB prints it; a type bracket reads as the first or last value of its type. */
function bound(v: unknown): string {
  if (!(v instanceof BracketBound)) return formatValue(v);
  if (v.order <= TypeOrder.MinKey && !v.high) return 'MinKey';
  if (v.order >= TypeOrder.MaxKey && v.high) return 'MaxKey';
  return `${v.high ? 'max' : 'min'} ${TYPE_NAMES[v.order] ?? v.order}`;
}

function formatInterval(iv: Interval): string {
  return `${iv.loExcl ? '(' : '['}${bound(iv.lo)}, ${bound(iv.hi)}${iv.hiExcl ? ')' : ']'}`;
}

const flipped = (iv: Interval): Interval => ({ lo: iv.hi, hi: iv.lo, loExcl: iv.hiExcl, hiExcl: iv.loExcl });

function ixscanStage(plan: IndexPlan): Document {
  const ix = plan.index;
  const indexBounds: Document = {};
  const multiKeyPaths: Document = {};
  ix.fields.forEach((f, i) => {
    // In the index's own order, as MongoDB prints them: a descending field runs from high to low.
    const ivs = f.dir > 0 ? plan.bounds[i] : [...plan.bounds[i]].reverse().map(flipped);
    indexBounds[f.path] = ivs.map(formatInterval);
    multiKeyPaths[f.path] = ix.multikeyFields[i] ? [f.path] : [];
  });
  return {
    stage: 'IXSCAN',
    keyPattern: ix.spec.key,
    indexName: ix.name,
    isMultiKey: ix.multikey,
    multiKeyPaths,
    isUnique: ix.unique,
    isSparse: Boolean(ix.spec.sparse),
    isPartial: Boolean(ix.spec.partialFilterExpression),
    direction: plan.reverse ? 'backward' : 'forward',
    indexBounds,
  };
}

function sortPattern(fields: { path: string; dir: number }[]): Document {
  return Object.fromEntries(fields.map((f) => [f.path, f.dir]));
}

/** The access part of a plan: FETCH over IXSCAN / OR / SORT_MERGE, or COLLSCAN. */
function accessStage(plan: Plan, spec: QuerySpec): Document {
  const filter = spec.filter && Object.keys(spec.filter).length ? { filter: spec.filter } : {};
  switch (plan.kind) {
    case 'ixscan':
      return { stage: 'FETCH', ...filter, inputStage: ixscanStage(plan) };
    case 'or':
      return { stage: 'FETCH', ...filter, inputStage: { stage: 'OR', inputStages: plan.branches.map(ixscanStage) } };
    case 'merge': {
      const inputStages = plan.children.map(ixscanStage);
      return { stage: 'FETCH', ...filter, inputStage: { stage: 'SORT_MERGE', sortPattern: sortPattern(plan.sort), inputStages } };
    }
    case 'collscan':
      return { stage: 'COLLSCAN', filter: spec.filter ?? {}, direction: plan.reverse ? 'backward' : 'forward' };
  }
}

function planStage(candidate: Candidate, spec: QuerySpec): Document {
  let stage = accessStage(candidate.plan, spec);
  if (candidate.blockingSort && spec.sort) stage = { stage: 'SORT', sortPattern: spec.sort, inputStage: stage };
  if (spec.skip) stage = { stage: 'SKIP', skipAmount: spec.skip, inputStage: stage };
  if (spec.limit) stage = { stage: 'LIMIT', limitAmount: spec.limit, inputStage: stage };
  if (spec.projection) stage = { stage: 'PROJECTION_DEFAULT', transformBy: spec.projection, inputStage: stage };
  return stage;
}

/** What one candidate did in the trial (allPlansExecution). */
function trialStats(r: { contestant: Contestant; score?: number }, spec: QuerySpec, target: number): Document {
  const c = r.contestant;
  return {
    nReturned: c.advanced(target),
    executionTimeMillisEstimate: 0,
    totalKeysExamined: c.stats.keysExamined,
    totalDocsExamined: c.stats.docsExamined,
    ...(r.score === undefined ? {} : { score: r.score }),
    executionStages: planStage(c.candidate, spec),
  };
}

/**
 * A count's plan as MongoDB prints it: COUNT over COUNT_SCAN when the index keys answer it alone
 * (`QueryRun.countsKeys`), else over the plan that reads documents.
 */
function countStage(run: QueryRun, spec: QuerySpec): Document {
  const plan = run.choice.candidate.plan;
  if (run.countsKeys && plan.kind === 'ixscan') {
    const { indexBounds, ...scan } = ixscanStage(plan);
    return { stage: 'COUNT', inputStage: { ...scan, stage: 'COUNT_SCAN', indexBounds } };
  }
  return { stage: 'COUNT', inputStage: planStage(run.choice.candidate, spec) };
}

function explainQuery(ns: string, run: QueryRun, spec: QuerySpec, verbosity: string, execute: boolean, counting = false): Document {
  const choice = run.choice;
  const winningPlan = counting ? countStage(run, spec) : planStage(choice.candidate, spec);
  const rejectedPlans = choice.rejected.map((r) => planStage(r.contestant.candidate, spec));
  const target = (spec.skip ?? 0) + Math.min(spec.limit || FIRST_BATCH, FIRST_BATCH);
  // Taken before the winner runs on, so every plan is reported as it stood when the trial ended.
  const allPlans = choice.contestant
    ? [trialStats({ contestant: choice.contestant, score: choice.score }, spec, target), ...choice.rejected.map((r) => trialStats(r, spec, target))]
    : [];
  const out: Document = {
    explainVersion: '1',
    queryPlanner: { namespace: ns, parsedQuery: spec.filter ?? {}, indexFilterSet: false, winningPlan, rejectedPlans },
  };
  if (verbosity !== 'queryPlanner' && execute) {
    const started = Date.now();
    if (counting) run.count();
    else for (let r = run.hits.next(); !r.done; r = run.hits.next());
    out.executionStats = {
      executionSuccess: true,
      nReturned: run.stats.nReturned,
      executionTimeMillis: Date.now() - started,
      totalKeysExamined: run.stats.keysExamined,
      totalDocsExamined: run.stats.docsExamined,
      executionStages: winningPlan,
      ...(verbosity === 'allPlansExecution' ? { allPlansExecution: allPlans } : {}),
    };
  }
  return out;
}

export function explainAggregate(engine: Engine, db: string, coll: string | undefined, pipeline: Document[], verbosity: string, hint?: unknown): Document {
  const { spec, rest } = nativePrefix(pipeline, hint);
  const ns = `${db}.${coll ?? '$cmd.aggregate'}`;
  const counting = rest.length === 1 && countingGroup(rest[0]) !== undefined;
  const options = counting ? { explain: true, reads: [], bytes: false, count: true } : { explain: true };
  const run = runQuery(coll === undefined ? undefined : engine.catalog.get(ns), spec, options);
  const out = explainQuery(ns, run, spec, verbosity, true, counting);
  // mongod reports a partly pushed-down pipeline as a $cursor stage followed by the remaining stages.
  if (rest.length) {
    const cursor: Document = { queryPlanner: out.queryPlanner };
    if (out.executionStats) cursor.executionStats = out.executionStats;
    out.stages = [{ $cursor: cursor }, ...rest];
  }
  return out;
}

function innerSpec(inner: Document, name: string): { spec: QuerySpec; execute: boolean } {
  switch (name) {
    case 'find':
      return { spec: parseFind(inner).spec, execute: true };
    case 'count':
      return { spec: { filter: optionalDoc(inner.query, 'query'), hint: inner.hint }, execute: true };
    case 'distinct':
      return { spec: { filter: optionalDoc(inner.query, 'query') }, execute: true };
    case 'update': {
      const u = Array.isArray(inner.updates) ? inner.updates[0] : undefined;
      return { spec: { filter: optionalDoc(u?.q, 'q'), limit: u?.multi ? 0 : 1, hint: u?.hint }, execute: true };
    }
    case 'delete': {
      const d = Array.isArray(inner.deletes) ? inner.deletes[0] : undefined;
      return { spec: { filter: optionalDoc(d?.q, 'q'), limit: optionalInt(d?.limit, 'limit') ?? 0, hint: d?.hint }, execute: true };
    }
    case 'findandmodify':
      return { spec: { filter: optionalDoc(inner.query, 'query'), sort: optionalDoc(inner.sort, 'sort'), limit: 1 }, execute: true };
  }
  throw new MongoError(ErrorCodes.CommandNotSupported, `explain is not supported for the ${name} command`);
}

export function explainCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const inner = cmd.explain;
    if (!isPlainObject(inner)) throw new MongoError(ErrorCodes.TypeMismatch, 'explain command requires a nested object');
    const name = Object.keys(inner)[0]?.toLowerCase();
    const verbosity = typeof cmd.verbosity === 'string' ? cmd.verbosity : 'allPlansExecution';
    if (name === 'aggregate') {
      const coll = typeof inner.aggregate === 'string' ? inner.aggregate : undefined;
      return explainAggregate(engine, ctx.db, coll, validatePipeline(inner.pipeline, true), verbosity, inner.hint);
    }
    const ns = validateCollectionName(ctx.db, inner[Object.keys(inner)[0]]);
    const { spec, execute } = innerSpec(inner, name);
    const run = runQuery(engine.catalog.get(ns), spec, { explain: true, count: name === 'count' });
    return { ...explainQuery(ns, run, spec, verbosity, execute, name === 'count'), command: inner };
  };
}
