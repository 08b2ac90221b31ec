/**
 * The seams inside the embedded MongoDB-compatible server.
 *
 * Three parts meet here and nowhere else:
 *  - wire/      speaks the protocol, owns connections, cursors and the admin commands;
 *  - engine/ + commands/  owns databases, collections, indexes, and the data commands;
 *  - storage/   makes committed changes durable (journal + snapshots) and replays them on start.
 *
 * The `Change` log is the single ordered record of committed writes. Replay applies post-images, so it is
 * idempotent; later features (change streams, replication) can read the same log.
 */
import type { Document } from 'bson';
import type { RawDoc } from './raw-doc.ts';
import type { Pause } from './engine/pause.ts';

/**
 * One committed change. `doc` is always the full post-image of the document: its BSON bytes, or for an insert
 * the engine's stored copy (packed, engine/doc-pack.ts: see `storedDocLength`), which only the engine unpacks.
 * A copy packed against a dictionary comes after the `packDictionary` change that carries it (in the journal
 * or the snapshot the journal follows).
 */
export type Change =
  | { op: 'insert'; ns: string; doc: Uint8Array }
  | PackDictionaryEntry
  | { op: 'replace'; ns: string; doc: Uint8Array }
  | { op: 'delete'; ns: string; id: unknown }
  | { op: 'createCollection'; ns: string; options: Document }
  | { op: 'dropCollection'; ns: string }
  | { op: 'dropDatabase'; db: string }
  | { op: 'renameCollection'; from: string; to: string; dropTarget: boolean }
  | { op: 'createIndex'; ns: string; spec: Document }
  | { op: 'dropIndex'; ns: string; name: string };

/**
 * Derived data a snapshot carries after its documents (never journaled): one slice of an index's entries in
 * ascending order, packed by `engine/index-section.ts`, and the multikey flags the index had when it was read.
 * Recovery loads these instead of rebuilding and sorting every key; it may drop them and rebuild.
 */
export interface IndexKeysEntry {
  op: 'indexKeys';
  ns: string;
  name: string;
  multikey: boolean;
  multikeyFields: boolean[];
  keys: Uint8Array;
}

/**
 * A packing dictionary (engine/doc-pack.ts) that `ns` packs its new copies against: journaled when the
 * collection makes it, and saved by a snapshot before the stored copies packed against it.
 */
export interface PackDictionaryEntry {
  op: 'packDictionary';
  ns: string;
  id: number;
  bytes: Uint8Array;
}

/**
 * What a checkpoint writes: the changes that rebuild the documents, then the index sections. The documents of
 * a snapshot's inserts are the engine's stored copies: BSON, or packed (see `storedDocLength`), which only the
 * engine unpacks; storage/ writes and reads them as opaque bytes.
 */
export type SnapshotEntry = Change | PackDictionaryEntry | IndexKeysEntry;

/**
 * The length of the stored document copy at `at`: a BSON document (its first u32 is its length, below 2^30)
 * or a packed one (engine/doc-pack.ts: the first u32 is its own length with the high bit set, and the next
 * bit set when it was packed against a dictionary).
 */
export function storedDocLength(buf: Uint8Array, at = 0): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) & 0x3fffffff;
}

/** Whether the stored document copy at `at` is packed rather than BSON. */
export function isPackedDoc(buf: Uint8Array, at = 0): boolean {
  return (buf[at + 3] & 0x80) !== 0;
}

/** Whether the stored document copy at `at` was packed against a dictionary (engine/doc-pack.ts). */
export function packedWithDict(buf: Uint8Array, at = 0): boolean {
  return (buf[at + 3] & 0xc0) === 0xc0;
}

/**
 * What recovery replays: snapshot entries and journal changes in order, or `discardIndexKeys` when the
 * snapshot's index section turned out damaged or incomplete (every index is then rebuilt from documents).
 */
export type RecoveredEntry = SnapshotEntry | { op: 'discardIndexKeys' };

/** Durability. The in-memory implementation does nothing; the disk one journals and snapshots. */
export interface Persistence {
  /** Loads the last snapshot, then replays the journal after it, calling `apply` in commit order. */
  recover(apply: (entry: RecoveredEntry) => void): Promise<void>;
  /**
   * Records one command's changes. MUST enqueue synchronously (journal order = call order) and resolve only
   * once the records are fsync'd; concurrent callers share one fsync (group commit). Rejects if the disk fails.
   */
  commit(changes: Change[]): Promise<void>;
  /**
   * Writes a compacted snapshot of the state `dump` yields, then discards the journal it covers. The snapshot
   * may be fuzzy (writes continue meanwhile): recovery replays every journal record from the checkpoint start.
   */
  checkpoint(dump: () => Iterable<SnapshotEntry>): Promise<void>;
  /** True when enough journal has accumulated that a checkpoint is worth it. */
  wantsCheckpoint(): boolean;
  close(): Promise<void>;
}

/** What storage/ and wire/ need from the engine. The engine itself is engine/'s business. */
export interface EngineHandle {
  /** Applies a replayed entry during recovery. Skips unique checks: a fuzzy snapshot may be mid-flight. */
  applyRecovered(entry: RecoveredEntry): void;
  /** Called once after recovery so the engine can load or rebuild its indexes. */
  finishRecovery(): void;
  /** Yields createCollection, createIndex and insert changes that rebuild the whole current state. */
  dump(): Iterable<Change>;
  /** `dump()` followed by every index's entries: what a checkpoint writes. */
  snapshot(): Iterable<SnapshotEntry>;
  /** Deletes documents whose TTL index says they expired at `now`; returns the changes to commit. */
  sweepExpired(now: Date): Change[];
}

/** How a command asks for its cursor. */
export interface CursorOpenOptions {
  batchSize?: number;
  singleBatch?: boolean;
  /** Its `docs` may yield PAUSE (engine/pause.ts), which ends the batch there. */
  pausable?: boolean;
  connectionId: number;
  /** What the opening command said of itself, for the slow-cursor log (field names, never values). */
  origin?: Record<string, unknown>;
}

/** Open cursors, owned by wire/. Data commands hand it an iterator and get the reply's `cursor` field back. */
export interface CursorManager {
  /**
   * Registers `docs` and returns `{ id, ns, firstBatch }`. `id` is Long 0 when the iterator is exhausted within
   * the first batch or `singleBatch` is set. Default first batch is 101 documents; batches stop short of 16 MiB.
   */
  open(
    ns: string,
    docs: Iterator<Document | RawDoc | Pause>,
    options: CursorOpenOptions,
  ): { id: unknown; ns: string; firstBatch: (Document | RawDoc)[] };
}

/** Everything a command handler may use. Time comes from `now`, never from the wall clock directly. */
export interface CommandContext {
  /** The `$db` of the request. */
  db: string;
  connectionId: number;
  persistence: Persistence;
  cursors: CursorManager;
  now(): Date;
}

/**
 * A command handler receives the command document (OP_MSG document sequences already folded in as arrays)
 * and returns the reply body without `ok`; the dispatcher adds `ok: 1`. Failures throw `MongoError`.
 */
export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document | Promise<Document>;
