/**
 * The sorted set of one index's entries (key strings, key-string.ts), kept as bytes outside the JS heap.
 *
 * Why: as a B+tree of strings, 1,000,000 issues made about 23 million small strings on the database thread's
 * heap (1.8 GB). Every minor collection costs about 5 ms per GB of such an old generation, whatever it frees,
 * and start-up spent 10–13 s copying them between generations. Here the entries live in segments: one off-heap
 * buffer of packed entries each (with their offsets), so the collector sees a few thousand objects instead.
 *
 * A segment covers the keys from its `low` up to the next segment's `low`. Its packed entries never change in
 * place: an insert joins its small sorted list `added`, a delete of a packed entry marks its position `dead`,
 * and when the two hold more than DELTA_MAX the segment is rewritten (split in two beyond SPLIT_AT entries).
 *
 * Bytes compare as the strings do: a segment is latin1 (one byte per char) when every char of its entries is
 * below 0x100, else UTF-16BE, and plain byte order then equals the strings' code-unit order.
 */

/** Entries per segment when a sorted list is loaded. */
const LOAD_SIZE = 2048;
/** A rewritten segment with more entries than this splits in two. */
const SPLIT_AT = 4096;
/**
 * A segment is rewritten once its added entries and dead positions together pass this. A rewrite copies the
 * whole segment (2,048–4,096 entries), so every change pays a share of one: at 256 rather than 64, an insert
 * into the issues' 32 indexes cost about a tenth less of the database thread (bench/LOG.md "Index entries
 * encoded once, segments rewritten less often"). Until the rewrite the added entries are strings on the heap,
 * at most this many per segment that is written to.
 */
const DELTA_MAX = 256;

const isWide = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return true;
  return false;
};

/** `s` as UTF-16BE bytes. */
function beBytes(s: string): Buffer {
  const b = Buffer.from(s, 'utf16le');
  return b.swap16();
}

/** Writes `k` at `out[at]` (latin1, or UTF-16BE when `wide`); returns the bytes written. */
function writeKey(out: Buffer, at: number, k: string, wide: boolean): number {
  if (!wide) return out.write(k, at, 'latin1');
  out.write(k, at, 'utf16le');
  out.subarray(at, at + k.length * 2).swap16();
  return k.length * 2;
}

/** Copies the latin1 bytes `src[a, b)` to `out[at]` as UTF-16BE (each byte b becomes 0x00 b). */
function widenInto(src: Uint8Array, a: number, b: number, out: Buffer, at: number): void {
  for (let i = 0; i < b - a; i++) {
    out[at + 2 * i] = 0;
    out[at + 2 * i + 1] = src[a + i];
  }
}

/**
 * Copies `src[a, b)` to `out[at]`. A loop, not `Buffer.copy`: an entry is tens of bytes, and `copy` of a
 * sub-range makes a view object per call, 23 million of them when a start-up loads 1,000,000 issues' indexes.
 */
function copyInto(src: Uint8Array, a: number, b: number, out: Uint8Array, at: number): void {
  for (let i = a; i < b; i++) out[at++] = src[i];
}

/** Whether the bytes `b[x, y)` sort after the bytes `b[p, x)` just before them (a loop, as `copyInto`). */
function sortsAfterPrevious(b: Uint8Array, p: number, x: number, y: number): boolean {
  const n = Math.min(x - p, y - x);
  for (let i = 0; i < n; i++) {
    const d = b[x + i] - b[p + i];
    if (d !== 0) return d > 0;
  }
  return y - x > x - p;
}

/** The string whose bytes are `bytes[a, b)`, latin1 or (when `wide`) UTF-16BE. */
export function decode(bytes: Buffer, a: number, b: number, wide: boolean): string {
  if (!wide) return bytes.toString('latin1', a, b);
  return Buffer.from(bytes.subarray(a, b)).swap16().toString('utf16le');
}

class Segment {
  dead: Set<number> | undefined;
  added: string[] = [];

  constructor(
    public low: string,
    readonly bytes: Buffer,
    /** n + 1 offsets into `bytes`: entry i is bytes[offs[i], offs[i + 1]). */
    readonly offs: Uint32Array,
    readonly wide: boolean,
  ) {}

