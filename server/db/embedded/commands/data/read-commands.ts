/**
 * find, count, distinct and aggregate. Cursor-returning commands hand a lazy iterator to the cursor manager,
 * which batches it; the iterator stays valid if the collection changes between getMore calls.
 */
import type { Document } from 'bson';
import type { CommandContext, CommandHandler } from '../../contract.ts';
import { ErrorCodes, MongoError, notSupported } from '../../errors.ts';
import { runAggregate, validatePipeline } from '../../engine/aggregate.ts';
import { valueKey, compareValues } from '../../engine/compare.ts';
import type { Engine } from '../../engine/index.ts';
import { expandedValues } from '../../engine/paths.ts';
import { topLevelOf } from '../../engine/bson-raw.ts';
import { nonNegative, runQuery, type QuerySpec } from '../../engine/query.ts';
import { PAUSE } from '../../engine/pause.ts';
import { commandShape } from '../../command-shape.ts';
import { explainAggregate } from './explain.ts';
import { flag } from '../../engine/values.ts';
import { batchSizeOf, collName, optionalDoc, optionalInt, refuseCollation, targetNs } from './shared.ts';

const UNSUPPORTED_FIND_OPTIONS = ['min', 'max', 'returnKey', 'showRecordId', 'tailable', 'awaitData', 'oplogReplay', 'noCursorTimeout', 'allowPartialResults'];

/**
 * The generic arguments every command may carry (sessions, transactions, API version, read preference, time
 * limits, concerns; every `$`-prefixed one is generic too).
 */
const GENERIC_FIELDS = [
  'lsid', 'txnNumber', 'txnRetryCounter', 'autocommit', 'startTransaction', 'coordinator', 'readPreference',
  'apiVersion', 'apiStrict', 'apiDeprecationErrors', 'maxTimeMS', 'maxTimeMSOpOnly', 'usesDefaultMaxTimeMS',
  'readConcern', 'writeConcern', 'comment', 'clientOperationKey', 'mayBypassWriteBlocking', 'databaseVersion',
  'shardVersion', 'tracking_info',
];

/**
 * A check that a read command names only fields MongoDB knows for it: any other is refused as MongoDB's parser
 * refuses it (40415), so a misspelt `filter` or `query` fails instead of matching every document.
 */
function knownFields(request: string, own: readonly string[]): (cmd: Document) => void {
  const known = new Set([...own, ...GENERIC_FIELDS]);
  return (cmd) => {
    for (const field of Object.keys(cmd))
      if (!field.startsWith('$') && !known.has(field))
        throw new MongoError(40415, `BSON field '${request}.${field}' is an unknown field.`);
  };
}

const checkFind = knownFields('FindCommandRequest', [
  'find', 'filter', 'projection', 'sort', 'hint', 'skip', 'limit', 'batchSize', 'singleBatch', 'max', 'min',
  'returnKey', 'showRecordId', 'tailable', 'oplogReplay', 'noCursorTimeout', 'awaitData', 'allowPartialResults',
  'collation', 'allowDiskUse', 'let', 'readOnce', 'allowSpeculativeMajorityRead', 'term', 'encryptionInformation',
  'isTimeseriesNamespace', 'includeQueryStatsMetrics', 'querySettings',
]);
const checkCount = knownFields('count', [
  'count', 'query', 'limit', 'skip', 'hint', 'collation', 'fields', 'encryptionInformation', 'querySettings',
]);
const checkDistinct = knownFields('distinct', [
  'distinct', 'key', 'query', 'collation', 'hint', 'encryptionInformation', 'querySettings',
]);
const checkAggregate = knownFields('aggregate', [
  'aggregate', 'pipeline', 'explain', 'allowDiskUse', 'cursor', 'bypassDocumentValidation', 'collation', 'hint',
  'let', 'needsMerge', 'fromMongos', 'fromRouter', 'exchange', 'isMapReduceCommand', 'collectionUUID',
  'encryptionInformation', 'includeQueryStatsMetrics', 'querySettings', 'isClusterQueryWithoutShardKeyCmd',
  'passthroughToShard',
]);

