/**
 * The on-disk framing shared by journal segments and snapshots.
 *
 * Every record is `[crc32 u32][length u32][seq u64][BSON payload]`, little-endian. The CRC-32 covers everything
 * after itself (length, seq and payload), so a torn or bit-flipped record is detected wherever the damage is.
 * The sequence number is what recovery uses to find the checkpoint start and to prove no record is missing.
 */
import { crc32 } from 'node:zlib';
import { serialize, type Document } from 'bson';
import { isPackedDoc, storedDocLength, type Change } from '../contract.ts';
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
    const { doc, ns } = value as DocumentChange;
    // A packed copy is no BSON document: it travels as a block of one (`forEachChange` hands it back).
    if (value.op === 'insert' && isPackedDoc(doc)) return encodeInsertBlock(seq, ns, [doc], doc.length);
    return encodeDocumentChange(seq, value as DocumentChange);
  }
  const payload = serialize(value, { checkKeys: false, ignoreUndefined: true });
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  record.set(payload, HEADER_BYTES);
  return seal(record, seq, payload.length);
}

/** At most this much of a command's inserted copies into one collection go in one journal record. */
const JOURNAL_BLOCK_BYTES = 1024 * 1024;

/**
 * One command's changes as journal records from sequence `firstSeq` on: each run of inserts into one
 * collection as one `InsertBlock` of their stored copies, packed or plain (one header, CRC and parse per run
 * instead of per document; the replay hands them back one by one), anything else a record as `encodeRecord`
 * makes it.
 */
export function encodeRecords(firstSeq: number, values: readonly Document[]): Buffer[] {
  const out: Buffer[] = [];
  let run: Uint8Array[] = [];
  let ns = '';
  let bytes = 0;
  const sealRun = () => {
    if (run.length) out.push(encodeInsertBlock(firstSeq + out.length, ns, run, bytes));
    run = [];
    bytes = 0;
  };
  for (const value of values) {
    const doc: unknown = value.op === 'insert' ? value.doc : undefined;
    if (doc instanceof Uint8Array) {
      if (value.ns !== ns || bytes + doc.length > JOURNAL_BLOCK_BYTES) sealRun();
      ns = value.ns as string;
      run.push(doc);
      bytes += doc.length;
      continue;
    }
    sealRun();
    out.push(encodeRecord(firstSeq + out.length, value));
  }
  sealRun();
  return out;
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
  const { doc } = change;
  return encodeOpRecord(seq, change.op, change.ns, 0x03, 'doc', doc.length, (record, at) =>
    record.set(doc, at),
  );
}

/**
 * A snapshot record that carries a run of documents inserted into one collection: `{op: 'inserts', ns, docs}`
 * with `docs` a binary of the documents' stored copies back to back (BSON, or packed from format 4 on: see
 * contract.ts `storedDocLength`). One record (one header, one CRC, one parse) per about a mebibyte instead of
 * one per document; recovery hands each document on as an `insert`.
 */
export interface InsertBlock {
  op: 'inserts';
  ns: string;
  docs: Buffer;
}

/** Encodes an `InsertBlock` record around `docs` (whose lengths add up to `bytes`), copying each once. */
export function encodeInsertBlock(
  seq: number,
  ns: string,
  docs: readonly Uint8Array[],
  bytes: number,
): Buffer {
  return encodeOpRecord(seq, 'inserts', ns, 0x05, 'docs', 5 + bytes, (record, start) => {
    let at = record.writeInt32LE(bytes, start);
    record[at++] = 0x00; // binary subtype: generic
    for (const doc of docs) {
      record.set(doc, at);
      at += doc.length;
    }
  });
}

/**
 * The record `{op, ns, <name>: value}` with the value's `valueBytes` written by `writeValue` at the offset it
 * is given (after the element's type byte and name).
 */
