/**
 * Documents packed at rest: a small LZ77 codec (the LZ4 block layout) that the document store applies to
 * every stored copy. An issue's bytes are mostly its timeline, whose entries repeat the same field names,
 * actor ids, states and dates, which a byte-level LZ finds within the document itself: about half its BSON.
 *
 * A collection's documents also repeat each other (the same field names, enum values and timeline layout in
 * every issue), which no single document can exploit. Once a collection holds `TRAIN_AT` documents its store
 * makes a **dictionary** (`trainDict`: sample documents back to back, at most 32 KiB), and later copies are
 * packed as if the dictionary preceded them, so matches reach back into it: an issue then takes about a quarter
 * of its BSON. A dictionary never changes once made; copies name theirs by id, the catalog keeps them all
 * (`PackDicts`), and a snapshot saves each before the copies that use it.
 *
 * Why not zlib: Node's synchronous inflate costs 70–175 µs per call here (a stream per call), where a read
 * path wants a few µs. This codec is plain JavaScript over typed arrays: packing a 5 KB issue costs about 30
 * µs (once per write), unpacking about 10 µs (every read; measured on a loaded machine).
 *
 * A stored copy is self-describing:
 *   - plain BSON (the document was too small, or packing did not shrink it): the first u32 is its length;
 *   - packed: [u32 PACKED | packed length][u32 BSON length][tokens]. A BSON length is below 2^30, so the
 *     high bit tells them apart, and `storedDocLength` (contract.ts) reads either;
 *   - packed with a dictionary: [u32 PACKED | DICT | packed length][u32 BSON length][u32 dictionary id][tokens].
 * Tokens: a byte (literal count << 4 | match length - 4), each nibble 15 continued by bytes added up while
 * they are 255; the literals; then, unless the input ends there, the match's distance back (u16) and length.
 * With a dictionary, a distance beyond the bytes unpacked so far reaches into the dictionary's tail.
 */
import { isPackedDoc, packedWithDict, storedDocLength } from '../contract.ts';

/** The high bit of a packed copy's first u32. */
const PACKED = 0x80000000;
/** The next bit: packed against a dictionary, whose id follows the BSON length. */
const DICT = 0x40000000;
const HEADER = 8;
const DICT_HEADER = 12;
/** Bytes a copy packed with a dictionary keeps as literals at its start: the length and an ObjectId _id. */
const LITERAL_PREFIX = 21;
/** A collection gets its dictionary when it reaches this many documents. */
export const TRAIN_AT = 1000;
/** At most this much of a dictionary: every packed copy's matches must reach it within the u16 distance. */
const MAX_DICT_BYTES = 32 * 1024;
/** Sample documents larger than this are left out of a dictionary (one would crowd out the others). */
const MAX_SAMPLE_BYTES = 8 * 1024;
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
/** The dictionary and the document laid out together for packing, and the hash table seeded from it. */
let joined: Buffer = Buffer.allocUnsafeSlow(64 * 1024);
/** `joined` read 4 bytes at a time (V8 compiles a DataView's reads to one unaligned load). */
let joinedView: DataView = new DataView(joined.buffer, joined.byteOffset, joined.length);
/** The dictionary `joined` begins with: packing against it again skips copying its 32 KiB. */
let joinedDict: PackDict | undefined;
/** A new `joined`, which holds no dictionary yet. */
function setJoined(b: Buffer): void {
  joined = b;
  joinedDict = undefined;
  joinedView = new DataView(b.buffer, b.byteOffset, b.length);
}
const dictWork = new Int32Array(1 << HASH_LOG);
/** A larger document packs into a buffer of its own rather than keeping a huge scratch alive. */
const MAX_SCRATCH_BYTES = 1024 * 1024;

/** The BSON length of a stored copy. */
export function bsonLength(stored: Uint8Array, at = 0): number {
  return isPackedDoc(stored, at) ? readU32(stored, at + 4) : storedDocLength(stored, at);
}

