/**
 * The on-disk framing shared by journal segments and snapshots.
 *
 * Every record is `[crc32 u32][length u32][seq u64][BSON payload]`, little-endian. The CRC-32 covers everything
 * after itself (length, seq and payload), so a torn or bit-flipped record is detected wherever the damage is.
 * The sequence number is what recovery uses to find the checkpoint start and to prove no record is missing.
 */
import { crc32 } from 'node:zlib';
import { serialize, type Document } from 'bson';
import type { Change } from '../contract.ts';
import { decodeDocument } from '../wire/bson-codec.ts';

export const HEADER_BYTES = 16;
/** Larger than any legal record: a 16 MiB document plus its Change wrapper. Anything bigger is garbage. */
export const MAX_PAYLOAD_BYTES = 48 * 1024 * 1024;
const MIN_BSON_BYTES = 5;

/** Serialises `value` now, so later in-place mutation by the engine cannot change what gets journaled. */
export function encodeRecord(seq: number, value: Document | Change): Buffer {
  if (
    (value.op === 'insert' || value.op === 'replace') &&
    (value as DocumentChange).doc instanceof Uint8Array
  ) {
    return encodeDocumentChange(seq, value as DocumentChange);
  }
  const payload = serialize(value, { checkKeys: false, ignoreUndefined: true });
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  record.set(payload, HEADER_BYTES);
  return seal(record, seq, payload.length);
}

function seal(record: Buffer, seq: number, payloadLength: number): Buffer {
  record.writeUInt32LE(payloadLength, 4);
  record.writeBigUInt64LE(BigInt(seq), 8);
  record.writeUInt32LE(crc32(record.subarray(4)), 0);
  return record;
}

type DocumentChange = Extract<Change, { op: 'insert' | 'replace' }>;

/**
 * `{op, ns, doc}` written by hand around the document's stored BSON, which is copied in as it is: the same
 * bytes `serialize` would produce for the decoded change, without decoding or encoding the document.
 */
function encodeDocumentChange(seq: number, change: DocumentChange): Buffer {
  const op = Buffer.from(change.op, 'utf8');
  const ns = Buffer.from(change.ns, 'utf8');
  const payloadLength = 4 + (4 + 4 + op.length + 1) + (4 + 4 + ns.length + 1) + (5 + change.doc.length) + 1;
  const record = Buffer.allocUnsafe(HEADER_BYTES + payloadLength);
  let at = HEADER_BYTES;
  at = record.writeInt32LE(payloadLength, at);
  at = writeString(record, at, 'op', op);
  at = writeString(record, at, 'ns', ns);
  record[at++] = 0x03;
  at += record.write('doc\0', at, 'latin1');
  record.set(change.doc, at);
  at += change.doc.length;
  record[at] = 0;
  return seal(record, seq, payloadLength);
}

function writeString(buf: Buffer, at: number, name: string, value: Buffer): number {
  buf[at++] = 0x02;
  at += buf.write(name + '\0', at, 'latin1');
  at = buf.writeInt32LE(value.length + 1, at);
  at += value.copy(buf, at);
  buf[at++] = 0;
  return at;
}

/**
 * Decodes a record. An insert or replace keeps its document as BSON (a view of `payload`: the engine copies
 * it into its own store); everything else is decoded with the wire codec, so replayed values take exactly
 * the in-memory shape of values that arrive over the wire.
 */
export function decodePayload(payload: Uint8Array): Document {
  const change = documentChange(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  if (change) return change;
  // Copy first: decoded Binary values keep a view of the buffer they came from, and `payload` is a view of a
  // multi-megabyte read chunk that would otherwise stay alive as long as the value does.
  return decodeDocument(new Uint8Array(payload));
}

/** `{op: 'insert' | 'replace', ns, doc}` read without decoding the document; undefined for anything else. */
function documentChange(buf: Buffer): DocumentChange | undefined {
  let at = 4;
  const fields: Record<string, string | Buffer> = {};
  const end = buf.readInt32LE(0) - 1;
  while (at < end) {
    const type = buf[at];
    const nameEnd = buf.indexOf(0, at + 1);
    const name = buf.toString('latin1', at + 1, nameEnd);
    at = nameEnd + 1;
    if (type === 0x02) {
      const len = buf.readInt32LE(at);
      fields[name] = buf.toString('utf8', at + 4, at + 4 + len - 1);
      at += 4 + len;
    } else if (type === 0x03 && name === 'doc') {
      const len = buf.readInt32LE(at);
      fields.doc = buf.subarray(at, at + len);
      at += len;
    } else return undefined;
  }
  const { op, ns, doc } = fields;
  if ((op !== 'insert' && op !== 'replace') || typeof ns !== 'string' || !(doc instanceof Buffer))
    return undefined;
  return { op, ns, doc };
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