  get n(): number {
    return this.offs.length - 1;
  }

  get live(): number {
    return this.n - (this.dead?.size ?? 0) + this.added.length;
  }

  entry(i: number): string {
    return decode(this.bytes, this.offs[i], this.offs[i + 1], this.wide);
  }

  isDead(i: number): boolean {
    return this.dead !== undefined && this.dead.has(i);
  }

  /**
   * Compares entry i with `key`, read off the bytes against the key's chars (a latin1 byte is its char, a
   * UTF-16BE pair its code unit, so this is exactly the strings' `<`), skipping the first `skip` chars (known
   * equal). Returns 0 when they are equal, else ±(1 + the length of their common prefix), signed as entry − key.
   */
  private comparePast(i: number, key: string, skip: number): number {
    const bytes = this.bytes;
    const a = this.offs[i];
    const wide = this.wide;
    const len = wide ? (this.offs[i + 1] - a) >>> 1 : this.offs[i + 1] - a;
    const n = Math.min(len, key.length);
    for (let k = skip; k < n; k++) {
      const unit = wide ? (bytes[a + 2 * k] << 8) | bytes[a + 2 * k + 1] : bytes[a + k];
      const d = unit - key.charCodeAt(k);
      if (d !== 0) return d < 0 ? -(k + 1) : k + 1;
    }
    if (len === key.length) return 0;
    return len < key.length ? -(n + 1) : n + 1;
  }

  /** The sign of (entry i − key). */
  compare(i: number, key: string): number {
    return Math.sign(this.comparePast(i, key, 0));
  }

  /**
   * The first position whose entry is ≥ `key` (> it when `after`). Every entry between two others shares
   * their common prefix with the key, so each step skips what both ends already matched.
   */
  bound(key: string, after: boolean, lo = 0, hi = this.n): number {
    let lcpLo = 0;
    let lcpHi = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.comparePast(mid, key, Math.min(lcpLo, lcpHi));
      if (r < 0 || (after && r === 0)) {
        lo = mid + 1;
        lcpLo = r === 0 ? key.length : -r - 1;
      } else {
        hi = mid;
        lcpHi = r === 0 ? key.length : r - 1;
      }
    }
    return lo;
  }

  /**
   * `bound(key, false)` for a key above every entry before `from`, as each of an ascending run of keys is of
   * the one before: galloping from `from` takes a few comparisons where the keys land close together (none
   * when they all land at one place, as a time-ordered index's new keys do), not a search of the segment.
   */
  boundFrom(key: string, from: number): number {
    let lo = from;
    let probe = from;
    for (let step = 1; probe < this.n && this.comparePast(probe, key, 0) < 0; step *= 2) {
      lo = probe + 1;
      probe = lo + step;
    }
    return this.bound(key, false, lo, Math.min(probe, this.n));
  }

  /** The position of the entry equal to `key`, dead or not; -1 when there is none. */
  find(key: string): number {
    const i = this.bound(key, false);
    return i < this.n && this.compare(i, key) === 0 ? i : -1;
  }
}

