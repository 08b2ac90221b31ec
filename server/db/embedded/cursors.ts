/**
 * Open cursors: the server-side half of find/aggregate/list* results that did not fit in the first batch.
 *
 * Data commands hand `open` an iterator; `getMore` pulls later batches from it, `kill` forgets it, and
 * `sweepIdle` (run by the server's maintenance tick, on the injected clock) drops cursors nobody asked for in
 * 10 minutes. Cursors are not tied to a connection: the driver may send a getMore on any pooled connection.
 *
 * A batch that fills up by count does not read ahead to learn whether more exists (like mongod): a document
 * read early could be deleted or changed before the next getMore, which would then return a stale copy. So a
 * result of exactly batchSize documents costs one extra, empty getMore. Only a document that did not fit under
 * the byte limit is held over, as mongod stashes it.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Long, type Document } from 'bson';
import type { CursorManager, CursorOpenOptions } from './contract.ts';
import type { RawDoc } from './raw-doc.ts';
import { ErrorCodes, MongoError } from './errors.ts';
import { encodedSize } from './wire/bson-codec.ts';
import { PAUSE, withDeadline, type Pause } from './engine/pause.ts';
import { SLOW_MS } from './command-shape.ts';
import { Limits } from './wire/constants.ts';

export const DEFAULT_FIRST_BATCH = 101;
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

export interface CursorRegistryOptions {
  now: () => Date;
  idleTimeoutMs?: number;
  /** A batch stops before the document that would take it past this many bytes (always at least one). */
  maxBatchBytes?: number;
  /**
   * A batch of at least `minTimedDocs` documents stops once it has taken `maxBatchMs` to fill (the database
   * thread serves one command at a time: a 16 MiB batch of a million-issue scan held every other request for
   * seconds). A smaller batch is an ordinary reply: the driver asks for the next one. A pausable cursor's batch
   * also stops, however small, when its scan is between matches past `maxBatchMs` (./engine/pause.ts). Never a
   * single batch.
   */
  maxBatchMs?: number;
  minTimedDocs?: number;
  /**
   * Told, when a cursor that outlived its first batch ends, if its batches took `slowMs` or more between them: a
   * long scan in short batches is slow work that no single command's time shows (the slow-command log's gap).
   */
  onSlow?: (cursor: SlowCursor) => void;
  slowMs?: number;
}

/** A cursor whose batches took long in all, as the slow-cursor log reports it. */
export interface SlowCursor {
  ns: string;
  /** What the opening command said of itself (e.g. a find's filter and sort fields), never values. */
  origin: Record<string, unknown> | undefined;
  /** Time spent filling its batches, in ms. */
  ms: number;
  batches: number;
  returned: number;
  ended: 'exhausted' | 'killed' | 'idle' | 'failed' | 'closed';
}

export const MAX_BATCH_MS = 50;
export const MIN_TIMED_DOCS = 1000;

/** What a cursor reads: documents, and for a pausable cursor PAUSE where its scan stopped between matches. */
export type CursorSource = Iterator<Document | RawDoc | Pause>;

interface OpenCursor {
  id: Long;
  ns: string;
  docs: CursorSource;
  /** Its scan may pause: the batch gets a deadline. */
  pausable: boolean;
  /** A document already pulled from `docs` that did not fit in the previous batch (the 16 MiB limit). */
  pending: Document | RawDoc | undefined;
  /** The iterator has reported done. */
  done: boolean;
  lastUsed: number;
  connectionId: number;
  origin: Record<string, unknown> | undefined;
  busyMs: number;
  batches: number;
  returned: number;
}

export interface KillResult {
  cursorsKilled: Long[];
  cursorsNotFound: Long[];
  cursorsAlive: Long[];
  cursorsUnknown: Long[];
}

export class CursorRegistry implements CursorManager {
  private readonly cursors = new Map<bigint, OpenCursor>();
  private readonly now: () => Date;
  private readonly idleTimeoutMs: number;
  private readonly maxBatchBytes: number;
  private readonly maxBatchMs: number;
  private readonly minTimedDocs: number;
  private readonly onSlow: ((cursor: SlowCursor) => void) | undefined;
  private readonly slowMs: number;

