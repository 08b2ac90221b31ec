/**
 * The byte form of index entries in a snapshot's index section. Entries are key strings (key-string.ts), almost
 * always one-byte; each is written as a u32 header (char count << 1 | two-byte flag) followed by its chars as
 * latin1 (one byte per char) or, when any char is above 0xFF, as UTF-16LE code units (lossless for any unit,
 * lone surrogates included). A checkpoint writes them from an index's packed bytes and a start-up packs them
 * back (packed-keys.ts), so the loaded index holds exactly what a rebuilt one would, without a string per entry,
 * decoding a document, encoding a key or sorting.
 */
import type { IndexKey } from './ordered-index.ts';

const HEADER = 4;
/** Matches a string holding a char that latin1 cannot carry. */
const WIDE = /[\u0100-\uffff]/;

/** The entries as one buffer. */
export function packKeys(keys: readonly IndexKey[]): Buffer {
  const out = new SectionWriter();
  for (const k of keys) {
    const wide = WIDE.test(k);
    const bytes = wide ? Buffer.from(k, 'utf16le').swap16() : Buffer.from(k, 'latin1');
    out.push(bytes, 0, bytes.length, wide);
  }
  return out.bytes();
}

/** Packs entries given as bytes (latin1, or UTF-16BE when `wide`) into the same form as `packKeys`. */
export class SectionWriter {
  private out = Buffer.allocUnsafe(64 * 1024);
  private at = 0;

  get byteLength(): number {
    return this.at;
  }

  push(bytes: Buffer, a: number, b: number, wide: boolean): void {
    const need = this.at + HEADER + (b - a);
    if (need > this.out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.out.length * 2));
      this.out.copy(bigger, 0, 0, this.at);
      this.out = bigger;
    }
    this.at = this.out.writeUInt32LE(wide ? (b - a) | 1 : (b - a) * 2, this.at);
    bytes.copy(this.out, this.at, a, b);
    if (wide) this.out.subarray(this.at, this.at + (b - a)).swap16();
    this.at += b - a;
  }

  /** The packed entries (a view of the writer's buffer). */
  bytes(): Buffer {
    return this.out.subarray(0, this.at);
  }
}

/**
 * Calls `each` with every entry packed in `bytes`: its chars are `buf[at, end)`, latin1, or UTF-16LE when
 * `wide`. Throws on a malformed buffer.
 */
export function forEachPacked(
  bytes: Uint8Array,
  each: (buf: Buffer, at: number, end: number, wide: boolean) => void,
): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < buf.length) {
    if (at + HEADER > buf.length) throw new Error('index section: truncated entry header');
    const header = buf.readUInt32LE(at);
    at += HEADER;
    const wide = (header & 1) === 1;
    const end = at + (header >>> 1) * (wide ? 2 : 1);
    if (end > buf.length) throw new Error('index section: entry runs past its slice');
    each(buf, at, end, wide);
    at = end;
  }
}

/** Appends the entries packed in `bytes` to `into`; throws on a malformed buffer. */
export function unpackKeys(bytes: Uint8Array, into: IndexKey[]): void {
  forEachPacked(bytes, (buf, at, end, wide) => into.push(buf.toString(wide ? 'utf16le' : 'latin1', at, end)));
}
