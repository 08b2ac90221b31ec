/**
 * The documents of one collection, kept as their BSON bytes in large append-only slabs instead of as graphs
 * of JS objects. A million issues are then a few hundred buffers outside the JS heap (the garbage collector
 * never walks them) plus one map entry each, where objects cost several times their BSON size and made every
 * collection pause longer as the data grew.
 *
 * - Each copy is stored packed when that makes it smaller (doc-pack.ts: about half the bytes of an issue),
 *   and `get` hands out its BSON (a fresh view when it was packed). `getStored` gives the stored copy itself,
 *   which is what a snapshot saves and recovery hands back to `set` as it is.
 * - When the store reaches `TRAIN_AT` documents it makes its packing dictionary from a sample of them (about a
 *   quarter of an issue's BSON instead of half); copies made before keep their packing until a snapshot
 *   repacks them (`snapshotCopy`).
 * - A document lives at a location (slab, offset); its first four bytes are its stored length.
 * - Writes never touch bytes already written: an insert or replace appends a new copy and moves the
 *   location, so a Buffer view handed to a reader (a cursor batch waiting to be sent) stays valid.
 * - Replaced and deleted copies are garbage. When enough has piled up, `compact` copies the live documents of
 *   the emptiest slab to the end and drops that slab; views of it stay valid until their readers let go.
 * - Iteration follows the map, which keeps insertion order and keeps a replaced key in place (a collection
 *   scan's natural order), and whose iterators stay valid under mutation.
 */

import { isPackedDoc, storedDocLength } from '../contract.ts';
import {
  bsonLength,
  dictIdOf,
  pack,
  PackDicts,
  TRAIN_AT,
  trainDict,
  Peek,
  unpack,
  type PackDict,
} from './doc-pack.ts';
import type { SlabSource } from './slab-reserve.ts';

/** One look at a time: reads are synchronous, and each is done with its document before the next. */
const sharedPeek = new Peek();

/**
 * Whether two stored copies from `getStored` are the same copy, so what was read from one holds for the other:
 * a write always appends a new copy and never touches bytes already written, so the same slab memory (the same
 * buffer, at the same offset) is the same bytes, and a slab dropped since is still the memory the older view
 * holds, never a new slab's. Costs nothing: no unpacking, no comparing bytes.
 */
export function sameStored(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset;
}

/** Locations pack (slab index, offset) into one safe integer. */
const SLAB_SPAN = 2 ** 32;
const FIRST_SLAB_BYTES = 64 * 1024;
export const MAX_SLAB_BYTES = 16 * 1024 * 1024;
/**
 * Slab memory is faulted in ahead of the writes in steps of this size. Touching a page with a memset costs
 * less than half what it costs when a document copy faults it in, one page at a time; touching the whole slab
 * when it is allocated made every collection's last slab resident however little of it was used (up to 16 MiB
 * each; 37 MB of 98 MB at 20,000 issues).
 */
const TOUCH_STEP_BYTES = 1024 * 1024;

interface Slab {
  index: number;
  buf: Buffer;
  used: number;
  /** Bytes at the start of `buf` already faulted in (zero-filled or written). */
  touched: number;
  /** Bytes of the copies still referenced by the map. */
  live: number;
  /** The key of every copy appended, in order (offsets follow from the lengths). */
  keys: string[];
}

export interface DocStoreStats {
  documents: number;
  slabs: number;
  /** Bytes reserved in slabs. */
  reservedBytes: number;
  /** Bytes of the live stored copies (packed or not). */
  liveBytes: number;
  /** The live documents' BSON bytes (what they take unpacked). */
  bsonBytes: number;
  garbageBytes: number;
}

export class DocStore {
  private readonly where = new Map<string, number>();
  private readonly slabs: (Slab | undefined)[] = [];
  private current: Slab | undefined;
  private garbage = 0;
  private garbageAtLastCompaction = 0;
  private bson = 0;
  /** What new copies are packed against (none until the store has had `TRAIN_AT` documents). */
  private dict: PackDict | undefined;
  /** Whether the store has tried to make its dictionary (once: a failed try is not repeated per write). */
  private trained = false;
  /** A dictionary the store made that the journal has not been given yet (`takeNewDictionary`). */
  private fresh: PackDict | undefined;

  /**
   * `source` may hand over full-size slabs already faulted in (recovery's slab-reserve.ts); `dicts` are the
   * engine's dictionaries (shared by every store, as copies move between collections on a rename).
   */
  constructor(
    private readonly maxSlabBytes = MAX_SLAB_BYTES,
    private readonly source?: SlabSource,
    readonly dicts = new PackDicts(),
  ) {}

  /** The dictionary new copies are packed against. */
  get dictionary(): PackDict | undefined {
    return this.dict;
  }

  /** Packs new copies against `dict` from now on (recovery, a rename). */
  useDictionary(dict: PackDict | undefined): void {
    this.dict = dict;
  }

  get size(): number {
    return this.where.size;
  }

