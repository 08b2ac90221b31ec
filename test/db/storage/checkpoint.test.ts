/**
 * Checkpoints: a snapshot plus the journal after it always rebuilds the state the writers saw, even when the
 * snapshot was taken while writes kept arriving, and the journal it covers is discarded.
 */
import { expect } from 'chai';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Int32 } from 'bson';
import { createDiskPersistence } from '../../../server/db/embedded/storage/index.ts';
import { checkpointThreshold } from '../../../server/db/embedded/storage/disk-persistence.ts';
import type { Change } from '../../../server/db/embedded/contract.ts';
import { bsonOf, FakeEngine, withTempDir } from './helpers.ts';

const ns = 'test.counters';

/** Applies to the live engine first, then commits, as the real engine does. */
async function write(engine: FakeEngine, storage: { commit(c: Change[]): Promise<void> }, change: Change) {
  engine.apply(change);
  await storage.commit([change]);
}

const doc = (id: number, value: number) =>
  bsonOf({ _id: new Int32(id), a: new Int32(value), b: new Int32(value) });

async function recovered(dir: string): Promise<FakeEngine> {
  const engine = new FakeEngine();
  const storage = await createDiskPersistence(dir);
  await storage.recover(engine.apply);
  await storage.close();
  return engine;
}

const journalFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.wal'));

describe('storage checkpoints', () => {
  it('snapshot + later writes + recovery gives the same state, and covered segments are deleted', () =>
    withTempDir(async (dir) => {
      const live = new FakeEngine();
      const storage = await createDiskPersistence(dir);
      await storage.recover(live.apply);
      await write(live, storage, { op: 'createCollection', ns, options: {} });
      for (let i = 0; i < 100; i++) await write(live, storage, { op: 'insert', ns, doc: doc(i, 0) });
      await storage.checkpoint(() => live.dump());
      for (let i = 0; i < 50; i++) await write(live, storage, { op: 'replace', ns, doc: doc(i, 1) });
      await write(live, storage, { op: 'delete', ns, id: new Int32(99) });
      expect(storage.stats().checkpoints).to.equal(1);
      await storage.close();

      expect(await journalFiles(dir)).to.have.length(1);
      expect(await readdir(dir)).to.include('snapshot.bson');
      expect((await recovered(dir)).snapshot()).to.deep.equal(live.snapshot());
    }));

  it('a fuzzy snapshot taken during concurrent writes still recovers exactly', () =>
    withTempDir(async (dir) => {
      const live = new FakeEngine();
      const storage = await createDiskPersistence(dir);
      await storage.recover(live.apply);
      await write(live, storage, { op: 'createCollection', ns, options: {} });
      await Promise.all(
        Array.from({ length: 20_000 }, (_, i) => write(live, storage, { op: 'insert', ns, doc: doc(i, 0) })),
      );

      let stop = false;
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let round = 1; !stop; round++) {
          const id = (w * 7919 + round * 104729) % 20_000;
          await write(live, storage, { op: 'replace', ns, doc: doc(id, round) });
          if (round % 50 === 0) await write(live, storage, { op: 'delete', ns, id: new Int32(id) });
        }
      });
      let writesDuringSnapshot = 0;
      const dump = function* () {
        const before = storage.stats().records;
        yield* live.dump();
        writesDuringSnapshot = storage.stats().records - before;
      };
      await storage.checkpoint(dump);
      stop = true;
      await Promise.all(writers);
      expect(writesDuringSnapshot).to.be.greaterThan(0, 'writes must land while the snapshot is written');
      await storage.close();

      expect((await recovered(dir)).snapshot()).to.deep.equal(live.snapshot());
    }));

  it('a crash between the snapshot rename and deleting covered segments still recovers, then deletes them', () =>
    withTempDir(async (dir) => {
      const live = new FakeEngine();
      const storage = await createDiskPersistence(dir);
      await storage.recover(live.apply);
      for (let i = 0; i < 50; i++) await write(live, storage, { op: 'insert', ns, doc: doc(i, 0) });
      const old = await journalFiles(dir);
      const saved = await Promise.all(old.map((name) => readFile(join(dir, name))));
      await storage.checkpoint(() => live.dump());
      await write(live, storage, { op: 'delete', ns, id: new Int32(3) });
      await storage.close();
      // Put the covered segments back, as if the server died before deleting them.
      await Promise.all(old.map((name, i) => writeFile(join(dir, name), saved[i])));

      expect((await recovered(dir)).snapshot()).to.deep.equal(live.snapshot());
      expect(await journalFiles(dir)).to.have.length(1, 'covered segments are deleted on recovery');
    }));

  it('wants a checkpoint past the journal threshold, and not after one', () =>
    withTempDir(async (dir) => {
      const live = new FakeEngine();
      const storage = await createDiskPersistence(dir, { checkpointBytes: 10_000 });
      await storage.recover(live.apply);
      expect(storage.wantsCheckpoint()).to.equal(false);
      for (let i = 0; i < 200; i++) await write(live, storage, { op: 'insert', ns, doc: doc(i, 0) });
      expect(storage.wantsCheckpoint()).to.equal(true);
      await storage.checkpoint(() => live.dump());
      expect(storage.wantsCheckpoint()).to.equal(false);
      await storage.close();

      const reopened = await createDiskPersistence(dir, { checkpointBytes: 10_000 });
      await reopened.recover(() => undefined);
      expect(reopened.wantsCheckpoint()).to.equal(false, 'the journal after the snapshot is still small');
      await reopened.close();
    }));

  it('by default waits for a journal of a quarter of the snapshot, between 64 MiB and 1 GiB', () => {
    const MiB = 1024 * 1024;
    expect(checkpointThreshold(0)).to.equal(64 * MiB);
    expect(checkpointThreshold(100 * MiB)).to.equal(64 * MiB);
    expect(checkpointThreshold(500 * MiB)).to.equal(125 * MiB);
    expect(checkpointThreshold(4600 * MiB)).to.equal(1024 * MiB);
  });

  it('repeated checkpoints and restarts keep the state', () =>
    withTempDir(async (dir) => {
      const live = new FakeEngine();
      for (let restart = 0; restart < 3; restart++) {
        const storage = await createDiskPersistence(dir);
        const engine = new FakeEngine();
        await storage.recover(engine.apply);
        expect(engine.snapshot()).to.deep.equal(live.snapshot());
        for (let i = 0; i < 30; i++) await write(live, storage, { op: 'replace', ns, doc: doc(i, restart) });
        await storage.checkpoint(() => live.dump());
        await storage.checkpoint(() => expect.fail('nothing was written since the last snapshot'));
        expect(storage.stats().checkpoints).to.equal(1);
        await write(live, storage, { op: 'insert', ns, doc: doc(1000 + restart, restart) });
        await storage.close();
      }
      expect((await recovered(dir)).snapshot()).to.deep.equal(live.snapshot());
    }));

  it('closing during a checkpoint abandons it without losing anything', () =>
    withTempDir(async (dir) => {
      const live = new FakeEngine();
      const storage = await createDiskPersistence(dir);
      await storage.recover(live.apply);
      await Promise.all(
        Array.from({ length: 20_000 }, (_, i) => write(live, storage, { op: 'insert', ns, doc: doc(i, 0) })),
      );
      const checkpoint = storage.checkpoint(() => live.dump());
      await storage.close();
      await checkpoint;
      expect((await recovered(dir)).snapshot()).to.deep.equal(live.snapshot());
    }));
});
