/**
 * Checkpoint files. A snapshot is the engine's `snapshot()` written as records (same framing as the journal),
 * in two files:
 *
 *   snapshot.bson          header {snapshot: 1, version: 4, checkpointSeq, snapshotId}, the changes that
 *                          rebuild every collection (runs of inserts into one collection packed into
 *                          blocks of about 1 MiB, `InsertBlock`, of the engine's stored copies: BSON or
 *                          packed documents), trailer {end: true, count of records}
 *   snapshot.indexes.bson  header {indexes: 1, checkpointSeq, snapshotId}, the `indexKeys` slices (every
 *                          index's entries in order), trailer {end: true, count}
 *
 * The documents are either provably complete or refused: damage there means acknowledged data is gone. The
 * index file is derived data, so when it is missing, damaged, incomplete or belongs to another snapshot (its
 * `snapshotId` differs) the loader logs why and the engine rebuilds every index from the documents: it only
 * costs start-up time. A version-1 snapshot (no version field, no index file) loads as before.
 *
 * Both are written to temp files and fsync'd; the index file is renamed into place first, then the snapshot,
 * then the directory is fsync'd. A crash at any point leaves either the old snapshot or the new one, never a
 * mix; at worst an index file that names another snapshot, which is ignored.
 */
import { randomUUID } from 'node:crypto';
import { access, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deserialize } from 'bson';
import type { Change, RecoveredEntry, SnapshotEntry } from '../contract.ts';
import { decodePayload, encodeInsertBlock, encodeRecord, forEachChange } from './record-format.ts';
import { scanRecords } from './record-reader.ts';
import { INDEX_FILE, INDEX_TMP_FILE, SNAPSHOT_FILE, SNAPSHOT_TMP_FILE, syncDir } from './files.ts';
import type { StorageLogger } from './recovery.ts';

/**
 * The format this code writes; it reads every version up to it. Version 3 packs inserts into blocks, which
 * a version-2 reader would not understand (it refuses a newer version instead of skipping them); version 4
 * blocks may hold packed documents (engine/doc-pack.ts), which a version-3 reader would take for damage;
 * version 5 adds packing dictionaries (`packDictionary` records, copies packed against them), which a
 * version-4 engine could not unpack.
 */
export const SNAPSHOT_VERSION = 5;
/** Documents per block record: about a mebibyte (a larger document is a block of its own). */
const BLOCK_BYTES = 1024 * 1024;

const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * How long `dump()` may hold the event loop before the server gets a turn: as long as the server's own last
 * turn took, within these bounds. Idle servers see short pauses; under a heavy write load (where one request
 * can itself hold the loop for hundreds of ms) the checkpoint still gets about half the CPU and finishes,
 * instead of starving while the journal grows without bound.
 */
const MIN_SLICE_MS = 4;
const MAX_SLICE_MS = 100;

export interface SnapshotWriteOptions {
  dir: string;
  checkpointSeq: number;
  /** The documents' changes, then (optionally) the index slices. */
  dump: () => Iterable<SnapshotEntry>;
  /** Polled between slices; a true answer abandons the snapshot (the old one stays). */
  shouldStop: () => boolean;
}

/** Returns false when abandoned. Throws on disk errors, leaving the previous snapshot in place. */
export async function writeSnapshot(options: SnapshotWriteOptions): Promise<boolean> {
  const snapshotId = randomUUID();
  const header = { checkpointSeq: options.checkpointSeq, snapshotId };
  const docs = await RecordFile.create(join(options.dir, SNAPSHOT_TMP_FILE));
  const indexes = await RecordFile.create(join(options.dir, INDEX_TMP_FILE));
  let completed = false;
  try {
    docs.push({ snapshot: 1, version: SNAPSHOT_VERSION, ...header });
    indexes.push({ indexes: 1, ...header });
    completed = await writeEntries(docs, indexes, options);
    if (completed) {
      await Promise.all([docs.sync(), indexes.sync()]);
    }
  } finally {
    await docs.close(!completed);
    await indexes.close(!completed);
  }
  if (!completed) return false;
  await rename(indexes.path, join(options.dir, INDEX_FILE));
  await rename(docs.path, join(options.dir, SNAPSHOT_FILE));
  await syncDir(options.dir);
  return true;
}

