/**
 * The on-disk framing shared by journal segments and snapshots.
 *
 * Every record is `[crc32 u32][length u32][seq u64][BSON payload]`, little-endian. The CRC-32 covers everything
 * after itself (length, seq and payload), so a torn or bit-flipped record is detected wherever the damage is.
 * The sequence number is what recovery uses to find the checkpoint start and to prove no record is missing.
 */
import { crc32 } from 'node:zlib';
import { serialize, type Document } from 'bson';
import { decodeDocument } from '../wire/bson-codec.ts';

export const HEADER_BYTES = 16;
/** Larger than any legal record: a 16 MiB document plus its Change wrapper. Anything bigger is garbage. */
export const MAX_PAYLOAD_BYTES = 48 * 1024 * 1024;
const MIN_BSON_BYTES = 5;

/** Serialises `value` now, so later in-place mutation by the engine cannot change what gets journaled. */
export function encodeRecord(seq: number, value: Document): Buffer {
  const payload = serialize(value, { checkKeys: false, ignoreUndefined: true });
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  record.writeUInt32LE(payload.length, 4);
  record.writeBigUInt64LE(BigInt(seq), 8);
  record.set(payload, HEADER_BYTES);
  record.writeUInt32LE(crc32(record.subarray(4)), 0);
  return record;
}

/**
 * Replayed documents take exactly the in-memory shape of documents that arrive over the wire (the wire codec
 * keeps every BSON type distinguishable: Int32 vs integral Double vs Long), so the engine cannot tell a
 * recovered document from a freshly written one, and re-encoding it yields the same BSON types.
 */
export function decodePayload(payload: Uint8Array): Document {
  // Copy first: decoded Binary values keep a view of the buffer they came from, and `payload` is a view of a
  // multi-megabyte read chunk that would otherwise stay alive as long as the document does.
  return decodeDocument(new Uint8Array(payload));
}

export type HeaderCheck = { ok: true; length: number; seq: number } | { ok: false; reason: string };

/** Reads a header. It cannot be trusted until `verifyRecord` has checked the CRC over the whole record. */
export function readHeader(buf: Buffer, at: number): HeaderCheck {
  const length = buf.readUInt32LE(at + 4);
  if (length < MIN_BSON_BYTES || length > MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: `implausible record length ${length}` };
  }
  const seq = buf.readBigUInt64LE(at + 8);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER))
    return { ok: false, reason: `implausible sequence number ${seq}` };
  return { ok: true, length, seq: Number(seq) };
}

/** True when the stored CRC matches the record occupying `buf[at, at + HEADER_BYTES + length)`. */
export function verifyRecord(buf: Buffer, at: number, length: number): boolean {
  const stored = buf.readUInt32LE(at);
  return crc32(buf.subarray(at + 4, at + HEADER_BYTES + length)) === stored;
}
