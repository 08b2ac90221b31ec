/**
 * The byte form of index entries in a snapshot's index file (every string comes back exactly), and the checks
 * recovery makes before it trusts saved entries.
 */
import { expect } from 'chai';
import { serialize } from 'bson';
import type { Change, IndexKeysEntry } from '../../../server/db/embedded/contract.ts';
import { createEngine, type Engine } from '../../../server/db/embedded/engine/index.ts';
import { packKeys, unpackKeys } from '../../../server/db/embedded/engine/index-section.ts';
import { indexContents } from './harness.ts';

describe('engine: index section packing', () => {
  it('round-trips one-byte, two-byte and lone-surrogate keys, in order', () => {
    const keys = ['', 'A\u0000\u00ff', '标题\uffff', '\ud800x', 'x\udc00', 'a'.repeat(70_000), '\u0100'];
    const packed = packKeys(keys);
    // One byte per char where latin1 carries the key, two where it does not, plus a 4-byte header each.
    expect(packed.length).to.equal(
      keys.reduce((n, k) => n + 4 + k.length * (/[\u0100-\uffff]/.test(k) ? 2 : 1), 0),
    );
    const out: string[] = ['before'];
    unpackKeys(packed, out);
    expect(out).to.deep.equal(['before', ...keys]);
  });

  it('refuses a slice cut short', () => {
    const packed = packKeys(['abc', 'def']);
    expect(() => unpackKeys(packed.subarray(0, packed.length - 1), [])).to.throw(/runs past its slice/);
    expect(() => unpackKeys(packed.subarray(0, 9), [])).to.throw(/truncated entry header/);
  });
});

describe('engine: saved index entries that fail a check', () => {
  const ns = 'd.c';
  const recover = (saved: (live: Engine) => IndexKeysEntry[]): Engine => {
    const live = createEngine();
    const changes: Change[] = [
      { op: 'createCollection', ns, options: {} },
      { op: 'createIndex', ns, spec: { v: 2, key: { k: 1 }, name: 'k_1' } },
      ...Array.from({ length: 50 }, (_, i): Change => ({
        op: 'insert',
        ns,
        doc: serialize({ _id: i, k: i % 7 }),
      })),
    ];
    for (const c of changes) live.applyRecovered(c);
    live.finishRecovery();
    const engine = createEngine();
    for (const c of changes) engine.applyRecovered(c);
    for (const e of saved(live)) engine.applyRecovered(e);
    engine.finishRecovery();
    expect(indexContents(engine)).to.deep.equal(indexContents(live));
    return engine;
  };
  const entry = (live: Engine, name: string, keys: (k: string[]) => string[]): IndexKeysEntry => {
    const ix = live.catalog.get(ns)!.indexes.get(name)!;
    const { multikey, multikeyFields } = ix;
    return {
      op: 'indexKeys',
      ns,
      name,
      multikey,
      multikeyFields,
      keys: packKeys(keys(ix.entries.keysArray())),
    };
  };

  it('loads entries that pass', () => {
    const engine = recover((live) => [entry(live, '_id_', (k) => k), entry(live, 'k_1', (k) => k)]);
    expect(engine.indexRestore).to.deep.equal({ loaded: 2, rebuilt: 0 });
  });

  it('rebuilds the collection when _id_ lacks a document, or entries are out of order', () => {
    for (const saved of [
      (live: Engine) => [entry(live, '_id_', (k) => k.slice(1)), entry(live, 'k_1', (k) => k)],
      (live: Engine) => [entry(live, '_id_', (k) => k), entry(live, 'k_1', (k) => [...k].reverse())],
    ]) {
      expect(recover(saved).indexRestore).to.deep.equal({ loaded: 0, rebuilt: 2 });
    }
  });
});

describe('engine: the index section of a snapshot', () => {
  it('cuts long keys into slices that stay far below the record limit, and loads them back', () => {
    const ns = 'd.long';
    const live = createEngine();
    const changes: Change[] = [
      { op: 'createCollection', ns, options: {} },
      { op: 'createIndex', ns, spec: { v: 2, key: { text: 1 }, name: 'text_1' } },
      ...Array.from({ length: 30 }, (_, i): Change => ({
        op: 'insert',
        ns,
        doc: serialize({ _id: i, text: String(i % 10).repeat(150_000) + i }),
      })),
    ];
    for (const c of changes) live.applyRecovered(c);
    live.finishRecovery();
    const entries = [...live.snapshot()];
    const slices = entries.filter((e): e is IndexKeysEntry => e.op === 'indexKeys' && e.name === 'text_1');
    expect(slices.length).to.be.greaterThan(1);
    for (const s of slices) expect(s.keys.length).to.be.below(16 * 1024 * 1024);
    const recovered = createEngine();
    for (const e of entries) recovered.applyRecovered(e);
    recovered.finishRecovery();
    expect(recovered.indexRestore).to.deep.equal({ loaded: 2, rebuilt: 0 });
    expect(indexContents(recovered)).to.deep.equal(indexContents(live));
  });
});
