/**
 * A tiny stand-in for the engine: applies replayed changes to a map of namespaces, the way the real engine's
 * `applyRecovered` does (post-images, idempotent), so storage tests can compare states without the engine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EJSON, serialize, type Document } from 'bson';
import type { Change, RecoveredEntry } from '../../../server/db/embedded/contract.ts';
import { decodeDoc } from '../../../server/db/embedded/engine/bson-raw.ts';

/** A document as storage sees it: its BSON bytes. */
export const bsonOf = (doc: Document): Uint8Array => serialize(doc);

export class FakeEngine {
  readonly collections = new Map<string, Map<string, Document>>();

  readonly apply = (change: RecoveredEntry): void => {
    switch (change.op) {
      case 'createCollection':
        if (!this.collections.has(change.ns)) this.collections.set(change.ns, new Map());
        return;
      case 'insert':
      case 'replace': {
        // Decoded (the real engine copies the bytes into its own store): replayed bytes are views of read buffers.
        const doc = decodeDoc(change.doc);
        this.collection(change.ns).set(keyOf(doc._id), doc);
        return;
      }
      case 'delete':
        this.collection(change.ns).delete(keyOf(change.id));
        return;
      case 'dropCollection':
        this.collections.delete(change.ns);
        return;
      default:
        throw new Error(`FakeEngine does not model ${change.op}`);
    }
  };

  *dump(): Iterable<Change> {
    for (const [ns, docs] of this.collections) {
      yield { op: 'createCollection', ns, options: {} };
      for (const doc of docs.values()) yield { op: 'insert', ns, doc: bsonOf(doc) };
    }
  }

  /** Canonical EJSON, so Int32 vs Double vs Long differences show up in comparisons. */
  snapshot(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [ns, docs] of [...this.collections].sort(([a], [b]) => a.localeCompare(b))) {
      out[ns] = {};
      for (const [key, doc] of [...docs].sort(([a], [b]) => a.localeCompare(b))) {
        out[ns][key] = EJSON.stringify(doc, { relaxed: false });
      }
    }
    return out;
  }

  private collection(ns: string): Map<string, Document> {
    let docs = this.collections.get(ns);
    if (!docs) this.collections.set(ns, (docs = new Map()));
    return docs;
  }
}

function keyOf(id: unknown): string {
  return EJSON.stringify({ id }, { relaxed: false });
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'storage-test-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const tempDirPrefix = join(tmpdir(), 'storage-test-');
