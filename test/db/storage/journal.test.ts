/**
 * The journal's promises: what commit() acknowledged comes back after a restart with its exact BSON types, in
 * call order; concurrent commits share fsyncs; nobody is acknowledged before their bytes are synced; a failing
 * disk rejects instead of pretending.
 */
import { expect } from 'chai';
import { constants as fsConstants } from 'node:fs';
import { open, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Binary, BSONRegExp, Decimal128, Double, Int32, Long, ObjectId, serialize, Timestamp } from 'bson';
import { createDiskPersistence, type OpenJournalFile } from '../../../server/db/embedded/storage/index.ts';
import type { Change } from '../../../server/db/embedded/contract.ts';
import { listSegments } from '../../../server/db/embedded/storage/files.ts';
import { decodeDoc } from '../../../server/db/embedded/engine/bson-raw.ts';
import { bsonOf, FakeEngine, withTempDir } from './helpers.ts';

function insert(i: number, extra: Record<string, unknown> = {}): Change {
  return { op: 'insert', ns: 'test.items', doc: bsonOf({ _id: new Int32(i), ...extra }) };
}

async function reopen(dir: string): Promise<FakeEngine> {
  const engine = new FakeEngine();
  const storage = await createDiskPersistence(dir);
  await storage.recover(engine.apply);
  await storage.close();
  return engine;
}