/** A dictionary: bytes that copies packed with it may refer back into, and their positions by hash. */
export class PackDict {
  /** Position + 1 of each 4-byte sequence's last occurrence (0: none), as `compress` expects with base 1. */
  readonly table = new Int32Array(1 << HASH_LOG);

  constructor(
    readonly id: number,
    readonly bytes: Buffer,
  ) {
    for (let i = 0; i + MIN_MATCH <= bytes.length; i++) {
      const seq = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
      this.table[Math.imul(seq, 0x9e3779b1) >>> (32 - HASH_LOG)] = i + 1;
    }
  }
}

/** Every dictionary of one engine, by id (ids are small and never reused while copies may name them). */
export class PackDicts {
  private readonly byId: (PackDict | undefined)[] = [];

  get(id: number): PackDict | undefined {
    return this.byId[id];
  }

  /** A new dictionary with the next free id. */
  create(bytes: Buffer): PackDict {
    return this.add(this.byId.length === 0 ? 1 : this.byId.length, bytes);
  }

  /** Registers a saved dictionary (recovery); the same id twice must carry the same bytes. */
  add(id: number, bytes: Uint8Array): PackDict {
    if (!(Number.isSafeInteger(id) && id > 0 && id < 2 ** 31) || bytes.length > MAX_DICT_BYTES) {
      throw new Error(`a packing dictionary (id ${id}, ${bytes.length} bytes) is malformed`);
    }
    const had = this.byId[id];
    if (had) {
      if (!had.bytes.equals(bytes)) throw new Error(`two packing dictionaries have the id ${id}`);
      return had;
    }
    const dict = new PackDict(id, Buffer.from(bytes));
    this.byId[id] = dict;
    return dict;
  }
}

/**
 * A dictionary's bytes from sample documents (BSON): whole documents back to back, in the order given, up to
 * 32 KiB (a sample larger than 8 KiB, or one that would go over, is passed over). Whole documents carry every field name, value layout and timeline entry
 * in the order documents hold them, which is what later copies repeat. Undefined when nothing fits.
 */
export function trainDict(samples: readonly Uint8Array[]): Buffer | undefined {
  const picked: Uint8Array[] = [];
  let bytes = 0;
  for (const s of samples) {
    if (s.length > MAX_SAMPLE_BYTES || bytes + s.length > MAX_DICT_BYTES) continue;
    picked.push(s);
    bytes += s.length;
  }
  return bytes >= MIN_PACK_BYTES ? Buffer.concat(picked) : undefined;
}

