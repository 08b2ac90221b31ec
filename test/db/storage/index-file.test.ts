/**
 * The snapshot's index file: after a checkpoint, recovery loads every index from its saved entries (no key
 * building, no sort) and patches in the documents the journal changed after it, ending with exactly the
 * indexes a full rebuild gives. A damaged, torn, missing or foreign index file, or a version-1 snapshot,
 * costs only a rebuild, never a document.
 */
import { expect } from 'chai';
import { copyFile, mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document } from 'bson';
import { encodeRecord } from '../../../server/db/embedded/storage/record-format.ts';
import { indexContents } from '../engine/harness.ts';
import { openDb, type Open } from './engine-db.ts';
import { withTempDir } from './helpers.ts';

const INDEXES = [
  { key: { code: 1 }, name: 'code_1', unique: true },
  { key: { state: 1, at: -1, _id: -1 }, name: 'state_at' },
  { key: { tags: 1 }, name: 'tags_1' },
  { key: { due: 1 }, name: 'due_open', partialFilterExpression: { open: true } },
  { key: { title: 1 }, name: 'title_1' },
];
const INDEX_COUNT = INDEXES.length + 1; // and _id_

/** Writes documents, checkpoints, then changes some of them after the checkpoint (journal only). */
async function buildDb(dir: string): Promise<Document> {
  const db = await openDb(dir);
  await db.run({ createIndexes: 'issues', indexes: INDEXES });
  const docs = Array.from({ length: 600 }, (_, i) => ({
    _id: i,
    code: `c${i}`,
    state: ['open', 'done', 'merged'][i % 3],
    at: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    tags: i % 7 === 0 ? ['a', `t${i % 5}`] : `t${i % 5}`,
    due: i % 4 === 0 ? null : i,
    open: i % 2 === 0,
    // Chinese titles make two-byte keys.
    title: `标题${i}`,
  }));
  await db.run({ insert: 'issues', documents: docs });
  await db.run({ insert: 'other', documents: [{ _id: 'x', v: 1 }] });
  await db.storage.checkpoint(() => db.engine.snapshot());
  // After the checkpoint: only the journal knows these.
  const taken = await db.run({ update: 'issues', updates: [{ q: { _id: 3 }, u: { $set: { code: 'c4' } } }] });
  expect(taken.writeErrors?.[0]?.code, 'c4 is taken').to.equal(11000);
  await db.run({ update: 'issues', updates: [{ q: { _id: 4 }, u: { $set: { code: 'moved' } } }] });
  await db.run({
    update: 'issues',
    updates: [{ q: { _id: 3 }, u: { $set: { code: 'c4', tags: ['x', 'y'] } } }],
  });
  await db.run({ delete: 'issues', deletes: [{ q: { _id: 10 }, limit: 1 }] });
  await db.run({
    insert: 'issues',
    documents: [{ _id: 1000, code: 'new', state: 'open', tags: 'n', open: true }],
  });
  await db.run({
    update: 'issues',
    updates: [{ q: { state: 'merged' }, u: { $set: { open: false } }, multi: true }],
  });
  await db.run({ createIndexes: 'other', indexes: [{ key: { v: 1 }, name: 'v_1' }] });
  await db.run({ dropIndexes: 'issues', index: 'title_1' });
  const live = indexContents(db.engine);
  await db.storage.close();
  return live;
}

async function recoverAndCheck(dir: string, live: Document): Promise<Open> {
  const db = await openDb(dir);
  expect(indexContents(db.engine)).to.deep.equal(live);
  const dup = await db.run({ insert: 'issues', documents: [{ _id: 2000, code: 'c4' }] });
  expect(dup.writeErrors?.[0]?.code, 'the unique index still holds c4').to.equal(11000);
  return db;
}

