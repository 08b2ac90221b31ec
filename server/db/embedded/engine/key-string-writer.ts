/**
 * The scratch buffer every key string is written into. Encoding is synchronous and never re-entrant, so one
 * module-level buffer serves all keys and a key costs one string allocation: written as code units, it
 * leaves as a flat one-byte string (through a Buffer) unless some unit is above 0xFF.
 */
import { Buffer } from 'node:buffer';

/** Terminates strings, arrays and objects: below every byte that can stand in its place. */
export const END = 0x00;

const SMALL = 512;
let units = new Uint16Array(SMALL);
let bytes = Buffer.allocUnsafeSlow(SMALL);
let pos = 0;
/** Set once a code unit above 0xFF is written: the key must then be a two-byte string. */
let wide = false;

function reserve(n: number): void {
  if (pos + n <= units.length) return;
  const grown = new Uint16Array(Math.max(units.length * 2, pos + n));
  grown.set(units.subarray(0, pos));
  units = grown;
}

export function begin(): void {
  pos = 0;
  wide = false;
}

/** The current length, for `complementFrom`. */
export function mark(): number {
  return pos;
}

export function put(b: number): void {
  if (pos === units.length) reserve(1);
  units[pos++] = b;
}

/** `v` (an integer in 0 .. 2^32 - 1) as `n` <= 4 big-endian bytes. */
export function putUint(v: number, n: number): void {
  reserve(n);
  for (let shift = (n - 1) * 8; shift >= 0; shift -= 8) units[pos++] = (v >>> shift) & 0xff;
}

export function putBytes(b: Uint8Array): void {
  reserve(b.length);
  for (let i = 0; i < b.length; i++) units[pos++] = b[i];
}

/**
 * A string body and its END. Units 0 and 1 become 0x01 0x01 and 0x01 0x02, so END only ever terminates and
 * no body is a prefix of another. Other units stay themselves, except in the `narrow` form (descending
 * fields, which are complemented byte-wise) where a unit >= 0xFF becomes 0xFF, high byte, low byte.
 */
export function putString(s: string, narrow: boolean): void {
  reserve((narrow ? 3 : 2) * s.length + 1);
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 2) {
      units[pos++] = 1;
      units[pos++] = u + 1;
    } else if (u < 0xff || !narrow) {
      if (u > 0xff) wide = true;
      units[pos++] = u;
    } else {
      units[pos++] = 0xff;
      units[pos++] = u >>> 8;
      units[pos++] = u & 0xff;
    }
  }
  units[pos++] = END;
}

/** Appends an already encoded key unchanged. */
export function putKey(s: string): void {
  reserve(s.length);
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u > 0xff) wide = true;
    units[pos++] = u;
  }
}

/** Descending fields: 0xFF - b reverses the order of prefix-free byte strings. */
export function complementFrom(from: number): void {
  for (let i = from; i < pos; i++) units[i] = 0xff - units[i];
}

/** The written key as a flat string. */
export function take(): string {
  const n = pos;
  pos = 0;
  const s = wide ? fromCharCodes(n) : fromBytes(n);
  if (units.length > 1 << 20) units = new Uint16Array(SMALL); // one huge key must not pin a huge scratch
  return s;
}

function fromBytes(n: number): string {
  if (bytes.length < n) bytes = Buffer.allocUnsafeSlow(Math.max(n, bytes.length * 2));
  for (let i = 0; i < n; i++) bytes[i] = units[i];
  const s = bytes.toString('latin1', 0, n);
  if (bytes.length > 1 << 20) bytes = Buffer.allocUnsafeSlow(SMALL);
  return s;
}

function fromCharCodes(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i += 4096)
    parts.push(String.fromCharCode(...units.subarray(i, Math.min(n, i + 4096))));
  return parts.join('');
}
