/**
 * Recovery after crashes and damage: a torn tail in the newest segment is dropped (it was never acknowledged)
 * and cut off so new records follow valid ones; damage anywhere acknowledged data lives refuses to start.
 */
import { expect } from 'chai';
import { appendFile, readdir, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Int32 } from 'bson';
import { createDiskPersistence, type StorageLogger } from '../../../server/db/embedded/storage/index.ts';
import type { Change } from '../../../server/db/embedded/contract.ts';
import { bsonOf, FakeEngine, withTempDir } from './helpers.ts';

const ns = 'test.items';
const insert = (i: number): Change => ({
  op: 'insert',
  ns,
  doc: bsonOf({ _id: new Int32(i), payload: 'x'.repeat(40) }),
});

function capturingLogger(): StorageLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (message) => warnings.push(message) };
}

async function writeDocs(dir: string, ids: number[]): Promise<void> {
  const storage = await createDiskPersistence(dir);
  await storage.recover(() => undefined);
  for (const id of ids) await storage.commit([insert(id)]);
  await storage.close();
}

async function recoverIds(dir: string, logger?: StorageLogger): Promise<number[]> {
  const engine = new FakeEngine();
  const storage = await createDiskPersistence(dir, { logger });
  await storage.recover(engine.apply);
  await storage.close();
  return [...(engine.collections.get(ns)?.values() ?? [])]
    .map((doc) => Number(doc._id))
    .sort((a, b) => a - b);
}

async function onlySegment(dir: string): Promise<string> {
  const segments = (await readdir(dir)).filter((name) => name.endsWith('.wal'));
  expect(segments).to.have.length(1);
  return join(dir, segments[0]);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('storage recovery', () => {
  it('drops a torn last record, cuts it off, and appends after the valid prefix', () =>
    withTempDir(async (dir) => {
      await writeDocs(dir, range(0, 10));
      const segment = await onlySegment(dir);
      const fullSize = (await stat(segment)).size;
      await truncate(segment, fullSize - 7);

      const logger = capturingLogger();
      expect(await recoverIds(dir, logger)).to.deep.equal(range(0, 9));
      const recordBytes = fullSize / 10;
      expect(logger.warnings.join('\n')).to.contain(`dropping ${recordBytes - 7} bytes of torn tail`);
      expect((await stat(segment)).size).to.equal(fullSize - recordBytes);

      await writeDocs(dir, [42]);
      expect(await recoverIds(dir)).to.deep.equal([...range(0, 9), 42]);
    }));

  it('drops trailing garbage such as zero-filled blocks', () =>
    withTempDir(async (dir) => {
      await writeDocs(dir, range(0, 5));
      await appendFile(await onlySegment(dir), Buffer.alloc(4096));
      const logger = capturingLogger();
      expect(await recoverIds(dir, logger)).to.deep.equal(range(0, 5));
      expect(logger.warnings.join('\n')).to.contain('dropping 4096 bytes');
    }));

  it('detects a checksum mismatch and replays nothing from the damaged record on', () =>
    withTempDir(async (dir) => {
      await writeDocs(dir, range(0, 10));
      const segment = await onlySegment(dir);
      const bytes = await readFile(segment);
      const recordBytes = bytes.length / 10;
      bytes[recordBytes * 9 + 30] ^= 0x01; // one bit inside the last record's payload
      await writeFile(segment, bytes);

      const logger = capturingLogger();
      expect(await recoverIds(dir, logger)).to.deep.equal(range(0, 9));
      expect(logger.warnings.join('\n')).to.contain('checksum mismatch');
    }));

  it('refuses to start when a sealed segment is damaged', () =>
    withTempDir(async (dir) => {
      await writeDocs(dir, range(0, 10));
      // A checkpoint whose dump fails has already rotated: the first segment is now sealed and kept.
      const storage = await createDiskPersistence(dir);
      const engine = new FakeEngine();
      await storage.recover(engine.apply);
      const failing = storage.checkpoint(function* () {
        yield* engine.dump();
        throw new Error('dump failed');
      });
      expect(await failing.catch((error: Error) => error.message)).to.equal('dump failed');
      await storage.commit([insert(10)]);
      await storage.close();
      expect(await recoverIds(dir)).to.deep.equal(range(0, 11), 'a failed checkpoint loses nothing');

      const sealed = join(dir, (await readdir(dir)).filter((name) => name.endsWith('.wal')).sort()[0]);
      const bytes = await readFile(sealed);
      bytes[bytes.length - 20] ^= 0xff;
      await writeFile(sealed, bytes);
      const error = await recoverIds(dir).catch((e: Error) => e.message);
      expect(error).to.match(/is corrupt at byte .*checksum mismatch.*refusing to start/);
    }));

  it('refuses to start when a damaged snapshot would lose documents', () =>
    withTempDir(async (dir) => {
      const storage = await createDiskPersistence(dir);
      const engine = new FakeEngine();
      await storage.recover(engine.apply);
      for (let i = 0; i < 5; i++) {
        engine.apply(insert(i));
        await storage.commit([insert(i)]);
      }
      await storage.checkpoint(() => engine.dump());
      await storage.close();

      const snapshot = join(dir, 'snapshot.bson');
      await truncate(snapshot, (await stat(snapshot)).size - 3);
      expect(await recoverIds(dir).catch((e: Error) => e.message)).to.match(/snapshot .* is corrupt/);
    }));

  it('ignores a snapshot that was still being written when the server died', () =>
    withTempDir(async (dir) => {
      await writeDocs(dir, range(0, 3));
      await writeFile(join(dir, 'snapshot.bson.tmp'), Buffer.from('half a snapshot'));
      expect(await recoverIds(dir)).to.deep.equal(range(0, 3));
      expect(await readdir(dir)).not.to.include('snapshot.bson.tmp');
    }));

  it('refuses to start when journal records are missing', () =>
    withTempDir(async (dir) => {
      await writeDocs(dir, range(0, 3));
      const segment = await onlySegment(dir);
      // Pretend the segment starts at 5: records 1..4 are nowhere.
      await rename(segment, segment.replace(/\d{20}/, String(5).padStart(20, '0')));
      expect(await recoverIds(dir).catch((e: Error) => e.message)).to.match(/records 1\.\.4 are missing/);
    }));
});
