/**
 * Aggregation. A leading `$match` / `$sort` / `$skip` / `$limit` runs natively (so it can use an index and
 * keeps every BSON type exact); the rest runs in mingo on the numeric view (see view.ts). Stages that would
 * write ($out, $merge) or that are not implemented are refused with an error, never ignored.
 */
import type { Document } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import { Context } from 'mingo/core';
import { Lazy } from 'mingo/lazy';
import * as mingoPipeOps from 'mingo/operators/pipeline';
import { ErrorCodes, MongoError, notSupported } from '../errors.ts';
import { decodeDoc } from './bson-raw.ts';
import type { Catalog } from './catalog.ts';
import { asMongoError, compileFilter, mingoContext } from './matcher.ts';
import { RawDoc } from '../raw-doc.ts';
import { collect, runQuery, type QueryRun, type QuerySpec } from './query.ts';
import { checkStageSpec } from './stage-spec.ts';
import { fullDoc } from './scan.ts';
import { parseSort, sortDocs } from './sort.ts';
import { isPlainObject, toJsNumber } from './values.ts';
import { fromView, referencedFields, toView } from './view.ts';

const REFUSED = new Set([
  '$out',
  '$merge',
  '$geoNear',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$changeStream',
  '$currentOp',
  '$listSessions',
  '$collStats',
  '$indexStats',
  '$planCacheStats',
  '$listLocalSessions',
]);

function stageName(stage: unknown): string {
  if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
    throw new MongoError(40323, 'A pipeline stage specification object must contain exactly one field.');
  }
  return Object.keys(stage)[0];
}

/**
 * Validates every stage, including pipelines nested in $facet, $lookup and $unionWith. A `native` pipeline
 * (the command's own, run by runAggregate or explained) leaves its leading `$match` to the query, which
 * compiles it before reading anything, so the filter is not compiled twice (5 % of the database thread under
 * the workbench's counts).
 */
export function validatePipeline(pipeline: unknown, native = false): Document[] {
  if (!Array.isArray(pipeline))
    throw new MongoError(ErrorCodes.TypeMismatch, "'pipeline' option must be specified as an array");
  for (const [i, stage] of pipeline.entries()) {
    const name = stageName(stage);
    if (REFUSED.has(name)) throw notSupported(`The ${name} aggregation stage`);
    if (!(name in mingoPipeOps)) throw new MongoError(40324, `Unrecognized pipeline stage name: '${name}'`);
    const arg = stage[name];
    // Compiling validates the filter and refuses $text/$where/geo with NotImplemented, wherever the stage is.
    if (name === '$match' && isPlainObject(arg) && !(native && i === 0)) compileFilter(arg);
    checkStageSpec(name, arg);
    if (name === '$facet' && isPlainObject(arg)) for (const sub of Object.values(arg)) validatePipeline(sub);
    if ((name === '$lookup' || name === '$unionWith') && isPlainObject(arg) && arg.pipeline)
      validatePipeline(arg.pipeline);
  }
  return pipeline as Document[];
}

/** Splits off the leading stages the native query engine can run; the command's `hint` applies to them. */
export function nativePrefix(pipeline: Document[], hint?: unknown): { spec: QuerySpec; rest: Document[] } {
  const spec: QuerySpec = hint === undefined ? {} : { hint };
  let i = 0;
  const at = (name: string) => i < pipeline.length && stageName(pipeline[i]) === name;
  if (at('$match')) spec.filter = pipeline[i++].$match;
  if (at('$sort')) spec.sort = pipeline[i++].$sort;
  if (at('$skip')) spec.skip = toJsNumber(pipeline[i++].$skip);
  if (at('$limit')) spec.limit = toJsNumber(pipeline[i++].$limit);
  return { spec, rest: pipeline.slice(i) };
}

const sortStage = (coll: any, expr: unknown) => Lazy(sortDocs(coll.collect(), parseSort(expr).fields));