  has(key: string): boolean {
    return this.where.has(key);
  }

  /** The document's BSON (a view; never written to again). */
  get(key: string): Buffer | undefined {
    const loc = this.where.get(key);
    return loc === undefined ? undefined : unpack(this.at(loc), this.dicts);
  }

  /** The BSON of a stored copy from `getStored` (the copy itself when it is plain, else a fresh view). */
  bsonOf(stored: Buffer): Buffer {
    return unpack(stored, this.dicts);
  }

  /** A look at a stored copy, unpacked as far as it is read; valid until the next `peek` (doc-pack.ts). */
  peek(stored: Buffer): Peek {
    return sharedPeek.start(stored, this.dicts);
  }

  /** The stored copy, packed or not (a view; never written to again): what a snapshot saves. */
  getStored(key: string): Buffer | undefined {
    const loc = this.where.get(key);
    return loc === undefined ? undefined : this.at(loc);
  }

  /**
   * Inserts or replaces; a replaced key keeps its place in iteration order. `bytes` is BSON, or a stored copy
   * from `getStored` (recovery), which is kept as it is.
   */
  set(key: string, bytes: Uint8Array): void {
    this.restore(key, bytes);
    this.trainIfDue();
  }

  /** Makes the dictionary once the store holds `TRAIN_AT` documents (tried once). */
  trainIfDue(): void {
    if (!this.dict && !this.trained && this.where.size >= TRAIN_AT) this.train();
  }

  /**
   * `set` without making a dictionary (recovery): the dictionaries come from the records that carry them, so
   * a replay never makes one of its own whose id could differ from the one the journal's copies name. A store
   * that came back without one (a snapshot or journal from before dictionaries were journaled) makes it when
   * recovery ends (`trainIfDue`), and the next insert journals it.
   */
  restore(key: string, bytes: Uint8Array): void {
    const old = this.where.get(key);
    if (old !== undefined) this.release(old);
    this.where.set(key, this.append(key, pack(bytes, this.dict)));
  }

  /** The stored copy just written for `key` by `set` (a view, as `getStored`). */
  storedOf(key: string): Buffer {
    return this.at(this.where.get(key)!);
  }

  /** The dictionary this store made since the last call, which the journal must carry before its copies. */
  takeNewDictionary(): PackDict | undefined {
    const dict = this.fresh;
    this.fresh = undefined;
    return dict;
  }

  /**
   * The stored copy a snapshot should save, given the dictionaries it has saved so far (`saved`) and the one
   * it saved for this store (`dict`, if any): the copy itself when it needs no other dictionary, else the
   * document repacked against `dict` (a copy packed before the store had a dictionary, or against one the
   * snapshot lacks: made during the checkpoint, or brought by a rename). A copy repacked against the store's
   * own dictionary replaces the stored one (the same document, packed smaller), so the next checkpoint saves
   * it as it is: the first TRAIN_AT documents were repacked at every checkpoint until a restart, 1,000 an
   * issues collection's checkpoint and 5 % of the database thread in `issue-inserts`. Readers holding the
   * old copy find it changed (`sameStored`) and read the current one, as after any write.
   */
  snapshotCopy(key: string, saved: ReadonlySet<number>, dict: PackDict | undefined): Buffer | undefined {
    const loc = this.where.get(key);
    if (loc === undefined) return undefined;
    const stored = this.at(loc);
    const id = dictIdOf(stored);
    if (id === undefined ? !(dict && isPackedDoc(stored)) : saved.has(id)) return stored;
    const repacked = pack(unpack(stored, this.dicts), dict);
    if (!dict || dict !== this.dict) return Buffer.from(repacked);
    this.release(loc);
    const at = this.append(key, repacked);
    this.where.set(key, at);
    return this.at(at);
  }

  /** Makes the dictionary from up to 64 documents spread over the store. */
  private train(): void {
    const step = Math.max(1, Math.floor(this.where.size / 64));
    const samples: Buffer[] = [];
    let i = 0;
    for (const loc of this.where.values())
      if (i++ % step === 0) samples.push(unpack(this.at(loc), this.dicts));
    const bytes = trainDict(samples);
    this.trained = true;
    if (bytes) this.dict = this.fresh = this.dicts.create(bytes);
  }

  delete(key: string): boolean {
    const loc = this.where.get(key);
    if (loc === undefined) return false;
    this.release(loc);
    this.where.delete(key);
    return true;
  }

  keys(): IterableIterator<string> {
    return this.where.keys();
  }

  /** Every document's BSON, in iteration order. */
  *entries(): Generator<[string, Buffer]> {
    for (const [key, loc] of this.where) yield [key, unpack(this.at(loc), this.dicts)];
  }

  /** Every stored copy, in iteration order (to copy a store without unpacking). */
  *storedEntries(): Generator<[string, Buffer]> {
    for (const [key, loc] of this.where) yield [key, this.at(loc)];
  }