  constructor(options: CursorRegistryOptions) {
    this.now = options.now;
    this.idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    this.maxBatchBytes = options.maxBatchBytes ?? Limits.maxBsonObjectSize;
    this.maxBatchMs = options.maxBatchMs ?? MAX_BATCH_MS;
    this.minTimedDocs = options.minTimedDocs ?? MIN_TIMED_DOCS;
    this.onSlow = options.onSlow;
    this.slowMs = options.slowMs ?? SLOW_MS;
  }

  open(
    ns: string,
    docs: CursorSource,
    options: CursorOpenOptions,
  ): { id: Long; ns: string; firstBatch: (Document | RawDoc)[] } {
    const batchSize = checkBatchSize(options.batchSize) ?? DEFAULT_FIRST_BATCH;
    const cursor: OpenCursor = {
      id: Long.ZERO,
      ns,
      docs,
      pausable: Boolean(options.pausable) && !options.singleBatch,
      pending: undefined,
      done: false,
      lastUsed: this.now().getTime(),
      connectionId: options.connectionId,
      origin: options.origin,
      busyMs: 0,
      batches: 0,
      returned: 0,
    };
    const firstBatch = this.fill(cursor, batchSize, !options.singleBatch);
    if (options.singleBatch || cursor.done) {
      closeIterator(docs);
      return { id: Long.ZERO, ns, firstBatch };
    }
    cursor.id = this.newId();
    this.cursors.set(cursor.id.toBigInt(), cursor);
    return { id: cursor.id, ns, firstBatch };
  }