/** The id of the dictionary a stored copy was packed with, if any. */
export function dictIdOf(stored: Uint8Array): number | undefined {
  return packedWithDict(stored) ? readU32(stored, 8) : undefined;
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
 * The stored form of a BSON document: packed when that is smaller, else `bson` itself. With `dict`, matches
 * may reach back into the dictionary as if it preceded the document. A packed result is a view of a shared
 * scratch buffer, valid until the next call (the store copies it at once).
 */
export function pack(bson: Uint8Array, dict?: PackDict): Uint8Array {
  const n = bson.length;
  if (n < MIN_PACK_BYTES || isPackedDoc(bson)) return bson;
  // Packing stops once it is no shorter than the input, but the token that crosses that line can carry up
  // to the rest of the input as literals: at most about twice the input, plus the length bytes.
  const bound = DICT_HEADER + 2 * n + Math.ceil(n / 64) + 16;
  const out =
    bound <= scratch.length
      ? scratch
      : bound <= MAX_SCRATCH_BYTES
        ? (scratch = Buffer.allocUnsafeSlow(bound))
        : Buffer.allocUnsafeSlow(bound);
  if (dict) return packAfter(bson, dict, out);
  if (epoch > 0x7fffffff - n - 1) {
    table.fill(0);
    epoch = 0;
  }
  const base = epoch + 1; // stored values are position + base, so 0 (a fresh table) is always empty
  epoch = base + n;
  const view = new DataView(bson.buffer, bson.byteOffset, n);
  const o = compress(bson, view, 0, 0, n, table, base, out, HEADER);
  if (o < 0) return bson;
  writeU32(out, 0, (PACKED | o) >>> 0);
  writeU32(out, 4, n);
  return out.subarray(0, o);
}

/**
 * Packs `bson` as the continuation of `dict`: both are laid out in one buffer and the dictionary's positions
 * are already in the hash table, so the ordinary match search finds them. The first `LITERAL_PREFIX` bytes
 * (the length and an ObjectId _id) stay literals, so `leadingBytes` still reads the _id without unpacking.
 */
function packAfter(bson: Uint8Array, dict: PackDict, out: Buffer): Uint8Array {
  const n = bson.length;
  const d = dict.bytes.length;
  if (joined.length < d + n) setJoined(Buffer.allocUnsafeSlow(Math.max(d + n, 2 * joined.length)));
  if (joinedDict !== dict) {
    joined.set(dict.bytes, 0);
    joinedDict = dict;
  }
  joined.set(bson, d);
  dictWork.set(dict.table);
  const o = compress(
    joined,
    joinedView,
    d,
    d + Math.min(LITERAL_PREFIX, n),
    d + n,
    dictWork,
    1,
    out,
    DICT_HEADER,
  );
  if (joined.length > MAX_SCRATCH_BYTES) setJoined(Buffer.allocUnsafeSlow(64 * 1024));
  if (o < 0) return bson;
  writeU32(out, 0, (PACKED | DICT | o) >>> 0);
  writeU32(out, 4, n);
  writeU32(out, 8, dict.id);
  return out.subarray(0, o);
}

/**
 * LZ-compresses src[from, end) into `out` after `header` bytes: matches may start at `searchFrom` and reach
 * back to anything before them in `src` (within the window); `table` holds positions + `base` (lower values
 * are empty). Returns the packed length, or -1 when it would not be shorter than the input.
 */
function compress(
  src: Uint8Array,
  view: DataView,
  from: number,
  searchFrom: number,
  end: number,
  table: Int32Array,
  base: number,
  out: Uint8Array,
  header: number,
): number {
  const n = end - from;
  const limit = end - MIN_MATCH;
  let o = header;
  let anchor = from;
  let i = searchFrom;
  // The 4 bytes at i, rolled forward a byte at a time while nothing matches (one read a position, not four).
  let seq = i <= limit ? view.getInt32(i, true) : 0;
  while (i <= limit) {
    const h = Math.imul(seq, 0x9e3779b1) >>> (32 - HASH_LOG);
    const ref = table[h] - base;
    table[h] = i + base;
    if (ref < 0 || i - ref > MAX_DISTANCE || view.getInt32(ref, true) !== seq) {
      i++;
      if (i <= limit) seq = (seq >>> 8) | (src[i + 3] << 24);
      continue;
    }
    // A match runs about 17 bytes here: compared 4 at a time, then byte by byte.
    const most = end - i;
    let len = MIN_MATCH;
    while (len + 4 <= most && view.getInt32(ref + len, true) === view.getInt32(i + len, true)) len += 4;
    while (len < most && src[ref + len] === src[i + len]) len++;
    o = emit(out, o, src, anchor, i, i - ref, len);
    i += len;
    anchor = i;
    // Remember a position near the match's end so a following repeat of the same run is found.
    if (i - 2 <= limit && i - 2 > ref) {
      const p = i - 2;
      const s2 = view.getInt32(p, true);
      table[Math.imul(s2, 0x9e3779b1) >>> (32 - HASH_LOG)] = p + base;
    }
    if (o >= n) return -1;
    if (i <= limit) seq = view.getInt32(i, true);
  }
  o = emit(out, o, src, anchor, end, 0, 0);
  return o >= n ? -1 : o;
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
 * Unpacked documents are cut from arenas (a view pins its arena until it is dropped), so a read costs no
 * buffer of its own: a Buffer per document cost about 5 µs and its share of the collector's work (27 % of the
 * database thread serving the leader's list of large issues). Documents up to 8 KiB come from 32 KiB arenas,
 * small enough for malloc to serve from memory freed before (already faulted in: 256 KiB arenas for every
 * document were mapped afresh and cost a page fault, about 20 µs here, per 4 KiB unpacked); larger ones up to
 * 64 KiB from arenas of 256 KiB, where one allocation serves at least four documents.
 */
class Arena {
  private buf: Buffer;
  private used = 0;

  constructor(private readonly bytes: number) {
    this.buf = Buffer.allocUnsafeSlow(bytes);
  }

  take(n: number): Buffer {
    if (this.used + n > this.bytes) {
      this.buf = Buffer.allocUnsafeSlow(this.bytes);
      this.used = 0;
    }
    const out = this.buf.subarray(this.used, this.used + n);
    this.used += (n + 7) & ~7;
    return out;
  }
}

const SMALL_DOC_BYTES = 8 * 1024;
const LARGE_DOC_BYTES = 64 * 1024;
const smallArena = new Arena(4 * SMALL_DOC_BYTES);
const largeArena = new Arena(4 * LARGE_DOC_BYTES);

/** `n` bytes of memory no one else will write. */
function keptBytes(n: number): Buffer {
  return n <= SMALL_DOC_BYTES
    ? smallArena.take(n)
    : n <= LARGE_DOC_BYTES
      ? largeArena.take(n)
      : Buffer.allocUnsafe(n);
}

/** The dictionary a packed copy was packed against, if any; throws when it is not loaded. */
function dictFor(stored: Buffer, dicts: PackDicts | undefined): Buffer | undefined {
  if (!packedWithDict(stored)) return undefined;
  const id = readU32(stored, 8);
  const found = dicts?.get(id);
  if (!found) throw new Error(`a packed document refers to packing dictionary ${id}, which is not loaded`);
  return found.bytes;
}

/**
 * The BSON of a stored copy: `stored` itself when it is plain, else a new view (memory no one else writes,
 * so it stays valid like any stored copy). Throws when a packed copy does not unpack to exactly its length.
 */
export function unpack(stored: Buffer, dicts?: PackDicts): Buffer {
  if (!isPackedDoc(stored)) return stored;
  const dict = dictFor(stored, dicts);
  const n = readU32(stored, 4);
  const out = keptBytes(n);
  unpackInto(stored, dict ? DICT_HEADER : HEADER, storedDocLength(stored), out, n, dict);
  return out;
}

/** Where a `Peek` unpacks: one buffer, reused by every look (grown for a larger document). */
let peekBuf = Buffer.allocUnsafeSlow(LARGE_DOC_BYTES);

function peekBytes(n: number): Buffer {
  if (n > peekBuf.length) peekBuf = Buffer.allocUnsafeSlow(Math.max(n, 2 * peekBuf.length));
  return peekBuf.subarray(0, n);
}

/** A lasting copy of a `Peek`'s view, all of it unpacked (the view itself when it is the stored copy). */
export function keep(view: Buffer, stored: Buffer): Buffer {
  if (view === stored) return stored;
  const out = keptBytes(view.length);
  view.copy(out);
  return out;
}

/**
 * The first bytes of a stored copy's BSON without unpacking it, when they are at hand: all of a plain copy,
 * or the literals a packed copy starts with (a document's first bytes never repeat earlier ones, so they
 * are literals unless a short run repeats itself; with a dictionary the first 21 always are). Enough to read
 * an _id that comes first.
 */
export function leadingBytes(stored: Buffer): Buffer {
  if (!isPackedDoc(stored)) return stored;
  let ip = packedWithDict(stored) ? DICT_HEADER : HEADER;
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

/**
 * Unpacks the packed copy `p` (tokens from `ip` to `end`) into the first `n` bytes of `out`; a match reaching
 * before the start of `out` reads the tail of `dict`.
 */
function unpackInto(p: Buffer, ip: number, end: number, out: Buffer, n: number, dict?: Buffer): void {
  if (unpackSome(p, ip, end, out, 0, n, dict, n) !== end || unpackedTo !== n) throw damaged();
}

/** Where the last `unpackSome` stopped in its output. */
let unpackedTo = 0;

/**
 * Unpacks the tokens of `p` from `ip` (output from `op`) until at least `until` bytes are out or the tokens
 * end; returns where it stopped in `p`, and sets `unpackedTo`. Stopping between tokens lets a caller resume.
 */
function unpackSome(
  p: Buffer,
  ip: number,
  end: number,
  out: Buffer,
  op: number,
  n: number,
  dict: Buffer | undefined,
  until: number,
): number {
  // Asked for everything, it reads every token (a stream may end with an empty literal run).
  while (ip < end && (op < until || until >= n)) {
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
    if (!(distance > 0 && op + len <= n)) throw damaged();
    if (from < 0) {
      // The match starts in the dictionary (and may run on into the document's first bytes).
      if (!dict || from + dict.length < 0) throw damaged();
      const take = Math.min(len, -from);
      const at = dict.length + from;
      if (take < LOOP_BYTES) for (let k = 0; k < take; k++) out[op++] = dict[at + k];
      else {
        dict.copy(out, op, at, at + take);
        op += take;
      }
      len -= take;
      from = 0;
    }
    if (len < LOOP_BYTES || op - from < len) for (let k = 0; k < len; k++) out[op++] = out[from++];
    else {
      out.copyWithin(op, from, from + len);
      op += len;
    }
  }
  unpackedTo = op;
  return ip;
}

/** Unpacking ahead of what a reader asked for, so that reading field by field costs few calls. */
const PEEK_STEP = 512;

/**
 * A look at one stored copy at a time, unpacked only as far as the reader reads: `view` holds the document's
 * BSON, of which the first `available` bytes are unpacked, and `more(need)` unpacks on to at least `need`
 * (all of it for Infinity). A filter over fields near a document's start then unpacks a fraction of it.
 * The view is overwritten by the next `start`: read what you need, or `keep` a copy.
 */
export class Peek {
  view: Buffer = Buffer.alloc(0);
  available = 0;
  /** Whether `view` is a reused buffer (else it is the stored copy itself). */
  transient = false;
  private stored: Buffer = this.view;
  private dict: Buffer | undefined;
  private ip = 0;
  private end = 0;
  private n = 0;

  start(stored: Buffer, dicts?: PackDicts): this {
    this.stored = stored;
    if (!isPackedDoc(stored)) {
      this.view = stored;
      this.available = this.n = stored.length;
      this.transient = false;
      return this;
    }
    this.n = readU32(stored, 4);
    this.dict = dictFor(stored, dicts);
    this.ip = this.dict ? DICT_HEADER : HEADER;
    this.end = storedDocLength(stored);
    this.view = peekBytes(this.n);
    this.available = 0;
    this.transient = true;
    return this;
  }

  readonly more = (need: number): number => {
    if (need <= this.available || this.available >= this.n) return this.available;
    const until = need >= this.n ? this.n : Math.min(this.n, need + PEEK_STEP);
    const { stored, end, view, n, dict } = this;
    this.ip = unpackSome(stored, this.ip, end, view, this.available, n, dict, until);
    // A match can reach the end early; the tokens after it (an empty literal run) are read too.
    if (unpackedTo >= n && this.ip < end)
      this.ip = unpackSome(stored, this.ip, end, view, unpackedTo, n, dict, n);
    this.available = unpackedTo;
    if (this.available >= n && (this.ip !== end || this.available !== n)) throw damaged();
    if (this.available < until && this.ip >= end) throw damaged();
    return this.available;
  };
}

function damaged(): Error {
  return new Error('a packed document does not unpack to its length');
}
