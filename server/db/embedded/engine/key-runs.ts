/**
 * The entries of an index being built from its documents (createIndexes, a rebuild at recovery), collected,
 * sorted and loaded without holding them all as strings on the heap.
 *
 * Why: a bulk load used to gather every entry as a string, sort the array and pack it, and a rebuild at
 * recovery gathered every index's entries at once (23 million at 1,000,000 issues, about 2 GB of strings on a
 * 4 GB heap). An index of words over the issues' texts (about 30 million entries, tried and reverted: see
 * bench/LOG.md) ran the database thread out of its heap. Here, once the collectors of a build hold RUN_KEYS
 * entries between them, each sorts and packs its own off the heap (packed-keys.ts) as one run; the load merges
 * an index's runs in order. The heap holds at most RUN_KEYS strings at a time.
 */
import { PackedKeys } from './packed-keys.ts';

/** Strings held before they are packed as runs (about 100 MB of them at most, whatever the index count). */
export const RUN_KEYS = 1 << 20;

/**
 * Sorts entries and drops exact repeats (a document repeating a key value in an array): bulk loading needs
 * strictly ascending keys. The default sort compares strings by UTF-16 code units, the entries' order.
 */
export function sortUnique(keys: string[]): string[] {
  keys.sort();
  let n = 0;
  for (let i = 0; i < keys.length; i++) if (n === 0 || keys[n - 1] !== keys[i]) keys[n++] = keys[i];
  keys.length = n;
  return keys;
}

/** Ascending iterators merged into one ascending sequence, each key once. */
function* merge(sources: Iterator<string>[]): Generator<string> {
  // A binary heap of the sources by their current key.
  const heads: { key: string; from: Iterator<string> }[] = [];
  const less = (a: number, b: number) => heads[a].key < heads[b].key;
  const swap = (a: number, b: number) => ([heads[a], heads[b]] = [heads[b], heads[a]]);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heads.length && less(l, m)) m = l;
      if (r < heads.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const from of sources) {
    const first = from.next();
    if (!first.done) heads.push({ key: first.value, from });
  }
  for (let i = (heads.length >> 1) - 1; i >= 0; i--) down(i);
  let last: string | undefined;
  while (heads.length) {
    const top = heads[0];
    if (top.key !== last) yield (last = top.key);
    const next = top.from.next();
    if (next.done) {
      heads[0] = heads[heads.length - 1];
      heads.pop();
    } else top.key = next.value;
    down(0);
  }
}

/** Collectors built together share one bound on the strings they hold between them. */
interface Budget {
  held: number;
  readonly limit: number;
  readonly members: KeyRuns[];
}

export class KeyRuns {
  private pending: string[] = [];
  private readonly runs: PackedKeys[] = [];

  private constructor(private readonly budget: Budget) {
    budget.members.push(this);
  }

  /**
   * Collectors for the indexes built in one pass over the documents (a rebuild builds every index at once):
   * once they hold `runKeys` strings between them, each packs what it holds as a run.
   */
  static group(count: number, runKeys = RUN_KEYS): KeyRuns[] {
    const budget: Budget = { held: 0, limit: runKeys, members: [] };
    return Array.from({ length: count }, () => new KeyRuns(budget));
  }

  /** Runs packed so far (tests). */
  get runCount(): number {
    return this.runs.length;
  }

  push(key: string): void {
    this.pending.push(key);
    if (++this.budget.held < this.budget.limit) return;
    for (const member of this.budget.members) member.spill();
    this.budget.held = 0;
  }

  private spill(): void {
    if (!this.pending.length) return;
    const run = new PackedKeys();
    run.loadSorted(sortUnique(this.pending));
    this.runs.push(run);
    this.pending = [];
  }

  /** Every entry collected, ascending, each once (the collector is spent afterwards). */
  ascending(): Iterable<string> {
    if (!this.runs.length) return sortUnique(this.pending);
    this.spill();
    return merge(this.runs.map((run) => run.keysFrom()));
  }
}
