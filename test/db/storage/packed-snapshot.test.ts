/**
 * Snapshot format 4: the engine saves its stored copies as they are (packed issues: engine/doc-pack.ts), so a
 * checkpoint and a start move about half the bytes and recovery copies them without packing anything. A
 * format-3 snapshot (plain BSON) still loads, its documents are packed as they are stored, and the first
 * checkpoint upgrades it. Either way the documents and indexes come back exactly.
 *
 * Format 5: a collection's packing dictionary is saved before its copies and comes back with the same id, so
 * the copies packed against it load as they are and new copies keep using it; a format-4 snapshot's copies
 * are repacked against a dictionary at the first checkpoint; a rename keeps a collection's dictionary.
 *
 * The journal too: an insert is journaled as its stored copy, and a dictionary when the collection makes it,
 * before the copies packed against it; a replay makes none of its own.
 */
import { expect } from 'chai';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, ObjectId, serialize, type Document } from 'bson';
import { isPackedDoc, packedWithDict, storedDocLength } from '../../../server/db/embedded/contract.ts';
import { pack, TRAIN_AT, type PackDict } from '../../../server/db/embedded/engine/doc-pack.ts';
import type { DocStore } from '../../../server/db/embedded/engine/doc-store.ts';
import { encodeInsertBlock, encodeRecord } from '../../../server/db/embedded/storage/record-format.ts';
import { scanRecords } from '../../../server/db/embedded/storage/record-reader.ts';
import { SNAPSHOT_VERSION } from '../../../server/db/embedded/storage/snapshot.ts';
import { indexContents } from '../engine/harness.ts';
import { openDb, type Open } from './engine-db.ts';
import { withTempDir } from './helpers.ts';

