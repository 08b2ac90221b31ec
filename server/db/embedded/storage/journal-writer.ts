/**
 * The journal's group commit. Commits are queued synchronously, so journal order is call order; one writer loop
 * takes everything queued while the previous fsync ran and makes it durable with a single write and a single
 * fsync (or a single write to a file opened O_DSYNC), then resolves each caller. A disk error fails the journal
 * for good: after a failed fsync the kernel may have dropped the dirty pages, so nothing written later could be
 * trusted.
 *
 * Rotation (for checkpoints) travels through the same queue, so every record before it lands in the old
 * segment, fully synced, and every record after it in the new one.
 */
import type { Document } from 'bson';
import { encodeRecords } from './record-format.ts';
import { segmentPath, syncDir } from './files.ts';

/** The subset of a FileHandle the journal uses; injectable so tests can count fsyncs or make the disk fail. */
export interface JournalHandle {
  /** Each write returns durable (the file was opened O_DSYNC): no datasync follows it. */
  readonly syncsWrites?: boolean;
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}
export type OpenJournalFile = (path: string, flags: 'wx' | 'r+') => Promise<JournalHandle>;

export interface OpenSegment {
  handle: JournalHandle;
  firstSeq: number;
  /** Bytes of whole records in the file; the next write goes here. */
  size: number;
}

export interface JournalCounters {
  fsyncs: number;
  batches: number;
  records: number;
  bytesWritten: number;
}

type Entry =
  | { kind: 'records'; bytes: Buffer[]; resolve: () => void; reject: (error: Error) => void }
  | { kind: 'rotate'; firstSeq: number; resolve: () => void; reject: (error: Error) => void };

/** Bounds one write so a huge insertMany cannot make a single gigantic buffer. */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

export class JournalWriter {
  readonly counters: JournalCounters = { fsyncs: 0, batches: 0, records: 0, bytesWritten: 0 };
  private readonly queue: Entry[] = [];
  private running = false;
  private failure: Error | undefined;

  constructor(
    private readonly dir: string,
    private readonly openFile: OpenJournalFile,
    private segment: OpenSegment,
    private nextSeq: number,
  ) {}

  /** Sequence number the next record will get. */
  get sequence(): number {
    return this.nextSeq;
  }

  /** Encodes now (capturing the post-images as they are at call time) and resolves once they are on disk. */
  append(values: Document[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    let bytes: Buffer[];
    try {
      bytes = encodeRecords(this.nextSeq, values);
    } catch (error) {
      return Promise.reject(error as Error); // nothing queued, no sequence number used: the journal stays gapless
    }
    this.nextSeq += bytes.length;
    return this.enqueue((resolve, reject) => ({ kind: 'records', bytes, resolve, reject }));
  }

  /** Starts a new segment at the current sequence number once everything queued before is durable. */
  rotate(): { firstSeq: number; done: Promise<void> } {
    const firstSeq = this.nextSeq;
    if (this.failure) return { firstSeq, done: Promise.reject(this.failure) };
    return {
      firstSeq,
      done: this.enqueue((resolve, reject) => ({ kind: 'rotate', firstSeq, resolve, reject })),
    };
  }

  /** Waits for everything queued so far, then closes the file. */
  async close(): Promise<void> {
    await this.append([]).catch(() => undefined);
    await this.segment.handle.close();
  }

  private enqueue(make: (resolve: () => void, reject: (error: Error) => void) => Entry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push(make(resolve, reject));
      if (!this.running) {
        this.running = true;
        // Let the rest of this event-loop turn queue its commits too, so they share the first fsync.
        setImmediate(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      try {
        if (head.kind === 'rotate') {
          this.queue.shift();
          await this.startSegment(head.firstSeq);
          head.resolve();
        } else {
          await this.writeBatch(this.takeBatch());
        }
      } catch (error) {
        this.fail(error as Error, head.kind === 'rotate' ? [head] : []);
      }
    }
    this.running = false;
  }

  private takeBatch(): Extract<Entry, { kind: 'records' }>[] {
    const batch: Extract<Entry, { kind: 'records' }>[] = [];
    let bytes = 0;
    while (
      this.queue.length > 0 &&
      this.queue[0].kind === 'records' &&
      (bytes < MAX_BATCH_BYTES || !batch.length)
    ) {
      const entry = this.queue.shift() as Extract<Entry, { kind: 'records' }>;
      for (const record of entry.bytes) bytes += record.length;
      batch.push(entry);
    }
    return batch;
  }

  private async writeBatch(batch: Extract<Entry, { kind: 'records' }>[]): Promise<void> {
    const records = batch.flatMap((entry) => entry.bytes);
    if (records.length > 0) {
      const buffer = records.length === 1 ? records[0] : Buffer.concat(records);
      try {
        await this.writeFully(buffer);
        if (!this.segment.handle.syncsWrites) await this.segment.handle.datasync();
      } catch (error) {
        this.fail(error as Error, batch);
        return;
      }
      this.counters.fsyncs++;
      this.counters.batches++;
      this.counters.records += records.length;
      this.counters.bytesWritten += buffer.length;
    }
    for (const entry of batch) entry.resolve();
  }

  private async writeFully(buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      const position = this.segment.size + offset;
      const { bytesWritten } = await this.segment.handle.write(
        buffer,
        offset,
        buffer.length - offset,
        position,
      );
      offset += bytesWritten;
    }
    this.segment.size += buffer.length;
  }

  private async startSegment(firstSeq: number): Promise<void> {
    if (this.segment.size === 0) return; // nothing to seal: the current segment already starts here
    const handle = await this.openFile(segmentPath(this.dir, firstSeq), 'wx');
    await syncDir(this.dir);
    const sealed = this.segment;
    this.segment = { handle, firstSeq, size: 0 };
    await sealed.handle.close();
  }

  private fail(error: Error, inFlight: Entry[]): void {
    const failure = new Error(`journal write failed; no further writes are accepted: ${error.message}`, {
      cause: error,
    });
    this.failure ??= failure;
    for (const entry of [...inFlight, ...this.queue.splice(0)]) entry.reject(this.failure);
  }
}
