/**
 * Persistence on a dbpath: ties the directory lock, recovery, the group-committing journal and checkpoints
 * together behind the `Persistence` seam. Lifecycle: create (takes the lock) → recover (replays, then opens the
 * journal for appending) → commit / checkpoint … → close (drains the journal, releases the lock).
 */
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Change, Persistence, RecoveredEntry, SnapshotEntry } from '../contract.ts';
import { acquireDirLock, type DirLock } from './lock-file.ts';
import { JournalWriter, type JournalCounters, type OpenJournalFile } from './journal-writer.ts';
import { recoverDirectory, type RecoveryResult, type StorageLogger } from './recovery.ts';
import { removeSnapshotTemps, SNAPSHOT_VERSION, writeSnapshot } from './snapshot.ts';
import { listSegments, segmentPath, SNAPSHOT_FILE, syncDir } from './files.ts';

export interface DiskPersistenceOptions {
  /**
   * Journal size past which `wantsCheckpoint()` says yes. Default: a quarter of the last snapshot's size,
   * between 64 MiB and 1 GiB (see `checkpointThreshold`).
   */
  checkpointBytes?: number;
  logger?: StorageLogger;
  /** Opens journal segment files; tests inject one to count fsyncs or simulate a failing disk. */
  openJournalFile?: OpenJournalFile;
}

export interface StorageStats extends JournalCounters {
  journalBytes: number;
  checkpoints: number;
  recovery?: Omit<RecoveryResult, 'tail'>;
}

/** A `Persistence` that also reports its counters (for tests and benchmarks). */
export interface DiskPersistence extends Persistence {
  stats(): StorageStats;
}

const MIN_CHECKPOINT_BYTES = 64 * 1024 * 1024;
const MAX_CHECKPOINT_BYTES = 1024 * 1024 * 1024;

/**
 * The default checkpoint threshold. Every checkpoint rewrites all the data, so a fixed 64 MiB of journal
 * between checkpoints made 4.5 GB of issues rewrite themselves for every 64 MiB written (70× the writes, and
 * minutes of a core each time). A quarter of the snapshot keeps that under 4× while recovery replays at most a
 * quarter of the data from the journal; the floor keeps small databases as they were, the cap bounds replay.
 */
export function checkpointThreshold(snapshotBytes: number): number {
  return Math.min(MAX_CHECKPOINT_BYTES, Math.max(MIN_CHECKPOINT_BYTES, Math.round(snapshotBytes / 4)));
}
const defaultLogger: StorageLogger = { info: () => undefined, warn: (message) => console.warn(message) };
const { O_CREAT, O_DSYNC, O_EXCL, O_RDWR, O_WRONLY } = fsConstants;

/**
 * Journal segments are opened with O_DSYNC where the platform has it, so each write returns durable (what a
 * write and an fdatasync give) in one call to the thread pool instead of two: a group commit costs the database
 * thread about 25 µs instead of 40 here. Elsewhere a write is followed by a datasync as before.
 */
const openHandle: OpenJournalFile = async (path, flags) => {
  if (O_DSYNC === undefined) return open(path, flags);
  const file = await open(path, (flags === 'wx' ? O_WRONLY | O_CREAT | O_EXCL : O_RDWR) | O_DSYNC);
  return {
    syncsWrites: true,
    write: (buffer, offset, length, position) => file.write(buffer, offset, length, position),
    datasync: () => file.datasync(),
    truncate: (length) => file.truncate(length),
    close: () => file.close(),
  };
};

export async function createDiskPersistence(
  dir: string,
  options: DiskPersistenceOptions = {},
): Promise<DiskPersistence> {
  await mkdir(dir, { recursive: true });
  const lock = await acquireDirLock(dir);
  return new DiskStore(dir, lock, options);
}

class DiskStore implements DiskPersistence {
  private writer: JournalWriter | undefined;
  private recovery: RecoveryResult | undefined;
  private checkpointing: Promise<void> | undefined;
  private closing = false;
  private checkpoints = 0;
  /** Every record before this sequence number is in the snapshot on disk. */
  private coveredSeq: number | undefined;
  private journalBytesAtOpen = 0;
  private journalBytesDeleted = 0;
  private readonly log: StorageLogger;
  private readonly openFile: OpenJournalFile;
  /** Fixed by the caller, else derived from the snapshot's size. */
  private readonly fixedCheckpointBytes: number | undefined;
  private snapshotBytes = 0;
  /**
   * The snapshot on disk lacks what a checkpoint now writes (an older format, or no usable index file), so
   * every start would pay for it (indexes rebuilt from the documents) until the journal alone called for a
   * checkpoint, which can take days. One checkpoint soon after start-up upgrades it.
   */
  private outdated = false;

