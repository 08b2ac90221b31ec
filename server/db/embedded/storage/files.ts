/**
 * Names and directory-level helpers for the files of a dbpath. Keeping every file name here makes the layout
 * of a data directory readable in one place:
 *
 *   mongod.lock                 the pid of the server holding the directory
 *   journal-<first seq>.wal     journal segments, named by the sequence number of their first record
 *   snapshot.bson               the last complete checkpoint
 *   snapshot.bson.tmp           a checkpoint being written (deleted on open: it never finished)
 *   snapshot.indexes.bson       the last checkpoint's index entries (derived data: missing or damaged, the
 *                               indexes are rebuilt from the documents)
 *   snapshot.indexes.bson.tmp   the index entries of a checkpoint being written (deleted on open)
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCK_FILE = 'mongod.lock';
export const SNAPSHOT_FILE = 'snapshot.bson';
export const SNAPSHOT_TMP_FILE = 'snapshot.bson.tmp';
export const INDEX_FILE = 'snapshot.indexes.bson';
export const INDEX_TMP_FILE = 'snapshot.indexes.bson.tmp';

const SEGMENT_PATTERN = /^journal-(\d{20})\.wal$/;

export interface SegmentFile {
  firstSeq: number;
  path: string;
}

export function segmentPath(dir: string, firstSeq: number): string {
  return join(dir, `journal-${String(firstSeq).padStart(20, '0')}.wal`);
}

/** Journal segments in sequence order. */
export async function listSegments(dir: string): Promise<SegmentFile[]> {
  const names = await readdir(dir);
  const segments: SegmentFile[] = [];
  for (const name of names) {
    const match = SEGMENT_PATTERN.exec(name);
    if (match) segments.push({ firstSeq: Number(match[1]), path: join(dir, name) });
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}

/** Makes creations, renames and deletions in `dir` durable; fsync on a file does not promise that. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