/** Wraps real files, counting syncs and checking that nothing is acknowledged while writes are unsynced. */
function instrumentedFs(options: { failSync?: boolean } = {}) {
  const state = { syncs: 0, unsyncedWrites: 0 };
  const openFile: OpenJournalFile = async (path, flags) => {
    const handle = await open(path, flags);
    return {
      write: async (buffer, offset, length, position) => {
        state.unsyncedWrites++;
        return handle.write(buffer, offset, length, position);
      },
      datasync: async () => {
        if (options.failSync) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        await handle.datasync();
        state.syncs++;
        state.unsyncedWrites = 0;
      },
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  };
  return { state, openFile };
}

describe('storage journal', () => {
  it('recovers committed changes with their exact BSON types', () =>
    withTempDir(async (dir) => {
      const doc = {
        _id: new ObjectId(),
        int: new Int32(7),
        double: new Double(7),
        long: Long.fromString('9007199254740993'),
        decimal: Decimal128.fromString('0.10'),
        date: new Date('2026-01-02T03:04:05.006Z'),
        binary: new Binary(Buffer.from('bytes'), 4),
        ts: new Timestamp({ t: 5, i: 6 }),
        regex: new BSONRegExp('^a.c$', 'im'),
        nothing: null,
        nested: { list: [new Int32(1), new Double(1.5), 'x'] },
      };
      const storage = await createDiskPersistence(dir);
      await storage.recover(() => expect.fail('fresh directory has nothing to replay'));
      await storage.commit([{ op: 'createCollection', ns: 'test.types', options: {} }]);
      await storage.commit([{ op: 'insert', ns: 'test.types', doc: bsonOf(doc) }]);
      await storage.close();

      const engine = await reopen(dir);
      const [restored] = [...engine.collections.get('test.types')!.values()];
      // Byte-identical BSON means every type survived: Int32 vs Double vs Long, Decimal128 digits, subtypes.
      expect(Buffer.from(serialize(restored)).toString('hex')).to.equal(
        Buffer.from(serialize(doc)).toString('hex'),
      );
      expect(restored.long).to.be.instanceOf(Long);
      expect(restored.decimal.toString()).to.equal('0.10');
      expect(restored.double).to.be.instanceOf(Double, 'an integral Double must not turn into an Int32');
      expect(restored).to.have.property('nothing', null);
      const expected = new FakeEngine();
      expected.apply({ op: 'createCollection', ns: 'test.types', options: {} });
      expected.apply({ op: 'insert', ns: 'test.types', doc: bsonOf(doc) });
      expect(engine.snapshot()).to.deep.equal(expected.snapshot());
    }));

  // Replayed documents used to be decoded here, and a test checked that their Binary values did not pin the
  // journal's read buffers. Storage now hands the engine each document's exact bytes (a view of the read
  // buffer, copied by the engine's document store), so what it must guarantee is the bytes themselves.
  it('replays each document as the exact bytes that were committed', () =>
    withTempDir(async (dir) => {
      const storage = await createDiskPersistence(dir);
      await storage.recover(() => undefined);
      const committed = insert(1, { blob: new Binary(Buffer.from('tiny')), text: '企业码' });
      await storage.commit([committed]);
      await storage.close();
      const replayed: Uint8Array[] = [];
      const again = await createDiskPersistence(dir);
      await again.recover((change) => {
        if (change.op === 'insert') replayed.push(new Uint8Array(change.doc));
      });
      await again.close();
      expect(replayed).to.have.length(1);
      expect(Buffer.from(replayed[0]).equals(Buffer.from((committed as { doc: Uint8Array }).doc))).to.equal(
        true,
      );
    }));

  it('journals in call order even when nobody awaits in between', () =>
    withTempDir(async (dir) => {
      const storage = await createDiskPersistence(dir);
      await storage.recover(() => undefined);
      const pending = [];
      for (let i = 0; i < 200; i++) pending.push(storage.commit([insert(1, { version: new Int32(i) })]));
      await Promise.all(pending);
      await storage.close();

      const versions: number[] = [];
      const again = await createDiskPersistence(dir);
      await again.recover((change) => {
        if (change.op === 'insert') versions.push(Number(decodeDoc(change.doc).version));
      });
      await again.close();
      expect(versions).to.deep.equal([...Array(200).keys()]);
    }));

  it('lets concurrent commits share one fsync, and acknowledges only synced bytes', () =>
    withTempDir(async (dir) => {
      const fs = instrumentedFs();
      const storage = await createDiskPersistence(dir, { openJournalFile: fs.openFile });
      await storage.recover(() => undefined);
      let acknowledgedEarly = 0;
      const commits = Array.from({ length: 64 }, (_, i) =>
        storage.commit([insert(i)]).then(() => {
          if (fs.state.unsyncedWrites > 0 || fs.state.syncs === 0) acknowledgedEarly++;
        }),
      );
      await Promise.all(commits);
      expect(acknowledgedEarly).to.equal(0);
      expect(fs.state.syncs).to.be.at.least(1).and.at.most(2);

      const before = fs.state.syncs;
      for (let i = 0; i < 5; i++) await storage.commit([insert(100 + i)]);
      expect(fs.state.syncs - before).to.equal(5, 'a lone commit still gets its own fsync');
      expect(storage.stats().records).to.equal(69);
      await storage.close();
      expect((await reopen(dir)).collections.get('test.items')!.size).to.equal(69);
    }));

  it('opens its segments O_DSYNC on Linux, and then acknowledges each write without an fdatasync', () =>
    withTempDir(async (dir) => {
      // The real opener: the open segment's descriptor carries O_DSYNC (/proc/self/fdinfo, flags in octal).
      const storage = await createDiskPersistence(dir);
      await storage.recover(() => undefined);
      await storage.commit([insert(1)]);
      const segments = (await listSegments(dir)).map((s) => s.path);
      const flags: number[] = [];
      for (const fd of await readdir('/proc/self/fd')) {
        const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
        if (!segments.includes(target)) continue;
        const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
        flags.push(parseInt(/^flags:\s*([0-7]+)/m.exec(info)![1], 8));
      }
      await storage.close();
      expect(flags).to.have.length(1);
      expect(flags[0] & fsConstants.O_DSYNC).to.equal(fsConstants.O_DSYNC);

      // A handle whose writes are durable gets no datasync, and what it acknowledged comes back.
      const datasyncs = { n: 0 };
      const dsyncDir = join(dir, 'dsync');
      const openFile: OpenJournalFile = async (path, how) => {
        const file = await open(path, how);
        return {
          syncsWrites: true,
          write: (buffer, offset, length, position) => file.write(buffer, offset, length, position),
          datasync: async () => void datasyncs.n++,
          truncate: (length) => file.truncate(length),
          close: () => file.close(),
        };
      };
      const durable = await createDiskPersistence(dsyncDir, { openJournalFile: openFile });
      await durable.recover(() => undefined);
      await Promise.all(Array.from({ length: 8 }, (_, i) => durable.commit([insert(i)])));
      await durable.commit([insert(8)]);
      expect(datasyncs.n).to.equal(0);
      expect(durable.stats().records).to.equal(9);
      await durable.close();
      expect((await reopen(dsyncDir)).collections.get('test.items')!.size).to.equal(9);
    }));

  it('rejects commits when the disk fails, and keeps rejecting', () =>
    withTempDir(async (dir) => {
      const fs = instrumentedFs({ failSync: true });
      const storage = await createDiskPersistence(dir, { openJournalFile: fs.openFile });
      await storage.recover(() => undefined);
      const results = await Promise.allSettled([storage.commit([insert(1)]), storage.commit([insert(2)])]);
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
      const later = await storage.commit([insert(3)]).then(
        () => 'resolved',
        (error: Error) => error.message,
      );
      expect(later).to.match(/journal write failed.*EIO/);
      await storage.close();
    }));

  it('rejects an unencodable change without leaving a gap in the journal', () =>
    withTempDir(async (dir) => {
      const storage = await createDiskPersistence(dir);
      await storage.recover(() => undefined);
      await storage.commit([insert(1)]);
      // Documents arrive encoded; an index spec is still encoded by storage, so it can still fail there.
      const circular: Record<string, unknown> = { name: 'x' };
      circular.self = circular;
      const error = await storage
        .commit([insert(3), { op: 'createIndex', ns: 'test.items', spec: circular }])
        .catch((e: Error) => e.message);
      expect(error).to.match(/circular/i);
      await storage.commit([insert(4)]);
      await storage.close();
      expect([...(await reopen(dir)).collections.get('test.items')!.keys()]).to.have.length(2);
    }));

  it('refuses commits before recovery and after close', () =>
    withTempDir(async (dir) => {
      const storage = await createDiskPersistence(dir);
      const early = await storage.commit([insert(1)]).catch((error: Error) => error.message);
      expect(early).to.match(/before recover/);
      await storage.recover(() => undefined);
      await storage.close();
      const late = await storage.commit([insert(1)]).catch((error: Error) => error.message);
      expect(late).to.match(/closed/);
    }));

  it('an empty commit waits for the commits queued before it', () =>
    withTempDir(async (dir) => {
      const fs = instrumentedFs();
      const storage = await createDiskPersistence(dir, { openJournalFile: fs.openFile });
      await storage.recover(() => undefined);
      const order: string[] = [];
      const first = storage.commit([insert(1)]).then(() => order.push('insert'));
      const empty = storage.commit([]).then(() => order.push('empty'));
      await Promise.all([first, empty]);
      expect(order).to.deep.equal(['insert', 'empty']);
      await storage.close();
    }));
});
