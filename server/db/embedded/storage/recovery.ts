/**
 * Start-up recovery: load the snapshot, then replay the journal from the snapshot's checkpoint start, proving
 * along the way that no record is missing. Only the newest segment may end in a torn record (a crash cut its
 * last unsynced write short); that tail was never acknowledged and is dropped. Damage anywhere else means
 * acknowledged writes were lost, so recovery refuses to start instead of serving a silently shorter database.
 */
import { access, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Change, RecoveredEntry } from '../contract.ts';
import { decodePayload, forEachChange } from './record-format.ts';
import { scanRecords } from './record-reader.ts';
import { listSegments, SNAPSHOT_FILE, type SegmentFile } from './files.ts';
import { loadSnapshot } from './snapshot.ts';

export interface StorageLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RecoveryResult {
  /** Sequence number for the next record. */
  nextSeq: number;
  /** Checkpoint start of the snapshot loaded, if there was one: records before it are covered. */
  checkpointSeq?: number;
  /** The newest segment to keep appending to, cut back to its valid prefix; absent when a new one is needed. */
  tail?: { path: string; firstSeq: number; validBytes: number; fileBytes: number };
  /** Journal bytes still on disk after recovery (for the checkpoint threshold). */
  journalBytes: number;
  snapshotChanges: number;
  /** Index slices the snapshot handed over; 0 after a version-1 snapshot or a discarded index section. */
  snapshotIndexSlices: number;
  /** The snapshot's format version (undefined without a snapshot). */
  snapshotVersion?: number;
  /** Whether the snapshot's index file could be used (false for a version-1 snapshot). */
  snapshotIndexFileUsable?: boolean;
  journalChanges: number;
  droppedBytes: number;
}

export async function recoverDirectory(
  dir: string,
  apply: (entry: RecoveredEntry) => void,
  log: StorageLogger,
): Promise<RecoveryResult> {
  let snapshotChanges = 0;
  const counted = (entry: RecoveredEntry): void => {
    if (entry.op !== 'indexKeys' && entry.op !== 'discardIndexKeys') snapshotChanges++;
    apply(entry);
  };
  const hasSnapshot = await access(join(dir, SNAPSHOT_FILE)).then(
    () => true,
    () => false,
  );
  const loaded = hasSnapshot ? await loadSnapshot(dir, counted, log) : undefined;
  const checkpointSeq = loaded?.checkpointSeq ?? 1;
  const all = await listSegments(dir);
  const startIndex = findStartSegment(all, checkpointSeq, hasSnapshot);
  const live = all.slice(Math.max(startIndex, 0));
  const replay = await replaySegments(live, checkpointSeq, apply, log);
  for (const obsolete of all.slice(0, Math.max(startIndex, 0))) await unlink(obsolete.path);
  let journalBytes = 0;
  for (const segment of live) journalBytes += (await stat(segment.path)).size;
  journalBytes -= replay.droppedBytes;
  let { tail } = replay;
  let nextSeq = replay.nextSeq;
  if (nextSeq < checkpointSeq) {
    // The journal ends before the snapshot's start: the snapshot covers it all, but new records must not reuse
    // sequence numbers the next recovery would skip, so they go to a fresh segment at the checkpoint start.
    log.warn(`journal ends at sequence ${nextSeq - 1}, before the snapshot's start ${checkpointSeq}`);
    nextSeq = checkpointSeq;
    tail = undefined;
  }
  log.info(
    `recovered ${dir}: ${snapshotChanges} snapshot changes, ${replay.applied} journal changes replayed` +
      (replay.droppedBytes > 0 ? `, ${replay.droppedBytes} torn bytes dropped` : ''),
  );
  return {
    nextSeq,
    checkpointSeq: hasSnapshot ? checkpointSeq : undefined,
    tail,
    journalBytes,
    snapshotChanges,
    snapshotIndexSlices: loaded?.indexSlices ?? 0,
    snapshotVersion: loaded?.version,
    snapshotIndexFileUsable: loaded?.indexFileUsable,
    journalChanges: replay.applied,
    droppedBytes: replay.droppedBytes,
  };
}

/** Index of the segment holding the checkpoint start; earlier segments are covered by the snapshot. */
function findStartSegment(segments: SegmentFile[], checkpointSeq: number, hasSnapshot: boolean): number {
  let index = -1;
  for (let i = 0; i < segments.length; i++) if (segments[i].firstSeq <= checkpointSeq) index = i;
  if (segments.length > 0 && index === -1) {
    const first = segments[0];
    throw new Error(
      `journal records ${checkpointSeq}..${first.firstSeq - 1} are missing ` +
        `(${hasSnapshot ? 'snapshot starts at ' + checkpointSeq : 'no snapshot'}, first segment ${first.path}); ` +
        'refusing to start rather than lose acknowledged writes',
    );
  }
  return index;
}

interface ReplayResult {
  nextSeq: number;
  applied: number;
  droppedBytes: number;
  tail?: RecoveryResult['tail'];
}

async function replaySegments(
  segments: SegmentFile[],
  checkpointSeq: number,
  apply: (change: Change) => void,
  log: StorageLogger,
): Promise<ReplayResult> {
  if (segments.length === 0) return { nextSeq: checkpointSeq, applied: 0, droppedBytes: 0 };
  let expected = segments[0].firstSeq;
  let applied = 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.firstSeq !== expected) {
      throw new Error(`journal segment ${segment.path} starts at ${segment.firstSeq}, expected ${expected}`);
    }
    const result = await scanRecords(segment.path, ({ seq, payload, offset }) => {
      if (seq !== expected) {
        throw new Error(`journal ${segment.path} has record ${seq} at byte ${offset}, expected ${expected}`);
      }
      expected++;
      if (seq < checkpointSeq) return;
      forEachChange(decodePayload(payload), apply);
      applied++;
    });
    const isNewest = i === segments.length - 1;
    if (result.problem && !isNewest) {
      throw new Error(
        `journal segment ${segment.path} is corrupt at byte ${result.validBytes} (${result.problem}); ` +
          'it was sealed and synced, so this is damage, not a torn write: refusing to start',
      );
    }
    if (isNewest) {
      const droppedBytes = result.fileBytes - result.validBytes;
      if (droppedBytes > 0) {
        log.warn(
          `journal ${segment.path}: dropping ${droppedBytes} bytes of torn tail at byte ${result.validBytes} ` +
            `(${result.problem ?? 'trailing bytes'}); they were never acknowledged`,
        );
      }
      const { validBytes, fileBytes } = result;
      const tail = { path: segment.path, firstSeq: segment.firstSeq, validBytes, fileBytes };
      return { nextSeq: expected, applied, droppedBytes, tail };
    }
  }
  throw new Error('unreachable: the loop returns at the newest segment');
}
