/**
 * Documents packed at rest: a small LZ77 codec (the LZ4 block layout) that the document store applies to
 * every stored copy, so a million issues take about half the memory (and half the first-touch page faults at
 * start-up) of their BSON. An issue's bytes are mostly its timeline, whose entries repeat the same field names,
 * actor ids, states and dates, which a byte-level LZ finds within the document itself; no dictionary is shared
 * between documents, so nothing about a document's encoding depends on any other.
 *
 * Why not zlib: Node's synchronous inflate costs 70–175 µs per call here (a stream per call), where a read
 * path wants a few µs. This codec is plain JavaScript over typed arrays: packing a 5 KB issue costs about 30
 * µs (once per write), unpacking about 10 µs (every read; measured on a loaded machine).
 *
 * A stored copy is self-describing:
 *   - plain BSON (the document was too small, or packing did not shrink it): the first u32 is its length;
 *   - packed: [u32 PACKED | packed length][u32 BSON length][tokens]. A BSON length is below 2^31, so the
 *     high bit tells them apart, and `storedDocLength` (contract.ts) reads either.
 * Tokens: a byte (literal count << 4 | match length - 4), each nibble 15 continued by bytes added up while
 * they are 255; the literals; then, unless the input ends there, the match's distance back (u16) and length.
 */
import { isPackedDoc, storedDocLength } from '../contract.ts';

/** The high bit of a packed copy's first u32. */
const PACKED = 0x80000000;
const HEADER = 8;
const MIN_MATCH = 4;
/** Smaller documents are stored as they are: the header and tokens would eat the gain. */
const MIN_PACK_BYTES = 128;
const MAX_DISTANCE = 0xffff;
const HASH_LOG = 13;
/**
 * Positions of 4-byte sequences seen so far, as `position + epoch`: a slot from an earlier call is below the
 * current epoch and reads as empty, so the table is never cleared.
 */
const table = new Int32Array(1 << HASH_LOG);
let epoch = 0;
let scratch = Buffer.allocUnsafeSlow(64 * 1024);
/** A larger document packs into a buffer of its own rather than keeping a huge scratch alive. */
const MAX_SCRATCH_BYTES = 1024 * 1024;

/** The BSON length of a stored copy. */
export function bsonLength(stored: Uint8Array, at = 0): number {
  return isPackedDoc(stored, at) ? readU32(stored, at + 4) : storedDocLength(stored, at);
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = v >>> 24;
}

/**
 * The stored form of a BSON document: packed when that is smaller, else `bson` itself. A packed result is a
 * view of a shared scratch buffer, valid until the next call (the store copies it at once).
 */
export function pack(bson: Uint8Array): Uint8Array {
  const n = bson.length;
  if (n < MIN_PACK_BYTES || isPackedDoc(bson)) return bson;
  // Packing stops once it is no shorter than the input, but the token that crosses that line can carry up
  // to the rest of the input as literals: at most about twice the input, plus the length bytes.
  const bound = HEADER + 2 * n + Math.ceil(n / 64) + 16;
  const out =
    bound <= scratch.length
      ? scratch
      : bound <= MAX_SCRATCH_BYTES
        ? (scratch = Buffer.allocUnsafeSlow(bound))
        : Buffer.allocUnsafeSlow(bound);
  if (epoch > 0x7fffffff - n - 1) {
    table.fill(0);
    epoch = 0;
  }
  const base = epoch + 1; // stored values are position + base, so 0 (a fresh table) is always empty
  epoch = base + n;
  const src = bson;
  const limit = n - MIN_MATCH;
  let o = HEADER;
  let anchor = 0;
  let i = 0;
  while (i <= limit) {
    const seq = src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24);
    const h = Math.imul(seq, 0x9e3779b1) >>> (32 - HASH_LOG);
    const ref = table[h] - base;
    table[h] = i + base;
    if (
      ref < 0 ||
      i - ref > MAX_DISTANCE ||
      src[ref] !== src[i] ||
      src[ref + 1] !== src[i + 1] ||
      src[ref + 2] !== src[i + 2] ||
      src[ref + 3] !== src[i + 3]
    ) {
      i++;
      continue;
    }
    let len = MIN_MATCH;
    while (i + len < n && src[ref + len] === src[i + len]) len++;
    o = emit(out, o, src, anchor, i, i - ref, len);
    i += len;
    anchor = i;
    // Remember a position near the match's end so a following repeat of the same run is found.
    if (i - 2 <= limit && i - 2 > ref) {
      const p = i - 2;
      const s2 = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
      table[Math.imul(s2, 0x9e3779b1) >>> (32 - HASH_LOG)] = p + base;
    }
    if (o >= n) return bson;
  }
  o = emit(out, o, src, anchor, n, 0, 0);
  if (o >= n) return bson;
  writeU32(out, 0, (PACKED | o) >>> 0);
  writeU32(out, 4, n);
  return out.subarray(0, o);
}

