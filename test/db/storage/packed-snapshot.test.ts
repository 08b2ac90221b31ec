/**
 * Snapshot format 4: the engine saves its stored copies as they are (packed issues: engine/doc-pack.ts), so a
 * checkpoint and a start move about half the bytes and recovery copies them without packing anything. A
 * format-3 snapshot (plain BSON) still loads, its documents are packed as they are stored, and the first
 * checkpoint upgrades it. Either way the documents and indexes come back exactly.
 */
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, ObjectId, serialize, type Document } from 'bson';
import { isPackedDoc } from '../../../server/db/embedded/contract.ts';
import { encodeInsertBlock, encodeRecord } from '../../../server/db/embedded/storage/record-format.ts';
import { scanRecords } from '../../../server/db/embedded/storage/record-reader.ts';
import { SNAPSHOT_VERSION } from '../../../server/db/embedded/storage/snapshot.ts';
import { indexContents } from '../engine/harness.ts';
import { openDb, type Open } from './engine-db.ts';
import { withTempDir } from './helpers.ts';

/** Issues with timelines (packed to about half) and a few tiny documents (kept as BSON). */
function issues(): Document[] {
  const actor = new ObjectId('6569985c0235290a00000020');
  return Array.from({ length: 400 }, (_, i) => ({
    _id: new ObjectId(`6569a03f0435290a${i.toString(16).padStart(8, '0')}`),
    state: ['received', 'in_progress', 'closed'][i % 3],
    number: `HZ-2026-${String(i).padStart(6, '0')}`,
    ...(i % 50 === 0
      ? {}
      : {
          timeline: Array.from({ length: 6 + (i % 5) }, (_, j) => ({
            at: new Date(Date.UTC(2026, 0, 1, j)),
            actorId: actor,
            action: 'note',
            fromState: 'in_progress',
            toState: 'in_progress',
            note: `已电话联系企业负责人，详细了解诉求。${i}-${j}`,
          })),
        }),
  }));
}

const INDEXES = [
  { key: { number: 1 }, name: 'number_1', unique: true },
  { key: { state: 1, _id: -1 }, name: 'state_id' },
];

async function allDocs(db: Open): Promise<Document[]> {
  const reply = await db.run({ find: 'issues', filter: {}, sort: { _id: 1 }, batchSize: 10_000 });
  return reply.cursor.firstBatch as Document[]; // StubCursors decodes the stored BSON
}

/** The snapshot's documents as stored: how many are packed, how many plain. */
async function storedForms(dir: string): Promise<{ version: number; packed: number; plain: number }> {
  const out = { version: 0, packed: 0, plain: 0 };
  await scanRecords(join(dir, 'snapshot.bson'), ({ seq, payload }) => {
    const value = deserialize(payload, { promoteBuffers: true });
    if (seq === 0) out.version = value.version;
    if (value.op !== 'inserts' || value.ns !== 'app.issues') return;
    const docs = value.docs as Buffer;
    for (let at = 0; at < docs.length;) {
      const packed = isPackedDoc(docs, at);
      out[packed ? 'packed' : 'plain']++;
      at += docs.readUInt32LE(at) & 0x7fffffff;
    }
  });
  return out;
}

describe('storage: packed documents in snapshots (format 4)', () => {
  it('saves stored copies packed and recovers the same documents and indexes', () =>
    withTempDir(async (dir) => {
      const db = await openDb(dir);
      await db.run({ createIndexes: 'issues', indexes: INDEXES });
      await db.run({ insert: 'issues', documents: issues() });
      const before = await allDocs(db);
      await db.storage.checkpoint(() => db.engine.snapshot());
      // After the checkpoint, in the journal only (plain BSON there), then packed by the store on replay.
      await db.run({
        update: 'issues',
        updates: [{ q: { number: 'HZ-2026-000007' }, u: { $set: { state: 'x' } } }],
      });
      const after = await allDocs(db);
      const indexes = indexContents(db.engine);
      await db.storage.close();

      const forms = await storedForms(dir);
      expect(forms).to.deep.equal({ version: SNAPSHOT_VERSION, packed: 392, plain: 8 });
      const again = await openDb(dir);
      expect(again.engine.indexRestore).to.deep.equal({ loaded: 3, rebuilt: 0 });
      expect(await allDocs(again)).to.deep.equal(after);
      expect(after).to.not.deep.equal(before);
      const coll = again.engine.catalog.get('app.issues')!;
      const stats = coll.docs.stats();
      expect(stats.liveBytes).to.be.below(stats.bsonBytes * 0.7);
      expect(indexContents(again.engine)).to.deep.equal(indexes);
      await again.storage.close();
    }));

  it('loads a format-3 snapshot of plain BSON, packs it, and upgrades it at the first checkpoint', () =>
    withTempDir(async (dir) => {
      const docs = issues();
      const bytes = docs.map((d) => serialize(d));
      const total = bytes.reduce((n, b) => n + b.length, 0);
      const file = [
        encodeRecord(0, { snapshot: 1, version: 3, checkpointSeq: 1, snapshotId: 'v3' }),
        encodeRecord(1, { op: 'createCollection', ns: 'app.issues', options: {} }),
        ...INDEXES.map((spec, i) => encodeRecord(2 + i, { op: 'createIndex', ns: 'app.issues', spec })),
        encodeInsertBlock(2 + INDEXES.length, 'app.issues', bytes, total),
        encodeRecord(3 + INDEXES.length, { end: true, count: 2 + INDEXES.length }),
      ];
      await writeFile(join(dir, 'snapshot.bson'), Buffer.concat(file));

      const db = await openDb(dir);
      expect(db.engine.indexRestore).to.deep.equal({ loaded: 0, rebuilt: 3 }); // no index file: rebuilt
      const loaded = await allDocs(db);
      expect(loaded.map((d) => d.number)).to.deep.equal(docs.map((d) => d.number));
      expect(serialize(loaded[1])).to.deep.equal(serialize(docs[1]));
      expect(db.storage.wantsCheckpoint(), 'an outdated snapshot').to.equal(true);
      await db.storage.checkpoint(() => db.engine.snapshot());
      expect(db.storage.wantsCheckpoint(), 'after the upgrade').to.equal(false);
      const indexes = indexContents(db.engine);
      await db.storage.close();

      expect(await storedForms(dir)).to.deep.equal({ version: SNAPSHOT_VERSION, packed: 392, plain: 8 });
      const again = await openDb(dir);
      expect(again.engine.indexRestore).to.deep.equal({ loaded: 3, rebuilt: 0 });
      expect(await allDocs(again)).to.deep.equal(loaded);
      expect(indexContents(again.engine)).to.deep.equal(indexes);
      await again.storage.close();
    }));
});
