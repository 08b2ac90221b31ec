/**
 * The byte form of index entries in a snapshot's index section. Entries are key strings (key-string.ts), almost
 * always one-byte; each is written as a u32 header (char count << 1 | two-byte flag) followed by its chars as
 * latin1 (one byte per char) or, when any char is above 0xFF, as UTF-16LE code units (lossless for any unit,
 * lone surrogates included). Reading makes one flat string per entry, so the loaded index holds exactly what a
 * rebuilt one would, without decoding a document, encoding a key or sorting.
 */
import type { IndexKey } from './ordered-index.ts';

const HEADER = 4;
/** Matches a string holding a char that latin1 cannot carry. */
const WIDE = /[\u0100-\uffff]/;

/** The entries as one buffer. */
export function packKeys(keys: readonly IndexKey[]): Buffer {
  const wide: boolean[] = new Array(keys.length);
  let bytes = 0;
  for (let i = 0; i < keys.length; i++) {
    wide[i] = WIDE.test(keys[i]);
    bytes += HEADER + keys[i].length * (wide[i] ? 2 : 1);
  }
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    at = out.writeUInt32LE(k.length * 2 + (wide[i] ? 1 : 0), at);
    at += out.write(k, at, wide[i] ? 'utf16le' : 'latin1');
  }
  return out;
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