/** One token: the literals src[from, to), then (when `len` > 0) a match of `len` at `distance`. */
function emit(
  out: Uint8Array,
  o: number,
  src: Uint8Array,
  from: number,
  to: number,
  distance: number,
  len: number,
): number {
  const lit = to - from;
  const m = len > 0 ? len - MIN_MATCH : 0;
  out[o++] = ((lit >= 15 ? 15 : lit) << 4) | (m >= 15 ? 15 : m);
  if (lit >= 15) o = putLength(out, o, lit - 15);
  if (lit < 32) for (let k = from; k < to; k++) out[o++] = src[k];
  else {
    out.set(src.subarray(from, to), o);
    o += lit;
  }
  if (len === 0) return o;
  out[o++] = distance & 0xff;
  out[o++] = distance >>> 8;
  if (m >= 15) o = putLength(out, o, m - 15);
  return o;
}

function putLength(out: Uint8Array, o: number, rest: number): number {
  while (rest >= 255) {
    out[o++] = 255;
    rest -= 255;
  }
  out[o++] = rest;
  return o;
}

/**
 * Unpacked documents are cut from arenas of this size (a view pins its arena until it is dropped). Small
 * enough for malloc to serve from memory freed before (already faulted in): 256 KiB arenas were mapped
 * afresh and cost a page fault (about 20 µs here) per 4 KiB unpacked.
 */
const ARENA_BYTES = 32 * 1024;
let arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
let arenaUsed = 0;

/**
 * The BSON of a stored copy: `stored` itself when it is plain, else a new view (memory no one else writes,
 * so it stays valid like any stored copy). Throws when a packed copy does not unpack to exactly its length.
 */
export function unpack(stored: Buffer): Buffer {
  if (!isPackedDoc(stored)) return stored;
  const n = readU32(stored, 4);
  let out: Buffer;
  if (n > ARENA_BYTES / 4) out = Buffer.allocUnsafe(n);
  else {
    if (arenaUsed + n > ARENA_BYTES) {
      arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
      arenaUsed = 0;
    }
    out = arena.subarray(arenaUsed, arenaUsed + n);
    arenaUsed += (n + 7) & ~7;
  }
  unpackInto(stored, storedDocLength(stored), out, n);
  return out;
}

/**
 * The first bytes of a stored copy's BSON without unpacking it, when they are at hand: all of a plain copy,
 * or the literals a packed copy starts with (a document's first bytes never repeat earlier ones, so they
 * are literals unless a short run repeats itself). Enough to read an _id that comes first.
 */
export function leadingBytes(stored: Buffer): Buffer {
  if (!isPackedDoc(stored)) return stored;
  let ip = HEADER;
  const t = stored[ip++];
  let lit = t >>> 4;
  if (lit === 15) {
    let b: number;
    do lit += b = stored[ip++];
    while (b === 255);
  }
  return stored.subarray(ip, Math.min(ip + lit, storedDocLength(stored)));
}

/**
 * Runs shorter than this are copied byte by byte: a native copy costs more than the loop until then (and
 * `subarray` far more, as it allocates a Buffer).
 */
const LOOP_BYTES = 128;

/** Unpacks the packed copy `p` (of `end` bytes) into the first `n` bytes of `out`. */
function unpackInto(p: Buffer, end: number, out: Buffer, n: number): void {
  let ip = HEADER;
  let op = 0;
  while (ip < end) {
    const t = p[ip++];
    let lit = t >>> 4;
    if (lit === 15) {
      let b: number;
      do lit += b = p[ip++];
      while (b === 255);
    }
    if (!(op + lit <= n && ip + lit <= end)) throw damaged(); // negated: a NaN from a torn length fails too
    if (lit < LOOP_BYTES) for (let k = 0; k < lit; k++) out[op++] = p[ip++];
    else {
      p.copy(out, op, ip, ip + lit);
      ip += lit;
      op += lit;
    }
    if (ip >= end) break;
    const distance = p[ip] | (p[ip + 1] << 8);
    ip += 2;
    let len = (t & 15) + MIN_MATCH;
    if ((t & 15) === 15) {
      let b: number;
      do len += b = p[ip++];
      while (b === 255);
    }
    let from = op - distance;
    if (!(distance > 0 && from >= 0 && op + len <= n)) throw damaged();
    if (len < LOOP_BYTES || distance < len) for (let k = 0; k < len; k++) out[op++] = out[from++];
    else {
      out.copyWithin(op, from, from + len);
      op += len;
    }
  }
  if (op !== n) throw damaged();
}

function damaged(): Error {
  return new Error('a packed document does not unpack to its length');
}
