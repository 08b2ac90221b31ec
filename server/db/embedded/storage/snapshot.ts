/**
 * Checkpoint files. A snapshot is the engine's `dump()` written as records (same framing as the journal) between
 * a header naming the checkpoint-start sequence number and a trailer with the record count, so a snapshot is
 * either provably complete or refused. It is written to a temp file, fsync'd, renamed over the old one and the
 * directory fsync'd: a crash at any point leaves either the old snapshot or the new one, never a mix.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deserialize } from 'bson';
import type { Change } from '../contract.ts';
import { decodePayload, encodeRecord } from './record-format.ts';
import { scanRecords } from './record-reader.ts';
import { SNAPSHOT_FILE, SNAPSHOT_TMP_FILE, syncDir } from './files.ts';

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
  dump: () => Iterable<Change>;
  /** Polled between slices; a true answer abandons the snapshot (the old one stays). */
  shouldStop: () => boolean;
}

/** Returns false when abandoned. Throws on disk errors, leaving the previous snapshot in place. */
export async function writeSnapshot(options: SnapshotWriteOptions): Promise<boolean> {
  const tmpPath = join(options.dir, SNAPSHOT_TMP_FILE);
  const handle = await open(tmpPath, 'w');
  let completed = false;
  try {
    completed = await writeRecords(handle, options);
    if (completed) await handle.sync();
  } finally {
    await handle.close();
    if (!completed) await unlink(tmpPath).catch(() => undefined);
  }
  if (!completed) return false;
  await rename(tmpPath, join(options.dir, SNAPSHOT_FILE));
  await syncDir(options.dir);
  return true;
}

type Writable = { write(buffer: Buffer, offset: number, length: number, position: number): Promise<unknown> };

async function writeRecords(handle: Writable, options: SnapshotWriteOptions): Promise<boolean> {
  let chunk: Buffer[] = [];
  let chunkBytes = 0;
  let position = 0;
  const flush = async (): Promise<void> => {
    const buffer = Buffer.concat(chunk);
    chunk = [];
    chunkBytes = 0;
    await writeAll(handle, buffer, position);
    position += buffer.length;
  };
  const push = (record: Buffer): void => {
    chunk.push(record);
    chunkBytes += record.length;
  };
  push(encodeRecord(0, { snapshot: 1, checkpointSeq: options.checkpointSeq }));
  let count = 0;
  let sliceStart = performance.now();
  let sliceMs = MIN_SLICE_MS;
  for (const change of options.dump()) {
    push(encodeRecord(++count, change));
    if (chunkBytes >= WRITE_CHUNK_BYTES || performance.now() - sliceStart > sliceMs) {
      await flush();
      const yielded = performance.now();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.shouldStop()) return false;
      sliceStart = performance.now();
      sliceMs = Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, sliceStart - yielded));
    }
  }
  push(encodeRecord(count + 1, { end: true, count }));
  await flush();
  return true;
}

async function writeAll(handle: Writable, buffer: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const result = (await handle.write(buffer, offset, buffer.length - offset, position + offset)) as {
      bytesWritten: number;
    };
    offset += result.bytesWritten;
  }
}

/**
 * Applies every change of the snapshot at `path` and returns its checkpoint-start sequence number. Any damage
 * is fatal: the snapshot was complete and synced before it was renamed into place, so damage means the disk
 * lost data, and guessing would silently lose documents.
 */
export async function loadSnapshot(path: string, apply: (change: Change) => void): Promise<number> {
  let checkpointSeq: number | undefined;
  let trailerCount: number | undefined;
  let changes = 0;
  const result = await scanRecords(path, ({ seq, payload }) => {
    if (trailerCount !== undefined) throw corrupt(path, `record ${seq} after the trailer`);
    if (seq === 0) {
      checkpointSeq = Number(deserialize(payload).checkpointSeq);
      return;
    }
    if (checkpointSeq === undefined) throw corrupt(path, 'missing header');
    if (seq !== changes + 1) throw corrupt(path, `record ${seq} out of order`);
    const value = decodePayload(payload);
    if ('op' in value) {
      changes++;
      apply(value as Change);
    } else {
      trailerCount = Number(deserialize(payload).count);
    }
  });
  if (result.problem) throw corrupt(path, `${result.problem} at byte ${result.validBytes}`);
  if (checkpointSeq === undefined || !Number.isSafeInteger(checkpointSeq) || checkpointSeq < 1) {
    throw corrupt(path, 'missing or invalid header');
  }
  if (trailerCount !== changes) throw corrupt(path, 'missing trailer: the snapshot is incomplete');
  return checkpointSeq;
}

function corrupt(path: string, detail: string): Error {
  return new Error(`snapshot ${path} is corrupt (${detail}); refusing to start rather than lose data`);
}