  clear(): void {
    this.where.clear();
    this.slabs.length = 0;
    this.current = undefined;
    this.garbage = 0;
    this.garbageAtLastCompaction = 0;
    this.bson = 0;
  }

  stats(): DocStoreStats {
    let reserved = 0;
    let live = 0;
    let slabs = 0;
    for (const s of this.slabs) {
      if (!s) continue;
      slabs++;
      reserved += s.buf.length;
      live += s.live;
    }
    return {
      documents: this.where.size,
      slabs,
      reservedBytes: reserved,
      liveBytes: live,
      bsonBytes: this.bson,
      garbageBytes: this.garbage,
    };
  }

  /**
   * Reclaims the slab with the smallest share of live bytes by re-appending its live documents, when it is at
   * most half full (or when garbage is over a quarter of the store). Cheap to call after every write: it only looks at the slabs once a slab's worth of
   * garbage has accumulated since the last look. Returns the bytes freed.
   */
  compact(): number {
    if (this.garbage - this.garbageAtLastCompaction < this.maxSlabBytes) return 0;
    this.garbageAtLastCompaction = this.garbage;
    let victim: Slab | undefined;
    let reserved = 0;
    for (const s of this.slabs) {
      if (!s) continue;
      reserved += s.used;
      if (s === this.current) continue;
      if (!victim || s.live / s.used < victim.live / victim.used) victim = s;
    }
    if (!victim) return 0;
    // A half-empty slab is always worth moving; a fuller one only while garbage is over a quarter of the
    // store, so updates spread evenly over every slab cannot double the memory.
    const share = victim.live / victim.used;
    if (share > 0.5 && !(this.garbage * 4 > reserved && share < 0.9)) return 0;
    return this.evacuate(victim);
  }

  /** Moves every live copy out of `slab` and drops it. */
  private evacuate(slab: Slab): number {
    let offset = 0;
    for (const key of slab.keys) {
      const loc = slab.index * SLAB_SPAN + offset;
      const len = storedDocLength(slab.buf, offset);
      if (this.where.get(key) === loc) {
        this.bson -= bsonLength(slab.buf, offset);
        this.where.set(key, this.append(key, slab.buf.subarray(offset, offset + len)));
      }
      offset += len;
    }
    const freed = slab.used;
    this.garbage -= slab.used - slab.live;
    this.garbageAtLastCompaction = this.garbage;
    this.slabs[slab.index] = undefined;
    return freed;
  }

  private at(loc: number): Buffer {
    const index = Math.floor(loc / SLAB_SPAN);
    const offset = loc - index * SLAB_SPAN;
    const buf = this.slabs[index]!.buf;
    return buf.subarray(offset, offset + storedDocLength(buf, offset));
  }

  private release(loc: number): void {
    const index = Math.floor(loc / SLAB_SPAN);
    const slab = this.slabs[index]!;
    const offset = loc - index * SLAB_SPAN;
    const len = storedDocLength(slab.buf, offset);
    this.bson -= bsonLength(slab.buf, offset);
    slab.live -= len;
    this.garbage += len;
    if (slab.live === 0 && slab !== this.current) {
      this.garbage -= slab.used;
      this.slabs[index] = undefined;
    }
  }

  /** Appends a stored copy. */
  private append(key: string, bytes: Uint8Array): number {
    const len = bytes.length;
    this.bson += bsonLength(bytes);
    let slab = this.current;
    if (!slab || slab.used + len > slab.buf.length) slab = this.newSlab(len);
    if (slab.used + len > slab.touched) {
      const end = Math.min(slab.buf.length, slab.used + len + TOUCH_STEP_BYTES);
      slab.buf.fill(0, slab.touched, end);
      slab.touched = end;
    }
    slab.buf.set(bytes, slab.used);
    const loc = slab.index * SLAB_SPAN + slab.used;
    slab.used += len;
    slab.live += len;
    slab.keys.push(key);
    return loc;
  }

  /** Slabs grow from small (most collections are tiny) to the maximum, or fit one huge document. */
  private newSlab(atLeast: number): Slab {
    const previous = this.current;
    if (previous && previous.live === 0) {
      this.garbage -= previous.used;
      this.slabs[previous.index] = undefined;
    }
    const grown = previous ? Math.min(previous.buf.length * 2, this.maxSlabBytes) : FIRST_SLAB_BYTES;
    const size = Math.max(grown, atLeast);
    let index = this.slabs.indexOf(undefined);
    if (index < 0) index = this.slabs.length;
    // Faulted in ahead of the writes, a step at a time (see TOUCH_STEP_BYTES), unless already touched.
    const ready = size === this.maxSlabBytes ? this.source?.take(size) : undefined;
    const buf = ready ?? Buffer.allocUnsafeSlow(size);
    const slab: Slab = { index, buf, used: 0, touched: ready ? size : 0, live: 0, keys: [] };
    this.slabs[index] = slab;
    this.current = slab;
    return slab;
  }
}