/** Parses a find command into a query spec plus cursor options. */
export function parseFind(cmd: Document): { spec: QuerySpec; batchSize?: number; singleBatch: boolean } {
  checkFind(cmd);
  for (const opt of UNSUPPORTED_FIND_OPTIONS) if (cmd[opt]) throw notSupported(`The find option "${opt}"`);
  refuseCollation(cmd.collation);
  let limit = optionalInt(cmd.limit, 'limit') ?? 0;
  let singleBatch = flag(cmd.singleBatch);
  if (limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const spec: QuerySpec = {
    filter: optionalDoc(cmd.filter, 'filter'),
    sort: optionalDoc(cmd.sort, 'sort'),
    projection: optionalDoc(cmd.projection, 'projection'),
    skip: nonNegative(cmd.skip, 'skip'),
    limit,
    hint: cmd.hint,
  };
  return { spec, batchSize: batchSizeOf(cmd.batchSize), singleBatch };
}

export function findCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    const ns = targetNs(cmd, ctx);
    const { spec, batchSize, singleBatch } = parseFind(cmd);
    const run = runQuery(engine.catalog.get(ns), spec, { presentOnly: true });
    const size = singleBatch && batchSize === undefined && spec.limit ? spec.limit : batchSize;
    const docs = mapIterator(run.pausable, (hit) => (hit === PAUSE ? PAUSE : run.present(hit)));
    return { cursor: ctx.cursors.open(ns, docs, { batchSize: size, singleBatch, pausable: true, connectionId: ctx.connectionId, origin: commandShape(cmd, 'find') }) };
  };
}

export function countCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    checkCount(cmd);
    const ns = targetNs(cmd, ctx);
    refuseCollation(cmd.collation);
    const coll = engine.catalog.get(ns);
    const query = optionalDoc(cmd.query, 'query') ?? {};
    const skip = nonNegative(cmd.skip, 'skip');
    const limit = Math.abs(optionalInt(cmd.limit, 'limit') ?? 0);
    if (!coll) return { n: 0 };
    let n: number;
    if (Object.keys(query).length === 0 && cmd.hint === undefined) n = Math.max(0, coll.size - skip);
    else {
      n = runQuery(coll, { filter: query, skip, hint: cmd.hint }, { bytes: false, count: true }).count();
    }
    return { n: limit > 0 ? Math.min(n, limit) : n };
  };
}

export function distinctCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    checkDistinct(cmd);
    const ns = targetNs(cmd, ctx);
    refuseCollation(cmd.collation);
    if (typeof cmd.key !== 'string' || cmd.key === '') throw new MongoError(ErrorCodes.TypeMismatch, "BSON field 'distinct.key' is missing or not a string");
    const key = cmd.key;
    const reads = { reads: topLevelOf([key]), bytes: false };
    const it = runQuery(engine.catalog.get(ns), { filter: optionalDoc(cmd.query, 'query'), hint: cmd.hint }, reads).hits;
    const seen = new Map<string, unknown>();
    for (let r = it.next(); !r.done; r = it.next()) {
      for (const v of expandedValues(r.value.doc, key)) {
        if (v === undefined || Array.isArray(v)) continue;
        const k = valueKey(v);
        if (!seen.has(k)) seen.set(k, v);
      }
    }
    return { values: [...seen.values()].sort(compareValues) };
  };
}

export function aggregateCommand(engine: Engine): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => {
    checkAggregate(cmd);
    const target = cmd.aggregate;
    const collection = typeof target === 'string' ? collName(cmd) : undefined;
    if (collection === undefined && target !== 1 && Number(target) !== 1) {
      throw new MongoError(ErrorCodes.TypeMismatch, "Invalid aggregate namespace: 'aggregate' must be a collection name or 1");
    }
    const ns = collection === undefined ? `${ctx.db}.$cmd.aggregate` : targetNs(cmd, ctx);
    refuseCollation(cmd.collation);
    const pipeline = validatePipeline(cmd.pipeline, true);
    if (flag(cmd.explain)) return explainAggregate(engine, ctx.db, collection, pipeline, 'queryPlanner', cmd.hint);
    if (cmd.cursor === undefined) throw new MongoError(ErrorCodes.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
    const run = runAggregate(engine.catalog, ctx.db, collection, pipeline, optionalDoc(cmd.let, 'let') ?? {}, cmd.hint);
    const batchSize = batchSizeOf(optionalDoc(cmd.cursor, 'cursor')?.batchSize);
    return { cursor: ctx.cursors.open(ns, run.docs, { batchSize, connectionId: ctx.connectionId, origin: commandShape(cmd, 'aggregate') }) };
  };
}

function* mapIterator<T, U>(it: Iterator<T>, f: (t: T) => U): Generator<U> {
  for (let r = it.next(); !r.done; r = it.next()) yield f(r.value);
}
