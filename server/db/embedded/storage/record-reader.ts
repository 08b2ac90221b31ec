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

/**
 * Calls `onRecord` for each verified record in file order; stops at the first record that fails to verify.
 * The payload is a view of a read buffer that is reused once `onRecord` returns: keep a copy of anything
 * needed later (the engine copies documents into its own store).
 */
export async function scanRecords(
  path: string,
  onRecord: (record: ScannedRecord) => void,
): Promise<ScanResult> {
  const file = await open(path, 'r');
  try {
    const fileBytes = (await file.stat()).size;
    let buf = Buffer.allocUnsafeSlow(Math.min(CHUNK_BYTES, Math.max(fileBytes, HEADER_BYTES)));
    let start = 0; // the unread records begin here in `buf`
    let end = 0; // bytes read into `buf`
    let fileStart = 0; // file offset of buf[start]
    let readPos = 0;
    let records = 0;
    while (true) {
      const step = nextRecord(buf, start, end);
      if (step.kind === 'record') {
        onRecord({
          seq: step.seq,
          payload: buf.subarray(start + HEADER_BYTES, start + step.size),
          offset: fileStart,
        });
        records++;
        start += step.size;
        fileStart += step.size;
        continue;
      }
      if (step.kind === 'bad') return { fileBytes, validBytes: fileStart, records, problem: step.reason };
      if (readPos >= fileBytes) {
        const problem = end > start ? `incomplete record (${end - start} bytes)` : undefined;
        return { fileBytes, validBytes: fileStart, records, problem };
      }
      // Keep the partial record at the front (growing the buffer for a record larger than it) and refill.
      if (step.needBytes > buf.length) {
        const bigger = Buffer.allocUnsafeSlow(step.needBytes);
        buf.copy(bigger, 0, start, end);
        buf = bigger;
      } else buf.copyWithin(0, start, end);
      end -= start;
      start = 0;
      const want = Math.min(buf.length - end, fileBytes - readPos);
      const { bytesRead } = await file.read(buf, end, want, readPos);
      if (bytesRead === 0) return { fileBytes, validBytes: fileStart, records, problem: 'file shrank' };
      readPos += bytesRead;
      end += bytesRead;
    }
  } finally {
    await file.close();
  }
}

type Step =
  | { kind: 'record'; seq: number; size: number }
  | { kind: 'more'; needBytes: number }
  | { kind: 'bad'; reason: string };

/** The record at `buf[start, end)`, read in place (no view per record but the payload's). */
function nextRecord(buf: Buffer, start: number, end: number): Step {
  if (end - start < HEADER_BYTES) return { kind: 'more', needBytes: HEADER_BYTES };
  const header = readHeader(buf, start);
  if (!header.ok) return { kind: 'bad', reason: header.reason };
  const size = HEADER_BYTES + header.length;
  if (end - start < size) return { kind: 'more', needBytes: size };
  if (!verifyRecord(buf, start, header.length)) return { kind: 'bad', reason: 'checksum mismatch' };
  return { kind: 'record', seq: header.seq, size };
}