  /** The next batch of an open cursor; the id in the reply is 0 once the cursor is exhausted (and forgotten). */
  getMore(
    id: unknown,
    ns: string,
    batchSize?: number,
  ): { id: Long; ns: string; nextBatch: (Document | RawDoc)[] } {
    const key = toCursorKey(id);
    const cursor = key === undefined ? undefined : this.cursors.get(key);
    if (!cursor) throw cursorNotFound(id);
    if (cursor.ns !== ns) {
      throw new MongoError(
        ErrorCodes.Unauthorized,
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`,
      );
    }
    cursor.lastUsed = this.now().getTime();
    let nextBatch: (Document | RawDoc)[];
    try {
      nextBatch = this.fill(cursor, checkBatchSize(batchSize) || Number.POSITIVE_INFINITY, true);
    } catch (err) {
      this.forget(cursor, 'failed');
      throw err;
    }
    if (cursor.done) {
      this.forget(cursor, 'exhausted');
      return { id: Long.ZERO, ns, nextBatch };
    }
    return { id: cursor.id, ns, nextBatch };
  }

  /** killCursors: ids on another namespace count as not found, as in MongoDB. */
  kill(ids: unknown[], ns: string): KillResult {
    const result: KillResult = {
      cursorsKilled: [],
      cursorsNotFound: [],
      cursorsAlive: [],
      cursorsUnknown: [],
    };
    for (const id of ids) {
      const key = toCursorKey(id);
      const cursor = key === undefined ? undefined : this.cursors.get(key);
      const asLong = key === undefined ? Long.ZERO : Long.fromBigInt(key);
      if (cursor && cursor.ns === ns) {
        this.forget(cursor, 'killed');
        result.cursorsKilled.push(asLong);
      } else {
        result.cursorsNotFound.push(asLong);
      }
    }
    return result;
  }

  /** Drops cursors idle for longer than the timeout; returns how many were dropped. */
  sweepIdle(): number {
    const cutoff = this.now().getTime() - this.idleTimeoutMs;
    let dropped = 0;
    for (const cursor of [...this.cursors.values()]) {
      if (cursor.lastUsed < cutoff) {
        this.forget(cursor, 'idle');
        dropped++;
      }
    }
    return dropped;
  }

  get openCount(): number {
    return this.cursors.size;
  }

  /** Forgets every cursor, e.g. on shutdown. */
  clear(): void {
    for (const cursor of [...this.cursors.values()]) this.forget(cursor, 'closed');
  }

  /** The next batch: up to `limit` documents, the byte limit, and (when `timed`) the time budget. */
  private fill(cursor: OpenCursor, limit: number, timed: boolean): (Document | RawDoc)[] {
    // Durations, not times the logic reads: the monotonic timer.
    const started = performance.now();
    try {
      const batch =
        timed && cursor.pausable
          ? withDeadline(started + this.maxBatchMs, () => this.fillUntil(cursor, limit, timed))
          : this.fillUntil(cursor, limit, timed);
      cursor.returned += batch.length;
      return batch;
    } finally {
      cursor.busyMs += performance.now() - started;
      cursor.batches++;
    }
  }

  private fillUntil(cursor: OpenCursor, limit: number, timed: boolean): (Document | RawDoc)[] {
    const batch: (Document | RawDoc)[] = [];
    let bytes = 0;
    const started = timed && limit > this.minTimedDocs ? performance.now() : undefined;
    while (batch.length < limit) {
      if (
        started !== undefined &&
        batch.length >= this.minTimedDocs &&
        performance.now() - started >= this.maxBatchMs
      ) {
        return batch;
      }
      const doc = cursor.pending ?? this.pull(cursor);
      if (doc === undefined) break;
      if (doc === PAUSE) return batch;
      // The first document always goes in, so its size is only needed once a second one arrives: a
      // single-document result (findOne) never measures anything.
      if (batch.length === 1) bytes = entrySize(batch[0], 0);
      const size = batch.length > 0 ? entrySize(doc, batch.length) : 0;
      if (batch.length > 0 && bytes + size > this.maxBatchBytes) {
        cursor.pending = doc;
        return batch;
      }
      cursor.pending = undefined;
      batch.push(doc);
      bytes += size;
    }
    return batch;
  }

  private pull(cursor: OpenCursor): Document | RawDoc | Pause | undefined {
    if (cursor.done) return undefined;
    const next = cursor.docs.next();
    if (next.done) cursor.done = true;
    return next.done ? undefined : next.value;
  }

  private forget(cursor: OpenCursor, ended: SlowCursor['ended']): void {
    this.cursors.delete(cursor.id.toBigInt());
    closeIterator(cursor.docs);
    if (this.onSlow && cursor.busyMs >= this.slowMs) {
      const { ns, origin, batches, returned } = cursor;
      this.onSlow({ ns, origin, ms: Math.round(cursor.busyMs), batches, returned, ended });
    }
  }

  private newId(): Long {
    for (;;) {
      const raw = randomBytes(8).readBigInt64LE(0) & 0x7fffffffffffffffn;
      if (raw !== 0n && !this.cursors.has(raw)) return Long.fromBigInt(raw);
    }
  }
}

/**
 * What one document adds to the batch array: its BSON plus the element's type byte and its index as a name.
 * Counting the names keeps a batch of many small documents (and the reply around it) under the limit.
 */
function entrySize(doc: Document | RawDoc, index: number): number {
  return encodedSize(doc) + 2 + String(index).length;
}

function checkBatchSize(batchSize: number | undefined): number | undefined {
  if (batchSize === undefined) return undefined;
  if (!Number.isFinite(batchSize) || batchSize < 0) {
    throw new MongoError(
      ErrorCodes.BadValue,
      `BatchSize value must be non-negative, but received: ${batchSize}`,
    );
  }
  return Math.floor(batchSize);
}

function toCursorKey(id: unknown): bigint | undefined {
  if (Long.isLong(id)) return id.toBigInt();
  if (typeof id === 'bigint') return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return BigInt(id);
  return undefined;
}

function cursorNotFound(id: unknown): MongoError {
  return new MongoError(ErrorCodes.CursorNotFound, `cursor id ${String(id)} not found`);
}

function closeIterator(docs: CursorSource): void {
  try {
    docs.return?.();
  } catch {
    // A failing cleanup must not turn a successful reply into an error.
  }
}
