/**
 * Cuts a TCP byte stream into whole wire messages using each message's int32 length prefix.
 * Refuses lengths outside [16, maxMessageSizeBytes] before buffering them, so a hostile or corrupt length
 * cannot make the server allocate unbounded memory.
 */
import { HEADER_SIZE, Limits } from './constants.ts';
import { ProtocolError } from './protocol-error.ts';

export class MessageSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxMessageSize: number = Limits.maxMessageSizeBytes) {}

  /** Adds bytes and returns every message now complete, in order. Throws ProtocolError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 4) {
      const length = this.peekLength();
      if (length < HEADER_SIZE || length > this.maxMessageSize) {
        throw new ProtocolError(
          `message length ${length} is outside the allowed range [${HEADER_SIZE}, ${this.maxMessageSize}]`,
          10334,
          'BSONObjectTooLarge',
        );
      }
      if (this.buffered < length) break;
      out.push(this.take(length));
    }
    return out;
  }

  /** Bytes received that do not yet form a whole message. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32LE(0);
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].readInt32LE(0);
  }

  private take(length: number): Buffer {
    const first = this.chunks[0];
    if (first.length >= length) {
      const message = first.subarray(0, length);
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      this.buffered -= length;
      return message;
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = all.length > length ? [all.subarray(length)] : [];
    this.buffered -= length;
    return all.subarray(0, length);
  }
}
