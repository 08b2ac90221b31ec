/**
 * String index keys (engine/key-string.ts) against today's array keys, on a typical compound index
 * {status: 1, createdAt: -1, owner: 1} over min(BENCH_DOCS, 200,000) canonical documents, without a server:
 * building the entries, inserting them into a B+tree, sorting them (bulk build), point probes, and the heap
 * the tree and its entries retain.
 * The baseline is OrderedIndex itself (`keysFor` + `add`, compared by compareValues).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';
import { ObjectId, type Document } from 'bson';
import { OrderedIndex } from '../server/db/embedded/engine/ordered-index.ts';
import { encodeEntry, encodeValue, type Dir } from '../server/db/embedded/engine/key-string.ts';
import { benchConfig } from './lib/bench-config.ts';
import { heading, note, report } from './lib/report.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const N = Math.min(benchConfig.docs, 200_000);
const DIRS: Dir[] = [1, -1, 1];
const STATUSES = ['submitted', 'accepted', 'assigned', 'in_progress', 'resolved', 'closed'];

function makeDocs(): Document[] {
  const owners = Array.from({ length: 500 }, () => new ObjectId());
  return Array.from({ length: N }, (_, i) => ({
    _id: new ObjectId(),
    status: STATUSES[(i * 7) % STATUSES.length],
    createdAt: new Date(1_700_000_000_000 + ((i * 7919) % N) * 60_000),
    owner: owners[(i * 31) % owners.length],
  }));
}

type StringTree = { set(k: string, v: true): void; has(k: string): boolean; size: number };

/** A sorted-btree like OrderedIndex's (its constructor, reused), ordered by plain string comparison. */
function stringTree(like: OrderedIndex): StringTree {
  const Tree = like.tree.constructor as new (e: undefined, c: (a: string, b: string) => number) => StringTree;
  return new Tree(undefined, (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function newIndex(): OrderedIndex {
  return new OrderedIndex('bench.c', { v: 2, key: { status: 1, createdAt: -1, owner: 1 }, name: 'ix' });
}

function micros(ms: number): number {
  return (ms * 1000) / N;
}

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const out = run();
  return [out, performance.now() - start];
}

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const docs = makeDocs();
const shuffled = [...docs];
for (let i = shuffled.length - 1, seed = 1; i > 0; i--) {
  seed = (seed * 48271) % 2147483647; // a fixed shuffle, so every run inserts in the same order
  const j = seed % (i + 1);
  [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
}
heading(`index keys for {status: 1, createdAt: -1, owner: 1} over ${N.toLocaleString('en-US')} docs`);

// Warm both paths (key building, tree insert, probe, sort) so the JIT does not count.
const warmIndex = newIndex();
const warmTree = stringTree(warmIndex);
const warm = docs.slice(0, 5000).map((d) => {
  const keys = warmIndex.keysFor(d);
  warmIndex.add(keys);
  const entry = encodeEntry([d.status, d.createdAt, d.owner], DIRS, encodeValue(d._id));
  warmTree.set(entry, true);
  return [keys[0], entry] as const;
});
for (const [key, entry] of warm) {
  warmIndex.tree.has(key);
  warmTree.has(entry);
}
warm.map(([key]) => key).sort(warmIndex.compareKeys);
warm.map(([, entry]) => entry).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
heapUsed();

const [idKeys, idMs] = timed(() => shuffled.map((d) => encodeValue(d._id)));

// Each side: build the entries, insert them in a shuffled order, then what stays on the heap.
let start = heapUsed();
const arrayIndex = newIndex();
const [arrayKeys, arrayBuildMs] = timed(() => shuffled.map((d) => arrayIndex.keysFor(d)[0]));
const [, arrayInsertMs] = timed(() => arrayKeys.forEach((k) => arrayIndex.add([k])));
const arrayHeap = heapUsed() - start;

start = heapUsed();
const strings = stringTree(arrayIndex);
const [entries, entryMs] = timed(() =>
  shuffled.map((d, i) => encodeEntry([d.status, d.createdAt, d.owner], DIRS, idKeys[i])),
);
const [, stringInsertMs] = timed(() => entries.forEach((e) => strings.set(e, true)));
const stringHeap = heapUsed() - start;

report({
  name: 'build one entry: encodeEntry',
  value: micros(entryMs),
  unit: 'µs',
  baseline: { name: 'array key (keysFor)', value: micros(arrayBuildMs) },
});
report({ name: 'idKey of an ObjectId _id (once per document)', value: micros(idMs), unit: 'µs' });
const sample = entries[0];
note(`entry length ${sample.length} chars, one-byte: ${[...sample].every((c) => c.charCodeAt(0) <= 0xff)}`);
report({
  name: 'B+tree insert in random order',
  value: micros(stringInsertMs),
  unit: 'µs',
  baseline: { name: 'array keys, compareValues', value: micros(arrayInsertMs) },
});
report({
  name: 'heap per entry: key + tree share',
  value: stringHeap / N,
  unit: 'B',
  baseline: { name: 'array keys', value: arrayHeap / N },
});
note('array keys share their values with the documents, string keys hold their own chars; an array key');
note('is new Array(n) plus a push of _id, which grows its backing store to 22 slots (224 B per key)');

// Recovery's bulk build sorts every entry once.
const cmpStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const [, arraySortMs] = timed(() => [...arrayKeys].sort(arrayIndex.compareKeys));
const [, stringSortMs] = timed(() => [...entries].sort(cmpStrings));
report({
  name: 'sort all entries (bulk build), per entry',
  value: micros(stringSortMs),
  unit: 'µs',
  baseline: { name: 'array keys, compareKeys', value: micros(arraySortMs) },
});

const probes = shuffled.slice(0, Math.min(N, 50_000));
const [, arrayProbeMs] = timed(() => probes.forEach((_, i) => arrayIndex.tree.has(arrayKeys[i])));
const [, stringProbeMs] = timed(() => probes.forEach((_, i) => strings.has(entries[i])));
const perProbe = (ms: number): number => (ms * 1000) / probes.length;
report({
  name: 'point probe (tree.has)',
  value: perProbe(stringProbeMs),
  unit: 'µs',
  baseline: { name: 'array keys', value: perProbe(arrayProbeMs) },
});
