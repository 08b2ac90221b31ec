/**
 * One client connection: frames incoming bytes into messages, runs them strictly in arrival order (so a w:0
 * write is visible to the next command on the same connection), and writes each reply.
 *
 * OP_MSG is the protocol; OP_QUERY is accepted only for the handshake. OP_COMPRESSED (never advertised) and
 * unknown or removed opcodes are answered with an error where a reply is possible, logged, and the
 * connection is closed, because the client is speaking something this server does not.
 */
import type { Socket } from 'node:net';
import type { Document } from 'bson';
import type { Logger } from 'pino';
import type { CommandContext } from '../contract.ts';
import type { Dispatcher } from '../dispatch.ts';
import { commandName } from '../dispatch.ts';
import { encodeDocument } from './bson-codec.ts';
import { Limits, OpCode } from './constants.ts';
import type { ConnectionInfo } from './connection-directory.ts';
import { readHeader } from './header.ts';
import { MessageSplitter } from './message-splitter.ts';
import { decodeOpMsg, encodeOpMsg, frameOpMsg } from './op-msg.ts';
import { decodeOpQuery, encodeOpReply, frameOpReply } from './op-query.ts';
import { ProtocolError } from './protocol-error.ts';

export interface ConnectionDeps {
  dispatch: Dispatcher;
  /** Builds the per-command context for a database on this connection. */
  context: (db: string, connectionId: number) => CommandContext;
  logger: Logger;
  maxMessageSize?: number;
}

/** A reply may exceed a user document by this much (MongoDB's internal allowance for the envelope). */
const REPLY_OVERHEAD = 16 * 1024;
const HANDSHAKE_COMMANDS = new Set(['hello', 'ismaster']);
const MAX_QUEUED_MESSAGES = 64;

let lastResponseId = 0;

/** Reply request ids are positive int32s; wrap rather than overflow the header field. */
function responseId(): number {
  lastResponseId = lastResponseId >= 0x7fffffff ? 1 : lastResponseId + 1;
  return lastResponseId;
}

export class WireConnection {
  private readonly splitter: MessageSplitter;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly deps: ConnectionDeps,
  ) {
    this.splitter = new MessageSplitter(deps.maxMessageSize ?? Limits.maxMessageSizeBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => deps.logger.debug({ err, connectionId: info.id }, 'connection error'));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Resolves once every message received so far has been answered. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Ends the connection; commands already running finish but their replies are dropped. */
  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let messages: Buffer[];
    try {
      messages = this.splitter.push(chunk);
    } catch (err) {
      this.fail(err, undefined);
      return;
    }
    for (const message of messages) {
      this.queued++;
      this.queue = this.queue.then(() => this.handle(message)).finally(() => this.dequeued());
    }
    // A client streaming w:0 writes faster than they run must not grow the queue without bound.
    if (this.queued >= MAX_QUEUED_MESSAGES) this.socket.pause();
  }

  private dequeued(): void {
    this.queued--;
    if (this.queued < MAX_QUEUED_MESSAGES / 2 && this.socket.isPaused() && !this.closed) this.socket.resume();
  }

  private async handle(message: Buffer): Promise<void> {
    if (this.closed) return;
    const header = readHeader(message);
    try {
      switch (header.opCode) {
        case OpCode.MSG:
          return await this.handleMsg(message);
        case OpCode.QUERY:
          return await this.handleQuery(message);
        case OpCode.COMPRESSED:
          throw new ProtocolError(
            'OP_COMPRESSED is not supported: this server advertises no compressors',
            238,
            'NotImplemented',
          );
        default:
          throw new ProtocolError(`unsupported opcode ${header.opCode}`, 238, 'NotImplemented');
      }
    } catch (err) {
      this.fail(err, header);
    }
  }

  private async handleMsg(message: Buffer): Promise<void> {
    const request = decodeOpMsg(message);
    const db = request.command.$db;
    let reply: Document;
    if (typeof db !== 'string' || db === '') {
      reply = {
        ok: 0,
        errmsg: 'OP_MSG requests require a $db argument',
        code: 40571,
        codeName: 'Location40571',
      };
    } else {
      reply = await this.deps.dispatch(request.command, this.deps.context(db, this.info.id));
    }
    if (request.moreToCome) {
      if (reply.ok !== 1) {
        this.deps.logger.warn(
          { connectionId: this.info.id, reply },
          'unacknowledged (moreToCome) command failed',
        );
      }
      return;
    }
    this.write(frameOpMsg(responseId(), request.requestId, this.encodeReply(reply)));
  }

  private async handleQuery(message: Buffer): Promise<void> {
    const request = decodeOpQuery(message);
    const name = commandName(request.query) ?? '';
    let reply: Document;
    if (request.fullCollectionName.endsWith('.$cmd') && HANDSHAKE_COMMANDS.has(name.toLowerCase())) {
      const db = request.fullCollectionName.slice(0, -'.$cmd'.length);
      reply = await this.deps.dispatch(request.query, this.deps.context(db, this.info.id));
    } else {
      reply = {
        ok: 0,
        errmsg: `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`,
        code: 352,
        codeName: 'UnsupportedOpQueryCommand',
      };
    }
    this.write(frameOpReply(responseId(), request.requestId, [this.encodeReply(reply)]));
  }

  /** Replaces a reply too large (or impossible) to encode with an error the client can read. */
  private encodeReply(reply: Document): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = encodeDocument(reply);
    } catch (err) {
      this.deps.logger.error({ err, connectionId: this.info.id }, 'reply could not be encoded');
      return encodeDocument({
        ok: 0,
        errmsg: 'reply could not be encoded as BSON',
        code: 1,
        codeName: 'InternalError',
      });
    }
    if (bytes.length <= Limits.maxBsonObjectSize + REPLY_OVERHEAD) return bytes;
    return encodeDocument({
      ok: 0,
      errmsg: `reply of ${bytes.length} bytes exceeds the BSON size limit`,
      code: 10334,
      codeName: 'BSONObjectTooLarge',
    });
  }

  /** Answers a broken or unsupported message when the request is identifiable, then closes the connection. */
  private fail(err: unknown, header: { requestId: number; opCode: number } | undefined): void {
    const protocol = err instanceof ProtocolError;
    const message = err instanceof Error ? err.message : String(err);
    this.deps.logger.error(
      { err, connectionId: this.info.id, remote: this.info.remote },
      `closing connection: ${message}`,
    );
    if (header && !this.closed) {
      const reply = {
        ok: 0,
        errmsg: message,
        code: protocol ? err.code : 1,
        codeName: protocol ? err.codeName : 'InternalError',
      };
      // A legacy client can only read OP_REPLY; everyone else gets OP_MSG.
      this.socket.write(
        header.opCode === OpCode.QUERY
          ? encodeOpReply(responseId(), header.requestId, [reply])
          : encodeOpMsg(responseId(), header.requestId, reply),
      );
    }
    this.closed = true;
    this.socket.end();
  }

  private write(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }
}