  constructor(
    private readonly dir: string,
    private readonly lock: DirLock,
    options: DiskPersistenceOptions,
  ) {
    this.log = options.logger ?? defaultLogger;
    this.openFile = options.openJournalFile ?? openHandle;
    this.fixedCheckpointBytes = options.checkpointBytes;
  }

  async recover(apply: (entry: RecoveredEntry) => void): Promise<void> {
    if (this.writer || this.recovery) throw new Error('recover() may only be called once');
    await removeSnapshotTemps(this.dir);
    const result = await recoverDirectory(this.dir, apply, this.log);
    this.recovery = result;
    this.journalBytesAtOpen = result.journalBytes;
    this.coveredSeq = result.checkpointSeq;
    this.snapshotBytes = await this.currentSnapshotBytes();
    this.outdated =
      result.snapshotVersion !== undefined &&
      result.snapshotChanges > 0 &&
      (result.snapshotVersion < SNAPSHOT_VERSION || !result.snapshotIndexFileUsable);
    const tail = result.tail;
    if (tail) {
      const handle = await this.openFile(tail.path, 'r+');
      if (tail.validBytes < tail.fileBytes) {
        await handle.truncate(tail.validBytes);
        await handle.datasync();
      }
      this.writer = new JournalWriter(
        this.dir,
        this.openFile,
        { handle, firstSeq: tail.firstSeq, size: tail.validBytes },
        result.nextSeq,
      );
    } else {
      const handle = await this.openFile(segmentPath(this.dir, result.nextSeq), 'wx');
      await syncDir(this.dir);
      this.writer = new JournalWriter(
        this.dir,
        this.openFile,
        { handle, firstSeq: result.nextSeq, size: 0 },
        result.nextSeq,
      );
    }
  }

  commit(changes: Change[]): Promise<void> {
    if (this.closing) return Promise.reject(new Error('storage is closed'));
    if (!this.writer) return Promise.reject(new Error('commit() before recover(): the journal is not open'));
    return this.writer.append(changes);
  }

  checkpoint(dump: () => Iterable<SnapshotEntry>): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.checkpointing ??= this.runCheckpoint(dump).finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  wantsCheckpoint(): boolean {
    return (
      !this.closing &&
      !this.checkpointing &&
      this.writer !== undefined &&
      (this.outdated ||
        this.journalBytes() >= (this.fixedCheckpointBytes ?? checkpointThreshold(this.snapshotBytes)))
    );
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.checkpointing?.catch(() => undefined);
    await this.writer?.close();
    await this.lock.release();
  }

  stats(): StorageStats {
    const counters = this.writer?.counters ?? { fsyncs: 0, batches: 0, records: 0, bytesWritten: 0 };
    const { tail: _tail, ...recovery } = this.recovery ?? { tail: undefined };
    return {
      ...counters,
      journalBytes: this.journalBytes(),
      checkpoints: this.checkpoints,
      recovery: this.recovery ? (recovery as Omit<RecoveryResult, 'tail'>) : undefined,
    };
  }

  private journalBytes(): number {
    return this.journalBytesAtOpen + (this.writer?.counters.bytesWritten ?? 0) - this.journalBytesDeleted;
  }

  private async runCheckpoint(dump: () => Iterable<SnapshotEntry>): Promise<void> {
    if (!this.writer) throw new Error('checkpoint() before recover()');
    // Nothing written since the last snapshot, unless that one is in an outdated form.
    if (this.writer.sequence === this.coveredSeq && !this.outdated) return;
    const { firstSeq, done } = this.writer.rotate();
    await done;
    // One more turn so an engine that applies after `commit` resolves has applied everything before firstSeq.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const shouldStop = (): boolean => this.closing;
    const completed = await writeSnapshot({ dir: this.dir, checkpointSeq: firstSeq, dump, shouldStop });
    if (!completed) {
      this.log.info('checkpoint abandoned: storage is closing');
      return;
    }
    await this.dropSegmentsBefore(firstSeq);
    this.coveredSeq = firstSeq;
    this.outdated = false;
    this.snapshotBytes = await this.currentSnapshotBytes();
    this.checkpoints++;
    this.log.info(`checkpoint complete at sequence ${firstSeq}`);
  }

  private async currentSnapshotBytes(): Promise<number> {
    return (await stat(join(this.dir, SNAPSHOT_FILE)).catch(() => undefined))?.size ?? 0;
  }

  /** Deletes the segments the new snapshot covers; only after the snapshot's rename is durable. */
  private async dropSegmentsBefore(firstSeq: number): Promise<void> {
    for (const segment of await listSegments(this.dir)) {
      if (segment.firstSeq >= firstSeq) continue;
      const size = (await stat(segment.path)).size;
      await unlink(segment.path);
      this.journalBytesDeleted += size;
    }
    await syncDir(this.dir);
  }
}