/** The mingo context for pipelines: BSON-aware $sort on top of the shared context. */
const pipelineContext = Context.from(Context.init({ pipeline: { $sort: sortStage } as any }), mingoContext);

/**
 * When the first in-memory stage is `$group` or `$count`, nothing after it sees the input documents, so the
 * scan need only decode the fields that stage computes with (none for a count); undefined means everything.
 */
function groupReads(stage: Document): Set<string> | undefined {
  if ('$count' in stage) return new Set();
  if (!('$group' in stage)) return undefined;
  return referencedFields(stage.$group) ?? undefined;
}

function* mapIterator<T, U>(it: Iterator<T>, f: (t: T) => U): Generator<U> {
  for (let r = it.next(); !r.done; r = it.next()) yield f(r.value);
}

/**
 * A `$group` that only counts its input under one constant key, `{_id: <constant>, <name>: {$sum: <number>}}`
 * (what the driver's countDocuments sends): the count is all it needs, so the input is neither collected nor
 * handed to mingo. Undefined for any other stage.
 */
export function countingGroup(stage: Document): { id: unknown; name: string; each: number } | undefined {
  const group = stage.$group;
  if (!isPlainObject(group) || Object.keys(group).length !== 2 || !('_id' in group)) return undefined;
  const id = group._id;
  const constant =
    id === null ||
    typeof id === 'boolean' ||
    typeof id === 'number' ||
    (typeof id === 'string' && !id.startsWith('$'));
  if (!constant) return undefined;
  const name = Object.keys(group).find((k) => k !== '_id')!;
  const acc = group[name];
  if (!isPlainObject(acc) || Object.keys(acc).length !== 1 || typeof acc.$sum !== 'number') return undefined;
  return { id, name, each: acc.$sum };
}

export interface AggregateRun {
  docs: Iterator<Document | RawDoc>;
  prefix: QueryRun;
  rest: Document[];
}

/** Runs a validated pipeline over `ns`; `$lookup`/`$unionWith` read collections of the same database. */
export function runAggregate(
  catalog: Catalog,
  db: string,
  coll: string | undefined,
  pipeline: Document[],
  variables: Document = {},
  hint?: unknown,
): AggregateRun {
  const { spec, rest } = nativePrefix(pipeline, hint);
  const target = coll === undefined ? undefined : catalog.get(`${db}.${coll}`);
  if (rest.length === 0) {
    const prefix = runQuery(target, spec);
    return { docs: mapIterator(prefix.hits, (hit) => prefix.present(hit)), prefix, rest };
  }
  const counting = rest.length === 1 ? countingGroup(rest[0]) : undefined;
  if (counting) {
    const prefix = runQuery(target, spec, { reads: [], bytes: false, count: true });
    const n = prefix.count();
    const out = n ? [fromView({ _id: counting.id, [counting.name]: n * counting.each }) as Document] : [];
    return { docs: out[Symbol.iterator](), prefix, rest };
  }
  const refs = referencedFields(rest);
  const reads = groupReads(rest[0]);
  const prefix = runQuery(target, spec, reads ? { reads, bytes: false } : { reads: 'all' });
  const input = collect(prefix.hits).map((hit) => toView(reads ? hit.doc : fullDoc(hit), refs));
  const resolver = (name: string) => {
    const c = catalog.get(`${db}.${name}`);
    return c ? Array.from(c.docs.entries(), ([, bytes]) => toView(decodeDoc(bytes), refs)) : [];
  };
  let out: Document[];
  try {
    const agg = new Aggregator(rest, {
      context: pipelineContext,
      collectionResolver: resolver,
      variables: toView(variables),
    } as any);
    out = agg.run(input) as Document[];
  } catch (e) {
    throw asMongoError(e);
  }
  return { docs: out.map((d) => fromView(d) as Document)[Symbol.iterator](), prefix, rest };
}
