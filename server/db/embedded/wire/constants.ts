/**
 * Numbers fixed by the MongoDB wire protocol, and the limits this server advertises in `hello`.
 * Kept in one place so the handshake reply and the framing code can never disagree.
 */
export const OpCode = {
  REPLY: 1,
  UPDATE: 2001,
  INSERT: 2002,
  QUERY: 2004,
  GET_MORE: 2005,
  DELETE: 2006,
  KILL_CURSORS: 2007,
  COMPRESSED: 2012,
  MSG: 2013,
} as const;

export const MsgFlags = {
  checksumPresent: 1 << 0,
  moreToCome: 1 << 1,
  exhaustAllowed: 1 << 16,
} as const;

/** Bits 0-15 of OP_MSG flagBits are "required": a parser must refuse any it does not know. */
export const REQUIRED_FLAG_MASK = 0xffff;

export const Limits = {
  maxBsonObjectSize: 16 * 1024 * 1024,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
} as const;

/** The wire version of MongoDB 7.0 — the server version `buildInfo` reports. Driver 7 needs at least 9. */
export const MAX_WIRE_VERSION = 21;
export const MIN_WIRE_VERSION = 0;
export const SERVER_VERSION = '7.0.0-embedded';
export const SERVER_VERSION_ARRAY = [7, 0, 0, 0] as const;

export const HEADER_SIZE = 16;
