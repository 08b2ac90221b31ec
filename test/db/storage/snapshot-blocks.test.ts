/**
 * Snapshot format 3 and on: runs of inserts into one collection are packed into block records of about a
 * mebibyte (format 4's blocks may hold packed documents: packed-snapshot.test.ts).
 * A snapshot then has far fewer records than documents and recovers the same state; a version-2 snapshot
 * (one record per document) still loads and is upgraded by the next checkpoint; a block whose documents do not tile it, or a damaged block, refuses
 * to start like any damaged snapshot.
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Int32 } from 'bson';
import type { Change } from '../../../server/db/embedded/contract.ts';
import { createDiskPersistence } from '../../../server/db/embedded/storage/index.ts';
import { SNAPSHOT_VERSION } from '../../../server/db/embedded/storage/snapshot.ts';
import { encodeInsertBlock, encodeRecord } from '../../../server/db/embedded/storage/record-format.ts';
import { scanRecords } from '../../../server/db/embedded/storage/record-reader.ts';
import { bsonOf, FakeEngine, withTempDir } from './helpers.ts';

const ns = 'test.blocks';
const other = 'test.other';
const doc = (id: number) => bsonOf({ _id: new Int32(id), text: `文档 ${id} `.repeat(1 + (id % 200)) });

/** The hand-written snapshots have no index file, which the default logger would announce. */
const logger = { info: () => undefined, warn: () => undefined };

async function recovered(dir: string): Promise<FakeEngine> {
  const engine = new FakeEngine();
  const storage = await createDiskPersistence(dir, { logger });
  await storage.recover(engine.apply);
  await storage.close();
  return engine;
}

/** A checkpoint of `live` (and nothing in the journal after it). */
async function checkpointed(dir: string, live: FakeEngine): Promise<void> {
  const storage = await createDiskPersistence(dir);
  await storage.recover(() => undefined);
  await storage.commit([{ op: 'createCollection', ns, options: {} }]);
  await storage.checkpoint(() => live.dump());
  await storage.close();
}

const records = async (path: string): Promise<number> => (await scanRecords(path, () => undefined)).records;

describe('storage: snapshot blocks (format 3 and on)', () => {
  it('packs inserts into block records and recovers the same state', () =>
    withTempDir(async (dir) => {
      const live = new FakeEngine();
      live.apply({ op: 'createCollection', ns, options: {} });
      live.apply({ op: 'createCollection', ns: other, options: {} });
      for (let i = 0; i < 3000; i++) live.apply({ op: 'insert', ns, doc: doc(i) });
      live.apply({ op: 'insert', ns: other, doc: doc(7) });
      await checkpointed(dir, live);

      // Header, trailer, two createCollection records and the blocks: far fewer records than documents.
      expect(await records(join(dir, 'snapshot.bson'))).to.be.below(3000 / 20);
      expect((await recovered(dir)).snapshot()).to.deep.equal(live.snapshot());
    }));

  it('still loads a version-2 snapshot with one record per document', () =>
    withTempDir(async (dir) => {
      const changes: Change[] = [
        { op: 'createCollection', ns, options: {} },
        ...Array.from({ length: 50 }, (_, i): Change => ({ op: 'insert', ns, doc: doc(i) })),
      ];
      const file = [
        encodeRecord(0, { snapshot: 1, version: 2, checkpointSeq: 1, snapshotId: 'v2' }),
        ...changes.map((c, i) => encodeRecord(i + 1, c)),
        encodeRecord(changes.length + 1, { end: true, count: changes.length }),
      ];
      await writeFile(join(dir, 'snapshot.bson'), Buffer.concat(file));
      const expected = new FakeEngine();
      for (const c of changes) expected.apply(c);
      expect((await recovered(dir)).snapshot()).to.deep.equal(expected.snapshot());

      // The old format would cost every start a rebuild of the indexes: the first checkpoint upgrades it,
      // even with nothing written since, and then none is wanted.
      const engine = new FakeEngine();
      const storage = await createDiskPersistence(dir, { logger });
      await storage.recover(engine.apply);
      expect(storage.wantsCheckpoint(), 'an outdated snapshot').to.equal(true);
      await storage.checkpoint(() => engine.dump());
      expect(storage.wantsCheckpoint(), 'after the upgrade').to.equal(false);
      await storage.close();
      const reopened = await createDiskPersistence(dir);
      await reopened.recover(() => undefined);
      expect(reopened.stats().recovery?.snapshotVersion).to.equal(SNAPSHOT_VERSION);
      expect(reopened.wantsCheckpoint()).to.equal(false);
      await reopened.close();
      expect((await recovered(dir)).snapshot()).to.deep.equal(expected.snapshot());
    }));

  it('refuses to start when a block is damaged', () =>
    withTempDir(async (dir) => {
      const live = new FakeEngine();
      live.apply({ op: 'createCollection', ns, options: {} });
      for (let i = 0; i < 400; i++) live.apply({ op: 'insert', ns, doc: doc(i) });
      await checkpointed(dir, live);
      const path = join(dir, 'snapshot.bson');
      const flipped = await readFile(path);
      flipped[Math.floor(flipped.length / 2)] ^= 0x20;
      await writeFile(path, flipped);
      expect(await recovered(dir).catch((e: Error) => e.message)).to.match(/snapshot .* is corrupt/);
    }));

  it('refuses to start when the documents of a block do not tile it', () =>
    withTempDir(async (dir) => {
      // A well-framed block (valid checksum) whose last document claims one byte more than the block holds.
      const last = Buffer.from(doc(2));
      last.writeInt32LE(last.length + 1, 0);
      const file = [
        encodeRecord(0, { snapshot: 1, version: 3, checkpointSeq: 1, snapshotId: 'bad' }),
        encodeInsertBlock(1, ns, [doc(1), last], doc(1).length + last.length),
        encodeRecord(2, { end: true, count: 1 }),
      ];
      await writeFile(join(dir, 'snapshot.bson'), Buffer.concat(file));
      expect(await recovered(dir).catch((e: Error) => e.message)).to.match(
        /is corrupt \(a block of documents/,
      );
    }));

  it('refuses a snapshot from a newer format than it reads', () =>
    withTempDir(async (dir) => {
      const file = [
        encodeRecord(0, {
          snapshot: 1,
          version: SNAPSHOT_VERSION + 1,
          checkpointSeq: 1,
          snapshotId: 'future',
        }),
        encodeRecord(1, { end: true, count: 0 }),
      ];
      await writeFile(join(dir, 'snapshot.bson'), Buffer.concat(file));
      expect(await recovered(dir).catch((e: Error) => e.message)).to.match(
        new RegExp(`format version ${SNAPSHOT_VERSION + 1}, newer`),
      );
    }));
});