function encodeOpRecord(
  seq: number,
  op: string,
  ns: string,
  type: number,
  name: string,
  valueBytes: number,
  writeValue: (record: Buffer, at: number) => void,
): Buffer {
  const opBytes = Buffer.from(op, 'utf8');
  const nsBytes = Buffer.from(ns, 'utf8');
  const element = 1 + name.length + 1 + valueBytes;
  const payloadLength = 4 + (4 + 4 + opBytes.length + 1) + (4 + 4 + nsBytes.length + 1) + element + 1;
  const record = Buffer.allocUnsafe(HEADER_BYTES + payloadLength);
  let at = HEADER_BYTES;
  at = record.writeInt32LE(payloadLength, at);
  at = writeString(record, at, 'op', opBytes);
  at = writeString(record, at, 'ns', nsBytes);
  record[at++] = type;
  at += record.write(name + '\0', at, 'latin1');
  writeValue(record, at);
  record[HEADER_BYTES + payloadLength - 1] = 0;
  return seal(record, seq, payloadLength);
}

/**
 * Hands a decoded record on as changes: an `InsertBlock` as one `insert` per document (views of its bytes),
 * anything else as it is. Throws when a block's documents do not tile it exactly.
 */
export function forEachChange(value: Document, apply: (change: Change) => void): void {
  if (value.op !== 'inserts') return apply(value as Change);
  const { ns, docs } = value as InsertBlock;
  if (!Buffer.isBuffer(docs)) throw new Error(`a block of documents for ${ns} is malformed (no binary)`);
  let at = 0;
  while (at < docs.length) {
    const length = at + 4 <= docs.length ? storedDocLength(docs, at) : -1;
    const packed = length >= 0 && isPackedDoc(docs, at);
    if (length < (packed ? 9 : 5) || at + length > docs.length || (!packed && docs[at + length - 1] !== 0)) {
      throw new Error(`a block of documents for ${ns} is malformed at byte ${at}`);
    }
    apply({ op: 'insert', ns, doc: docs.subarray(at, at + length) });
    at += length;
  }
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
 * it into its own store), and so does an `InsertBlock` (see `forEachChange`); everything else is decoded with the wire codec, so replayed values take exactly
 * the in-memory shape of values that arrive over the wire.
 */
export function decodePayload(payload: Uint8Array): Document {
  const buf = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const change = documentChange(buf);
  if (change) return change;
  // Copy first: decoded Binary values keep a view of the buffer they came from, and `payload` is a view of a
  // multi-megabyte read chunk that would otherwise stay alive as long as the value does.
  return decodeDocument(new Uint8Array(payload));
}

/**
 * `{op: 'insert' | 'replace', ns, doc}` or an `InsertBlock`, read without decoding the documents; undefined
 * for anything else.
 */
function documentChange(buf: Buffer): DocumentChange | InsertBlock | undefined {
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
    } else if (type === 0x05 && name === 'docs' && buf[at + 4] === 0x00) {
      const len = buf.readInt32LE(at);
      fields.docs = buf.subarray(at + 5, at + 5 + len);
      at += 5 + len;
    } else return undefined;
  }
  const { op, ns, doc, docs } = fields;
  if (typeof ns !== 'string') return undefined;
  if (op === 'inserts' && docs instanceof Buffer) return { op, ns, docs };
  if ((op !== 'insert' && op !== 'replace') || !(doc instanceof Buffer)) return undefined;
  return { op, ns, doc };
}

export type HeaderCheck = { ok: true; length: number; seq: number } | { ok: false; reason: string };

/** Reads a header. It cannot be trusted until `verifyRecord` has checked the CRC over the whole record. */
export function readHeader(buf: Buffer, at: number): HeaderCheck {
  const length = buf.readUInt32LE(at + 4);
  if (length < MIN_BSON_BYTES || length > MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: `implausible record length ${length}` };
  }
  // Two 32-bit halves instead of a BigInt per record: a safe integer has at most 21 bits in the high half.
  const high = buf.readUInt32LE(at + 12);
  if (high >= 2 ** 21) {
    return { ok: false, reason: `implausible sequence number ${buf.readBigUInt64LE(at + 8)}` };
  }
  return { ok: true, length, seq: high * 2 ** 32 + buf.readUInt32LE(at + 8) };
}

/** True when the stored CRC matches the record occupying `buf[at, at + HEADER_BYTES + length)`. */
export function verifyRecord(buf: Buffer, at: number, length: number): boolean {
  const stored = buf.readUInt32LE(at);
  return crc32(buf.subarray(at + 4, at + HEADER_BYTES + length)) === stored;
}