/** Deletes what an interrupted checkpoint left behind; both temp files never finished. */
export async function removeSnapshotTemps(dir: string): Promise<void> {
  await unlink(join(dir, SNAPSHOT_TMP_FILE)).catch(() => undefined);
  await unlink(join(dir, INDEX_TMP_FILE)).catch(() => undefined);
}

async function writeEntries(
  docs: RecordFile,
  indexes: RecordFile,
  options: SnapshotWriteOptions,
): Promise<boolean> {
  let inIndexes = false;
  let sliceStart = performance.now();
  let sliceMs = MIN_SLICE_MS;
  for (const entry of options.dump()) {
    if (entry.op === 'indexKeys') inIndexes = true;
    else if (inIndexes) throw new Error(`snapshot: a ${entry.op} change after the index section`);
    const file = inIndexes ? indexes : docs;
    file.pushEntry(entry);
    if (file.chunkBytes >= WRITE_CHUNK_BYTES || performance.now() - sliceStart > sliceMs) {
      await file.flush();
      const yielded = performance.now();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.shouldStop()) return false;
      sliceStart = performance.now();
      sliceMs = Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, sliceStart - yielded));
    }
  }
  for (const file of [docs, indexes]) {
    file.sealBlock();
    file.push({ end: true, count: file.entries });
    await file.flush();
  }
  return true;
}

/** One snapshot file being written: records numbered from 0 (the header), buffered into large writes. */
class RecordFile {
  private chunk: Buffer[] = [];
  chunkBytes = 0;
  private position = 0;
  private seq = 0;
  /** Records of entries (a block of inserts is one; the trailer's count). */
  entries = 0;
  /** Inserts into one collection waiting to be sealed into a block record. */
  private block: { ns: string; docs: Uint8Array[]; bytes: number } | undefined;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<RecordFile> {
    return new RecordFile(path, await open(path, 'w'));
  }

  push(value: Parameters<typeof encodeRecord>[1]): void {
    const record = encodeRecord(this.seq++, value);
    this.chunk.push(record);
    this.chunkBytes += record.length;
  }

  pushEntry(entry: SnapshotEntry): void {
    if (entry.op === 'insert') {
      const block = this.block;
      if (block && (block.ns !== entry.ns || block.bytes + entry.doc.length > BLOCK_BYTES)) this.sealBlock();
      this.block ??= { ns: entry.ns, docs: [], bytes: 0 };
      this.block.docs.push(entry.doc);
      this.block.bytes += entry.doc.length;
      return;
    }
    this.sealBlock();
    this.entries++;
    this.push(entry as Change);
  }

  /** Writes the pending inserts as one block record (stored bytes never change, so they are still valid). */
  sealBlock(): void {
    const block = this.block;
    if (!block) return;
    this.block = undefined;
    this.entries++;
    const record = encodeInsertBlock(this.seq++, block.ns, block.docs, block.bytes);
    this.chunk.push(record);
    this.chunkBytes += record.length;
  }

  async flush(): Promise<void> {
    this.sealBlock();
    const buffer = Buffer.concat(this.chunk);
    this.chunk = [];
    this.chunkBytes = 0;
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesWritten } = await this.handle.write(
        buffer,
        offset,
        buffer.length - offset,
        this.position + offset,
      );
      offset += bytesWritten;
    }
    this.position += buffer.length;
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  async close(remove: boolean): Promise<void> {
    await this.handle.close();
    if (remove) await unlink(this.path).catch(() => undefined);
  }
}

export interface LoadedSnapshot {
  checkpointSeq: number;
  /** The format version it was written in. */
  version: number;
  /** Whether its index file was whole and its own (even with no slices); false also for version 1. */
  indexFileUsable: boolean;
  /** Index slices applied; 0 when the index file was missing or dropped. */
  indexSlices: number;
}

/**
 * Applies every change of the snapshot in `dir`, then the slices of its index file. Any damage in the
 * snapshot is fatal: it was complete and synced before it was renamed into place, so damage means the disk
 * lost data, and guessing would silently lose documents. Trouble with the index file is logged and answered
 * with `discardIndexKeys` (see the header).
 */
