/**
 * OP_MSG (opcode 2013), the message every modern driver uses for commands.
 *
 * Decoding folds kind-1 document sequences into the command as arrays (`documents`, `updates`, `deletes`),
 * verifies the CRC-32C when checksumPresent is set, and refuses unknown required flag bits. An insert's
 * `documents` stay BSON (`RawDoc`, structurally checked) for the engine to store as they are. Replies are
 * written without a checksum, which the protocol allows.
 */
import type { Document } from 'bson';
import { HEADER_SIZE, MsgFlags, OpCode, REQUIRED_FLAG_MASK } from './constants.ts';
import { crc32c } from './crc32c.ts';
import { RawDoc } from '../raw-doc.ts';
import { decodeDocument, encodeDocument } from './bson-codec.ts';
import { checkBson } from './bson-check.ts';
import { readHeader, writeHeader } from './header.ts';
import { ProtocolError } from './protocol-error.ts';

export interface OpMsgRequest {
  requestId: number;
  flags: number;
  /** The kind-0 body with every kind-1 sequence added as an array field. */
  command: Document;
  moreToCome: boolean;
  exhaustAllowed: boolean;
}

const KNOWN_REQUIRED_FLAGS = MsgFlags.checksumPresent | MsgFlags.moreToCome;

export function decodeOpMsg(message: Buffer): OpMsgRequest {
  const header = readHeader(message);
  if (header.opCode !== OpCode.MSG) throw malformed(`opcode ${header.opCode} is not OP_MSG`);
  if (message.length < HEADER_SIZE + 5) throw malformed('OP_MSG is too short');
  const flags = message.readUInt32LE(HEADER_SIZE);
  const unknownRequired = flags & REQUIRED_FLAG_MASK & ~KNOWN_REQUIRED_FLAGS;
  if (unknownRequired)
    throw malformed(`OP_MSG has unknown required flag bits 0x${unknownRequired.toString(16)}`);

  let end = message.length;
  if (flags & MsgFlags.checksumPresent) {
    end -= 4;
    if (end < HEADER_SIZE + 5) throw malformed('OP_MSG is too short for its checksum');
    const expected = message.readUInt32LE(end);
    const actual = crc32c(message, 0, end);
    if (expected !== actual) {
      throw malformed(
        `OP_MSG checksum mismatch: got 0x${expected.toString(16)}, computed 0x${actual.toString(16)}`,
      );
    }
  }

  const { body, sequences } = readSections(message, HEADER_SIZE + 4, end);
  // An insert's documents stay BSON (checked, not decoded): the engine stores them as they came.
  const rawInsert = Object.keys(body)[0] === 'insert';
  for (const [identifier, raws] of sequences) {
    if (identifier in body)
      throw malformed(`OP_MSG document sequence '${identifier}' duplicates a body field`);
    body[identifier] =
      rawInsert && identifier === 'documents'
        ? raws.map((bytes) => (checkBson(bytes), new RawDoc(bytes)))
        : raws.map(decodeDocument);
  }
  return {
    requestId: header.requestId,
    flags,
    command: body,
    moreToCome: (flags & MsgFlags.moreToCome) !== 0,
    exhaustAllowed: (flags & MsgFlags.exhaustAllowed) !== 0,
  };
}

function readSections(message: Buffer, start: number, end: number) {
  let body: Document | undefined;
  const sequences = new Map<string, Buffer[]>();
  let pos = start;
  while (pos < end) {
    const kind = message[pos++];
    if (kind === 0) {
      if (body) throw malformed('OP_MSG has more than one body section');
      const size = bsonSize(message, pos, end);
      body = decodeDocument(message.subarray(pos, pos + size));
      pos += size;
    } else if (kind === 1) {
      if (pos + 4 > end) throw malformed('truncated document sequence');
      const size = message.readInt32LE(pos);
      const seqEnd = pos + size;
      if (size < 5 || seqEnd > end) throw malformed('document sequence size is out of bounds');
      const nul = message.indexOf(0, pos + 4);
      if (nul < 0 || nul >= seqEnd) throw malformed('document sequence identifier is not terminated');
      const identifier = message.toString('utf8', pos + 4, nul);
      if (sequences.has(identifier)) throw malformed(`duplicate document sequence '${identifier}'`);
      const docs: Buffer[] = [];
      let p = nul + 1;
      while (p < seqEnd) {
        const docSize = bsonSize(message, p, seqEnd);
        docs.push(message.subarray(p, p + docSize));
        p += docSize;
      }
      sequences.set(identifier, docs);
      pos = seqEnd;
    } else {
      throw malformed(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw malformed('OP_MSG has no body section');
  return { body, sequences };
}

function bsonSize(message: Buffer, pos: number, end: number): number {
  if (pos + 5 > end) throw malformed('truncated BSON document');
  const size = message.readInt32LE(pos);
  if (size < 5 || pos + size > end) throw malformed('BSON document size is out of bounds');
  return size;
}

/** Builds an OP_MSG reply carrying one body section and no checksum. */
export function encodeOpMsg(requestId: number, responseTo: number, body: Document, flags = 0): Buffer {
  return frameOpMsg(requestId, responseTo, encodeDocument(body), flags);
}

/** Wraps an already encoded body in an OP_MSG. */
export function frameOpMsg(requestId: number, responseTo: number, bson: Uint8Array, flags = 0): Buffer {
  const messageLength = HEADER_SIZE + 4 + 1 + bson.length;
  const out = Buffer.allocUnsafe(messageLength);
  writeHeader(out, { messageLength, requestId, responseTo, opCode: OpCode.MSG });
  out.writeUInt32LE(flags >>> 0, HEADER_SIZE);
  out[HEADER_SIZE + 4] = 0;
  out.set(bson, HEADER_SIZE + 5);
  return out;
}

function malformed(message: string): ProtocolError {
  return new ProtocolError(message, 9, 'FailedToParse');
}
