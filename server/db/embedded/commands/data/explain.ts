/**
 * explain: describes the plan the engine would use (IXSCAN with its index and bounds, or COLLSCAN) and, at
 * executionStats verbosity, runs the read part to report keys and documents examined. Writes are never
 * performed by explain.
 */
import type { Document } from 'bson';
import type { CommandContext, CommandHandler } from '../../contract.ts';
import { ErrorCodes, MongoError } from '../../errors.ts';
import { nativePrefix, validatePipeline } from '../../engine/aggregate.ts';
import type { Engine } from '../../engine/index.ts';
import { formatValue } from '../../engine/index-keys.ts';
import type { Interval } from '../../engine/bounds.ts';
import type { IndexPlan } from '../../engine/planner.ts';
import { runQuery, type QueryRun, type QuerySpec } from '../../engine/query.ts';
import { BracketBound, isPlainObject } from '../../engine/values.ts';
import { parseFind } from './read-commands.ts';
import { optionalDoc, optionalInt } from './shared.ts';
import { validateCollectionName } from '../../engine/catalog.ts';

function bound(v: unknown, low: boolean): string {
  if (v instanceof BracketBound) return low ? 'MinKey' : 'MaxKey';
  return formatValue(v);
}

function formatInterval(iv: Interval): string {
  return `[${bound(iv.lo, true)}, ${bound(iv.hi, false)}]`;
}

function ixscanStage(plan: IndexPlan): Document {
  const ix = plan.index;
  const indexBounds: Document = {};
  ix.fields.forEach((f, i) => (indexBounds[f.path] = plan.bounds[i].map(formatInterval)));
  return {
    stage: 'IXSCAN',
    keyPattern: ix.spec.key,
    indexName: ix.name,
    isMultiKey: ix.multikey,
    isUnique: ix.unique,
    isSparse: Boolean(ix.spec.sparse),
    isPartial: Boolean(ix.spec.partialFilterExpression),
    direction: plan.reverse ? 'backward' : 'forward',
    indexBounds,
  };
}

function planStage(run: QueryRun, spec: QuerySpec): Document {
  const plan = run.plan;
  const filter = spec.filter && Object.keys(spec.filter).length ? { filter: spec.filter } : {};
  let stage: Document;
  if (plan.kind === 'ixscan') stage = { stage: 'FETCH', ...filter, inputStage: ixscanStage(plan) };
  else if (plan.kind === 'or') stage = { stage: 'FETCH', ...filter, inputStage: { stage: 'OR', inputStages: plan.branches.map(ixscanStage) } };
  else stage = { stage: 'COLLSCAN', filter: spec.filter ?? {}, direction: plan.reverse ? 'backward' : 'forward' };
  if (run.blockingSort) stage = { stage: 'SORT', sortPattern: spec.sort, inputStage: stage };
  if (spec.skip) stage = { stage: 'SKIP', skipAmount: spec.skip, inputStage: stage };
  if (spec.limit) stage = { stage: 'LIMIT', limitAmount: spec.limit, inputStage: stage };
  if (spec.projection) stage = { stage: 'PROJECTION_DEFAULT', transformBy: spec.projection, inputStage: stage };
  return stage;
}

function explainQuery(ns: string, run: QueryRun, spec: QuerySpec, verbosity: string, execute: boolean): Document {
  const winningPlan = planStage(run, spec);
  const out: Document = {
    explainVersion: '1',
    queryPlanner: { namespace: ns, parsedQuery: spec.filter ?? {}, indexFilterSet: false, winningPlan, rejectedPlans: [] },
  };
  if (verbosity !== 'queryPlanner' && execute) {
    const started = Date.now();
    for (let r = run.hits.next(); !r.done; r = run.hits.next());
    out.executionStats = {
      executionSuccess: true,
      nReturned: run.stats.nReturned,
      executionTimeMillis: Date.now() - started,
      totalKeysExamined: run.stats.keysExamined,
      totalDocsExamined: run.stats.docsExamined,
      executionStages: winningPlan,
    };
  }
  return out;
}

export function explainAggregate(engine: Engine, db: string, coll: string | undefined, pipeline: Document[], verbosity: string): Document {
  const { spec, rest } = nativePrefix(pipeline);
  const ns = `${db}.${coll ?? '$cmd.aggregate'}`;
  const run = runQuery(coll === undefined ? undefined : engine.catalog.get(ns), spec);
  const out = explainQuery(ns, run, spec, verbosity, true);
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
      return explainAggregate(engine, ctx.db, coll, validatePipeline(inner.pipeline), verbosity);
    }
    const ns = validateCollectionName(ctx.db, inner[Object.keys(inner)[0]]);
    const { spec, execute } = innerSpec(inner, name);
    const run = runQuery(engine.catalog.get(ns), spec);
    return { ...explainQuery(ns, run, spec, verbosity, execute), command: inner };
  };
}
