/**
 * Streams the records of one file (journal segment or snapshot) in bounded memory and says exactly where the
 * valid prefix ends. Callers decide what an invalid remainder means: a torn tail in the newest journal segment
 * is expected after a crash, anywhere else it is corruption.
 */
import { open } from 'node:fs/promises';
import { HEADER_BYTES, readHeader, verifyRecord } from './record-format.ts';

const CHUNK_BYTES = 8 * 1024 * 1024;

export interface ScannedRecord {
  seq: number;
  payload: Buffer;
  /** Byte offset of the record's header in the file. */
  offset: number;
}

export interface ScanResult {
  fileBytes: number;
  /** Length of the prefix made of whole, verified records. */
  validBytes: number;
  records: number;
  /** Why scanning stopped before the end of the file, if it did. */
  problem?: string;
}

/** Calls `onRecord` for each verified record in file order; stops at the first record that fails to verify. */
export async function scanRecords(
  path: string,
  onRecord: (record: ScannedRecord) => void,
): Promise<ScanResult> {
  const file = await open(path, 'r');
  try {
    const fileBytes = (await file.stat()).size;
    let pending = Buffer.alloc(0);
    let pendingStart = 0;
    let readPos = 0;
    let records = 0;
    while (true) {
      const step = nextRecord(pending);
      if (step.kind === 'record') {
        onRecord({ seq: step.seq, payload: step.payload, offset: pendingStart });
        records++;
        pending = pending.subarray(step.size);
        pendingStart += step.size;
        continue;
      }
      if (step.kind === 'bad') return { fileBytes, validBytes: pendingStart, records, problem: step.reason };
      if (readPos >= fileBytes) {
        const problem = pending.length > 0 ? `incomplete record (${pending.length} bytes)` : undefined;
        return { fileBytes, validBytes: pendingStart, records, problem };
      }
      const want = Math.max(CHUNK_BYTES, step.needBytes - pending.length);
      const chunk = Buffer.allocUnsafe(Math.min(want, fileBytes - readPos));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, readPos);
      if (bytesRead === 0) return { fileBytes, validBytes: pendingStart, records, problem: 'file shrank' };
      readPos += bytesRead;
      pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
    }
  } finally {
    await file.close();
  }
}

type Step =
  | { kind: 'record'; seq: number; payload: Buffer; size: number }
  | { kind: 'more'; needBytes: number }
  | { kind: 'bad'; reason: string };

function nextRecord(buf: Buffer): Step {
  if (buf.length < HEADER_BYTES) return { kind: 'more', needBytes: HEADER_BYTES };
  const header = readHeader(buf, 0);
  if (!header.ok) return { kind: 'bad', reason: header.reason };
  const size = HEADER_BYTES + header.length;
  if (buf.length < size) return { kind: 'more', needBytes: size };
  if (!verifyRecord(buf, 0, header.length)) return { kind: 'bad', reason: 'checksum mismatch' };
  return { kind: 'record', seq: header.seq, payload: buf.subarray(HEADER_BYTES, size), size };
}
