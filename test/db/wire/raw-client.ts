/**
 * A bare TCP client for wire tests: sends hand-built messages and reads whole replies, so the tests see exactly
 * what the server puts on the socket (including nothing at all, for moreToCome).
 */
import net from 'node:net';
import { BSON, type Document } from 'bson';
import { MessageSplitter } from '../../../server/db/embedded/wire/message-splitter.ts';
import { HEADER_SIZE, MsgFlags, OpCode } from '../../../server/db/embedded/wire/constants.ts';
import { crc32c } from '../../../server/db/embedded/wire/crc32c.ts';

export class RawClient {
  private readonly splitter = new MessageSplitter();
  private readonly inbox: Buffer[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.inbox.push(...this.splitter.push(chunk));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects to the server's socket when it has one, else to its loopback TCP port. */
  static connect(server: { port?: number; socketPath?: string }): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const onConnect = () => resolve(new RawClient(socket));
      const socket =
        server.socketPath !== undefined
          ? net.connect(server.socketPath, onConnect)
          : net.connect(server.port ?? 0, '127.0.0.1', onConnect);
      socket.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next message, or undefined if the connection closed or nothing arrived within `ms`. */
  async next(ms = 1000): Promise<Buffer | undefined> {
    const deadline = Date.now() + ms;
    while (this.inbox.length === 0 && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.inbox.shift();
  }

  /** Resolves true once the server has closed the connection (false after `ms`). */
  async waitClosed(ms = 1000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  end(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export interface MsgOptions {
  flags?: number;
  checksum?: boolean;
  /** Kind-1 sections: identifier -> documents (a Buffer goes in as it is, to send malformed BSON). */
  sequences?: Record<string, (Document | Buffer)[]>;
}

/** Builds an OP_MSG the way a driver would. */
export function buildOpMsg(requestId: number, body: Document, options: MsgOptions = {}): Buffer {
  const parts: Buffer[] = [Buffer.from([0]), Buffer.from(BSON.serialize(body))];
  for (const [identifier, docs] of Object.entries(options.sequences ?? {})) {
    const payload = Buffer.concat([
      Buffer.from(identifier + '\0'),
      ...docs.map((d) => (Buffer.isBuffer(d) ? d : Buffer.from(BSON.serialize(d)))),
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    parts.push(Buffer.from([1]), size, payload);
  }
  let flags = options.flags ?? 0;
  if (options.checksum) flags |= MsgFlags.checksumPresent;
  const sections = Buffer.concat(parts);
  const length = HEADER_SIZE + 4 + sections.length + (options.checksum ? 4 : 0);
  const out = Buffer.alloc(length);
  out.writeInt32LE(length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(0, 8);
  out.writeInt32LE(OpCode.MSG, 12);
  out.writeUInt32LE(flags >>> 0, 16);
  sections.copy(out, 20);
  if (options.checksum) out.writeUInt32LE(crc32c(out, 0, length - 4), length - 4);
  return out;
}

/** Builds a legacy OP_QUERY against `<collection>`. */
export function buildOpQuery(requestId: number, collection: string, query: Document): Buffer {
  const name = Buffer.from(collection + '\0');
  const doc = Buffer.from(BSON.serialize(query));
  const length = HEADER_SIZE + 4 + name.length + 8 + doc.length;
  const out = Buffer.alloc(length);
  out.writeInt32LE(length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(0, 8);
  out.writeInt32LE(OpCode.QUERY, 12);
  out.writeInt32LE(0, 16);
  name.copy(out, 20);
  out.writeInt32LE(0, 20 + name.length);
  out.writeInt32LE(-1, 24 + name.length);
  doc.copy(out, 28 + name.length);
  return out;
}

export interface ParsedReply {
  opCode: number;
  responseTo: number;
  flags: number;
  body: Document;
}

/** Reads an OP_MSG (single body section) or OP_REPLY (first document) reply. */
export function parseReply(message: Buffer): ParsedReply {
  const opCode = message.readInt32LE(12);
  const responseTo = message.readInt32LE(8);
  if (opCode === OpCode.MSG) {
    const flags = message.readUInt32LE(16);
    if (message[20] !== 0) throw new Error('expected a body section');
    return { opCode, responseTo, flags, body: BSON.deserialize(message.subarray(21)) };
  }
  if (opCode === OpCode.REPLY) {
    const count = message.readInt32LE(32);
    if (count !== 1) throw new Error(`expected one document, got ${count}`);
    return {
      opCode,
      responseTo,
      flags: message.readInt32LE(16),
      body: BSON.deserialize(message.subarray(36)),
    };
  }
  throw new Error(`unexpected opcode ${opCode}`);
}