/** The first index in the sorted `list` whose string is ≥ `key` (> it when `after`). */
function stringBound(list: readonly string[], key: string, after: boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < key || (after && list[mid] === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A share of a batch's keys up to this many goes into its segment's added list in place. An insert command of
 * one or two documents brings one or a few entries per index, and merging each index's share into a new list
 * copied the added list (up to DELTA_MAX entries) for every index of every insert: about a tenth of what the
 * database thread allocated under staff intake (bench/LOG.md, "The database thread's garbage…").
 */
const IN_PLACE_MAX = 8;

/**
 * Puts `key` into the ascending `added` where it belongs unless it is there; false when it was. The entries
 * after it move up one in place (a splice also made an empty list to return).
 */
function addSortedKey(added: string[], key: string): boolean {
  const j = stringBound(added, key, false);
  if (j < added.length && added[j] === key) return false;
  added.push(key);
  for (let i = added.length - 1; i > j; i--) added[i] = added[i - 1];
  added[j] = key;
  return true;
}

/** The ascending `added` and `keys[a, b)` (ascending) merged, each key once. */
function mergeNew(added: readonly string[], keys: readonly string[], a: number, b: number): string[] {
  const out: string[] = [];
  let i = 0;
  let j = a;
  while (i < added.length && j < b) {
    const x = added[i];
    const y = keys[j];
    if (y <= x) j++;
    if (x <= y) i++;
    out.push(x < y ? x : y);
  }
  while (i < added.length) out.push(added[i++]);
  while (j < b) out.push(keys[j++]);
  return out;
}

/** Packs ascending `keys` into one segment. */
function pack(low: string, keys: readonly string[]): Segment {
  const wide = keys.some(isWide);
  let bytes = 0;
  for (const k of keys) bytes += wide ? k.length * 2 : k.length;
  const out = Buffer.allocUnsafeSlow(bytes);
  const offs = new Uint32Array(keys.length + 1);
  let at = 0;
  for (let i = 0; i < keys.length; i++) {
    offs[i] = at;
    at += writeKey(out, at, keys[i], wide);
  }
  offs[keys.length] = at;
  return new Segment(low, out, offs, wide);
}

/** The same entries as UTF-16BE (each latin1 byte b becomes 0x00 b). */
function widen(s: Segment): Segment {
  const out = Buffer.allocUnsafeSlow(s.bytes.length * 2);
  widenInto(s.bytes, 0, s.bytes.length, out, 0);
  const offs = s.offs.map((o) => o * 2);
  const w = new Segment(s.low, out, offs, true);
  w.dead = s.dead;
  w.added = s.added;
  return w;
}

export class PackedKeys {
  private segs: Segment[] = [];
  private _size = 0;

  get size(): number {
    return this._size;
  }

  /** Replaces every entry by those `b` collected. */
  adopt(b: PackedKeysBuilder): void {
    b.flush();
    this.segs = b.segs;
    this._size = b.size;
  }

  clear(): void {
    this.segs = [];
    this._size = 0;
  }

  /** Replaces every entry by `keys`, which must be strictly ascending (an array, or a merge of runs). */
  loadSorted(keys: Iterable<string>): void {
    const segs: Segment[] = [];
    let size = 0;
    let chunk: string[] = [];
    const close = () => {
      segs.push(pack(segs.length === 0 ? '' : chunk[0], chunk));
      size += chunk.length;
      chunk = [];
    };
    for (const key of keys) {
      chunk.push(key);
      if (chunk.length === LOAD_SIZE) close();
    }
    if (chunk.length) close();
    this.segs = segs;
    this._size = size;
  }

  /** The segment covering `key`: the last whose `low` is ≤ it. */
  private segmentOf(key: string): number {
    let lo = 1;
    let hi = this.segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segs[mid].low <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  has(key: string): boolean {
    if (!this.segs.length) return false;
    const s = this.segs[this.segmentOf(key)];
    const j = stringBound(s.added, key, false);
    if (j < s.added.length && s.added[j] === key) return true;
    const i = s.find(key);
    return i >= 0 && !s.isDead(i);
  }

  /** Adds `key`; false when it was there. */
  set(key: string): boolean {
    if (!this.segs.length) this.segs.push(pack('', []));
    const si = this.segmentOf(key);
    const s = this.segs[si];
    const j = stringBound(s.added, key, false);
    if (j < s.added.length && s.added[j] === key) return false;
    const i = s.find(key);
    if (i >= 0) {
      if (!s.isDead(i)) return false;
      s.dead!.delete(i);
    } else s.added.splice(j, 0, key);
    this._size++;
    this.settle(si);
    return true;
  }

  /**
   * Adds `key`, which the caller knows is not an entry (a new document's, or an updated document's entry that
   * its old version did not have: every entry ends with its document's _id). Unlike `set` it does not search
   * the packed entries: a dead copy of the key there stays dead, and reads, counts and rewrites skip it.
   */
  insertNew(key: string): void {
    if (!this.segs.length) this.segs.push(pack('', []));
    const si = this.segmentOf(key);
    const s = this.segs[si];
    if (!addSortedKey(s.added, key)) return;
    this._size++;
    this.settle(si);
  }

  /**
   * `insertNew` for many keys at once, `keys` strictly ascending (a batch of inserts' entries for this index,
   * sorted): each segment's share is merged into its added list in one pass and the segment settled once,
   * instead of a search of the segments, a search of the list and a splice per key. The segments are visited
   * from the last, so a split never moves one still to be visited.
   */
  insertNewSorted(keys: readonly string[]): void {
    if (!keys.length) return;
    if (!this.segs.length) this.segs.push(pack('', []));
    let end = keys.length;
    while (end > 0) {
      const si = this.segmentOf(keys[end - 1]);
      const low = this.segs[si].low;
      let start = end - 1;
      while (start > 0 && keys[start - 1] >= low) start--;
      const s = this.segs[si];
      if (end - start <= IN_PLACE_MAX) {
        for (let j = start; j < end; j++) if (addSortedKey(s.added, keys[j])) this._size++;
      } else {
        const merged = mergeNew(s.added, keys, start, end);
        this._size += merged.length - s.added.length;
        s.added = merged;
      }
      this.settle(si);
      end = start;
    }
  }

  /** Removes `key`; false when it was not there. */
  delete(key: string): boolean {
    if (!this.segs.length) return false;
    const si = this.segmentOf(key);
    const s = this.segs[si];
    const j = stringBound(s.added, key, false);
    if (j < s.added.length && s.added[j] === key) s.added.splice(j, 1);
    else {
      const i = s.find(key);
      if (i < 0 || s.isDead(i)) return false;
      (s.dead ??= new Set()).add(i);
    }
    this._size--;
    this.settle(si);
    return true;
  }

  /** Rewrites segment `si` once its changes pass DELTA_MAX: merged, split when large, dropped when empty. */
  private settle(si: number): void {
    let s = this.segs[si];
    if (s.added.length + (s.dead?.size ?? 0) <= DELTA_MAX) return;
    if (!s.wide && s.added.some(isWide)) s = widen(s);
    const fresh = rewrite(s);
    const live = fresh.n;
    if (live === 0) {
      if (this.segs.length === 1) this.segs = [];
      else {
        this.segs.splice(si, 1);
        this.segs[0].low = '';
      }
      return;
    }
    if (live <= SPLIT_AT) {
      this.segs[si] = fresh;
      return;
    }
    // In halves, or (a batch's merge can add thousands of entries at once) in pieces of about LOAD_SIZE.
    const pieces = Math.max(2, Math.floor(live / LOAD_SIZE));
    const parts: Segment[] = [];
    for (let p = 0; p < pieces; p++) {
      const a = Math.floor((live * p) / pieces);
      const b = Math.floor((live * (p + 1)) / pieces);
      const cut = fresh.offs[a];
      const offs = fresh.offs.slice(a, b + 1).map((o) => o - cut);
      const part = new Segment(fresh.low, fresh.bytes.subarray(cut, fresh.offs[b]), offs, fresh.wide);
      if (p > 0) part.low = part.entry(0);
      parts.push(part);
    }
    this.segs.splice(si, 1, ...parts);
  }

  /** The keys ≥ `from` (every key when undefined), ascending. */
  *keysFrom(from?: string): Generator<string> {
    if (!this.segs.length) return;
    const start = from === undefined ? 0 : this.segmentOf(from);
    for (let si = start; si < this.segs.length; si++) {
      const s = this.segs[si];
      let i = nextLive(s, si === start && from !== undefined ? s.bound(from, false) : 0);
      let j = si === start && from !== undefined ? stringBound(s.added, from, false) : 0;
      let key = i < s.n ? s.entry(i) : undefined;
      while (key !== undefined || j < s.added.length) {
        if (key !== undefined && (j >= s.added.length || key < s.added[j])) {
          yield key;
          i = nextLive(s, i + 1);
          key = i < s.n ? s.entry(i) : undefined;
        } else yield s.added[j++];
      }
    }
  }

  /** The keys ≤ `from` (every key when undefined), descending. */
  *keysDownFrom(from?: string): Generator<string> {
    if (!this.segs.length) return;
    const start = from === undefined ? this.segs.length - 1 : this.segmentOf(from);
    for (let si = start; si >= 0; si--) {
      const s = this.segs[si];
      let i = prevLive(s, si === start && from !== undefined ? s.bound(from, true) - 1 : s.n - 1);
      let j = (si === start && from !== undefined ? stringBound(s.added, from, true) : s.added.length) - 1;
      let key = i >= 0 ? s.entry(i) : undefined;
      while (key !== undefined || j >= 0) {
        if (key !== undefined && (j < 0 || key > s.added[j])) {
          yield key;
          i = prevLive(s, i - 1);
          key = i >= 0 ? s.entry(i) : undefined;
        } else yield s.added[j--];
      }
    }
  }

  /**
   * Calls `each` with the bytes of every key above `after` (every key when undefined), ascending, until it
   * returns false: `bytes[a, b)`, latin1 or (when `wide`) UTF-16BE. A checkpoint copies them as they are.
   */
  forEachRawAfter(
    after: string | undefined,
    each: (bytes: Buffer, a: number, b: number, wide: boolean) => boolean,
  ): void {
    if (!this.segs.length) return;
    const start = after === undefined ? 0 : this.segmentOf(after);
    for (let si = start; si < this.segs.length; si++) {
      const s = this.segs[si];
      let i = nextLive(s, si === start && after !== undefined ? s.bound(after, true) : 0);
      let j = si === start && after !== undefined ? stringBound(s.added, after, true) : 0;
      while (i < s.n || j < s.added.length) {
        if (i < s.n && (j >= s.added.length || s.compare(i, s.added[j]) < 0)) {
          if (!each(s.bytes, s.offs[i], s.offs[i + 1], s.wide)) return;
          i = nextLive(s, i + 1);
          continue;
        }
        const k = s.added[j++];
        const wide = isWide(k);
        const bytes = wide ? beBytes(k) : Buffer.from(k, 'latin1');
        if (!each(bytes, 0, bytes.length, wide)) return;
      }
    }
  }

  /** How many keys lie in [lo, hi]; `each` (when given) sees every one of them. */
  countRange(lo: string, hi: string, each?: (key: string) => void): number {
    if (!this.segs.length || hi < lo) return 0;
    if (each) {
      let n = 0;
      for (const k of this.keysFrom(lo)) {
        if (k > hi) break;
        each(k);
        n++;
      }
      return n;
    }
    const first = this.segmentOf(lo);
    const last = this.segmentOf(hi);
    let n = 0;
    for (let si = first; si <= last; si++) {
      const s = this.segs[si];
      const a = si === first ? s.bound(lo, false) : 0;
      const b = si === last ? s.bound(hi, true) : s.n;
      if (b > a) {
        n += b - a;
        if (s.dead) for (const d of s.dead) if (d >= a && d < b) n--;
      }
      const ja = si === first ? stringBound(s.added, lo, false) : 0;
      const jb = si === last ? stringBound(s.added, hi, true) : s.added.length;
      if (jb > ja) n += jb - ja;
    }
    return n;
  }

  /** Every key, ascending (tests and tools). */
  keysArray(): string[] {
    return [...this.keysFrom()];
  }
}

function nextLive(s: Segment, i: number): number {
  while (i < s.n && s.isDead(i)) i++;
  return i;
}

function prevLive(s: Segment, i: number): number {
  while (i >= 0 && s.isDead(i)) i--;
  return i;
}

/** Where `rewrite` is writing: the new segment's bytes and offsets, and how far each is filled. */
interface Writing {
  out: Buffer;
  offs: Uint32Array;
  w: number;
  c: number;
}

/**
 * Copies the packed entries `[from, to)` of `s` to the end of `to` in one go. A module function, not a closure
 * in `rewrite`: V8 compiled a fresh closure of each call again (38 optimising compiles of it in 20 s of intake).
 */
function copyRun(s: Segment, from: number, to: number, into: Writing): void {
  if (from >= to) return;
  const a = s.offs[from];
  s.bytes.copy(into.out, into.w, a, s.offs[to]);
  for (let k = from; k < to; k++) into.offs[into.c++] = s.offs[k] - a + into.w;
  into.w += s.offs[to] - a;
}

/** The segment's live entries, packed and added merged, as one new segment of the same format. */
function rewrite(s: Segment): Segment {
  const at = new Array<number>(s.added.length);
  for (let k = 0; k < at.length; k++) at[k] = s.boundFrom(s.added[k], k > 0 ? at[k - 1] : 0);
  let bytes = s.bytes.length;
  if (s.dead) for (const d of s.dead) bytes -= s.offs[d + 1] - s.offs[d];
  for (const k of s.added) bytes += s.wide ? k.length * 2 : k.length;
  const into: Writing = { out: Buffer.allocUnsafeSlow(bytes), offs: new Uint32Array(s.live + 1), w: 0, c: 0 };
  let j = 0;
  let run = 0;
  for (let i = 0; i <= s.n; i++) {
    const dead = i < s.n && s.isDead(i);
    if (!dead && i < s.n && (j >= at.length || at[j] !== i)) continue;
    copyRun(s, run, i, into);
    while (j < at.length && at[j] === i) {
      into.offs[into.c++] = into.w;
      into.w += writeKey(into.out, into.w, s.added[j++], s.wide);
    }
    run = dead ? i + 1 : i;
  }
  into.offs[into.c] = into.w;
  return new Segment(s.low, into.out, into.offs, s.wide);
}

/**
 * Builds the segments straight from a snapshot's index section (index-section.ts), entry bytes to entry
 * bytes, so a start-up makes no string per entry. `ascending` turns false when an entry is not above the one
 * before it (such saved entries are never trusted).
 */
export class PackedKeysBuilder {
  readonly segs: Segment[] = [];
  size = 0;
  ascending = true;
  private stage = Buffer.allocUnsafeSlow(256 * 1024);
  private offs = new Uint32Array(LOAD_SIZE + 1);
  private n = 0;
  private wide = false;
  private last: string | undefined;

  /** Appends one entry: `src[at, end)`, latin1 or (when `wide`) UTF-16LE. */
  push(src: Buffer, at: number, end: number, wide: boolean): void {
    if (wide && !this.wide) this.widenStage();
    const w = this.offs[this.n];
    const len = this.wide && !wide ? (end - at) * 2 : end - at;
    if (w + len > this.stage.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.stage.length * 2, w + len));
      this.stage.copy(bigger, 0, 0, w);
      this.stage = bigger;
    }
    if (!this.wide) copyInto(src, at, end, this.stage, w);
    else if (wide) {
      src.copy(this.stage, w, at, end);
      this.stage.subarray(w, w + len).swap16();
    } else widenInto(src, at, end, this.stage, w);
    this.offs[this.n + 1] = w + len;
    if (this.ascending) {
      const above =
        this.n > 0
          ? sortsAfterPrevious(this.stage, this.offs[this.n - 1], w, w + len)
          : this.last === undefined || decode(this.stage, w, w + len, this.wide) > this.last;
      if (!above) this.ascending = false;
    }
    this.n++;
    this.size++;
    if (this.n === LOAD_SIZE) this.flush();
  }

  private widenStage(): void {
    const used = this.offs[this.n];
    // Room for the segment's entries so far, widened, and as many again (the stage holds one segment).
    const out = Buffer.allocUnsafeSlow(Math.max(used * 4, 256 * 1024));
    widenInto(this.stage, 0, used, out, 0);
    for (let i = 0; i <= this.n; i++) this.offs[i] *= 2;
    this.stage = out;
    this.wide = true;
  }

  /** Closes the segment being filled (PackedKeys.adopt calls it). */
  flush(): void {
    if (this.n === 0) return;
    const used = this.offs[this.n];
    const bytes = Buffer.allocUnsafeSlow(used);
    this.stage.copy(bytes, 0, 0, used);
    const seg = new Segment('', bytes, this.offs.slice(0, this.n + 1), this.wide);
    seg.low = this.segs.length === 0 ? '' : seg.entry(0);
    this.last = seg.entry(this.n - 1);
    this.segs.push(seg);
    this.n = 0;
    this.offs[0] = 0;
    this.wide = false;
  }
}