export async function loadSnapshot(
  dir: string,
  apply: (entry: RecoveredEntry) => void,
  log: StorageLogger,
): Promise<LoadedSnapshot> {
  const path = join(dir, SNAPSHOT_FILE);
  let header: { checkpointSeq: number; snapshotId?: string; version: number } | undefined;
  let trailerCount: number | undefined;
  let changes = 0;
  const result = await scanRecords(path, ({ seq, payload }) => {
    if (trailerCount !== undefined) throw corrupt(path, `record ${seq} after the trailer`);
    if (seq === 0) {
      const h = deserialize(payload);
      header = {
        checkpointSeq: Number(h.checkpointSeq),
        snapshotId: typeof h.snapshotId === 'string' ? h.snapshotId : undefined,
        version: h.version === undefined ? 1 : Number(h.version),
      };
      if (!(header.version >= 1 && header.version <= SNAPSHOT_VERSION)) {
        throw new Error(`snapshot ${path} has format version ${h.version}, newer than this server reads`);
      }
      return;
    }
    if (header === undefined) throw corrupt(path, 'missing header');
    if (seq !== changes + 1) throw corrupt(path, `record ${seq} out of order`);
    const value = decodePayload(payload);
    if ('op' in value) {
      changes++;
      try {
        forEachChange(value, apply);
      } catch (err) {
        throw corrupt(path, (err as Error).message);
      }
    } else {
      trailerCount = Number(deserialize(payload).count);
    }
  });
  if (result.problem) throw corrupt(path, `${result.problem} at byte ${result.validBytes}`);
  const checkpointSeq = header?.checkpointSeq;
  if (checkpointSeq === undefined || !Number.isSafeInteger(checkpointSeq) || checkpointSeq < 1) {
    throw corrupt(path, 'missing or invalid header');
  }
  if (trailerCount !== changes) throw corrupt(path, 'missing trailer: the snapshot is incomplete');
  // Version 1 has no index file: the engine rebuilds.
  const indexes = header!.snapshotId ? await loadIndexFile(dir, header!.snapshotId, apply, log) : undefined;
  return {
    checkpointSeq,
    version: header!.version,
    indexSlices: indexes ?? 0,
    indexFileUsable: indexes !== undefined,
  };
}

/**
 * Applies the index file's slices when it is whole and belongs to `snapshotId`; returns how many, or
 * undefined when the file could not be used.
 */
async function loadIndexFile(
  dir: string,
  snapshotId: string,
  apply: (entry: RecoveredEntry) => void,
  log: StorageLogger,
): Promise<number | undefined> {
  const path = join(dir, INDEX_FILE);
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  let problem: string | undefined = exists ? undefined : 'is missing';
  let slices = 0;
  let ended = false;
  if (exists) {
    const result = await scanRecords(path, ({ seq, payload }) => {
      if (problem) return;
      try {
        const value = seq === 0 ? deserialize(payload) : decodePayload(payload);
        if (seq === 0) {
          if (value.snapshotId !== snapshotId) problem = 'belongs to another snapshot';
        } else if (ended || seq !== slices + 1) problem = `has record ${seq} out of place`;
        else if (value.op === 'indexKeys') {
          slices++;
          apply(value as RecoveredEntry);
        } else if (value.end === true && Number(value.count) === slices) ended = true;
        else problem = `has an unexpected record ${seq}`;
      } catch (err) {
        problem = `is unreadable (${(err as Error).message})`;
      }
    });
    if (!problem && result.problem) problem = `is damaged (${result.problem} at byte ${result.validBytes})`;
    if (!problem && !ended) problem = 'has no trailer';
  }
  if (!problem) return slices;
  log.warn(`snapshot index file ${path} ${problem}; every index is rebuilt from the documents`);
  if (slices > 0) apply({ op: 'discardIndexKeys' });
  return undefined;
}

function corrupt(path: string, detail: string): Error {
  return new Error(`snapshot ${path} is corrupt (${detail}); refusing to start rather than lose data`);
}
