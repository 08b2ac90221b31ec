/**
 * Legacy OP_QUERY (2004) and OP_REPLY (1), kept only for the connection handshake: older drivers and some
 * tools open with `isMaster` over OP_QUERY against `<db>.$cmd`. Everything else must use OP_MSG.
 */
import type { Document } from 'bson';
import { HEADER_SIZE, OpCode } from './constants.ts';
import { decodeDocument, encodeDocument } from './bson-codec.ts';
import { readHeader, writeHeader } from './header.ts';
import { ProtocolError } from './protocol-error.ts';

export interface OpQueryRequest {
  requestId: number;
  fullCollectionName: string;
  /** The command, with any `$query` wrapper removed. */
  query: Document;
}

export function decodeOpQuery(message: Buffer): OpQueryRequest {
  const header = readHeader(message);
  let pos = HEADER_SIZE + 4; // skip flags
  const nul = message.indexOf(0, pos);
  if (nul < 0) throw malformed('collection name is not terminated');
  const fullCollectionName = message.toString('utf8', pos, nul);
  pos = nul + 1 + 8; // skip numberToSkip and numberToReturn
  if (pos + 5 > message.length) throw malformed('OP_QUERY is too short');
  const size = message.readInt32LE(pos);
  if (size < 5 || pos + size > message.length) throw malformed('query document size is out of bounds');
  let query = decodeDocument(message.subarray(pos, pos + size));
  if (query.$query && typeof query.$query === 'object') query = query.$query as Document;
  else if (query.query && typeof query.query === 'object' && Object.keys(query)[0] === 'query') {
    query = query.query as Document;
  }
  return { requestId: header.requestId, fullCollectionName, query };
}

/** Builds an OP_REPLY with the given documents (cursor id 0, starting at 0). */
export function encodeOpReply(requestId: number, responseTo: number, docs: Document[]): Buffer {
  return frameOpReply(
    requestId,
    responseTo,
    docs.map((d) => encodeDocument(d)),
  );
}

/** Wraps already encoded documents in an OP_REPLY. */
export function frameOpReply(requestId: number, responseTo: number, encoded: Uint8Array[]): Buffer {
  const bodyLength = encoded.reduce((n, b) => n + b.length, 0);
  const messageLength = HEADER_SIZE + 20 + bodyLength;
  const out = Buffer.alloc(messageLength);
  writeHeader(out, { messageLength, requestId, responseTo, opCode: OpCode.REPLY });
  out.writeInt32LE(0, HEADER_SIZE); // responseFlags
  out.writeBigInt64LE(0n, HEADER_SIZE + 4); // cursorID
  out.writeInt32LE(0, HEADER_SIZE + 12); // startingFrom
  out.writeInt32LE(encoded.length, HEADER_SIZE + 16);
  let pos = HEADER_SIZE + 20;
  for (const b of encoded) {
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

function malformed(message: string): ProtocolError {
  return new ProtocolError(message, 9, 'FailedToParse');
}