describe('storage: the snapshot index file', function () {
  this.timeout(20_000);

  it('recovery loads every index from the checkpoint and patches in the journal written after it', () =>
    withTempDir(async (dir) => {
      const live = await buildDb(dir);
      const db = await recoverAndCheck(dir, live);
      // issues: five indexes load (title_1 was dropped after the checkpoint); other: _id_ loads, and v_1,
      // created after the checkpoint, is built.
      expect(db.engine.indexRestore).to.deep.equal({ loaded: 6, rebuilt: 1 });
      expect(db.storage.stats().recovery?.snapshotIndexSlices).to.be.greaterThan(0);
      expect(db.warnings).to.deep.equal([]);
      await db.storage.close();
    }));

  it('ends with the same indexes a full rebuild gives, multikey flags included', () =>
    withTempDir(async (dir) => {
      const live = await buildDb(dir);
      const first = await recoverAndCheck(dir, live);
      expect(first.engine.indexRestore.loaded).to.equal(6);
      const loaded = indexContents(first.engine);
      await first.storage.close();
      // The same files without the index file: everything is rebuilt from the documents.
      const copy = join(dir, 'copy');
      await mkdir(copy);
      for (const name of await readdir(dir)) {
        if (name.endsWith('.wal') || name === 'snapshot.bson')
          await copyFile(join(dir, name), join(copy, name));
      }
      const rebuilt = await openDb(copy);
      expect(rebuilt.engine.indexRestore.loaded).to.equal(0);
      expect(rebuilt.warnings.join('\n')).to.match(/index file .* is missing; every index is rebuilt/);
      expect(indexContents(rebuilt.engine)).to.deep.equal(loaded);
      await rebuilt.storage.close();
    }));

  for (const [what, damage, why] of [
    ['a flipped byte', flipMiddleByte, /is damaged \(checksum mismatch/],
    ['a torn end', (p: string) => truncateBy(p, 9), /is damaged \(incomplete record|has no trailer/],
    ['no trailer', (p: string) => truncateBy(p, 42), /has no trailer|is damaged/],
  ] as const) {
    it(`an index file with ${what} falls back to a rebuild and loses nothing`, () =>
      withTempDir(async (dir) => {
        const live = await buildDb(dir);
        await damage(join(dir, 'snapshot.indexes.bson'));
        const db = await recoverAndCheck(dir, live);
        expect(db.engine.indexRestore).to.deep.equal({ loaded: 0, rebuilt: INDEX_COUNT + 1 });
        expect(db.warnings.join('\n')).to.match(why);
        expect(db.warnings.join('\n')).to.contain('every index is rebuilt from the documents');
        await db.storage.close();
      }));
  }

  it('an index file left from another snapshot is ignored', () =>
    withTempDir(async (dir) => {
      const live = await buildDb(dir);
      const stale = await readFile(join(dir, 'snapshot.indexes.bson'));
      const db = await openDb(dir);
      await db.run({ insert: 'issues', documents: [{ _id: 3000, code: 'later' }] });
      await db.storage.checkpoint(() => db.engine.snapshot());
      await db.storage.close();
      // As if the server died between renaming the old index file's successor and the snapshot.
      await writeFile(join(dir, 'snapshot.indexes.bson'), stale);
      const again = await openDb(dir);
      expect(again.warnings.join('\n')).to.match(/belongs to another snapshot/);
      expect(again.engine.indexRestore.loaded).to.equal(0);
      expect(Object.keys(indexContents(again.engine))).to.deep.equal(Object.keys(live));
      expect(again.engine.catalog.get('app.issues')!.get(3000)?.code).to.equal('later');
      await again.storage.close();
    }));

  it('a version-1 snapshot (no version, no index file) still loads and its indexes are rebuilt', () =>
    withTempDir(async (dir) => {
      const live = await buildDb(dir);
      const db = await openDb(dir);
      const entries = [...db.engine.dump()];
      await db.storage.close();
      await rm(join(dir, 'snapshot.indexes.bson'));
      const records = [
        encodeRecord(0, { snapshot: 1, checkpointSeq: 1 }),
        ...entries.map((e, i) => encodeRecord(i + 1, e)),
        encodeRecord(entries.length + 1, { end: true, count: entries.length }),
      ];
      for (const name of await readdir(dir)) if (name.endsWith('.wal')) await rm(join(dir, name));
      await writeFile(join(dir, 'snapshot.bson'), Buffer.concat(records));
      const old = await recoverAndCheck(dir, live);
      expect(old.engine.indexRestore).to.deep.equal({ loaded: 0, rebuilt: INDEX_COUNT + 1 });
      expect(old.warnings).to.deep.equal([]);
      await old.storage.close();
    }));
});

async function flipMiddleByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[Math.floor(bytes.length / 2)] ^= 0x5a;
  await writeFile(path, bytes);
}

async function truncateBy(path: string, n: number): Promise<void> {
  const { size } = await stat(path);
  await truncate(path, size - n);
}