/** Issues with timelines (packed to about half) and a few tiny documents (kept as BSON). */
function issues(count = 400): Document[] {
  const actor = new ObjectId('6569985c0235290a00000020');
  return Array.from({ length: count }, (_, i) => ({
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

/**
 * A snapshot as an older version wrote it, by hand: `app.issues` with INDEXES and `docs` (BSON for format 3,
 * copies packed without a dictionary for format 4) in one block, and no index file.
 */
async function writeOldSnapshot(dir: string, version: 3 | 4, docs: Uint8Array[]): Promise<void> {
  const total = docs.reduce((n, b) => n + b.length, 0);
  const file = [
    encodeRecord(0, { snapshot: 1, version, checkpointSeq: 1, snapshotId: `v${version}` }),
    encodeRecord(1, { op: 'createCollection', ns: 'app.issues', options: {} }),
    ...INDEXES.map((spec, i) => encodeRecord(2 + i, { op: 'createIndex', ns: 'app.issues', spec })),
    encodeInsertBlock(2 + INDEXES.length, 'app.issues', docs, total),
    encodeRecord(3 + INDEXES.length, { end: true, count: 2 + INDEXES.length }),
  ];
  await writeFile(join(dir, 'snapshot.bson'), Buffer.concat(file));
}

async function allDocs(db: Open, coll = 'issues'): Promise<Document[]> {
  const reply = await db.run({ find: coll, filter: {}, sort: { _id: 1 }, batchSize: 10_000 });
  return reply.cursor.firstBatch as Document[]; // StubCursors decodes the stored BSON
}

/** The snapshot's documents as stored: how many are packed (against a dictionary or not), how many plain. */
async function storedForms(
  dir: string,
  ns = 'app.issues',
): Promise<{ version: number; packed: number; plain: number; dictPacked: number; dictionaries: number[] }> {
  const out = { version: 0, packed: 0, plain: 0, dictPacked: 0, dictionaries: [] as number[] };
  await scanRecords(join(dir, 'snapshot.bson'), ({ seq, payload }) => {
    const value = deserialize(payload, { promoteBuffers: true });
    if (seq === 0) out.version = value.version;
    if (value.op === 'packDictionary' && value.ns === ns) out.dictionaries.push(value.id);
    if (value.op !== 'inserts' || value.ns !== ns) return;
    const docs = value.docs as Buffer;
    for (let at = 0; at < docs.length;) {
      const packed = isPackedDoc(docs, at);
      out[packed ? 'packed' : 'plain']++;
      if (packedWithDict(docs, at)) {
        expect(out.dictionaries, 'the dictionary comes before its copies').to.have.length(1);
        out.dictPacked++;
      }
      at += storedDocLength(docs, at);
    }
  });
  return out;
}

/** `app.issues` came back packing against `dict` (same id, same bytes), and recovery made no other one. */
function backWith(db: Open, dict: PackDict): DocStore {
  const docs = db.engine.catalog.get('app.issues')!.docs;
  expect(docs.dictionary!.id).to.equal(dict.id);
  expect(docs.dictionary!.bytes.equals(dict.bytes)).to.equal(true);
  expect(db.engine.catalog.dicts.get(dict.id + 1), 'no second dictionary').to.equal(undefined);
  return docs;
}

describe('storage: packed documents in snapshots (formats 4 and 5)', () => {
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
      expect(forms).to.deep.include({ version: SNAPSHOT_VERSION, packed: 392, plain: 8, dictPacked: 0 });
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
      await writeOldSnapshot(
        dir,
        3,
        docs.map((d) => serialize(d)),
      );

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

      expect(await storedForms(dir)).to.deep.include({ version: SNAPSHOT_VERSION, packed: 392, plain: 8 });
      const again = await openDb(dir);
      expect(again.engine.indexRestore).to.deep.equal({ loaded: 3, rebuilt: 0 });
      expect(await allDocs(again)).to.deep.equal(loaded);
      expect(indexContents(again.engine)).to.deep.equal(indexes);
      await again.storage.close();
    }));

  it('saves the packing dictionary before its copies and packs new copies against it after a restart', () =>
    withTempDir(async (dir) => {
      const count = TRAIN_AT + 500;
      const db = await openDb(dir);
      await db.run({ createIndexes: 'issues', indexes: INDEXES });
      await db.run({ insert: 'issues', documents: issues(count) });
      const dict = db.engine.catalog.get('app.issues')!.docs.dictionary!;
      expect(dict, 'made at TRAIN_AT documents').to.not.equal(undefined);
      await db.storage.checkpoint(() => db.engine.snapshot());
      // In the journal only (BSON there): packed against the restored dictionary on replay.
      const late = { ...issues(count + 1)[count], state: 'late' };
      await db.run({ insert: 'issues', documents: [late] });
      const before = await allDocs(db);
      const indexes = indexContents(db.engine);
      await db.storage.close();

      const forms = await storedForms(dir);
      // Every copy but the tiny ones needs the one dictionary, including those made before it existed.
      expect(forms).to.deep.include({
        version: SNAPSHOT_VERSION,
        dictPacked: forms.packed,
        dictionaries: [dict.id],
      });
      expect(forms.packed).to.be.above(count * 0.95);
      const again = await openDb(dir);
      expect(await allDocs(again)).to.deep.equal(before);
      expect(indexContents(again.engine)).to.deep.equal(indexes);
      const stats = backWith(again, dict).stats();
      expect(stats.liveBytes).to.be.below(stats.bsonBytes * 0.25);
      await again.run({
        insert: 'issues',
        documents: [{ ...late, _id: new ObjectId(), number: 'HZ-2026-999999' }],
      });
      expect(await allDocs(again)).to.have.length(count + 2);
      await again.storage.close();
    }));

  it('repacks a format-4 snapshot against a dictionary at the first checkpoint', () =>
    withTempDir(async (dir) => {
      const docs = issues(TRAIN_AT + 200);
      const db = await openDb(dir);
      await db.run({ createIndexes: 'issues', indexes: INDEXES });
      await db.run({ insert: 'issues', documents: docs });
      const expected = await allDocs(db);
      // Copies packed without a dictionary, as format 4 saved them.
      await db.storage.close();
      await rm(dir, { recursive: true });
      await mkdir(dir);
      await writeOldSnapshot(
        dir,
        4,
        docs.map((d) => Buffer.from(pack(serialize(d)))),
      );

      const old = await openDb(dir);
      expect(await allDocs(old)).to.deep.equal(expected);
      expect(old.storage.wantsCheckpoint(), 'an outdated snapshot').to.equal(true);
      await old.storage.checkpoint(() => old.engine.snapshot());
      await old.storage.close();
      const forms = await storedForms(dir);
      expect(forms.dictPacked).to.equal(forms.packed);
      expect(forms.packed).to.be.above(docs.length * 0.95);
      const again = await openDb(dir);
      expect(await allDocs(again)).to.deep.equal(expected);
      await again.storage.close();
    }));

  it('journals inserts as their stored copies, the dictionary first, and replays them without a snapshot', () =>
    withTempDir(async (dir) => {
      const docs = issues(TRAIN_AT + 500);
      const bson = docs.reduce((n, d) => n + serialize(d).length, 0);
      const db = await openDb(dir);
      await db.run({ createIndexes: 'issues', indexes: INDEXES });
      await db.run({ insert: 'issues', documents: docs.slice(0, 700) });
      await db.run({ insert: 'issues', documents: docs.slice(700) });
      const dict = db.engine.catalog.get('app.issues')!.docs.dictionary!;
      const expected = await allDocs(db);
      const indexes = indexContents(db.engine);
      // The first TRAIN_AT copies packed alone (about half), the rest against the dictionary (under a quarter).
      expect(db.storage.stats().bytesWritten).to.be.below(bson * 0.5);
      // Each command's copies in blocks of up to 1 MiB, not a record each.
      expect(db.storage.stats().records).to.be.below(20);
      await db.storage.close();

      const again = await openDb(dir);
      expect(await allDocs(again)).to.deep.equal(expected);
      expect(indexContents(again.engine)).to.deep.equal(indexes);
      backWith(again, dict);
      const late = { ...docs[5], _id: new ObjectId(), number: 'HZ-2026-999999' };
      await again.run({ insert: 'issues', documents: [late] });
      await again.storage.close();

      const third = await openDb(dir);
      expect(await allDocs(third)).to.deep.equal([...expected, late]); // a new ObjectId sorts last
      expect(third.engine.catalog.get('app.issues')!.docs.dictionary!.id).to.equal(dict.id);
      await third.storage.close();
    }));

  it("keeps a collection's dictionary through a rename, replayed or checkpointed, and restarts", () =>
    withTempDir(async (dir) => {
      const db = await openDb(dir);
      await db.run({ insert: 'issues', documents: issues(TRAIN_AT + 100) });
      const dict = db.engine.catalog.get('app.issues')!.docs.dictionary!;
      const expected = await allDocs(db);
      await db.storage.checkpoint(() => db.engine.snapshot());
      await db.run({ renameCollection: 'app.issues', to: 'app.archive' });
      expect(db.engine.catalog.get('app.archive')!.docs.dictionary).to.equal(dict);
      expect(await allDocs(db, 'archive')).to.deep.equal(expected);
      await db.storage.close();

      // The rename replayed from the journal over the snapshot's copies.
      const replayed = await openDb(dir);
      expect(replayed.engine.catalog.get('app.archive')!.docs.dictionary!.id).to.equal(dict.id);
      expect(await allDocs(replayed, 'archive')).to.deep.equal(expected);
      await replayed.storage.checkpoint(() => replayed.engine.snapshot());
      await replayed.storage.close();
      expect((await storedForms(dir, 'app.archive')).dictionaries).to.deep.equal([dict.id]);
      const again = await openDb(dir);
      expect(await allDocs(again, 'archive')).to.deep.equal(expected);
      await again.storage.close();
    }));
});
